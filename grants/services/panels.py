"""Writes for scoring panels: set-up, declarations, scorecards, reopening and moderation.

Each service re-checks who is acting and the state it acts on, whatever the
view has checked: a conflicted member cannot score, a submitted scorecard
cannot change, and the total recommended never exceeds the round's budget.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from partners.enums import MembershipStatus, Role
from partners.models import Membership, Organisation, User
from svd_portal.formatting import money
from svd_portal.history import attributed, record_created
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Workflow, move

from .. import scoring
from ..enums import (
    FUNDING_RECOMMENDATIONS,
    SCORABLE_STATUSES,
    ApplicationStatus,
    AssignmentMode,
    Recommendation,
    ScorecardStatus,
)
from ..models import (
    Application,
    Assignment,
    ConflictDeclaration,
    FundingRound,
    ModeratedScore,
    Moderation,
    Panel,
    PanelMember,
    Score,
    Scorecard,
    ScorecardReopening,
)
from ..rules import conflicted_on
from ..selectors import conflicted_application_ids
from .application_workflow import application_move
from .applications import cap_for
from .awarding import round_check_not_held

# A member submits a scorecard once; only the chair reopens it (scorecard_reopen records why).
SCORECARD = Workflow(
    Scorecard,
    {
        ScorecardStatus.DRAFT: {ScorecardStatus.SUBMITTED},
        ScorecardStatus.SUBMITTED: {ScorecardStatus.DRAFT},
    },
    noun="A scorecard",
)


@attributed
@transaction.atomic
def panel_save(
    *,
    funding_round: FundingRound,
    by: User,
    chair: User,
    members: list[tuple[User, Organisation]],
    assignment_mode: str = AssignmentMode.ALL,
    hide_applicant_identity: bool = False,
    spread_threshold: Decimal = Decimal("20"),
    deputy_chair: User | None = None,
    scoring_deadline: datetime.date | None = None,
) -> Panel:
    """Sets up (or changes) a round's panel. The chair is one of the members, and so is
    the deputy chair, who moderates what the chair declared a conflict on.

    Every member holds the Panel member role; nobody who has already scored can
    be taken off the panel, so their scores keep their author.
    """
    require_perm(by, "grants.setup_panel", funding_round)
    errors = []
    users = [user for user, _ in members]
    if len(set(users)) != len(users):
        errors.append("Each person can be on the panel once")
    if chair not in users:
        errors.append("The chair must be one of the panel's members")
    if deputy_chair is not None and deputy_chair not in users:
        errors.append("The deputy chair must be one of the panel's members")
    if deputy_chair is not None and deputy_chair == chair:
        errors.append("The deputy chair must be someone other than the chair")
    not_panellists = [
        u.full_name or u.email
        for u in users
        if not u.groups.filter(name=Role.PANEL_MEMBER).exists()
    ]
    if not_panellists:
        errors.append(f"Not in the Panel member role: {', '.join(not_panellists)}")
    if not Decimal("0") <= spread_threshold <= Decimal("100"):
        errors.append("The spread threshold must be between 0 and 100 percentage points")
    if errors:
        raise ValidationError(errors)
    panel, _ = Panel.objects.select_for_update().get_or_create(
        round=funding_round, defaults={"chair": chair}
    )
    panel.chair = chair
    panel.deputy_chair = deputy_chair
    panel.assignment_mode = assignment_mode
    panel.hide_applicant_identity = hide_applicant_identity
    panel.spread_threshold = spread_threshold
    panel.scoring_deadline = scoring_deadline
    panel.save()
    leaving = panel.members.exclude(user__in=users)
    # Their scores and declarations are part of the record: they stay on the panel.
    engaged = leaving.filter(Q(scorecards__isnull=False) | Q(declarations__isnull=False)).distinct()
    if engaged.exists():
        names = ", ".join(m.user.full_name for m in engaged.select_related("user"))
        raise ValidationError(f"{names} already declared or scored: they cannot leave the panel")
    leaving.delete()
    added = []
    for user, organisation in members:
        member, created = PanelMember.objects.update_or_create(
            panel=panel, user=user, defaults={"organisation": organisation}
        )
        if created:
            added.append(member.pk)
    if added:
        # Only the newly added are told, and only once the panel is saved.
        transaction.on_commit(lambda: enqueue("grants.send_panel_added_emails", member_ids=added))
    return panel


@transaction.atomic
def assignments_set(*, member: PanelMember, applications: list[Application], by: User) -> None:
    """Gives a member exactly these applications to score (in an assigned panel)."""
    require_perm(by, "grants.setup_panel", member.panel.round)
    if any(a.round_id != member.panel.round_id for a in applications):
        raise ValidationError("Assign only applications of this round")
    member.assignments.exclude(application__in=applications).delete()
    existing = set(member.assignments.values_list("application_id", flat=True))
    Assignment.objects.bulk_create(
        Assignment(member=member, application=a) for a in applications if a.pk not in existing
    )


def member_may_score(member: PanelMember, application: Application) -> bool:
    """Whether the application is in the member's work, conflicts aside."""
    if application.round_id != member.panel.round_id or application.status not in SCORABLE_STATUSES:
        return False
    if member.panel.assignment_mode == AssignmentMode.ASSIGNED:
        return member.assignments.filter(application=application).exists()
    return True


def own_organisation_conflict(member: PanelMember, application: Application) -> str:
    """Why the member cannot score the application whatever they declare, or "": they are
    an active member of the applicant organisation, or represent it on the panel."""
    if member.organisation_id == application.organisation_id:
        return f"Represents the applicant, {application.organisation.name}, on the panel"
    if Membership.objects.filter(
        user_id=member.user_id,
        organisation_id=application.organisation_id,
        status=MembershipStatus.ACTIVE,
    ).exists():
        return f"A member of the applicant, {application.organisation.name}"
    return ""


@transaction.atomic
def declaration_make(
    *,
    member: PanelMember,
    application: Application,
    has_interest: bool,
    interest: str = "",
    is_conflict: bool = False,
) -> ConflictDeclaration:
    """Records a member's declaration for an application. It is made once and kept as made.

    A member of the applicant organisation, or its representative on the panel, is
    declared conflicted whatever they say, and the declaration records why.
    """
    if not member_may_score(member, application):
        raise ValidationError("This application is not one of yours to score")
    automatic = own_organisation_conflict(member, application)
    if automatic:
        has_interest, is_conflict = True, True
        interest = f"{automatic}. {interest.strip()}".strip()
    interest = interest.strip()
    if has_interest and not interest:
        raise ValidationError({"interest": "Describe the interest"})
    if is_conflict and not has_interest:
        raise ValidationError({"is_conflict": "A conflict is an interest: describe it"})
    declaration, created = ConflictDeclaration.objects.get_or_create(
        member=member,
        application=application,
        defaults={
            "has_interest": has_interest,
            "interest": interest if has_interest else "",
            "is_conflict": is_conflict,
            "automatic": bool(automatic),
        },
    )
    if not created:
        raise ValidationError("You have already declared for this application")
    return declaration


def _declaration(member, application) -> ConflictDeclaration:
    declaration = ConflictDeclaration.objects.filter(member=member, application=application).first()
    if declaration is None:
        raise ValidationError("Declare any interest before you score")
    if declaration.is_conflict:
        raise ValidationError(
            "You declared a conflict of interest: you cannot score this application"
        )
    # Joined the applicant since declaring: conflicted now, and recorded as such. The
    # caller refuses the scores once this is saved.
    automatic = own_organisation_conflict(member, application)
    if automatic:
        declaration.has_interest = declaration.is_conflict = declaration.automatic = True
        declaration.interest = f"{automatic}. {declaration.interest}".strip()
        declaration.save(update_fields=["has_interest", "is_conflict", "automatic", "interest"])
    return declaration


def scorecard_save(
    *,
    member: PanelMember,
    application: Application,
    marks: dict[int, tuple[int | None, str]],
    submit: bool,
) -> Scorecard:
    """Saves a member's scores as a draft, or submits them once every criterion is scored.

    `marks` maps criterion id → (score or None, comment). A submitted scorecard
    is locked: only the chair can reopen it. The declaration is checked first, in its own
    transaction, so that a conflict found now (the member joined the applicant since
    declaring) is recorded even though the scores are refused.
    """
    if not member_may_score(member, application):
        raise ValidationError("This application is not one of yours to score")
    with transaction.atomic():
        _declaration(member, application)
    if own_organisation_conflict(member, application):
        raise ValidationError(
            "You belong to or represent the applicant organisation: you cannot score this application"
        )
    return _scorecard_save(member=member, application=application, marks=marks, submit=submit)


@transaction.atomic
def _scorecard_save(*, member, application, marks, submit) -> Scorecard:
    scorecard, _ = Scorecard.objects.select_for_update().get_or_create(
        member=member, application=application
    )
    if scorecard.status == ScorecardStatus.SUBMITTED:
        raise ValidationError("You have submitted this scorecard: ask the chair to reopen it")
    criteria = list(application.round.criteria.all())
    errors = {}
    for criterion in criteria:
        score, comment = marks.get(criterion.pk, (None, ""))
        if score is not None and not 0 <= score <= criterion.scale_max:
            errors[f"score_{criterion.pk}"] = (
                f"Score {criterion.title} from 0 to {criterion.scale_max}"
            )
        elif submit and score is None:
            errors[f"score_{criterion.pk}"] = f"Score {criterion.title} before you submit"
    if set(marks) - {c.pk for c in criteria}:
        raise ValidationError("Scores were sent for criteria this round does not have")
    if errors:
        raise ValidationError(errors)
    for criterion in criteria:
        score, comment = marks.get(criterion.pk, (None, ""))
        Score.objects.update_or_create(
            scorecard=scorecard,
            criterion=criterion,
            defaults={"score": score, "comment": comment.strip()},
        )
    scorecard.marks = {str(c.pk): marks.get(c.pk, (None, ""))[0] for c in criteria}
    scorecard.save()
    if submit:
        scorecard = move(
            SCORECARD,
            scorecard,
            ScorecardStatus.SUBMITTED,
            by=member.user,
            changes={
                "submitted_at": timezone.now(),
                "total": scoring.weighted_total(
                    (c.weight, marks[c.pk][0], c.scale_max) for c in criteria
                ),
            },
        )
    return scorecard


@transaction.atomic
def scorecard_reopen(*, scorecard: Scorecard, by: User, reason: str) -> Scorecard:
    """The chair reopens a submitted scorecard, with a recorded reason."""
    scorecard = (
        Scorecard.objects.select_for_update().select_related("member__panel").get(pk=scorecard.pk)
    )
    require_perm(
        by,
        "grants.reopen_scorecard",
        scorecard.member.panel.round,
        message="Only the chair can reopen a scorecard",
    )
    if conflicted_on(by.pk, scorecard.application):
        raise ValidationError("You are conflicted on this application")
    if scorecard.status != ScorecardStatus.SUBMITTED:
        raise ValidationError("Only a submitted scorecard can be reopened")
    round_check_not_held(FundingRound.objects.get(pk=scorecard.member.panel.round_id))
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for reopening the scorecard"})
    ScorecardReopening.objects.create(scorecard=scorecard, reason=reason.strip(), reopened_by=by)
    return move(
        SCORECARD,
        scorecard,
        ScorecardStatus.DRAFT,
        by=by,
        changes={"submitted_at": None, "total": None},
    )


@attributed
@transaction.atomic
def moderation_record(
    *,
    application: Application,
    by: User,
    scores: dict[int, int],
    rationale: str,
    recommendation: str,
    conditions: str = "",
    recommended_amount: Decimal = Decimal("0"),
) -> Moderation:
    """Records the panel's consensus on an application and moves it to recommended or not.

    The round's row is locked while the other recommendations are added up, so two
    people moderating at once cannot recommend more than the budget between them.
    """
    funding_round = FundingRound.objects.select_for_update().get(pk=application.round_id)
    application = Application.objects.select_related("organisation", "round").get(pk=application.pk)
    panel = Panel.objects.filter(round=funding_round).first()
    if panel is None:
        raise ValidationError("This round has no panel")
    round_check_not_held(funding_round)
    if application.status not in SCORABLE_STATUSES:
        raise ValidationError(
            f"An application that is {application.get_status_display().lower()} cannot be moderated"
        )
    require_perm(
        by,
        "grants.moderate_application",
        application,
        message="Only the panel's chair, its deputy where the chair declared a conflict, or "
        "OPCC staff can record moderation, and never someone conflicted on the application",
    )
    errors = {}
    criteria = list(funding_round.criteria.all())
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if score is None or not 0 <= score <= criterion.scale_max:
            errors[f"score_{criterion.pk}"] = (
                f"Give a consensus score for {criterion.title} from 0 to {criterion.scale_max}"
            )
    if not rationale.strip():
        errors["rationale"] = "Give the panel's rationale"
    if recommendation not in Recommendation.values:
        errors["recommendation"] = "Choose a recommendation"
    if recommendation == Recommendation.FUND_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = "Give the conditions"
    if recommendation == Recommendation.DO_NOT_FUND:
        recommended_amount = Decimal("0")
    elif recommendation in FUNDING_RECOMMENDATIONS:
        if not application.scorecards.filter(status=ScorecardStatus.SUBMITTED).exists():
            errors["recommendation"] = (
                "No member has submitted a scorecard for this application: it cannot be "
                "recommended for funding until one has"
            )
        cap = cap_for(funding_round=funding_round, organisation=application.organisation)
        if recommended_amount is None or recommended_amount <= 0:
            errors["recommended_amount"] = "Give the amount recommended"
        elif recommended_amount > (application.amount_requested or 0):
            errors["recommended_amount"] = (
                f"The amount recommended cannot be more than the {money(application.amount_requested)} requested"
            )
        elif cap is not None and recommended_amount > cap.maximum:
            errors["recommended_amount"] = (
                f"The amount recommended cannot be more than the cap of {money(cap.maximum)}"
            )
    if errors:
        raise ValidationError(errors)
    if recommendation in FUNDING_RECOMMENDATIONS:
        others = Moderation.objects.filter(
            application__round=funding_round,
            recommendation__in=sorted(FUNDING_RECOMMENDATIONS),
        ).exclude(application=application).exclude(
            application__status__in=[ApplicationStatus.WITHDRAWN]
        ).aggregate(total=Sum("recommended_amount"))["total"] or Decimal("0")
        remaining = funding_round.budget - others
        if recommended_amount > remaining:
            # What is left depends on every recommendation, including any the person
            # moderating is conflicted on: they are told only that the budget is exceeded.
            if _conflicted_on_any(by, funding_round):
                message = (
                    f"This would take the recommendations past the round's budget of "
                    f"{money(funding_round.budget)}"
                )
            else:
                message = (
                    f"Only {money(remaining)} of the {money(funding_round.budget)} budget is "
                    f"left to recommend; this asks for {money(recommended_amount)}"
                )
            raise ValidationError({"recommended_amount": message})
    total = scoring.weighted_total((c.weight, scores[c.pk], c.scale_max) for c in criteria)
    moderation, _ = Moderation.objects.update_or_create(
        application=application,
        defaults={
            "rationale": rationale.strip(),
            "recommendation": recommendation,
            "conditions": conditions.strip()
            if recommendation == Recommendation.FUND_WITH_CONDITIONS
            else "",
            "recommended_amount": recommended_amount,
            "total": total,
            "moderated_by": by,
            "moderated_at": timezone.now(),
        },
    )
    moderation.scores.all().delete()
    record_created(
        ModeratedScore.objects.bulk_create(
            ModeratedScore(moderation=moderation, criterion=c, score=scores[c.pk]) for c in criteria
        )
    )
    to_status = (
        ApplicationStatus.RECOMMENDED
        if recommendation in FUNDING_RECOMMENDATIONS
        else ApplicationStatus.NOT_RECOMMENDED
    )
    if application.status != to_status:
        application_move(
            application=application,
            to_status=to_status,
            by=by,
            reason=f"Panel moderation: {Recommendation(recommendation).label.lower()}",
        )
    return moderation


def _conflicted_on_any(user: User, funding_round: FundingRound) -> bool:
    return bool(conflicted_application_ids(user=user, funding_round=funding_round))

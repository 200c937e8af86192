"""Reads of grants data used in more than one place, scoped to who is asking."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from partners.enums import MembershipStatus, VerificationStatus
from partners.models import Membership, Organisation
from partners.rules import is_opcc_staff
from svd_portal.filters import filter_data
from svd_portal.formatting import money

from . import scoring
from .enums import (
    FUNDING_RECOMMENDATIONS,
    SCORABLE_STATUSES,
    ApplicationStatus,
    AssignmentMode,
    Channel,
    RoundStatus,
    ScorecardStatus,
)
from .filters import ApplicationFilter
from .models import (
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
)


def rounds_public() -> QuerySet[FundingRound]:
    """Rounds the public may see: everything but drafts, with what the pages show (the
    status changes are what FundingRound.early_close reads)."""
    return (
        FundingRound.objects.exclude(status=RoundStatus.DRAFT)
        .prefetch_related("caps", "priorities", "criteria", "status_changes")
        .order_by("-opens_at", "pk")
    )


def rounds_for_staff() -> QuerySet[FundingRound]:
    return FundingRound.objects.prefetch_related("status_changes").order_by("-opens_at", "pk")


def round_draft_holders(*, funding_round: FundingRound) -> dict[str, list[Application]]:
    """Who holds a draft in the round, by email address, with their drafts: the active
    members of each portal draft's organisation. A bid staff logged from email or paper
    is held by no one here: its sender never used the portal."""
    drafts = list(
        Application.objects.filter(
            round=funding_round, status=ApplicationStatus.DRAFT, channel=Channel.PORTAL
        ).order_by("reference")
    )
    members: dict[int, set[str]] = {}
    for organisation_id, email in Membership.objects.filter(
        organisation_id__in={draft.organisation_id for draft in drafts},
        status=MembershipStatus.ACTIVE,
        user__is_active=True,
    ).values_list("organisation_id", "user__email"):
        members.setdefault(organisation_id, set()).add(email)
    holders: dict[str, list[Application]] = {}
    for draft in drafts:
        for email in sorted(members.get(draft.organisation_id, ())):
            holders.setdefault(email, []).append(draft)
    return dict(sorted(holders.items()))


def applications_for_user(*, user) -> QuerySet[Application]:
    """Staff see every application; anyone else only their own organisations'."""
    applications = Application.objects.select_related("round", "organisation")
    if is_opcc_staff(user):
        return applications
    return applications.filter(
        organisation__memberships__user=user,
        organisation__memberships__status=MembershipStatus.ACTIVE,
    )


def application_for_page(*, user, reference: str) -> Application:
    """One application with what its pages show, or DoesNotExist for anyone not allowed to see it."""
    return (
        applications_for_user(user=user)
        .prefetch_related(
            "budget_lines",
            "attachments",
            "priorities",
            "success_measures",
            "round__caps",
            "round__priorities",
        )
        .select_related("evidence_strand", "submitted_by", "parent")
        .get(reference=reference)
    )


def organisations_for_applying(*, user) -> QuerySet[Organisation]:
    """The verified organisations a person may apply for."""
    return Organisation.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")


def organisations_waiting_for_verification(*, user) -> list[Organisation]:
    """The person's organisations still waiting for OPCC staff to verify them, when none of
    their organisations is verified yet: they cannot apply until one is."""
    if not user.is_authenticated:
        return []
    organisations = list(organisations_for_applying(user=user))
    if any(o.verification_status == VerificationStatus.VERIFIED for o in organisations):
        return []
    return [o for o in organisations if o.verification_status == VerificationStatus.PENDING]


def applications_for_staff_list(*, funding_round: FundingRound, params) -> ApplicationFilter:
    """A round's applications for the staff list and its exports, filtered by `params`
    (the query string): `.qs` is the list, filtered by every value that could be used,
    and `.form` says which could not."""
    applications = (
        Application.objects.filter(round=funding_round)
        .select_related("organisation", "evidence_strand")
        .prefetch_related(Prefetch("priorities"))
        .order_by("-created_at", "-pk")
    )
    return ApplicationFilter(
        filter_data(params, ApplicationFilter), applications, funding_round=funding_round
    )


# --- Panels ---------------------------------------------------------------------


def panel_member_for(*, user, funding_round) -> PanelMember | None:
    if not user.is_authenticated:
        return None
    return (
        PanelMember.objects.select_related("panel", "panel__round", "organisation")
        .filter(panel__round=funding_round, user=user)
        .first()
    )


def panels_for_user(*, user) -> QuerySet[PanelMember]:
    """The panels a person sits on, newest round first."""
    return (
        PanelMember.objects.filter(user=user)
        .select_related("panel__round", "panel__chair", "organisation")
        .order_by("-panel__round__opens_at")
    )


def applications_for_member(
    *, member: PanelMember, reference: str | None = None
) -> list[Application]:
    """The member's work: each application with `.declaration` and `.scorecard` (theirs, or None).

    With `reference`, only that application, if it is in their work.
    """
    applications = Application.objects.filter(
        round_id=member.panel.round_id, status__in=sorted(SCORABLE_STATUSES)
    )
    if reference is not None:
        applications = applications.filter(reference=reference)
    if member.panel.assignment_mode == AssignmentMode.ASSIGNED:
        applications = applications.filter(pk__in=member.assignments.values("application_id"))
    applications = (
        applications.select_related("organisation")
        .prefetch_related(
            Prefetch(
                "conflict_declarations",
                queryset=ConflictDeclaration.objects.filter(member=member),
                to_attr="my_declarations",
            ),
            Prefetch(
                "scorecards",
                queryset=Scorecard.objects.filter(member=member),
                to_attr="my_scorecards",
            ),
        )
        .order_by("reference")
    )
    result = list(applications)
    for application in result:
        application.declaration = next(iter(application.my_declarations), None)
        application.scorecard = next(iter(application.my_scorecards), None)
    return result


def decided_application_for_member(*, member: PanelMember, reference: str) -> Application | None:
    """An application decided since (no longer scorable) that the member submitted a
    scorecard on, with `.declaration` and `.scorecard` as in applications_for_member: for
    reading their own scorecard, never for editing it. None if there is none."""
    application = (
        Application.objects.filter(
            round_id=member.panel.round_id,
            reference=reference,
            scorecards__member=member,
            scorecards__status=ScorecardStatus.SUBMITTED,
        )
        .exclude(status__in=sorted(SCORABLE_STATUSES))
        .select_related("organisation")
        .first()
    )
    if application is None:
        return None
    application.declaration = ConflictDeclaration.objects.filter(
        member=member, application=application
    ).first()
    application.scorecard = Scorecard.objects.get(member=member, application=application)
    return application


def next_application_for_member(*, member: PanelMember, after: Application) -> Application | None:
    """The next application in the member's work (reference order, from `after` round to
    the start) that they have not submitted a scorecard on, skipping their conflicts."""
    conflicted = conflicted_application_ids(user=member.user, funding_round=member.panel.round)
    remaining = [
        application
        for application in applications_for_member(member=member)
        if application.pk != after.pk
        and application.pk not in conflicted
        and not (application.declaration is not None and application.declaration.is_conflict)
        and not (
            application.scorecard is not None
            and application.scorecard.status == ScorecardStatus.SUBMITTED
        )
    ]
    later = [a for a in remaining if a.reference > after.reference]
    return (later or remaining or [None])[0]


def outstanding_scorers(*, application: Application) -> list[PanelMember]:
    """The panel members who may score the application (it is in their work and they are
    not conflicted on it) and have not submitted a scorecard on it, by name."""
    from .rules import conflicted_on

    panel = Panel.objects.filter(round_id=application.round_id).first()
    if panel is None:
        return []
    members = panel.members.select_related("user", "organisation").order_by("user__full_name")
    if panel.assignment_mode == AssignmentMode.ASSIGNED:
        members = members.filter(assignments__application=application)
    members = members.exclude(
        scorecards__application=application, scorecards__status=ScorecardStatus.SUBMITTED
    )
    return [m for m in members if not conflicted_on(m.user_id, application)]


def panel_outstanding(*, panel: Panel, viewer) -> list[dict]:
    """Per member with work left: the applications they have not declared on and those
    declared but not submitted, in reference order. A member's own conflicts are not
    their work; what the viewer is conflicted on is left out entirely.

    A fixed number of queries however many members and applications: the panel's
    declarations, scorecards, assignments and its members' organisations are read once
    each and matched here (as conflicted_application_ids would, member by member).
    """
    funding_round = panel.round
    hidden = conflicted_application_ids(user=viewer, funding_round=funding_round)
    members = list(panel.members.select_related("user", "organisation").order_by("user__full_name"))
    applications = list(
        Application.objects.filter(round=funding_round, status__in=sorted(SCORABLE_STATUSES))
        .exclude(pk__in=hidden)
        .order_by("reference")
        .values_list("pk", "reference", "organisation_id")
    )
    assigned = None
    if panel.assignment_mode == AssignmentMode.ASSIGNED:
        assigned = set(
            Assignment.objects.filter(member__panel=panel).values_list(
                "member_id", "application_id"
            )
        )
    declared = {
        (member_id, application_id): is_conflict
        for member_id, application_id, is_conflict in ConflictDeclaration.objects.filter(
            member__panel=panel
        ).values_list("member_id", "application_id", "is_conflict")
    }
    submitted = set(
        Scorecard.objects.filter(member__panel=panel, status=ScorecardStatus.SUBMITTED).values_list(
            "member_id", "application_id"
        )
    )
    own_organisations = defaultdict(set)  # what each member belongs to or represents
    for member in members:
        own_organisations[member.user_id].add(member.organisation_id)
    for user_id, organisation_id in Membership.objects.filter(
        user_id__in=own_organisations, status=MembershipStatus.ACTIVE
    ).values_list("user_id", "organisation_id"):
        own_organisations[user_id].add(organisation_id)

    rows = []
    for member in members:
        own = own_organisations[member.user_id]
        not_declared, not_submitted = [], []
        for application_id, reference, organisation_id in applications:
            key = (member.pk, application_id)
            if (assigned is not None and key not in assigned) or organisation_id in own:
                continue
            if key not in declared:
                not_declared.append(reference)
            elif not declared[key] and key not in submitted:
                not_submitted.append(reference)
        if not_declared or not_submitted:
            rows.append(
                {"member": member, "not_declared": not_declared, "not_submitted": not_submitted}
            )
    return rows


@dataclass
class RankingRow:
    application: Application
    member_totals: dict[int, Decimal]
    mean: Decimal | None
    spread: Decimal | None
    flagged: bool
    moderation: Moderation | None
    cumulative: Decimal | None = None
    rank: int = 0

    @property
    def totals(self) -> list[Decimal]:
        return list(self.member_totals.values())


RANKED_STATUSES = SCORABLE_STATUSES | {ApplicationStatus.AWARDED, ApplicationStatus.DECLINED}


def round_ranking(*, funding_round: FundingRound, viewer) -> list[RankingRow]:
    """The round's assessed applications by moderated score, then mean, with the running
    total of recommended amounts against the budget, as `viewer` may see them: the
    applications they are conflicted on are left out altogether, so neither their rank,
    their amount nor a running total that includes them shows (see `withheld_for`).

    A fixed number of queries; the members' totals come as plain tuples, which keeps a
    500-application round fast.
    """
    return _ranking(
        funding_round=funding_round,
        withheld=conflicted_application_ids(user=viewer, funding_round=funding_round),
    )


def _ranking(*, funding_round: FundingRound, withheld: set[int]) -> list[RankingRow]:
    panel = Panel.objects.filter(round=funding_round).first()
    threshold = panel.spread_threshold if panel else Decimal("100")
    applications = (
        Application.objects.filter(round=funding_round, status__in=sorted(RANKED_STATUSES))
        .exclude(pk__in=withheld)
        .select_related("organisation", "moderation")
        .only(
            "reference",
            "title",
            "status",
            "amount_requested",
            "round_id",
            "organisation__name",
            "organisation__kind",
            "moderation__total",
            "moderation__recommendation",
            "moderation__recommended_amount",
            "moderation__rationale",
            "moderation__conditions",
            "moderation__application_id",
        )
    )
    member_totals: dict[int, dict[int, Decimal]] = {}
    for application_id, member_id, total in (
        Scorecard.objects.filter(application__round=funding_round, status=ScorecardStatus.SUBMITTED)
        .exclude(application_id__in=withheld)
        .order_by("pk")
        .values_list("application_id", "member_id", "total")
    ):
        member_totals.setdefault(application_id, {})[member_id] = total
    rows = []
    for application in applications:
        totals = member_totals.get(application.pk, {})
        application_spread = scoring.spread(list(totals.values()))
        rows.append(
            RankingRow(
                application=application,
                member_totals=totals,
                mean=scoring.mean(list(totals.values())),
                spread=application_spread,
                flagged=application_spread is not None and application_spread > threshold,
                moderation=getattr(application, "moderation", None),
            )
        )
    lowest = Decimal("-1")
    rows.sort(
        key=lambda r: (
            r.moderation.total if r.moderation else lowest,
            r.mean if r.mean is not None else lowest,
            -r.application.pk,
        ),
        reverse=True,
    )
    running = Decimal("0")
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        if row.moderation and row.moderation.recommendation in FUNDING_RECOMMENDATIONS:
            running += row.moderation.recommended_amount
            row.cumulative = running
    return rows


def panel_report(*, funding_round: FundingRound, viewer, for_download: bool = True) -> dict:
    """Everything in the evidence pack: ranking, members, every score, declarations, as
    `viewer` may see it: of an application they are conflicted on, only that it is
    withheld from them (`withheld`: reference, title and organisation, unranked).

    `scores[application_id][member_id][criterion_id]` is (score, comment), read as
    tuples rather than model instances: a round of 500 × 8 × 10 has 40,000 scores.
    The printable page (`for_download=False`) leaves out the comments, the consensus
    scores and the full declaration list, which only the downloads carry.
    """
    withheld = conflicted_application_ids(user=viewer, funding_round=funding_round)
    panel = Panel.objects.select_related("chair").filter(round=funding_round).first()
    members = list(panel.members.select_related("user", "organisation")) if panel else []
    # Only submitted scorecards are the panel's evidence; drafts are still being written.
    scores: dict[int, dict[int, dict[int, tuple]]] = {}
    submitted = Scorecard.objects.filter(
        application__round=funding_round, status=ScorecardStatus.SUBMITTED
    ).exclude(application_id__in=withheld)
    if for_download:
        # The downloads carry the comments too: read the score rows themselves.
        for application_id, member_id, criterion_id, score, comment in Score.objects.filter(
            scorecard__in=submitted
        ).values_list(
            "scorecard__application_id", "scorecard__member_id", "criterion_id", "score", "comment"
        ):
            scores.setdefault(application_id, {}).setdefault(member_id, {})[criterion_id] = (
                score,
                comment,
            )
    else:
        for application_id, member_id, marks in submitted.values_list(
            "application_id", "member_id", "marks"
        ):
            scores.setdefault(application_id, {})[member_id] = {
                int(criterion_id): (score, "") for criterion_id, score in marks.items()
            }
    moderated_scores: dict[int, dict[int, int]] = {}
    if for_download:
        for application_id, criterion_id, score in (
            ModeratedScore.objects.filter(moderation__application__round=funding_round)
            .exclude(moderation__application_id__in=withheld)
            .values_list("moderation__application_id", "criterion_id", "score")
        ):
            moderated_scores.setdefault(application_id, {})[criterion_id] = score
    declarations = ConflictDeclaration.objects.filter(application__round=funding_round).exclude(
        application_id__in=withheld
    )
    interests = list(
        declarations.filter(has_interest=True)
        .select_related("member__user", "member__organisation", "application")
        .order_by("application__reference", "member__user__full_name")
    )
    # Every declaration, as plain tuples, for the downloads (5,000 in a large round).
    declaration_rows = declarations.order_by(
        "application__reference", "member__user__full_name"
    ).values_list(
        "application__reference",
        "application__organisation__name",
        "application__title",
        "member__user__full_name",
        "member__organisation__name",
        "has_interest",
        "interest",
        "is_conflict",
    )
    return {
        "panel": panel,
        "members": members,
        "criteria": list(funding_round.criteria.all()),
        "ranking": _ranking(funding_round=funding_round, withheld=withheld),
        "withheld": withheld_applications(funding_round=funding_round, ids=withheld),
        "scores": scores,
        "moderated_scores": moderated_scores,
        "interests": interests,
        "nil_declarations": declarations.filter(has_interest=False).count(),
        "declaration_rows": declaration_rows,
    }


def scorecards_for_application(*, application: Application, exclude_member=None) -> list[Scorecard]:
    """Every scorecard on an application with its scores, for the chair, staff, or a member
    who has submitted their own (the view decides which)."""
    scorecards = (
        Scorecard.objects.filter(application=application)
        .select_related("member__user", "member__organisation")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("member__user__full_name", "pk")
    )
    if exclude_member is not None:
        scorecards = scorecards.exclude(member=exclude_member)
    return list(scorecards)


def panel_workload(*, panel: Panel) -> list[dict]:
    """Per member: how many applications they have, how many they have submitted."""
    members = list(panel.members.select_related("user", "organisation").order_by("user__full_name"))
    scorable = Application.objects.filter(
        round_id=panel.round_id, status__in=sorted(SCORABLE_STATUSES)
    )
    total_scorable = scorable.count()
    assigned = dict(panel.members.annotate(n=Count("assignments")).values_list("pk", "n"))
    done = dict(
        Scorecard.objects.filter(member__panel=panel, status=ScorecardStatus.SUBMITTED)
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    conflicts = dict(
        ConflictDeclaration.objects.filter(member__panel=panel, is_conflict=True)
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    rows = []
    for member in members:
        load = (
            assigned.get(member.pk, 0)
            if panel.assignment_mode == AssignmentMode.ASSIGNED
            else total_scorable
        )
        rows.append(
            {
                "member": member,
                "load": load,
                "done": done.get(member.pk, 0),
                "conflicts": conflicts.get(member.pk, 0),
                "is_chair": member.user_id == panel.chair_id,
            }
        )
    return rows


def conflicted_application_ids(*, user, funding_round: FundingRound) -> set[int]:
    """The round's applications this person may learn nothing of: those they declared a
    conflict of interest on, and those of an organisation they belong to or represent on
    the panel (conflicted whatever they declared: see grants.rules.conflicted_on)."""
    if user is None or not user.is_authenticated:
        return set()
    own_organisations = Q(
        organisation__memberships__user=user,
        organisation__memberships__status=MembershipStatus.ACTIVE,
    ) | Q(
        organisation_id__in=PanelMember.objects.filter(
            panel__round=funding_round, user=user
        ).values("organisation_id")
    )
    return set(
        ConflictDeclaration.objects.filter(
            member__panel__round=funding_round, member__user=user, is_conflict=True
        ).values_list("application_id", flat=True)
    ) | set(
        Application.objects.filter(own_organisations, round=funding_round)
        .exclude(status=ApplicationStatus.DRAFT)
        .values_list("pk", flat=True)
    )


def withheld_applications(*, funding_round: FundingRound, ids: set[int]) -> list[Application]:
    """The applications withheld from a viewer, to list apart and unranked: what they
    already knew when they declared, and nothing the panel made of it."""
    if not ids:
        return []
    return list(
        Application.objects.filter(round=funding_round, pk__in=ids)
        .select_related("organisation")
        .only("reference", "title", "round_id", "organisation__name")
        .order_by("reference")
    )


def withheld_for(*, user, funding_round: FundingRound) -> list[Application]:
    return withheld_applications(
        funding_round=funding_round,
        ids=conflicted_application_ids(user=user, funding_round=funding_round),
    )


# --- The schedule of awards a round decision carries ---------------------------------------


@dataclass
class ScheduleRow:
    application: Application
    recommended: bool
    amount: Decimal
    conditions: str
    moderated_total: Decimal | None


@dataclass
class Schedule:
    rows: list[ScheduleRow]
    # What stops it being fixed: one sentence each.
    problems: list[str]
    # Applications still to be checked or moderated: not in it, and not decided by it.
    pending: list[str]


def round_schedule_of_awards(*, funding_round: FundingRound) -> Schedule:
    """The schedule a round decision would carry now, from the panel's moderation: the
    applications recommended for funding (best moderated score first) with their amounts
    and conditions, then those not recommended. With it, what stops it being fixed (an
    application recommended without a single submitted scorecard, a total over the
    budget) and the applications it leaves out because they are still in assessment."""
    applications = list(
        Application.objects.filter(round=funding_round)
        .exclude(status__in=sorted(NOT_SCHEDULED_STATUSES))
        .select_related("organisation", "moderation")
        .annotate(
            submitted_scorecards=Count(
                "scorecards", filter=Q(scorecards__status=ScorecardStatus.SUBMITTED)
            )
        )
        .order_by("reference")
    )
    problems = []
    pending = [
        a.reference
        for a in applications
        if a.status in {ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_ASSESSMENT}
    ]
    rows = []
    for application in applications:
        if application.status not in {
            ApplicationStatus.RECOMMENDED,
            ApplicationStatus.NOT_RECOMMENDED,
        }:
            continue
        moderation = getattr(application, "moderation", None)
        funded = (
            application.status == ApplicationStatus.RECOMMENDED
            and moderation is not None
            and moderation.recommendation in FUNDING_RECOMMENDATIONS
            and moderation.recommended_amount > 0
        )
        if funded and not application.submitted_scorecards:
            problems.append(
                f"{application.reference} is recommended but has no submitted scorecard: "
                "it cannot be recommended until a member's scores are in"
            )
        rows.append(
            ScheduleRow(
                application=application,
                recommended=funded,
                amount=moderation.recommended_amount if funded else Decimal("0.00"),
                conditions=moderation.conditions if funded else "",
                moderated_total=moderation.total if moderation else None,
            )
        )
    lowest = Decimal("-1")
    rows.sort(
        key=lambda r: (
            not r.recommended,
            -(r.moderated_total if r.moderated_total is not None else lowest),
            r.application.reference,
        )
    )
    if not any(r.recommended for r in rows):
        problems.append("The round has no application recommended for funding")
    total = sum((r.amount for r in rows), start=Decimal("0"))
    if total > funding_round.budget:
        problems.append(
            f"The recommended awards total more than the round's budget of {money(funding_round.budget)}"
        )
    return Schedule(rows=rows, problems=problems, pending=pending)


def applications_moved_since_scheduled(*, ids: list[int]) -> list[str]:
    """The references of scheduled applications no longer recommended or not recommended
    (withdrawn since, say): a schedule with any cannot be signed as it stands."""
    return list(
        Application.objects.filter(pk__in=ids)
        .exclude(status__in=[ApplicationStatus.RECOMMENDED, ApplicationStatus.NOT_RECOMMENDED])
        .order_by("reference")
        .values_list("reference", flat=True)
    )


# Applications that never reach a decision on the round: never sent, or out before assessment.
NOT_SCHEDULED_STATUSES = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.INVITED,
        ApplicationStatus.NOT_INVITED,
        ApplicationStatus.AWARDED,
        ApplicationStatus.DECLINED,
    }
)

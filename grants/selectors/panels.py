"""Reads of a round's panel: each member's work, what is outstanding, and what a person is
conflicted on and so may learn nothing of."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from partners.enums import MembershipStatus
from partners.models import Membership

from ..enums import (
    SCORABLE_STATUSES,
    ApplicationStatus,
    AssignmentMode,
    ScorecardStatus,
)
from ..models import (
    Application,
    Assignment,
    ConflictDeclaration,
    FundingRound,
    Panel,
    PanelMember,
    Score,
    Scorecard,
)


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


@dataclass(frozen=True)
class MemberWork:
    """Where a member's work on one panel stands: applications still to declare on, to
    score (declared without a conflict, scorecard not submitted), and scored."""

    member: PanelMember
    to_declare: int
    to_score: int
    scored: int

    @property
    def overdue(self) -> bool:
        deadline = self.member.panel.scoring_deadline
        return bool(
            deadline and deadline < timezone.localdate() and (self.to_declare or self.to_score)
        )


def work_of(*, user) -> list[MemberWork]:
    """For each panel `user` sits on (newest round first), where their work stands."""
    work = []
    for member in panels_for_user(user=user):
        applications = applications_for_member(member=member)
        declared = [a for a in applications if a.declaration is not None]
        free = [a for a in declared if not a.declaration.is_conflict]
        scored = [
            a for a in free if a.scorecard and a.scorecard.status == ScorecardStatus.SUBMITTED
        ]
        work.append(
            MemberWork(
                member=member,
                to_declare=len(applications) - len(declared),
                to_score=len(free) - len(scored),
                scored=len(scored),
            )
        )
    return work


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
    from ..rules import conflicted_on

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
    return outstanding_work(
        panel=panel, hidden=conflicted_application_ids(user=viewer, funding_round=panel.round)
    )


def outstanding_work(*, panel: Panel, hidden: set[int]) -> list[dict]:
    """panel_outstanding for a viewer whose conflicts (`hidden`) are already known."""
    funding_round = panel.round
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

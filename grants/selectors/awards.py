"""The schedule of awards a round decision carries: what the PCC is asked to sign, row by row,
and what stops it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from svd_portal.formatting import money

from ..enums import (
    FUNDING_RECOMMENDATIONS,
    ApplicationStatus,
    ScorecardStatus,
)
from ..models import (
    Application,
    FundingRound,
)


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

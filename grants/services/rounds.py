"""Writes to funding rounds. The round workflow is ROUND_MOVES and `round_move`."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import User

from ..enums import (
    CapCategory,
    RoundStatus,
)
from ..models import (
    AssessmentCriterion,
    AwardCap,
    FundingRound,
    RoundStatusChange,
)

R = RoundStatus
ROUND_MOVES = {
    R.DRAFT: {R.OPEN},
    R.OPEN: {R.CLOSED},
    R.CLOSED: {R.OPEN, R.ASSESSMENT},
    R.ASSESSMENT: {R.DECIDED},
    R.DECIDED: set(),
}


def _round_validate(funding_round: FundingRound, caps: list[dict], criteria: list[dict]) -> None:
    errors = {}
    try:
        funding_round.full_clean(exclude=["priorities"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if funding_round.is_two_stage and not funding_round.full_stage_closes_at:
        errors.setdefault("full_stage_closes_at", []).append(
            "Give the closing time for full applications in a two-stage round"
        )
    if (
        funding_round.full_stage_closes_at
        and funding_round.full_stage_closes_at <= funding_round.closes_at
    ):
        errors.setdefault("full_stage_closes_at", []).append(
            "Full applications must close after expressions of interest"
        )
    categories = [cap["category"] for cap in caps]
    if sorted(categories) != sorted(set(categories)) or set(categories) != set(CapCategory.values):
        errors.setdefault("__all__", []).append(
            "Give one cap for registered and one for unregistered organisations"
        )
    for cap in caps:
        if cap["minimum"] < 0 or cap["maximum"] < cap["minimum"]:
            errors.setdefault("__all__", []).append(
                "Each cap's minimum must be between zero and its maximum"
            )
        if cap["maximum"] > funding_round.budget:
            errors.setdefault("__all__", []).append("A cap cannot be more than the round's budget")
    numbers = [c["number"] for c in criteria]
    if not criteria or len(numbers) != len(set(numbers)):
        errors.setdefault("__all__", []).append(
            "Give at least one criterion, each with its own number"
        )
    if criteria and sum(Decimal(c["weight"]) for c in criteria) <= 0:
        errors.setdefault("__all__", []).append("At least one criterion needs a weight above zero")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_save(
    *,
    funding_round: FundingRound | None,
    by: User,
    fields: dict,
    priorities,
    caps: list[dict],
    criteria: list[dict],
) -> FundingRound:
    """Creates or edits a round with its caps and criteria, all or nothing.

    Criteria are fixed once assessment starts, so scores keep their meaning.
    """
    if funding_round is None:
        funding_round = FundingRound(created_by=by)
    else:
        funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
        if funding_round.status in (R.ASSESSMENT, R.DECIDED):
            raise ValidationError("A round in assessment or decided cannot be changed")
    for name, value in fields.items():
        setattr(funding_round, name, value)
    _round_validate(funding_round, caps, criteria)
    funding_round.save()
    funding_round.priorities.set(priorities)
    funding_round.caps.all().delete()
    AwardCap.objects.bulk_create(AwardCap(round=funding_round, **cap) for cap in caps)
    funding_round.criteria.all().delete()
    AssessmentCriterion.objects.bulk_create(
        AssessmentCriterion(round=funding_round, **criterion) for criterion in criteria
    )
    return funding_round


@transaction.atomic
def round_move(*, funding_round: FundingRound, to_status: str, by: User | None, reason: str = ""):
    """Moves a round along ROUND_MOVES and records who, when, from, to and why."""
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    from_status = funding_round.status
    if to_status not in ROUND_MOVES[from_status]:
        raise ValidationError(
            f"A round that is {funding_round.get_status_display().lower()} "
            f"cannot move to {RoundStatus(to_status).label.lower()}"
        )
    if to_status == R.OPEN and not funding_round.criteria.exists():
        raise ValidationError("Add the assessment criteria before opening the round")
    funding_round.status = to_status
    funding_round.save(update_fields=["status"])
    RoundStatusChange.objects.create(
        round=funding_round,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=by,
    )
    return funding_round


def rounds_follow_dates(*, now: datetime.datetime | None = None) -> list[str]:
    """Closes every open round whose last deadline has passed. Idempotent; returns their slugs."""
    now = now or timezone.now()
    closed = []
    for funding_round in FundingRound.objects.filter(status=R.OPEN, closes_at__lte=now):
        deadline = funding_round.full_stage_closes_at or funding_round.closes_at
        if deadline <= now:
            round_move(
                funding_round=funding_round,
                to_status=R.CLOSED,
                by=None,
                reason="The closing date passed",
            )
            closed.append(funding_round.slug)
    return closed

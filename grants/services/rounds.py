"""Writes to funding rounds. The round workflow is ROUND_MOVES and `round_move`."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import User
from svd_portal.history import attributed, record_created
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Moved, Workflow, move

from ..enums import (
    CapCategory,
    RoundStatus,
)
from ..models import (
    AssessmentCriterion,
    AwardCap,
    FundingRound,
    ModeratedScore,
    RoundStatusChange,
    Score,
)

R = RoundStatus
ROUND_MOVES = {
    R.DRAFT: {R.OPEN},
    R.OPEN: {R.CLOSED},
    R.CLOSED: {R.OPEN, R.ASSESSMENT},
    R.ASSESSMENT: {R.DECIDED},
    R.DECIDED: set(),
}
ROUND = Workflow(FundingRound, ROUND_MOVES, noun="A round", log=RoundStatusChange)


def round_move_permission(to_status: str) -> str:
    """The permission a person needs to move a round to `to_status`: the staff page offers
    only the moves its user holds, and round_move checks the same."""
    return "grants.decide_round" if to_status == R.DECIDED else "grants.move_round"


def _criteria_key(criteria) -> list[tuple]:
    """What criteria mean to a score: each one's number, title, guidance, weight and scale."""
    return sorted(
        (
            c["number"],
            c["title"].strip(),
            c["guidance"].strip(),
            Decimal(c["weight"]),
            c.get("scale_max", 5),
        )
        for c in criteria
    )


def _criteria_scored(funding_round: FundingRound) -> bool:
    return (
        Score.objects.filter(criterion__round=funding_round).exists()
        or ModeratedScore.objects.filter(criterion__round=funding_round).exists()
    )


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


@attributed
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
    """Creates or edits a round with its caps and criteria, all or nothing. Staff only.

    Criteria are fixed once assessment starts, or once any application has been scored
    against them, so scores keep their meaning: unchanged criteria are kept as they are.
    """
    require_perm(
        by,
        "grants.manage_rounds",
        funding_round,
        message="Only OPCC staff can set up a funding round",
    )
    if funding_round is None:
        funding_round = FundingRound(created_by=by)
    else:
        funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
        if funding_round.status in (R.ASSESSMENT, R.DECIDED):
            raise ValidationError("A round in assessment or decided cannot be changed")
    for name, value in fields.items():
        setattr(funding_round, name, value)
    _round_validate(funding_round, caps, criteria)
    keep_criteria = funding_round.pk is not None and _criteria_key(
        funding_round.criteria.values("number", "title", "guidance", "weight", "scale_max")
    ) == _criteria_key(criteria)
    if not keep_criteria and funding_round.pk is not None and _criteria_scored(funding_round):
        raise ValidationError(
            {
                "criteria": "The assessment criteria cannot change once an application has "
                "been scored: the scores were given against them"
            }
        )
    funding_round.save()
    funding_round.priorities.set(priorities)
    funding_round.caps.all().delete()
    AwardCap.objects.bulk_create(AwardCap(round=funding_round, **cap) for cap in caps)
    if not keep_criteria:
        funding_round.criteria.all().delete()
        # bulk_create sends no signals: the history is told of the new criteria.
        record_created(
            AssessmentCriterion.objects.bulk_create(
                AssessmentCriterion(round=funding_round, **criterion) for criterion in criteria
            )
        )
    return funding_round


@attributed
@transaction.atomic
def round_move(
    *,
    funding_round: FundingRound,
    to_status: str,
    by: User | None,
    reason: str = "",
    base_url: str = "",
):
    """Moves a round along ROUND_MOVES and records who, when, from, to and why.

    A person makes only the moves their role allows (round_move_permission): staff open,
    close and move to assessment. No person (by=None) is the scheduler, which only closes
    a round whose closing date has passed. Nobody moves a round to decided here: only a
    signed decision does, through round_decide.

    Closing an open round before its closing time needs a reason; once committed, the
    holders of its drafts are emailed it with a link to their application (under
    `base_url`, the site's address).
    """
    return _round_move(
        funding_round=funding_round, to_status=to_status, by=by, reason=reason, base_url=base_url
    )


@transaction.atomic
def _round_move(
    *,
    funding_round: FundingRound,
    to_status: str,
    by: User | None,
    reason: str,
    deciding: bool = False,
    base_url: str = "",
):
    """Every move of a round. `deciding` is round_decide applying a signed decision, the
    only way a round is decided."""
    reason = reason.strip()

    def guard(locked: FundingRound) -> None:
        deadline = locked.full_stage_closes_at or locked.closes_at
        if by is None:
            if to_status != R.CLOSED or deadline > timezone.now():
                raise PermissionDenied(
                    "A round moves without a person only to close when its closing date has passed"
                )
        elif to_status == R.DECIDED and not deciding:
            raise PermissionDenied("A round is decided only by the PCC's signed decision")
        else:
            require_perm(
                by,
                round_move_permission(to_status),
                locked,
                message="A round is decided only by the PCC's signed decision"
                if to_status == R.DECIDED
                else "Only OPCC staff can open, close or move a round to assessment",
            )
        if to_status == R.OPEN and not locked.criteria.exists():
            raise ValidationError("Add the assessment criteria before opening the round")
        if _closing_early(locked, to_status, by) and not reason:
            raise ValidationError({"reason": "Enter why the round is closing early"})

    def then(moved: Moved) -> None:
        if _closing_early(moved.instance, to_status, by, at=moved.change.changed_at):
            enqueue(
                "grants.send_round_closed_early_emails",
                round_id=funding_round.pk,
                base_url=base_url,
            )

    return move(ROUND, funding_round, to_status, by=by, reason=reason, guard=guard, then=then)


def _closing_early(funding_round: FundingRound, to_status: str, by: User | None, at=None) -> bool:
    """A person closing an open round before its (last) closing time."""
    deadline = funding_round.full_stage_closes_at or funding_round.closes_at
    return to_status == R.CLOSED and by is not None and (at or timezone.now()) < deadline


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

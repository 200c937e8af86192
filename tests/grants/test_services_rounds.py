"""grants.services.rounds: saving a round with its caps and criteria, the map of moves, and
following the dates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants import services
from grants.enums import (
    CapCategory,
    RoundStages,
    RoundStatus,
)
from grants.models import (
    AssessmentCriterion,
    AwardCap,
    FundingRound,
    RoundStatusChange,
)
from partners.enums import Role
from tests.factories import (
    FundingRoundFactory,
    UserFactory,
)

R = RoundStatus

EXPECTED_ROUND_MOVES = {
    R.DRAFT: {R.OPEN},
    R.OPEN: {R.CLOSED},
    R.CLOSED: {R.OPEN, R.ASSESSMENT},
    R.ASSESSMENT: {R.DECIDED},
    R.DECIDED: set(),
}


# --- Rounds -------------------------------------------------------------------------------


def _round_fields(**overrides):
    now = timezone.now()
    fields = {
        "slug": "youth-fund",
        "fund_name": "Violence Prevention Fund",
        "title": "Youth fund",
        "reference_prefix": "YF",
        "description": "Grants for youth projects.",
        "eligibility": "Voluntary organisations.",
        "how_to_apply": "Apply online.",
        "budget": Decimal("700000"),
        "opens_at": now + datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
        "delivery_starts_on": datetime.date(2025, 4, 1),
        "delivery_ends_on": datetime.date(2026, 3, 31),
        "stages": RoundStages.SINGLE,
        "full_stage_closes_at": None,
        "allow_multiple_applications": False,
    }
    fields.update(overrides)
    return fields


CAPS = [
    {"category": CapCategory.UNREGISTERED, "minimum": Decimal("0"), "maximum": Decimal("5000")},
    {"category": CapCategory.REGISTERED, "minimum": Decimal("0"), "maximum": Decimal("40000")},
]
CRITERIA = [
    {
        "number": 1,
        "title": "Evidence",
        "guidance": "5: strong",
        "weight": Decimal("70"),
        "scale_max": 5,
    },
    {
        "number": 2,
        "title": "Partnership",
        "guidance": "5: named partners",
        "weight": Decimal("30"),
        "scale_max": 5,
    },
]


def test_round_save_creates_a_draft_round_with_caps_and_criteria(priorities, staff_user):
    funding_round = services.round_save(
        funding_round=None,
        by=staff_user,
        fields=_round_fields(),
        priorities=priorities,
        caps=CAPS,
        criteria=CRITERIA,
    )

    funding_round = FundingRound.objects.get(pk=funding_round.pk)
    assert (funding_round.status, funding_round.created_by, funding_round.budget) == (
        R.DRAFT,
        staff_user,
        Decimal("700000.00"),
    )
    assert sorted(funding_round.caps.values_list("category", "minimum", "maximum")) == [
        (CapCategory.REGISTERED, Decimal("0.00"), Decimal("40000.00")),
        (CapCategory.UNREGISTERED, Decimal("0.00"), Decimal("5000.00")),
    ]
    assert list(funding_round.criteria.values_list("number", "title", "weight")) == [
        (1, "Evidence", Decimal("70.00")),
        (2, "Partnership", Decimal("30.00")),
    ]
    assert sorted(p.number for p in funding_round.priorities.all()) == [1, 2]


def test_round_save_edit_replaces_caps_and_criteria(open_round, staff_user):
    new_caps = [
        {
            "category": CapCategory.UNREGISTERED,
            "minimum": Decimal("100"),
            "maximum": Decimal("2500"),
        },
        {"category": CapCategory.REGISTERED, "minimum": Decimal("0"), "maximum": Decimal("20000")},
    ]

    services.round_save(
        funding_round=open_round,
        by=staff_user,
        fields={"title": "Renamed"},
        priorities=[],
        caps=new_caps,
        criteria=CRITERIA[:1],
    )

    open_round = FundingRound.objects.get(pk=open_round.pk)
    assert open_round.title == "Renamed"
    assert sorted(open_round.caps.values_list("category", "minimum", "maximum")) == [
        (CapCategory.REGISTERED, Decimal("0.00"), Decimal("20000.00")),
        (CapCategory.UNREGISTERED, Decimal("100.00"), Decimal("2500.00")),
    ]
    assert list(open_round.criteria.values_list("title", flat=True)) == ["Evidence"]
    assert AwardCap.objects.count() == 2
    assert AssessmentCriterion.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "caps", "criteria", "errors"),
    [
        pytest.param(
            {},
            CAPS[1:],
            CRITERIA,
            {"__all__": ["Give one cap for registered and one for unregistered organisations"]},
            id="cap-missing",
        ),
        pytest.param(
            {},
            [*CAPS, CAPS[0]],
            CRITERIA,
            {"__all__": ["Give one cap for registered and one for unregistered organisations"]},
            id="cap-twice",
        ),
        pytest.param(
            {"budget": Decimal("30000")},
            CAPS,
            CRITERIA,
            {"__all__": ["A cap cannot be more than the round's budget"]},
            id="cap-above-budget",
        ),
        pytest.param(
            {},
            [
                CAPS[0],
                {
                    "category": CapCategory.REGISTERED,
                    "minimum": Decimal("50000"),
                    "maximum": Decimal("40000"),
                },
            ],
            CRITERIA,
            {"__all__": ["Each cap's minimum must be between zero and its maximum"]},
            id="minimum-above-maximum",
        ),
        pytest.param(
            {"stages": RoundStages.TWO_STAGE},
            CAPS,
            CRITERIA,
            {
                "full_stage_closes_at": [
                    "Give the closing time for full applications in a two-stage round"
                ]
            },
            id="two-stage-without-full-deadline",
        ),
        pytest.param(
            {"stages": RoundStages.TWO_STAGE, "full_stage_closes_at": timezone.now()},
            CAPS,
            CRITERIA,
            {
                "full_stage_closes_at": [
                    "Full applications must close after expressions of interest"
                ]
            },
            id="full-deadline-before-eoi-deadline",
        ),
        pytest.param(
            {},
            CAPS,
            [],
            {"__all__": ["Give at least one criterion, each with its own number"]},
            id="no-criteria",
        ),
        pytest.param(
            {},
            CAPS,
            [{**CRITERIA[0], "weight": Decimal("0")}],
            {"__all__": ["At least one criterion needs a weight above zero"]},
            id="no-weight",
        ),
    ],
)
def test_round_save_invalid_refused_and_nothing_saved(
    fields, caps, criteria, errors, priorities, staff_user
):
    with pytest.raises(ValidationError) as exc:
        services.round_save(
            funding_round=None,
            by=staff_user,
            fields=_round_fields(**fields),
            priorities=priorities,
            caps=caps,
            criteria=criteria,
        )

    assert exc.value.message_dict == errors
    assert FundingRound.objects.count() == 0
    assert AwardCap.objects.count() == 0


def test_round_save_closing_before_opening_refused(priorities, staff_user):
    now = timezone.now()

    with pytest.raises(ValidationError) as exc:
        services.round_save(
            funding_round=None,
            by=staff_user,
            fields=_round_fields(opens_at=now, closes_at=now - datetime.timedelta(days=1)),
            priorities=priorities,
            caps=CAPS,
            criteria=CRITERIA,
        )

    assert exc.value.messages == ["The closing time must be after the opening time"]
    assert FundingRound.objects.count() == 0


@pytest.mark.parametrize("status", [R.ASSESSMENT, R.DECIDED])
def test_round_save_round_in_assessment_or_decided_refused(status, staff_user):
    funding_round = FundingRoundFactory(status=status, title="Fixed")

    with pytest.raises(ValidationError) as exc:
        services.round_save(
            funding_round=funding_round,
            by=staff_user,
            fields={"title": "Changed"},
            priorities=[],
            caps=CAPS,
            criteria=CRITERIA,
        )

    assert exc.value.messages == ["A round in assessment or decided cannot be changed"]
    assert FundingRound.objects.get(pk=funding_round.pk).title == "Fixed"


def test_round_moves_map_is_the_documented_workflow():
    assert services.ROUND_MOVES == EXPECTED_ROUND_MOVES


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(f, t) for f, targets in EXPECTED_ROUND_MOVES.items() for t in sorted(targets)],
    ids=lambda value: str(value),
)
def test_round_move_allowed_writes_one_status_change(from_status, to_status, staff_user):
    funding_round = FundingRoundFactory(status=from_status)
    # Staff run the round; the PCC's signed decision decides it.
    if to_status == R.DECIDED:
        by = UserFactory(roles=[Role.PCC])
        services.round_decide(
            funding_round=funding_round,
            awards={},
            declines=[],
            by=by,
            reason="On schedule",
            decision_reference="DN1-26",
        )
    else:
        by = staff_user
        services.round_move(
            funding_round=funding_round, to_status=to_status, by=by, reason="On schedule"
        )

    assert FundingRound.objects.get(pk=funding_round.pk).status == to_status
    change = RoundStatusChange.objects.get(round=funding_round)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        from_status,
        to_status,
        by,
        "On schedule",
    )


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(f, t) for f in R for t in R if t not in EXPECTED_ROUND_MOVES[f]],
    ids=lambda value: str(value),
)
def test_round_move_refused_raises_and_writes_nothing(from_status, to_status, staff_user):
    funding_round = FundingRoundFactory(status=from_status)

    with pytest.raises(ValidationError) as exc:
        services.round_move(funding_round=funding_round, to_status=to_status, by=staff_user)

    assert exc.value.messages == [
        f"A round that is {R(from_status).label.lower()} cannot move to {R(to_status).label.lower()}"
    ]
    assert FundingRound.objects.get(pk=funding_round.pk).status == from_status
    assert RoundStatusChange.objects.count() == 0


def test_round_move_open_without_criteria_refused(staff_user):
    funding_round = FundingRoundFactory(status=R.DRAFT)
    funding_round.criteria.all().delete()

    with pytest.raises(ValidationError) as exc:
        services.round_move(funding_round=funding_round, to_status=R.OPEN, by=staff_user)

    assert exc.value.messages == ["Add the assessment criteria before opening the round"]
    assert FundingRound.objects.get(pk=funding_round.pk).status == R.DRAFT


def test_rounds_follow_dates_closes_an_open_round_past_closing_and_is_idempotent(db):
    now = timezone.now()
    past = FundingRoundFactory(
        slug="past", opens_at=now - datetime.timedelta(days=30), closes_at=now
    )
    FundingRoundFactory(slug="current")
    FundingRoundFactory(
        slug="two-stage",
        stages=RoundStages.TWO_STAGE,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        full_stage_closes_at=now + datetime.timedelta(days=20),
    )

    assert services.rounds_follow_dates(now=now) == ["past"]
    assert services.rounds_follow_dates(now=now) == []

    statuses = dict(FundingRound.objects.values_list("slug", "status"))
    assert statuses == {"past": R.CLOSED, "current": R.OPEN, "two-stage": R.OPEN}
    change = RoundStatusChange.objects.get()
    assert (change.round, change.from_status, change.to_status, change.changed_by) == (
        past,
        R.OPEN,
        R.CLOSED,
        None,
    )
    assert change.reason == "The closing date passed"


def test_rounds_follow_dates_closes_a_two_stage_round_after_its_full_deadline(db):
    now = timezone.now()
    FundingRoundFactory(
        slug="two-stage",
        stages=RoundStages.TWO_STAGE,
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        full_stage_closes_at=now - datetime.timedelta(minutes=1),
    )

    assert services.rounds_follow_dates(now=now) == ["two-stage"]
    assert FundingRound.objects.get().status == R.CLOSED

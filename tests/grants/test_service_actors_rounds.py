"""The round services (saving, moving, deciding a round) check who is acting, as the
application services do (test_service_actors_applications.py); and the staff page offers
only the moves staff may make."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from grants import services
from grants.enums import CapCategory, RoundStatus
from grants.models import (
    FundingRound,
    RoundStatusChange,
)
from tests.factories import (
    FundingRoundFactory,
)

R = RoundStatus


NOT_STAFF = ["provider_user", "other_user", "panel_user", "pcc_user", "nobody"]


# --- Rounds ------------------------------------------------------------------------------

CAPS = [
    {"category": CapCategory.UNREGISTERED, "minimum": Decimal("0"), "maximum": Decimal("5000")},
    {"category": CapCategory.REGISTERED, "minimum": Decimal("0"), "maximum": Decimal("40000")},
]
CRITERIA = [
    {"number": 1, "title": "Need", "guidance": "5: local data", "weight": 100, "scale_max": 5}
]


def _round_fields(title):
    now = timezone.now()
    return {
        "slug": "summer-grants",
        "fund_name": "Violence Prevention Fund",
        "title": title,
        "reference_prefix": "SG",
        "description": "Grants for the summer.",
        "eligibility": "Voluntary organisations.",
        "how_to_apply": "Apply online.",
        "budget": Decimal("100000"),
        "opens_at": now + datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
        "delivery_starts_on": datetime.date(2030, 7, 1),
        "delivery_ends_on": datetime.date(2031, 3, 31),
    }


@pytest.mark.parametrize("who", NOT_STAFF)
def test_round_save_by_anyone_but_staff_refused(who, actor):
    existing = FundingRoundFactory(status=R.DRAFT, title="As it was")

    for funding_round in (None, existing):
        with pytest.raises(PermissionDenied) as exc:
            services.round_save(
                funding_round=funding_round,
                by=actor(who),
                fields=_round_fields("Taken over"),
                priorities=[],
                caps=CAPS,
                criteria=CRITERIA,
            )
        assert str(exc.value) == "Only OPCC staff can set up a funding round"

    assert list(FundingRound.objects.values_list("title", flat=True)) == ["As it was"]
    assert list(existing.criteria.values_list("title", flat=True)) == [
        "Evidence-based practice",
        "Multi-agency delivery",
    ]


def test_round_save_by_staff(staff_user):
    funding_round = services.round_save(
        funding_round=None,
        by=staff_user,
        fields=_round_fields("Summer grants"),
        priorities=[],
        caps=CAPS,
        criteria=CRITERIA,
    )

    assert (funding_round.title, funding_round.created_by) == ("Summer grants", staff_user)


STAFF_MOVES = [(R.DRAFT, R.OPEN), (R.OPEN, R.CLOSED), (R.CLOSED, R.OPEN), (R.CLOSED, R.ASSESSMENT)]


@pytest.mark.parametrize(("from_status", "to_status"), STAFF_MOVES)
@pytest.mark.parametrize("who", ["provider_user", "panel_user", "pcc_user"])
def test_round_move_by_someone_not_running_rounds_refused(who, from_status, to_status, actor):
    funding_round = FundingRoundFactory(status=from_status)

    with pytest.raises(PermissionDenied) as exc:
        services.round_move(funding_round=funding_round, to_status=to_status, by=actor(who))

    assert str(exc.value) == "Only OPCC staff can open, close or move a round to assessment"
    assert FundingRound.objects.get(pk=funding_round.pk).status == from_status
    assert RoundStatusChange.objects.count() == 0


@pytest.mark.parametrize("who", ["staff_user", "provider_user", "panel_user"])
def test_round_move_to_decided_by_anyone_but_the_pcc_refused(who, actor):
    """A round is decided by the PCC's signed decision, not by a button on a staff page."""
    funding_round = FundingRoundFactory(status=R.ASSESSMENT)

    with pytest.raises(PermissionDenied) as exc:
        services.round_move(funding_round=funding_round, to_status=R.DECIDED, by=actor(who))

    assert str(exc.value) == "A round is decided only by the PCC's signed decision"
    assert FundingRound.objects.get(pk=funding_round.pk).status == R.ASSESSMENT
    assert RoundStatusChange.objects.count() == 0


@pytest.mark.parametrize(("from_status", "to_status"), STAFF_MOVES)
def test_round_move_by_staff(from_status, to_status, staff_user):
    funding_round = FundingRoundFactory(status=from_status)

    # Closing before the closing time needs a reason (tests/grants/test_close_early.py).
    services.round_move(
        funding_round=funding_round, to_status=to_status, by=staff_user, reason="Fully committed"
    )

    change = RoundStatusChange.objects.get(round=funding_round)
    assert (change.to_status, change.changed_by) == (to_status, staff_user)


def test_round_move_to_decided_even_by_the_pcc_refused(pcc_user):
    """Only a signed decision's schedule decides a round (round_decide), never a bare move."""
    funding_round = FundingRoundFactory(status=R.ASSESSMENT)

    with pytest.raises(PermissionDenied) as exc:
        services.round_move(funding_round=funding_round, to_status=R.DECIDED, by=pcc_user)

    assert str(exc.value) == "A round is decided only by the PCC's signed decision"
    assert RoundStatusChange.objects.count() == 0


def test_round_decide_by_the_pcc_decides_the_round(pcc_user):
    funding_round = FundingRoundFactory(status=R.ASSESSMENT)

    services.round_decide(
        funding_round=funding_round,
        awards={},
        declines=[],
        by=pcc_user,
        reason="DN1-26",
        decision_reference="DN1-26",
    )

    change = RoundStatusChange.objects.get(round=funding_round)
    assert (change.to_status, change.changed_by) == (R.DECIDED, pcc_user)


@pytest.mark.parametrize("who", ["staff_user", "provider_user", "panel_user"])
def test_round_decide_by_anyone_but_the_pcc_refused(who, actor):
    funding_round = FundingRoundFactory(status=R.ASSESSMENT)

    with pytest.raises(PermissionDenied):
        services.round_decide(
            funding_round=funding_round,
            awards={},
            declines=[],
            by=actor(who),
            reason="DN1-26",
            decision_reference="DN1-26",
        )

    assert FundingRound.objects.get(pk=funding_round.pk).status == R.ASSESSMENT
    assert RoundStatusChange.objects.count() == 0


@pytest.mark.parametrize(
    ("from_status", "to_status", "closes_in_days"),
    [
        (R.OPEN, R.CLOSED, 1),  # before its date: someone must close it
        (R.DRAFT, R.OPEN, -1),
        (R.CLOSED, R.OPEN, -1),
        (R.CLOSED, R.ASSESSMENT, -1),
        (R.ASSESSMENT, R.DECIDED, -1),
    ],
)
def test_round_move_by_no_one_other_than_closing_on_the_date_refused(
    from_status, to_status, closes_in_days, db
):
    now = timezone.now()
    funding_round = FundingRoundFactory(
        status=from_status,
        opens_at=now - datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=closes_in_days),
    )

    with pytest.raises(PermissionDenied) as exc:
        services.round_move(funding_round=funding_round, to_status=to_status, by=None)

    assert str(exc.value) == (
        "A round moves without a person only to close when its closing date has passed"
    )
    assert FundingRound.objects.get(pk=funding_round.pk).status == from_status
    assert RoundStatusChange.objects.count() == 0


def test_round_move_by_no_one_closes_a_round_past_its_date(db):
    now = timezone.now()
    funding_round = FundingRoundFactory(
        opens_at=now - datetime.timedelta(days=10), closes_at=now - datetime.timedelta(minutes=1)
    )

    services.round_move(funding_round=funding_round, to_status=R.CLOSED, by=None)

    change = RoundStatusChange.objects.get(round=funding_round)
    assert (change.to_status, change.changed_by) == (R.CLOSED, None)


# --- Over HTTP: the staff page offers only the moves staff may make ---------------------


def test_staff_round_page_offers_no_decided_button_and_refuses_the_post(staff_client, staff_user):
    funding_round = FundingRoundFactory(status=R.ASSESSMENT)

    page = staff_client.get(f"/staff/rounds/{funding_round.slug}/")
    response = staff_client.post(
        f"/staff/rounds/{funding_round.slug}/status/", {"to_status": "decided"}
    )

    assert page.status_code == 200
    assert page.context["moves"] == []
    assert 'value="decided"' not in page.content.decode()
    assert response.status_code == 403
    assert FundingRound.objects.get(pk=funding_round.pk).status == R.ASSESSMENT
    assert RoundStatusChange.objects.count() == 0

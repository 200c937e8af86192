"""grants.views.public through HTTP: the rounds and their pages as anyone sees them."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from grants.enums import RoundStatus
from grants.models import FundingRound
from tests.factories import (
    FundingRoundFactory,
)
from tests.grants.helpers import page_text

# --- Public pages -------------------------------------------------------------------


def test_round_list_anonymous_sees_open_and_past_rounds_but_no_draft(client, open_round):
    past = FundingRoundFactory(
        title="Last year's grants",
        opens_at=timezone.now() - datetime.timedelta(days=400),
        closes_at=timezone.now() - datetime.timedelta(days=300),
        status=RoundStatus.DECIDED,
    )
    FundingRoundFactory(title="Secret draft round", status=RoundStatus.DRAFT)

    response = client.get("/funding/")

    assert response.status_code == 200
    assert response.context["open_rounds"] == [open_round]
    assert response.context["past_rounds"] == [past]
    assert "Secret draft round" not in page_text(response)


def test_round_list_reads_what_it_shows_in_three_queries_for_any_number_of_rounds(
    client, open_round, django_assert_num_queries
):
    """The rounds, their caps and their status changes (for "closed early"): not the
    priorities or criteria, which only a round's own page shows."""
    FundingRoundFactory.create_batch(5, status=RoundStatus.DECIDED)

    with django_assert_num_queries(3) as captured:
        response = client.get("/funding/")

    assert response.status_code == 200
    assert len(response.context["past_rounds"]) == 5
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "grants_awardcap" in tables
    assert "grants_roundstatuschange" in tables
    assert "grants_assessmentcriterion" not in tables
    assert "partners_strategicpriority" not in tables


def test_round_detail_anonymous_sees_money_caps_priorities_and_criteria(client, open_round):
    response = client.get(f"/funding/{open_round.slug}/")

    assert response.status_code == 200
    for text in (
        "£700,000",
        "Up to £5,000",
        "Up to £40,000",
        "Young people at risk",
        "The night-time economy",
        "Evidence-based practice",
        "Multi-agency delivery",
        "Start an application",
    ):
        assert text in page_text(response), text


def test_round_pages_write_times_as_people_do(client, open_round):
    closes = open_round.closes_at.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    closes = closes.replace(hour=17, minute=0, second=0, microsecond=0)
    FundingRound.objects.filter(pk=open_round.pk).update(closes_at=closes)
    expected = f"{closes.day} {closes:%B %Y}, 5:00pm"
    for path in ("/funding/", f"/funding/{open_round.slug}/"):
        html = client.get(path).content.decode()
        assert expected in html, path
        assert "p.m." not in html, path


def test_round_detail_closed_round_has_no_start_button(client, db):
    closed = FundingRoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
        status=RoundStatus.CLOSED,
    )

    response = client.get(f"/funding/{closed.slug}/")

    assert response.status_code == 200
    assert "This round is not open for applications." in page_text(response)
    assert "Start an application" not in page_text(response)


@pytest.mark.parametrize("path", ["/funding/{slug}/", "/funding/{slug}/apply/"])
def test_round_pages_draft_round_404(path, client, provider_user):
    draft_round = FundingRoundFactory(status=RoundStatus.DRAFT)
    client.force_login(provider_user)

    response = client.get(path.format(slug=draft_round.slug))

    assert response.status_code == 404

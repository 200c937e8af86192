"""Issue 19, item 1: every edit form with a date shows its dates in the browser's own date
inputs, and saving it unchanged keeps them."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions import services as decisions
from decisions.models import DecisionRecord
from grants.enums import RoundStages, RoundStatus
from grants.models import FundingRound
from partners.enums import Role
from tests.factories import FundingRoundFactory, StrategicPriorityFactory, UserFactory

from .journeys import sign_in


def uk(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def shown(page, label: str) -> str:
    """What the browser's input shows: "" when it could not read the value it was given."""
    return page.get_by_label(label, exact=True).input_value()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_edit_forms_round_trip_their_dates(roles, live_server, page, check):
    staff = UserFactory(email="staff@example.org", full_name="Olive Staff", roles=[Role.OPCC_STAFF])
    publish_on = timezone.localdate() + datetime.timedelta(days=30)
    record = decisions.decision_create(
        by=staff,
        title="Knife crime awareness campaign in schools",
        received_on=datetime.date(2026, 12, 2),
        section_a="A request to fund a knife crime awareness campaign in secondary schools.",
        decision_text="To approve the campaign.",
        publication_deferred=True,
        deferral_reasons="Staff affected must be consulted first.",
        deferred_until=publish_on,
    )
    funding_round = FundingRoundFactory(
        slug="youth-violence-2026",
        title="Youth violence 2026",
        status=RoundStatus.DRAFT,
        stages=RoundStages.TWO_STAGE,
        opens_at=uk(2026, 1, 5, 9, 0),
        closes_at=uk(2026, 7, 2, 17, 0),
        full_stage_closes_at=uk(2026, 8, 3, 12, 30),
        delivery_starts_on=datetime.date(2026, 12, 2),
        delivery_ends_on=datetime.date(2027, 3, 31),
        priorities=[StrategicPriorityFactory()],
    )
    sign_in(page, live_server.url, "staff@example.org")

    # The decision draft.
    page.goto(f"{live_server.url}/staff/decisions/{record.pk}/")
    page.get_by_role("button", name="Edit the draft").click()
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    check(page, "decision draft edit")
    assert shown(page, "Date received in the OPCC") == "2026-12-02"
    assert shown(page, "Publish on") == publish_on.isoformat()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved.")
    check(page, "decision draft saved")
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.received_on, record.deferred_until) == (datetime.date(2026, 12, 2), publish_on)

    # The round.
    page.goto(f"{live_server.url}/staff/rounds/{funding_round.slug}/")
    page.get_by_role("button", name="Edit the round").click()
    expect(page.get_by_role("button", name="Save round")).to_be_visible()
    check(page, "round edit")
    assert [
        shown(page, label)
        for label in (
            "Opens at",
            "Closes at",
            "Full applications close at",
            "Delivery starts on",
            "Delivery ends on",
        )
    ] == ["2026-01-05T09:00", "2026-07-02T17:00", "2026-08-03T12:30", "2026-12-02", "2027-03-31"]
    page.get_by_role("button", name="Save round").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Youth violence 2026 saved."
    )
    check(page, "round saved")
    saved = FundingRound.objects.get(pk=funding_round.pk)
    assert (
        saved.opens_at,
        saved.closes_at,
        saved.full_stage_closes_at,
        saved.delivery_starts_on,
        saved.delivery_ends_on,
    ) == (
        uk(2026, 1, 5, 9, 0),
        uk(2026, 7, 2, 17, 0),
        uk(2026, 8, 3, 12, 30),
        datetime.date(2026, 12, 2),
        datetime.date(2027, 3, 31),
    )

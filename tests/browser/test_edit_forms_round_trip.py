"""Issue 19, item 1: every edit form with a date shows its dates in the browser's own date
inputs, and saving it unchanged keeps them."""

import datetime

import pytest
from playwright.sync_api import expect

from decisions.models import DecisionRecord
from partners.enums import Role
from tests.dated_records import dated_round, deferred_draft, round_dates, saved_dates
from tests.factories import UserFactory

from .journeys import sign_in


def shown(page, label: str) -> str:
    """What the browser's input shows: "" when it could not read the value it was given."""
    return page.get_by_label(label, exact=True).input_value()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_edit_forms_round_trip_their_dates(roles, live_server, page, check):
    staff = UserFactory(email="staff@example.org", full_name="Olive Staff", roles=[Role.OPCC_STAFF])
    record = deferred_draft(by=staff)
    publish_on = record.deferred_until
    funding_round = dated_round(
        two_stage=True, slug="youth-violence-2026", title="Youth violence 2026"
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
    assert saved_dates(funding_round) == round_dates(two_stage=True)

"""A staff member's own account in Chromium: the account page, new recovery codes after a
fresh code, and the idle warning (GOV.UK's timeout warning) before the portal signs an
unused staff-side session out: "Stay signed in" keeps the session, waiting ends it and the
page says why. Axe on every page and on the open dialog."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from partners.enums import Role
from tests.factories import UserFactory

from .journeys import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_account_page_and_new_recovery_codes(roles, live_server, page, check):
    UserFactory(email="olive@opcc.example", full_name="Olive Staff", roles=[Role.OPCC_STAFF])
    base = live_server.url
    sign_in(page, base, "olive@opcc.example", check=check)
    page.get_by_role("link", name="Your account: Olive Staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("You have 10 recovery codes left.")).to_be_visible()
    check(page, "account")
    page.get_by_role("button", name="Get new recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new recovery codes")
    assert page.locator("#recovery-codes li").count() == 10
    check(page, "new recovery codes")
    page.get_by_role("button", name="I have kept my codes: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


@pytest.mark.django_db(transaction=True)
def test_idle_warning_keeps_or_ends_the_session(roles, live_server, page, check):
    UserFactory(email="olive@opcc.example", full_name="Olive Staff", roles=[Role.OPCC_STAFF])
    base = live_server.url
    sign_in(page, base, "olive@opcc.example")
    # A minute unused ends the session; the warning comes at once (a minute before).
    with override_settings(SESSION_IDLE_MINUTES=1, SESSION_IDLE_WARNING_MINUTES=1):
        page.goto(base + "/staff/decisions/")
        dialog = page.get_by_role("dialog", name="You will be signed out soon")
        expect(dialog).to_be_visible()
        check(page, "idle warning")
        with page.expect_response("**/accounts/sessions/keep-alive/") as kept:
            dialog.get_by_role("button", name="Stay signed in").click()
        assert kept.value.status == 204
        # The time starts again, and the warning (the whole minute here) with it; this time
        # nobody answers, and a little over a minute on the portal signs the session out.
        expect(dialog).to_be_visible()
        page.wait_for_url("**/accounts/signed-out/?idle=1", timeout=75_000)
        expect(
            page.get_by_text("We signed you out because you had not used the portal for 1 minute.")
        ).to_be_visible()
        check(page, "signed out when idle")
        page.goto(base + "/staff/decisions/")
        assert "/accounts/login/" in page.url

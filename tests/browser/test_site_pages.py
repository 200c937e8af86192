"""The site's own pages in the browser, with axe (issue 19's polish): the service status
page behind the footer's link, the refusal page with the OPCC's contact address, signing in
with a wrong password, and times written as people write them."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from partners.enums import Role
from tests.factories import FundingRoundFactory, UserFactory

from .journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_status_refusal_sign_in_and_times(roles, live_server, page, check):
    base = live_server.url
    UserFactory(email="provider@example.org", roles=[Role.PROVIDER])
    closes = timezone.localtime().replace(hour=17, minute=0, second=0, microsecond=0)
    funding_round = FundingRoundFactory(closes_at=closes + datetime.timedelta(days=10))

    # The footer's "Service status" is a page, not raw JSON.
    page.goto(base + "/")
    page.get_by_role("link", name="Service status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service status")
    expect(page.locator("main")).to_contain_text("Working")
    check(page, "service status")

    # A round's closing time reads 5:00pm.
    page.goto(f"{base}/funding/{funding_round.slug}/")
    expect(page.locator("main")).to_contain_text("5:00pm")
    assert "p.m." not in page.content()
    check(page, "round page")

    # A wrong password, in plain words.
    page.goto(base + "/accounts/login/")
    page.locator("[name=username]").fill("provider@example.org")
    page.locator("[name=password]").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The email address or password is not right"
    )
    check(page, "sign in refused")

    # A page someone may not use says whom to ask.
    sign_in(page, base, "provider@example.org")
    response = page.goto(base + "/staff/rounds/")
    assert response.status == 403
    contact = page.get_by_role("link", name=settings.PORTAL_CONTACT_EMAIL)
    expect(contact).to_have_attribute("href", f"mailto:{settings.PORTAL_CONTACT_EMAIL}")
    check(page, "refused page")

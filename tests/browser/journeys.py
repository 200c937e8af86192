"""What the journeys share: signing in through the login page, and a round under assessment
with its panel of three, built through the services."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from grants import services
from grants.enums import ApplicationStatus, RoundStatus
from partners.enums import OrganisationKind, Role
from partners.models import User
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.factories.grants import complete_application
from tests.factories.partners import PASSWORD
from tests.second_factor import app_of, code_for, code_from_secret


def in_a_thread(function, *args, **kwargs):
    """Runs `function` in a thread of its own and returns what it returns: pyHanko (signing
    and checking PDFs) calls asyncio.run(), which cannot start in the test's thread, where
    Playwright's event loop runs. The thread's database connection is closed after, or the
    test database could not be dropped while it is open."""

    def run():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def sign_in(page, base_url: str, email: str, check=None) -> None:
    """Signs in as `email` on the login page, after signing out whoever was signed in, and
    gives the second factor when asked (second_factor)."""
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.locator("[name=username]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    second_factor(page, email, check=check)


def second_factor(page, email: str, check=None) -> None:
    """After the password: sets up the app when asked to (typing the key the page shows
    into the "app", as someone who cannot scan the QR code does, and keeping the recovery
    codes), or gives a code from the app set up before. `check` runs axe on each page."""
    if "/accounts/two-factor/setup/" in page.url:
        if check:
            check(page, "set up an authenticator app")
        key = page.locator("#secret").inner_text()
        page.get_by_label("Code").fill(code_from_secret(key))
        page.get_by_role("button", name="Set up the app").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        assert page.locator("#recovery-codes li").count() == 10
        if check:
            check(page, "recovery codes")
        page.get_by_role("button", name="I have kept my codes: continue").click()
    elif "/accounts/two-factor/" in page.url:
        if check:
            check(page, "enter a code")
        page.get_by_label("Code").fill(code_for(app_of(User.objects.get(email__iexact=email))))
        page.get_by_role("button", name="Continue").click()
    else:
        return
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def panellist(email, full_name, organisation, kind=OrganisationKind.LOCAL_AUTHORITY):
    user = UserFactory(email=email, full_name=full_name, roles=[Role.PANEL_MEMBER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name=organisation, kind=kind))
    return user


def round_with_panel(*, staff):
    """A round under assessment, a panel chaired by Daniel Okafor with Ruth Ellison and
    Amira Haddad, and two submitted applications found eligible, each asking for £4,500."""
    now = timezone.now()
    funding_round = FundingRoundFactory(
        slug="youth-violence-2025",
        title="Youth violence 2025",
        reference_prefix="YV25",
        budget=Decimal("20000"),
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        status=RoundStatus.ASSESSMENT,
    )
    chair = panellist("chair@example.org", "Daniel Okafor", "Durham Constabulary", "police")
    ruth = panellist("ruth@example.org", "Ruth Ellison", "Durham County Council")
    amira = panellist("amira@example.org", "Amira Haddad", "County Durham Public Health")
    services.panel_save(
        funding_round=funding_round,
        by=staff,
        chair=chair,
        members=[(u, u.memberships.get().organisation) for u in (chair, ruth, amira)],
    )
    applications = []
    for number, (title, group) in enumerate(
        [("Friday night football", "Seaham Street Sport"), ("Boxing club", "Peterlee Boxing")],
        start=1,
    ):
        application = ApplicationFactory(
            round=funding_round,
            organisation=OrganisationFactory(name=group),
            reference=f"YV25-{number:04d}",
            title=title,
            status=ApplicationStatus.UNDER_ASSESSMENT,
            submitted_at=now - datetime.timedelta(days=31),
        )
        applications.append(complete_application(application))
    return funding_round, (chair, ruth, amira), applications

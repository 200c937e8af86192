"""Journey 2 of issue 7: OPCC staff open a round, check eligibility, set up a panel of three."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grants import services
from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, FundingRound, Panel
from partners.enums import OrganisationKind, Role
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
)
from tests.factories.grants import complete_application
from tests.factories.partners import PASSWORD

from .journeys import second_factor

logged_amount = Decimal("3000.00")


def sign_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.locator("[name=username]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    second_factor(page, email)


def panellist(full_name, organisation, kind=OrganisationKind.LOCAL_AUTHORITY):
    user = UserFactory(full_name=full_name, roles=[Role.PANEL_MEMBER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name=organisation, kind=kind))
    return user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_open_round_check_eligibility_and_set_up_panel(roles, live_server, page, check):
    UserFactory(email="staff@example.org", full_name="Olive Staff", roles=[Role.OPCC_STAFF])
    provider = UserFactory(email="provider@example.org", roles=[Role.PROVIDER])
    group = OrganisationFactory(name="Seaham Street Sport")
    MembershipFactory(user=provider, organisation=group)
    boxing_club = OrganisationFactory(name="Easington Boxing Club")
    priority = StrategicPriorityFactory()
    chair = panellist("Daniel Okafor", "Durham Constabulary", OrganisationKind.POLICE)
    panellist("Ruth Ellison", "Durham County Council")
    panellist("Amira Haddad", "County Durham Public Health")

    sign_in(page, live_server.url, "staff@example.org")
    page.goto(live_server.url + "/staff/rounds/")
    check(page, "rounds list empty")

    # The round form: first sent empty, to see its errors, then filled in.
    page.get_by_role("button", name="Create a round").click()
    check(page, "round form")
    page.get_by_role("button", name="Save round").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "round form with errors")

    now = timezone.localtime()
    opens = (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    closes = (now + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Fund name").fill("Violence Prevention Fund")
    page.get_by_label("Title", exact=True).fill("Youth violence 2025")
    page.get_by_label("Slug").fill("youth-violence-2025")
    page.get_by_label("Reference prefix").fill("YV25")
    page.get_by_label("Description").fill("Grants for projects against serious violence.")
    page.get_by_label("Who can apply").fill("Verified voluntary and community organisations.")
    page.get_by_label("How to apply").fill("Apply through the portal before the closing date.")
    page.get_by_label("Budget (£)").fill("50000")
    page.get_by_label("Opens at").fill(opens)
    page.get_by_label("Closes at").fill(closes)
    page.get_by_label("Delivery starts on").fill("2025-04-01")
    page.get_by_label("Delivery ends on").fill("2026-03-31")
    page.get_by_label("Unregistered organisations: least (£)", exact=True).fill("0")
    page.get_by_label("Unregistered organisations: most (£)", exact=True).fill("5000")
    page.get_by_label("Registered organisations: least (£)", exact=True).fill("0")
    page.get_by_label("Registered organisations: most (£)", exact=True).fill("40000")
    for number, (weight, title, guidance) in enumerate(
        [
            ("60", "Evidence base", "5: follows a toolkit strand closely"),
            ("40", "Multi-agency delivery", "5: named partners with defined roles"),
        ],
        start=1,
    ):
        criterion = page.get_by_role("group", name=f"Criterion {number}")
        criterion.get_by_label("Criterion title").fill(title)
        criterion.get_by_label("Scoring guidance").fill(guidance)
        criterion.get_by_label("Weight").fill(weight)
        criterion.get_by_label("Highest score").fill("5")
    page.get_by_label("Single stage: full application").check()
    page.get_by_label(priority.title, exact=False).check()
    page.get_by_role("button", name="Save round").click()
    expect(page.get_by_role("button", name="Move to: Open")).to_be_visible()
    check(page, "round staff page draft")

    page.get_by_role("button", name="Move to: Open").click()
    expect(page.locator("main")).to_contain_text("Open")
    check(page, "round staff page open")
    funding_round = FundingRound.objects.get(slug="youth-violence-2025")
    assert funding_round.status == RoundStatus.OPEN

    # The provider applies and submits through the services.
    application = services.application_start(
        funding_round=funding_round, organisation=group, by=provider, title="Friday night football"
    )
    application = complete_application(application)
    services.application_submit(application=application, by=provider)

    # A bid that came on paper, from someone with no email address: logged with who sent
    # it, filled in from the paper, submitted with when it arrived; a letter is needed.
    page.reload()
    page.get_by_role("button", name="Log a bid from email or paper").click()
    check(page, "log a bid")
    page.get_by_role("button", name="Log the bid").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the name of the person who sent the bid"
    )
    check(page, "log a bid with errors")
    page.get_by_label("Organisation that sent the bid").select_option(label=boxing_club.name)
    page.get_by_label("Paper").check()
    page.get_by_label("Project title").fill("Boxing on the seafront")
    page.get_by_label("Name").fill("Mary Jones")
    page.get_by_label("Postal address").fill("2 Church Street, Seaham SR7 7AA")
    page.get_by_role("button", name="Log the bid").click()
    expect(page.locator("main")).to_contain_text("Fill it in from the bid.")
    check(page, "logged bid task list")
    logged = Application.objects.get(title="Boxing on the seafront")
    complete_application(logged, amount=logged_amount)
    page.goto(f"{live_server.url}/applications/{logged.reference}/submit/")
    check(page, "logged bid check answers")
    page.get_by_label("When the bid was received").fill(
        (now - datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "A letter is needed: 2 Church Street, Seaham SR7 7AA"
    )
    check(page, "logged bid receipt")
    assert Application.objects.get(pk=logged.pk).status == ApplicationStatus.SUBMITTED

    page.goto(f"{live_server.url}/staff/rounds/{funding_round.slug}/")
    check(page, "round applications")
    page.get_by_role("link", name=application.reference).click()
    expect(page.get_by_role("button", name="Record eligibility")).to_be_visible()
    check(page, "application staff page")

    # Not eligible without a reason is refused, with the error on the page.
    page.get_by_label("Not eligible").check()
    page.get_by_role("button", name="Record eligibility").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "eligibility with errors")
    page.get_by_label("Eligible: send it to assessment").check()
    page.get_by_role("button", name="Record eligibility").click()
    expect(page.get_by_role("button", name="Record eligibility")).to_have_count(0)
    check(page, "application under assessment")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_ASSESSMENT

    # The panel of three, chaired by Daniel Okafor.
    page.goto(f"{live_server.url}/staff/rounds/{funding_round.slug}/panel/")
    check(page, "panel setup")
    page.get_by_role("button", name="Save panel").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "panel setup with errors")
    for name in ("Daniel Okafor", "Ruth Ellison", "Amira Haddad"):
        page.get_by_label(name, exact=False).first.check()
    # Staff pick each member with the organisation they represent.
    chair_organisation = chair.memberships.get().organisation.name
    page.get_by_label("Chair", exact=True).select_option(
        label=f"{chair.full_name}, {chair_organisation} ({chair.email})"
    )
    page.get_by_label("Every member scores every eligible application").check()
    page.get_by_label("Score by (optional)").fill("2027-01-15")
    page.get_by_role("button", name="Save panel").click()
    expect(page.locator("main")).to_contain_text("Amira Haddad")
    check(page, "panel saved")

    panel = Panel.objects.get(round=funding_round)
    assert (panel.chair, panel.scoring_deadline) == (chair, datetime.date(2027, 1, 15))
    assert sorted(panel.members.values_list("user__full_name", flat=True)) == [
        "Amira Haddad",
        "Daniel Okafor",
        "Ruth Ellison",
    ]
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.UNDER_ASSESSMENT

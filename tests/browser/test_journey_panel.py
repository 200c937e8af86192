"""Journey 3 of issue 7: panel members declare interests (one conflicted, who then cannot
open that application), score, and the chair moderates to a recommendation."""

import datetime

import pytest
from playwright.sync_api import expect

from grants.enums import ApplicationStatus, Recommendation
from grants.models import Application, Panel, Scorecard
from partners.enums import Role
from tests.factories import UserFactory

from .journeys import round_with_panel, sign_in

EVIDENCE = "1. Evidence-based practice"
PARTNERS = "2. Multi-agency delivery"


def declare(page, reference, *, conflict=False):
    page.get_by_role("link", name=f"Declare interests for {reference}").click()
    if conflict:
        page.get_by_label("Yes", exact=True).check()
        page.get_by_label("Describe the interest").fill("I am a trustee of the applicant")
        page.get_by_label("This is a conflict of interest", exact=False).check()
    else:
        page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Make declaration").click()


def mark(page, criterion, score):
    page.get_by_role("group", name=criterion).get_by_label("Score (0 to 5)").select_option(score)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_panel_declare_score_and_moderate(roles, live_server, page, check):
    staff = UserFactory(email="staff@example.org", roles=[Role.OPCC_STAFF])
    funding_round, (chair, ruth, amira), (football, boxing) = round_with_panel(staff=staff)
    base = live_server.url
    round_url = f"{base}/panel/{funding_round.slug}/"

    # Ruth Ellison is a trustee of the football project: she declares a conflict and is
    # then refused that application's page, as if it did not exist.
    Panel.objects.filter(round=funding_round).update(scoring_deadline=datetime.date(2027, 1, 15))
    sign_in(page, base, ruth.email, check=check)
    # Her home page is her work: what is left to declare and score, and by when.
    rows = page.locator(".govuk-summary-card .govuk-summary-list__row")
    expect(rows.filter(has_text="To declare an interest on").locator("dd")).to_have_text("2")
    expect(rows.filter(has_text="Score by").locator("dd")).to_have_text("15 January 2027")
    expect(page.get_by_role("link", name="Your applications")).to_have_count(0)
    check(page, "member home")
    page.goto(base + "/panel/")
    check(page, "member panels")
    page.goto(round_url)
    check(page, "member round")
    page.get_by_role("link", name=f"Declare interests for {football.reference}").click()
    check(page, "declaration form")
    page.get_by_role("button", name="Make declaration").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "declaration with errors")
    page.goto(round_url)
    declare(page, football.reference, conflict=True)
    check(page, "after declaring a conflict")
    response = page.goto(f"{round_url}applications/{football.reference}/")
    assert response.status == 404
    check(page, "conflicted application not found")

    # Amira Haddad declares no interest and scores, first leaving a criterion unscored.
    sign_in(page, base, amira.email)
    page.goto(round_url)
    declare(page, football.reference)
    expect(page.get_by_role("button", name="Submit scorecard")).to_be_visible()
    check(page, "scorecard")
    mark(page, PARTNERS, "3")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "scorecard with a criterion unscored")
    mark(page, EVIDENCE, "4")
    mark(page, PARTNERS, "3")
    page.get_by_role("button", name="Submit scorecard").click()
    # The next application in her work is offered.
    expect(page.get_by_role("link", name="Score the next application")).to_be_visible()
    check(page, "scorecard submitted")

    # The chair scores too, then moderates.
    sign_in(page, base, chair.email)
    page.goto(round_url)
    declare(page, football.reference)
    mark(page, EVIDENCE, "5")
    mark(page, PARTNERS, "3")
    page.get_by_role("button", name="Submit scorecard").click()
    assert Scorecard.objects.filter(application=football, status="submitted").count() == 2

    page.goto(f"{base}/panel/{funding_round.slug}/ranking/")
    check(page, "ranking before moderation")
    # Nobody has scored the boxing project: moderating it warns whose scorecards are missing.
    page.goto(f"{round_url}applications/{boxing.reference}/moderate/")
    expect(page.locator(".govuk-warning-text")).to_contain_text("3 scorecards are outstanding")
    check(page, "moderation with scorecards outstanding")
    page.goto(f"{round_url}applications/{football.reference}/moderate/")
    check(page, "moderation form")
    page.get_by_role("button", name="Record moderation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "moderation with errors")
    page.get_by_label(f"{EVIDENCE} (0 to 5)").select_option("4")
    page.get_by_label(f"{PARTNERS} (0 to 5)").select_option("3")
    page.get_by_label("The panel's rationale").fill(
        "Strong referral routes from the youth justice service."
    )
    page.get_by_label("Fund", exact=True).check()
    page.get_by_label("Amount recommended (£)").fill("4000")
    page.get_by_role("button", name="Record moderation").click()
    check(page, "after moderation")

    football.refresh_from_db()
    assert football.status == ApplicationStatus.RECOMMENDED
    assert football.moderation.recommendation == Recommendation.FUND
    page.goto(f"{base}/panel/{funding_round.slug}/ranking/")
    row = page.get_by_role("row").filter(has_text=football.reference)
    expect(row).to_contain_text("£4,000")
    expect(row).to_contain_text("Fund")
    check(page, "ranking after moderation")
    assert Application.objects.get(pk=boxing.pk).status == ApplicationStatus.UNDER_ASSESSMENT

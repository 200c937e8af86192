"""Journey 1: a provider signs up, registers a community group, is verified, applies and submits.

The same journey is then walked with the keyboard alone: no mouse clicks.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from grants.models import Application
from partners.enums import Role
from tests.factories import (
    FundingRoundFactory,
    StrategicPriorityFactory,
    UserFactory,
)
from tests.factories.grants import SuccessMeasureFactory
from tests.factories.partners import PASSWORD

from .journeys import second_factor

pytestmark = pytest.mark.browser

EMAIL = "amina@seaham-sport.example"
# A small but real PDF: the upload check reads the file's first bytes.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _round(**kwargs):
    """An open round that funds one priority, with one success measure to choose."""
    priority = StrategicPriorityFactory(title="Reduce knife crime among young people")
    SuccessMeasureFactory(title="Fewer hospital admissions for assault with a sharp object")
    return FundingRoundFactory(
        title="Community grants 2025", slug="community-grants-2025", priorities=[priority], **kwargs
    )


def _emailed_link():
    """The link in the last email the portal sent (the test mailbox of the live server)."""
    return re.search(r"https?://\S+/accounts/signup/confirm/\S+/", mail.outbox[-1].body).group()


def _sign_in(page, url, email, check=None):
    page.goto(url + "/accounts/login/")
    if check:
        check(page, "sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    second_factor(page, email, check=check)


def _save(page):
    page.get_by_role("button", name="Save and continue").click()


@pytest.mark.django_db(transaction=True)
def test_provider_applies_and_is_refused_above_cap(roles, live_server, browser, page, check):
    url = live_server.url
    funding_round = _round(allow_multiple_applications=True)
    UserFactory(email="olive@opcc.example", full_name="Olive Staff", roles=[Role.OPCC_STAFF])

    # Sign up, first with nothing filled in.
    page.goto(url + "/accounts/signup/")
    check(page, "sign up")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "sign up with errors")
    page.get_by_label("Full name").fill("Amina Shah")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check(page, "check your email")
    # The account is made by following the link emailed to the address.
    page.goto(_emailed_link())
    check(page, "confirm email address")
    page.get_by_role("button", name="Confirm and continue").click()
    check(page, "after sign up")

    # Register the community group, first with nothing filled in.
    page.goto(url + "/organisations/register/")
    check(page, "register organisation")
    page.get_by_role("button", name="Register organisation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "register organisation with errors")
    page.get_by_label("Organisation name").fill("Seaham Street Sport")
    page.get_by_label("Unregistered community group").check()
    page.get_by_label("Address line 1").fill("4 North Terrace")
    page.get_by_label("Town or city").fill("Seaham")
    page.get_by_label("Postcode").fill("sr7 7es")
    page.get_by_role("button", name="Register organisation").click()
    expect(page.get_by_text("Seaham Street Sport is registered")).to_be_visible()
    check(page, "your organisations")
    # Until it is verified, the round's page says so instead of offering to start.
    page.goto(url + f"/funding/{funding_round.slug}/")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "Your organisation Seaham Street Sport is waiting for the OPCC to verify it; this "
        "usually takes up to 5 working days."
    )
    expect(page.get_by_role("button", name="Start an application")).to_have_count(0)
    check(page, "round while waiting for verification")

    # OPCC staff verify it, in their own browser context.
    staff_context = browser.new_context()
    staff = staff_context.new_page()
    _sign_in(staff, url, "olive@opcc.example")
    staff.goto(url + "/staff/organisations/")
    check(staff, "staff organisations")
    staff.get_by_role("link", name="Seaham Street Sport").click()
    check(staff, "staff organisation")
    staff.get_by_label("Verify: the organisation is who it says it is").check()
    staff.get_by_role("button", name="Record decision").click()
    check(staff, "staff organisation verified")
    staff_context.close()

    # Apply to the open round from its public page.
    page.goto(url + "/funding/")
    check(page, "funding rounds")
    page.get_by_role("link", name=re.compile("Community grants 2025")).first.click()
    check(page, "round")
    page.get_by_role("button", name="Start an application").click()
    check(page, "start application")
    page.get_by_label("Project title").fill("Friday night football")
    page.get_by_role("button", name="Start application").click()
    check(page, "task list")
    reference = Application.objects.get(round=funding_round).reference

    # Each section's answers by label; True ticks a checkbox.
    sections = {
        ("About the project", "project"): {
            "Summary": "Football on Friday nights for young people at risk.",
            "What you will do": "Two coaches run two-hour sessions every week.",
        },
        ("Priorities addressed", "priorities"): {"Reduce knife crime among young people": True},
        ("Evidence base", "evidence"): {
            "Other evidence base": "Our own evaluation of 2023",
            "How does the evidence support the project?": (
                "Attendance doubled and referrals to the youth justice service fell."
            ),
        },
        ("Who, where and with whom", "delivery"): {
            "Who is the project for?": "Young people aged 10 to 17.",
            "Where will it be delivered?": "Seaham seafront.",
            "Which partners are involved, and how?": "Youth justice service.",
        },
        ("Intended outcomes", "outcomes"): {
            "What will change because of the project?": "Fewer stabbings.",
            "Fewer hospital admissions for assault": True,
        },
    }
    for (link, shot), answers in sections.items():
        page.get_by_role("link", name=link).click()
        check(page, shot)
        for label, answer in answers.items():
            if answer is True:
                page.get_by_label(label).check()
            else:
                page.get_by_label(label).fill(answer)
        _save(page)
    page.get_by_role("link", name="Budget").click()
    check(page, "budget")
    page.get_by_label("Item").fill("Two coaches, 40 weeks")
    page.get_by_label("Labour (staff costs)").check()
    page.get_by_label("Amount (£)").fill("4500")
    page.get_by_role("button", name="Add budget line").click()
    check(page, "budget with a line")
    page.get_by_role("link", name="Back to your application").click()
    page.get_by_role("link", name="Supporting documents").click()
    check(page, "attachments")
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "safeguarding-policy.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("link", name="safeguarding-policy.pdf")).to_be_visible()
    check(page, "attachments uploaded")
    page.get_by_role("link", name="Back to your application").click()
    page.get_by_role("link", name="Declarations").click()
    check(page, "declarations")
    page.get_by_label("The information in this application is true and complete").check()
    page.get_by_label("We have a safeguarding policy").check()
    page.get_by_label("We will handle personal data lawfully").check()
    _save(page)
    check(page, "task list complete")
    expect(page.locator(".govuk-task-list .govuk-tag")).to_have_count(0)

    # Sign out, come back, submit.
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, url, EMAIL, check)
    page.goto(url + "/applications/")
    check(page, "your applications")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Check and submit").click()
    check(page, "check and submit")
    # Every answer has its Change link; one changed comes back here, changed.
    expect(page.locator(".govuk-summary-list__actions a")).to_have_count(13)
    page.get_by_role("link", name="Change summary").click()
    check(page, "change from check answers")
    page.get_by_label("Summary").fill("Football on Friday and Saturday nights.")
    _save(page)
    expect(page.get_by_role("heading", name="Check your answers before submitting")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Football on Friday and Saturday nights."
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("£4,500")
    check(page, "check answers after a change")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Application submitted")).to_be_visible()
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    check(page, "receipt")

    # A second application: a budget beyond the cap is refused where it is entered, and
    # check answers offers no Submit button while a section is incomplete, its problem a
    # link to that section.
    page.goto(url + f"/funding/{funding_round.slug}/apply/")
    page.get_by_label("Project title").fill("Summer boxing club")
    page.get_by_role("button", name="Start application").click()
    page.get_by_role("link", name="Budget").click()
    page.get_by_label("Item").fill("A coach")
    page.get_by_label("Labour (staff costs)").check()
    page.get_by_label("Amount (£)").fill("6000")
    page.get_by_role("button", name="Add budget line").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The most an unregistered organisation can ask for is £5,000: with this line the "
        "budget would come to £6,000"
    )
    check(page, "budget line refused above cap")
    page.get_by_role("link", name="Back to your application").first.click()
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_role("button", name="Submit application")).to_have_count(0)
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="Complete the section ‘Budget’"
    ).click()
    expect(page.get_by_role("heading", name="Budget", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Back to check your answers").first).to_be_visible()
    check(page, "budget from a problem on check answers")
    assert Application.objects.filter(round=funding_round, submitted_at__isnull=False).count() == 1


def _tab_to(page, predicate: str, limit: int = 80):
    """Press Tab until the focused element satisfies the JavaScript predicate on `el`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def _tab_to_name(page, name: str):
    _tab_to(page, f"el.name === {name!r}")


def _tab_to_text(page, text: str):
    _tab_to(page, f"el.textContent.trim().startsWith({text!r})")


def _focused(page, expression: str = "el.value"):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def _follow(page, text: str):
    """Tab to a link or button whose text starts with `text`, press Enter, wait for the page."""
    _tab_to_text(page, text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def _type_into(page, name: str, text: str):
    _tab_to_name(page, name)
    page.keyboard.type(text)


def _tick(page, name: str, label: str):
    """Tab through the checkboxes called `name` to the one labelled `label`; tick it with Space."""
    _tab_to(
        page,
        f"el.name === {name!r} && el.labels.length > 0"
        f" && el.labels[0].textContent.includes({label!r})",
    )
    page.keyboard.press("Space")
    assert _focused(page, "el.checked"), f"Space did not tick {label!r}"


def _save_by_keyboard(page):
    _follow(page, "Save and continue")


def _fill_section(page, check, link: str, shot: str, *, ticks: dict | None = None, **texts):
    """From the task list, open a section by keyboard, type each text into its field, tick
    each checkbox (field name: label), and save it."""
    _follow(page, link)
    check(page, shot)
    for name, text in texts.items():
        _type_into(page, name, text)
    for name, label in (ticks or {}).items():
        _tick(page, name, label)
    _save_by_keyboard(page)


@pytest.mark.django_db(transaction=True)
def test_provider_journey_with_keyboard_alone(roles, live_server, browser, page, check):
    from decimal import Decimal

    from grants.enums import ApplicationStatus
    from grants.models import BudgetLine
    from partners.enums import VerificationStatus
    from partners.models import Organisation, OrganisationStatusChange
    from tests.factories.grants import EvidenceStrandFactory

    url = live_server.url
    funding_round = _round()
    strand = EvidenceStrandFactory()
    UserFactory(email="olive@opcc.example", full_name="Olive Staff", roles=[Role.OPCC_STAFF])

    # Sign up: skip link first, then the form.
    page.goto(url + "/accounts/signup/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    _tab_to_name(page, "full_name")
    page.keyboard.type("Amina Shah")
    page.keyboard.press("Tab")
    page.keyboard.type(EMAIL)
    _tab_to_name(page, "password1")
    page.keyboard.type(PASSWORD)
    _tab_to_name(page, "password2")
    page.keyboard.type(PASSWORD)
    _tab_to_text(page, "Create account")
    page.keyboard.press("Enter")
    # The email is sent before the "Check your email" page answers: wait for the page.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(_emailed_link())
    _follow(page, "Confirm and continue")
    check(page, "after sign up")

    # Register the group: radios are reached by Tab, then moved between with arrows.
    page.goto(url + "/organisations/register/")
    _tab_to_name(page, "name")
    page.keyboard.type("Seaham Street Sport")
    _tab_to_name(page, "kind")
    # Arrow keys move through a radio group; stop at the community group.
    for _ in range(10):
        if page.evaluate("document.activeElement.value") == "community_group":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.locator("input[value=community_group]").is_checked()
    _tab_to_name(page, "address_line_1")
    page.keyboard.type("4 North Terrace")
    _tab_to_name(page, "town")
    page.keyboard.type("Seaham")
    page.keyboard.press("Tab")
    page.keyboard.type("SR7 7ES")
    _tab_to_text(page, "Register organisation")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Seaham Street Sport is registered")).to_be_visible()
    check(page, "registered")
    organisation = Organisation.objects.get(name="Seaham Street Sport")

    # OPCC staff verify it by keyboard, in their own browser context.
    staff_context = browser.new_context()
    staff = staff_context.new_page()
    staff.goto(url + "/accounts/login/")
    check(staff, "staff sign in")
    _type_into(staff, "username", "olive@opcc.example")
    _type_into(staff, "password", PASSWORD)
    _follow(staff, "Sign in")
    second_factor(staff, "olive@opcc.example", check=check)
    check(staff, "staff signed in")
    staff.goto(url + f"/staff/organisations/{organisation.pk}/")
    check(staff, "staff organisation")
    _tab_to_name(staff, "to_status")
    for _ in range(5):
        if _focused(staff) == VerificationStatus.VERIFIED.value:
            break
        staff.keyboard.press("ArrowDown")
    staff.keyboard.press("Space")
    assert _focused(staff, "el.checked")
    _follow(staff, "Record decision")
    expect(staff.locator(".govuk-summary-list")).to_contain_text("Verified by Olive Staff")
    check(staff, "staff organisation verified")
    staff_context.close()
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.VERIFIED
    assert OrganisationStatusChange.objects.filter(organisation=organisation).count() == 1

    # Back to the provider: start an application from the round's public page.
    page.goto(url + f"/funding/{funding_round.slug}/")
    check(page, "round")
    _follow(page, "Start an application")
    check(page, "start application")
    _tab_to_name(page, "organisation")
    if not _focused(page, "el.checked"):
        page.keyboard.press("Space")
    assert _focused(page, "el.checked")
    _type_into(page, "title", "Friday night football")
    _follow(page, "Start application")
    check(page, "task list")
    application = Application.objects.get(round=funding_round)
    reference = application.reference

    # Every section, in the task list's order, reached by Tab and Enter.
    _fill_section(
        page,
        check,
        "About the project",
        "project",
        summary="Football on Friday nights for young people at risk.",
        description="Two coaches run two-hour sessions every week.",
    )
    check(page, "task list after project")

    _fill_section(
        page,
        check,
        "Priorities addressed",
        "priorities",
        ticks={"priorities": "Reduce knife crime among young people"},
    )

    _follow(page, "Evidence base")
    check(page, "evidence")
    # A closed select takes its value from the keys: ArrowDown moves off the empty choice.
    _tab_to_name(page, "evidence_strand")
    page.keyboard.press("ArrowDown")
    assert _focused(page) == str(strand.pk)
    _type_into(
        page,
        "evidence_description",
        "Attendance doubled and referrals to the youth justice service fell.",
    )
    _save_by_keyboard(page)

    _fill_section(
        page,
        check,
        "Who, where and with whom",
        "delivery",
        target_cohort="Young people aged 10 to 17.",
        delivery_area="Seaham seafront.",
        partners_involved="Youth justice service.",
    )

    _fill_section(
        page,
        check,
        "Intended outcomes",
        "outcomes",
        outcomes="Fewer stabbings.",
        ticks={"success_measures": "Fewer hospital admissions for assault"},
    )

    _follow(page, "Budget")
    check(page, "budget")
    _type_into(page, "item", "Two coaches, 40 weeks")
    _tab_to_name(page, "financial_year")
    years = page.locator("select[name=financial_year] option").all_inner_texts()
    page.keyboard.type(years[-1])
    assert _focused(page) == years[-1]
    # The kind of cost: Tab reaches the first radio of the group, Space chooses it.
    _tab_to_name(page, "cost_kind")
    page.keyboard.press("Space")
    assert _focused(page, "[el.value, el.checked]") == ["labour", True]
    _type_into(page, "amount", "£4,500")
    _follow(page, "Add budget line")
    expect(page.locator(".govuk-table")).to_contain_text("Two coaches, 40 weeks")
    check(page, "budget with a line")
    _follow(page, "Back to your application")

    # Supporting documents: the one exception to the keyboard. A file chooser is the
    # operating system's dialogue, which Playwright cannot drive, so the file is set on the
    # input that Tab has focused; the Upload button is then pressed with Enter.
    _follow(page, "Supporting documents")
    check(page, "attachments")
    _tab_to_name(page, "file")
    page.locator("input[type=file]:focus").set_input_files(
        files=[{"name": "safeguarding-policy.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _tab_to(page, "el.textContent.trim() === 'Upload'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="safeguarding-policy.pdf")).to_be_visible()
    check(page, "attachments uploaded")
    _follow(page, "Back to your application")

    _follow(page, "Declarations")
    check(page, "declarations")
    for name in ("declare_accurate", "declare_safeguarding", "declare_data_protection"):
        _tab_to_name(page, name)
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.checked")
    _save_by_keyboard(page)
    expect(page.locator(".govuk-task-list .govuk-tag")).to_have_count(0)
    check(page, "task list complete")

    _follow(page, "Check and submit")
    check(page, "check and submit")
    _tab_to_text(page, "Submit application")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Application submitted")).to_be_visible()
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    check(page, "receipt")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    assert application.amount_requested == Decimal("4500.00")
    assert application.evidence_strand_id == strand.pk
    assert list(application.priorities.values_list("title", flat=True)) == [
        "Reduce knife crime among young people"
    ]
    assert application.success_measures.count() == 1
    assert application.attachments.count() == 1
    assert list(
        BudgetLine.objects.filter(application=application).values_list("cost_kind", "amount")
    ) == [("labour", Decimal("4500.00"))]

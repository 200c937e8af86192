"""Phones (issue 19, item 7): at 320 CSS pixels wide nothing scrolls sideways (WCAG 1.4.10
Reflow), on the pages every role's journeys visit, with the demo data; and at 390×844 the
header's menu opens with the keyboard and its links work."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from playwright.sync_api import expect

from decisions.enums import DocumentStatus
from decisions.models import DecisionRecord
from grants.models import AgreementTemplate, Application, FundingRound, FundingStream
from partners.models import User
from tests.factories import ApplicationFactory
from tests.factories.grants import complete_application
from tests.factories.partners import PASSWORD

from .journeys import in_a_thread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VPF = "violence-prevention-fund-2024"
# What sticks out past the right edge, innermost first: for the failure message.
WIDEST = """[...document.querySelectorAll("*")]
    .filter(e => e.getBoundingClientRect().right + window.scrollX > 320 || e.scrollWidth > 320)
    .filter(e => !(e.parentElement && e.parentElement.closest(".portal-table-scroll")))
    .reverse().slice(0, 4)
    .map(e => e.tagName.toLowerCase() + "." + String(e.className).split(" ").join("."))
    .join(", ")"""


@pytest.fixture
def demo(roles):
    """The demo data, everyone's password the test one, and DN50-24's signed PDF made (the
    worker is not run here: the file's bytes do not matter, its fingerprint's length does)."""
    in_a_thread(call_command, "seed_demo", verbosity=0)
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    record = DecisionRecord.objects.get(reference="DN50-24")
    document = record.documents.order_by("-version").first()
    document.file.save("DN50-24.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    document.status = DocumentStatus.READY
    document.sha256 = hashlib.sha256(b"DN50-24").hexdigest()
    document.certificate_fingerprint = hashlib.sha256(b"certificate").hexdigest()
    document.save()
    return record


def pages_by_role(record):
    """(who, [(name, path)]): the pages the public, provider, staff and panel journeys visit."""
    provider = User.objects.get(email="provider@demo.example")
    application = (
        Application.objects.filter(organisation__memberships__user=provider)
        .order_by("reference")
        .first()
    )
    staff_application = Application.objects.filter(round__slug=VPF).order_by("reference").first()
    # A draft in the open round, filled in, so that its sections and check-answers show.
    draft = complete_application(
        ApplicationFactory(
            round=FundingRound.objects.get(slug="community-safety-small-grants"),
            organisation=application.organisation,
            reference="CSG-0001",
            title="Friday night football",
            created_by=provider,
        )
    )
    stream = FundingStream.objects.get(name="Serious Violence Duty grant")
    template = AgreementTemplate.objects.get()
    draft_pages = [
        (f"draft {section}", f"/applications/{draft.reference}/{section}/")
        for section in ("project", "priorities", "evidence", "delivery", "outcomes", "declarations")
    ]
    return [
        (
            None,
            [
                ("home", "/"),
                ("funding rounds", "/funding/"),
                ("open round", "/funding/community-safety-small-grants/"),
                ("past round", f"/funding/{VPF}/"),
                ("register", "/decisions/"),
                ("record with its PDF", f"/decisions/{record.reference}/"),
                ("sign in", "/accounts/login/"),
                ("create an account", "/accounts/signup/"),
            ],
        ),
        (
            "provider@demo.example",
            [
                ("provider home", "/"),
                ("your applications", "/applications/"),
                ("an application", f"/applications/{application.reference}/"),
                ("start an application", "/funding/community-safety-small-grants/apply/"),
                ("a draft", f"/applications/{draft.reference}/"),
                *draft_pages,
                ("draft budget", f"/applications/{draft.reference}/budget/"),
                ("draft attachments", f"/applications/{draft.reference}/attachments/"),
                ("check answers", f"/applications/{draft.reference}/submit/"),
                ("your organisations", "/organisations/"),
                ("your grants", "/grants/mine/"),
                ("an offered grant", "/grants/EIP23-A-0001/"),
                ("its agreement", "/grants/EIP23-A-0001/agreement/"),
                ("bank details", "/grants/EIP23-A-0001/bank-details/"),
            ],
        ),
        (
            "staff@demo.example",
            [
                ("staff home", "/"),
                ("staff rounds", "/staff/rounds/"),
                ("staff round applications", f"/staff/rounds/{VPF}/"),
                ("staff application", f"/staff/applications/{staff_application.reference}/"),
                ("staff panel setup", f"/staff/rounds/{VPF}/panel/"),
                ("staff organisations", "/staff/organisations/"),
                ("staff decisions", "/staff/decisions/"),
                ("staff decision record", f"/staff/decisions/{record.pk}/"),
                ("new round", "/staff/rounds/new/"),
                ("round edit", f"/staff/rounds/{VPF}/edit/"),
                ("log a bid", "/staff/rounds/community-safety-small-grants/log-bid/"),
                ("new decision record", "/staff/decisions/new/"),
                ("decision record from a round", "/staff/decisions/from-round/"),
                ("awards", "/staff/awards/"),
                ("a stream's money", f"/staff/streams/{stream.pk}/"),
                ("a grant in due diligence", "/grants/EIP23-A-0003/"),
                ("an item of due diligence", "/grants/EIP23-A-0003/due-diligence/insurance/"),
                ("an accepted agreement", "/grants/EIP23-A-0002/agreement/"),
                ("agreement templates", "/staff/agreement-templates/"),
                ("an agreement template", f"/staff/agreement-templates/{template.pk}/"),
            ],
        ),
        (
            "panel1@demo.example",
            [
                ("your panels", "/panel/"),
                ("panel round", f"/panel/{VPF}/"),
                ("panel ranking", f"/panel/{VPF}/ranking/"),
                ("panel report", f"/panel/{VPF}/report/"),
                ("scorecard", f"/panel/{VPF}/applications/{staff_application.reference}/"),
                (
                    "moderation",
                    f"/panel/{VPF}/applications/{staff_application.reference}/moderate/",
                ),
            ],
        ),
    ]


def test_reflow_no_page_scrolls_sideways_at_320_pixels(demo, live_server, page, check):
    page.set_viewport_size({"width": 320, "height": 640})
    base = live_server.url
    too_wide = []
    for who, pages in pages_by_role(demo):
        if who:
            sign_in(page, base, who)
        for name, path in pages:
            response = page.goto(base + path)
            assert response.status == 200, f"{name} ({path}): {response.status}"
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide.append(f"{name} ({path}): {width}px, from {page.evaluate(WIDEST)}")
            check(page, f"{name} at 320")
    assert not too_wide, "Wider than 320px:\n" + "\n".join(too_wide)


def test_reflow_menu_opens_with_the_keyboard_on_a_phone(demo, live_server, page, check):
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url
    sign_in(page, base, "provider@demo.example")
    page.goto(base + "/")
    menu = page.get_by_role("button", name="Menu")
    links = page.get_by_role("navigation", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(links.get_by_role("link", name="Your applications")).to_be_hidden()
    check(page, "menu closed")

    # Tab from the skip link to the menu button, open it with Enter, follow a link.
    page.keyboard.press("Tab")
    for _ in range(10):
        page.keyboard.press("Tab")
        if menu.evaluate("button => button === document.activeElement"):
            break
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    check(page, "menu open")
    page.keyboard.press("Tab")
    expect(links.get_by_role("link").first).to_be_focused()
    link = links.get_by_role("link", name="Your applications")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/applications/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page, "followed from the menu")

"""Issue 16's journalist: signed in as no one, on a phone and on a desktop, with the demo
data. They open the grants register and filter it with the keyboard, read the one grant on
it (EIP23-A-0002, the only award of decision DN38-23 its holder has accepted), follow it to
that decision record and download the record's signed PDF, made by a real Celery worker on
the real Redis; then the payments over £500 and the register's 360Giving data."""

import hashlib
import json
import re

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from decisions.enums import DocumentStatus
from decisions.models import DecisionDocument, DecisionRecord
from grants.enums import AwardStatus
from grants.models import (
    AgreementDocument,
    Award,
    AwardStatusChange,
    DiligenceCheck,
    ReturnAttachment,
)
from partners.models import Area
from svd_portal import celery_app
from tests.decisions.documents_helpers import wait_until

from .journeys import in_a_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 720}
# Each cell's text, a row at a time: a <br> in a cell is a line break.
CELLS = "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
SUMMARY = """rows => rows.map(row => [
    row.querySelector('dt').innerText.trim(), row.querySelector('dd').innerText.trim()
])"""
REGISTER_ROW = [
    "EIP23-A-0002\nHoliday boxing camps",
    "Bishop Auckland Boxing Club",
    "£4,500",
    "£1,125",
    "14 September 2023\nDecision DN38-23",
]


def _seed_demo() -> None:
    try:
        call_command("seed_demo", verbosity=0)
    finally:
        connection.close()  # the thread's own connection would outlive the test database


@pytest.fixture
def demo(roles, broker, tmp_path, monkeypatch, quiet_weasyprint):
    """The demo data, its files in this test's own folder, and the signed PDFs of its
    decision records made by a worker, as seed_demo leaves them to one."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    for model, field in [
        (AgreementDocument, "file"),
        (DiligenceCheck, "file"),
        (ReturnAttachment, "file"),
        (DecisionDocument, "file"),
        (DecisionRecord, "section_b"),
        (DecisionRecord, "section_b_redacted"),
    ]:
        monkeypatch.setattr(model._meta.get_field(field), "storage", storage)
    in_a_thread(_seed_demo)

    def statuses():
        return sorted(DecisionDocument.objects.values_list("record__reference", "status"))

    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        wait_until(
            lambda: (
                not DecisionDocument.objects.filter(
                    status__in=[DocumentStatus.QUEUED, DocumentStatus.RENDERING]
                ).exists()
            ),
            timeout=120,
            describe=statuses,
        )
    assert {status for _, status in statuses()} == {DocumentStatus.READY}, statuses()


def summary_list(page) -> dict[str, str]:
    return dict(page.locator(".govuk-summary-list__row").evaluate_all(SUMMARY))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_journalist_filters_register_reads_grant_its_decision_and_pdf_and_open_data(
    demo, live_server, page, check, viewport
):
    page.set_viewport_size(viewport)
    base = live_server.url
    rows = page.locator("table tbody tr")

    # The register, all of it: one grant.
    page.goto(base + "/grants/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grants register")
    expect(page.get_by_role("region", name="Grants").locator("caption")).to_have_text("1 grant")
    assert rows.evaluate_all(CELLS) == [REGISTER_ROW]
    check(page, "register")

    # Filtered with the keyboard: a year and an area, typed into each list, then the button.
    page.get_by_label("Financial year awarded").focus()
    page.keyboard.type("2023-24")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Strategic priority")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Area")).to_be_focused()
    page.keyboard.type("Darlington")
    page.keyboard.press("Tab")
    filter_button = page.get_by_role("button", name="Filter")
    expect(filter_button).to_be_focused()
    darlington = Area.objects.get(name="Darlington")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/grants/\?.*\barea={darlington.pk}$"))
    expect(page.get_by_label("Financial year awarded")).to_have_value("2023-24")
    expect(page.get_by_label("Area")).to_have_value(str(darlington.pk))
    # The Darlington grants of DN38-23 are offered or in due diligence, not accepted.
    expect(page.get_by_text("No grant on the register matches.")).to_be_visible()
    expect(rows).to_have_count(0)
    check(page, "register filtered to nothing")

    # The area the boxing camps are in, and the priority their bid named.
    page.get_by_label("Strategic priority").focus()
    page.keyboard.type("1.")
    page.keyboard.press("Tab")
    page.keyboard.type("County Durham")
    page.keyboard.press("Tab")
    expect(filter_button).to_be_focused()
    county_durham = Area.objects.get(name="County Durham")
    priority = Award.objects.get(reference="EIP23-A-0002").application.priorities.get()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/grants/\?.*\barea={county_durham.pk}$"))
    expect(page.get_by_label("Area")).to_have_value(str(county_durham.pk))
    expect(page.get_by_label("Strategic priority")).to_have_value(str(priority.pk))
    expect(page.get_by_label("Strategic priority").locator("option:checked")).to_have_text(
        "1. Support for those aged 18 and under involved or at risk of being drawn into "
        "serious violence"
    )
    expect(page.get_by_label("Financial year awarded")).to_have_value("2023-24")
    expect(rows).to_have_count(1)
    assert rows.evaluate_all(CELLS) == [REGISTER_ROW]
    check(page, "register filtered to one grant")

    # The grant's page: what the law says the register holds, as the demo made it.
    page.get_by_role("link", name="EIP23-A-0002").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Holiday boxing camps")
    accepted = timezone.localdate(
        AwardStatusChange.objects.get(
            award__reference="EIP23-A-0002", to_status=AwardStatus.ACCEPTED
        ).changed_at
    )
    assert summary_list(page) == {
        "Recipient": "Bishop Auckland Boxing Club",
        "Amount": "£4,500",
        "Paid to date": "£1,125",
        "Purpose": "Holiday boxing camps, for young people in County Durham and Darlington.",
        "Why it is expected to reduce crime and disorder": (
            "Fewer young people involved in violence in the town centres."
        ),
        "Conditions": "Coaches to hold a current enhanced DBS check before the first camp.",
        "Strategic priorities": (
            "1. Support for those aged 18 and under involved or at risk of being drawn into "
            "serious violence"
        ),
        "Areas": "County Durham",
        "Awarded": "14 September 2023, by decision DN38-23",
        "Accepted": f"{accepted.day} {accepted:%B %Y}",
        "Delivery": "1 October 2023 to 30 September 2024",
        "Programme": "Violence Prevention Fund: Early intervention pilots 2023 to 2024",
    }
    check(page, "grant")

    # The decision record that made it, and the grants it made that are on the register.
    page.get_by_role("link", name="decision DN38-23").click()
    page.wait_for_url(base + "/decisions/DN38-23/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Early intervention pilots 2023 to 2024: grant awards"
    )
    expect(page.locator(".govuk-caption-l")).to_have_text(
        "Decision record DN38-23 · published 15 September 2023"
    )
    assert page.locator("#grants + ul li").all_inner_texts() == [
        "EIP23-A-0002: Holiday boxing camps, £4,500 to Bishop Auckland Boxing Club"
    ]
    check(page, "decision record")

    # Its signed PDF, the file the page gives the fingerprint of.
    document = DecisionDocument.objects.get(record__reference="DN38-23")
    expect(page.locator(".govuk-inset-text code")).to_have_text(document.sha256)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the signed decision record").click()
    download = download_info.value
    assert download.suggested_filename == "DN38-23.pdf"
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == document.sha256
    response = page.request.get(base + "/decisions/DN38-23/pdf/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == data

    # Back to the register by the grant's page.
    page.get_by_role("link", name="EIP23-A-0002").click()
    page.get_by_role("link", name="Grants register").click()
    page.wait_for_url(base + "/grants/")

    # The payments over £500 and the agreements over £10,000.
    page.get_by_role("link", name="payments over £500 and agreements over £10,000").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Grant payments over £500 and agreements over £10,000"
    )
    payments = page.get_by_role("region", name="Payments over £500")
    assert payments.locator("tbody tr").evaluate_all(CELLS) == [
        [
            "21 January 2024",
            "EIP23-A-0002: Holiday boxing camps",
            "Bishop Auckland Boxing Club",
            "£1,125",
        ]
    ]
    expect(page.locator("#agreements + p")).to_have_text(
        "No grant agreement on the register is for more than £10,000."
    )
    check(page, "spending")

    # The register's 360Giving data: the grant under its open-data identifier.
    page.get_by_role("link", name="Grants register").click()
    with page.expect_response(lambda r: r.url.endswith("/grants/360giving.json")) as info:
        page.get_by_role("link", name="360Giving data (JSON)").click()
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    grants = json.loads(response.body())["grants"]
    assert settings.OPEN_DATA_PREFIX.startswith("360G-")
    assert [
        (g["id"], g["title"], g["recipientOrganization"][0]["name"], g["amountAwarded"])
        for g in grants
    ] == [
        (
            f"{settings.OPEN_DATA_PREFIX}-EIP23-A-0002",
            "Holiday boxing camps",
            "Bishop Auckland Boxing Club",
            4500,
        )
    ]

"""Issue 15's journey, as far as it is built: with the demo data, Bishop Auckland Boxing Club
corrects the return the OPCC sent back and submits it; an officer accepts it, but the payment
after it is held by the overdue final report, as the page says; the club submits its final
report; one officer raises the payment, the other approves it, the export for finance lists
it, and marked paid it moves the stream's money page and the money dashboard."""

import csv
import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from grants import fiscal
from grants.enums import PaymentStatus, ReturnStatus
from grants.models import AgreementDocument, Award, DiligenceCheck, FundingStream
from partners.models import User
from tests.factories.partners import PASSWORD

from .journeys import in_a_thread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(roles, tmp_path, monkeypatch, quiet_weasyprint):
    """The demo data (its PDFs and evidence in this test's own folder), the test password."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(AgreementDocument._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(DiligenceCheck._meta.get_field("file"), "storage", storage)
    in_a_thread(call_command, "seed_demo", verbosity=0)
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def test_return_submitted_accepted_and_the_payment_after_it_made_by_two_officers(
    demo, live_server, page, check
):
    base = live_server.url
    award = Award.objects.get(reference="EIP23-A-0002")

    # The club finds the return the OPCC sent back, and what it has to change.
    sign_in(page, base, "provider2@demo.example")
    page.get_by_role("link", name="Your grants").first.click()
    grants = page.get_by_role("region", name="Your grants")
    expect(grants.get_by_role("row", name="EIP23-A-0002")).to_contain_text("Overdue")
    check(page, "your grants with a return overdue")
    grants.get_by_role("link", name="Progress return 3 for EIP23-A-0002").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "The spend on coaches is ahead of the sessions reported"
    )
    check(page, "the return sent back")
    page.get_by_role("link", name="Continue the return").click()
    page.get_by_label("What happened in the period").fill(
        "Numbers held up through the spring term. The extra spend on coaches paid for a "
        "second coach at the Saturday session."
    )
    check(page, "the return being corrected")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_text("Return EIP23-A-0002-R3 submitted.")).to_be_visible()

    # An officer accepts it; the payment after it is due, but held by the final report.
    sign_in(page, base, "staff@demo.example")
    page.goto(base + "/grants/EIP23-A-0002/returns/3/")
    page.get_by_role("button", name="Accept the return").click()
    expect(
        page.get_by_text("Return EIP23-A-0002-R3 accepted; the payment after it is due.")
    ).to_be_visible()
    page.goto(base + "/grants/EIP23-A-0002/")
    expect(page.locator("#held")).to_contain_text(
        "Return EIP23-A-0002-R4 was due on 28 October 2024 and has not been submitted"
    )
    page.get_by_role("button", name="Raise payment 3").click()
    expect(
        page.get_by_text("The payment is held until the overdue returns are submitted:")
    ).to_be_visible()
    check(page, "a payment held by an overdue return")
    assert award.payments.get(number=3).status == PaymentStatus.DUE

    # The club submits its final report.
    sign_in(page, base, "provider2@demo.example")
    page.goto(base + "/grants/mine/")
    page.get_by_role("link", name="Final report 4 for EIP23-A-0002").click()
    page.get_by_role("link", name="Start the return").click()
    for field in page.locator("input[name^=actual_]").all():
        field.fill("60")
    for field in page.locator("input[name^=spend_]").all():
        field.fill("700")
    page.get_by_label("What happened in the period").fill("Camps ran every holiday.")
    page.get_by_label("A case study").fill("A young man who came to every camp now coaches.")
    check(page, "the final report filled in")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_text("Return EIP23-A-0002-R4 submitted.")).to_be_visible()
    assert award.returns.get(number=4).status == ReturnStatus.SUBMITTED

    # One officer raises the payment, the other approves it.
    sign_in(page, base, "staff@demo.example")
    page.goto(base + "/grants/EIP23-A-0002/")
    page.get_by_role("button", name="Raise payment 3").click()
    expect(page.get_by_text("Payment EIP23-A-0002-P3 raised.")).to_be_visible()
    expect(page.get_by_text("You raised it: another member of staff approves it.")).to_be_visible()
    check(page, "a payment raised")
    sign_in(page, base, "staff2@demo.example")
    page.goto(base + "/grants/EIP23-A-0002/")
    page.get_by_role("button", name="Approve payment 3").click()
    expect(page.get_by_text("Payment EIP23-A-0002-P3 approved")).to_be_visible()

    # The export for finance lists it, with payment 2 approved before.
    page.goto(base + "/staff/payments/?status=approved")
    check(page, "the approved payments")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the approved payments for finance (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["EIP23-A-0002-P2", "EIP23-A-0002-P3"]
    assert (rows[2][2], rows[2][5], rows[2][7]) == (
        "Bishop Auckland Boxing Club",
        "5388",
        "1125.00",
    )

    # The money dashboard has nothing paid in this financial year yet.
    label = f"Serious Violence Duty grant, {fiscal.year_of(timezone.localdate())}, labour"
    page.goto(base + "/staff/dashboard/")
    expect(page.locator("#money-table").get_by_role("row", name=label)).to_have_count(0)
    check(page, "the money dashboard before the payment")

    # Marked paid, it moves the stream's money page: paid in this financial year.
    page.goto(base + "/grants/EIP23-A-0002/")
    page.get_by_label("Date paid for payment 3").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Mark as paid payment 3").click()
    expect(page.get_by_text("Payment EIP23-A-0002-P3 marked paid")).to_be_visible()
    expect(page.get_by_text("Paid so far: £2,250 of £4,500")).to_be_visible()
    check(page, "a payment paid")
    assert award.ledger.count() == 2
    stream = FundingStream.objects.get(name="Serious Violence Duty grant")
    page.goto(base + f"/staff/streams/{stream.pk}/")
    this_year = page.get_by_role("region", name="Money by financial year").get_by_role(
        "row", name=fiscal.year_of(timezone.localdate())
    )
    # No money of the award falls in this year: the payment splits as the whole award does,
    # £3,500 labour and £1,000 non-labour of £4,500.
    expect(this_year.first).to_contain_text("£875")
    check(page, "the money page after the payment")

    # And the dashboard: the chart's bar and the table's row say the same.
    page.goto(base + "/staff/dashboard/")
    expect(page.locator("#money-table").get_by_role("row", name=label)).to_contain_text("£875")
    expect(page.locator("#money-chart li", has_text=label)).to_contain_text(
        "£0 allocated, £0 committed, £875 paid, £0 remaining"
    )
    check(page, "the money dashboard after the payment")

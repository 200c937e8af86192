"""Issue 14's journey: with the demo data, the Darlington Youth Mentoring Trust's authorised
signatory finds the grant agreement offered to it, reads it, accepts it (first forgetting
to confirm), and the award turns active; a real Celery worker adds the acceptance to the
signed PDF as a second signature, and the page shows the download without a reload."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from playwright.sync_api import expect

from grants.enums import AgreementDocumentKind, AgreementOutcome, AwardStatus
from grants.models import AgreementDocument, Award, DiligenceCheck
from partners.models import User
from svd_portal import celery_app, pdfs
from svd_portal.pdfs import PdfStatus
from tests.factories.partners import PASSWORD

from .journeys import in_a_thread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_files(tmp_path, monkeypatch):
    """The agreements' PDFs and the evidence of due diligence in this test's own folder."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(AgreementDocument._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(DiligenceCheck._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def demo(roles, private_files, quiet_weasyprint):
    """The demo data (its agreements' PDFs made as the worker would), with the test password."""
    in_a_thread(call_command, "seed_demo", verbosity=0)
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def test_signatory_accepts_the_offered_agreement_and_the_award_turns_active(
    demo, live_server, page, check, broker
):
    base = live_server.url
    award = Award.objects.get(reference="EIP23-A-0001")
    assert award.status == AwardStatus.OFFERED
    offer = AgreementDocument.objects.get(
        agreement__award=award, kind=AgreementDocumentKind.OFFER, status=PdfStatus.READY
    )

    sign_in(page, base, "provider@demo.example")
    page.get_by_role("link", name="Your grants").first.click()
    expect(page.get_by_role("heading", name="Your grants")).to_be_visible()
    check(page, "your grants")
    grants = page.get_by_role("region", name="Your grants")
    expect(grants.get_by_role("row", name="EIP23-A-0001")).to_contain_text("Offered")
    grants.get_by_role("link", name="EIP23-A-0001").click()
    expect(page.get_by_text("A grant agreement is waiting to be accepted.")).to_be_visible()
    # The bank details as everywhere: only the account number's last four digits.
    expect(page.locator("#bank-details + dl")).to_contain_text("****3445")
    assert "00733445" not in page.content()
    check(page, "the offered grant")

    page.get_by_role("link", name="Read the grant agreement").first.click()
    expect(page.get_by_role("heading", name="Grant agreement EIP23-A-0001")).to_be_visible()
    expect(page.get_by_text("Payment in arrears", exact=True)).to_be_visible()
    expect(page.locator(".portal-digest")).to_have_text(offer.sha256)
    check(page, "the agreement to accept")

    # Forgetting to confirm is refused, and what was typed is kept.
    page.get_by_label("Your full name").fill("Chris Bell")
    page.get_by_label("Your position in the organisation").fill("Chair of trustees")
    page.get_by_role("button", name="Accept the grant agreement").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Confirm that you accept the agreement")
    expect(page.get_by_label("Your full name")).to_have_value("Chris Bell")
    check(page, "acceptance without the confirmation")
    award.refresh_from_db()
    assert award.status == AwardStatus.OFFERED

    page.get_by_label("I have read the agreement and accept it", exact=False).check()
    page.get_by_role("button", name="Accept the grant agreement").click()
    expect(page.get_by_role("heading", name="Agreement accepted")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("A signed PDF is being prepared")
    check(page, "accepted, the signed copy being made")
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE
    agreement = award.agreements.get()
    assert (
        agreement.outcome,
        agreement.signatory_name,
        agreement.signatory_position,
        agreement.accepted_sha256,
        agreement.answered_from,
    ) == (AgreementOutcome.ACCEPTED, "Chris Bell", "Chair of trustees", offer.sha256, "127.0.0.1")

    # The worker adds the acceptance to the PDF; the page shows the download by itself.
    page.evaluate("window.journeyMark = 'no reload'")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        expect(page.get_by_role("link", name="Download the accepted agreement")).to_be_visible(
            timeout=30000
        )
    assert page.evaluate("window.journeyMark") == "no reload"
    check(page, "the accepted agreement ready")
    accepted = AgreementDocument.objects.get(
        agreement=agreement, kind=AgreementDocumentKind.ACCEPTED
    )
    data = accepted.file.read()
    signatures = in_a_thread(pdfs.verify_pdf, data, trust_root_der=pdfs.load_trust_root())
    assert [s.ok for s in signatures] == [True, True]
    assert pdfs.sha256(data[: offer.file.size]) == offer.sha256

    page.get_by_role("link", name="Back to grant EIP23-A-0001").click()
    expect(page.get_by_text("Status: Active")).to_be_visible()
    check(page, "the active grant")

    # The application it came from tells its holder what was awarded and by which record.
    application = award.application
    page.goto(f"{base}/applications/{application.reference}/")
    your_award = page.locator("h2:has-text('Your award') + dl")
    expect(your_award).to_contain_text("Amount awarded")
    expect(your_award).to_contain_text(f"£{application.awarded_amount:,.0f}")
    expect(your_award.get_by_role("link", name="DN38-23", exact=False)).to_be_visible()
    check(page, "the awarded application")

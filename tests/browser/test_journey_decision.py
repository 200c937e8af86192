"""Journey 4 of issue 7: staff draft the decision record from the round, the Chief Executive
approves, the PCC signs, and the signed PDF appears on the page without a reload, rendered
by a real Celery worker on the real Redis."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import FileSystemStorage
from playwright.sync_api import expect

from decisions.enums import DecisionStatus, DocumentStatus
from decisions.models import DecisionDocument, DecisionRecord
from grants import services
from grants.enums import Recommendation
from partners.enums import Role
from svd_portal import celery_app
from tests.factories import UserFactory

from .journeys import round_with_panel, sign_in


@pytest.fixture
def pdf_storage(tmp_path, monkeypatch):
    """The signed PDFs in this test's own folder."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(DecisionDocument._meta.get_field("file"), "storage", storage)
    return storage


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_decision_drafted_approved_signed_and_pdf_appears(
    roles, live_server, page, check, broker, pdf_storage, quiet_weasyprint
):
    staff = UserFactory(email="staff@example.org", full_name="Olive Staff", roles=[Role.OPCC_STAFF])
    UserFactory(email="ceo@example.org", full_name="Helen Carter", roles=[Role.CHIEF_EXECUTIVE])
    UserFactory(email="pcc@example.org", full_name="Morgan Reid", roles=[Role.PCC])
    funding_round, (chair, ruth, _), (football, _) = round_with_panel(staff=staff)
    criteria = list(funding_round.criteria.order_by("number"))
    # A member's scorecard is in: without one the panel cannot recommend it.
    member = funding_round.panel.members.get(user=ruth)
    services.declaration_make(member=member, application=football, has_interest=False)
    services.scorecard_save(
        member=member,
        application=football,
        marks={criteria[0].pk: (4, ""), criteria[1].pk: (3, "")},
        submit=True,
    )
    services.moderation_record(
        application=football,
        by=chair,
        scores={criteria[0].pk: 4, criteria[1].pk: 3},
        rationale="Strong referral routes from the youth justice service.",
        recommendation=Recommendation.FUND,
        recommended_amount=football.amount_requested,
    )
    base = live_server.url

    # Staff draft the record from the round's recommendations and submit it.
    sign_in(page, base, "staff@example.org")
    page.goto(base + "/staff/decisions/")
    check(page, "decision records")
    page.get_by_role("button", name="Draft from a round's recommendations").click()
    check(page, "draft from a round")
    page.get_by_label("Round").select_option(label=str(funding_round))
    page.get_by_role("button", name="Draft the decision").click()
    expect(page.get_by_role("button", name="Submit for officer approval")).to_be_visible()
    check(page, "drafted record")
    record = DecisionRecord.objects.get()
    expect(page.get_by_text("Schedule of awards: as it stands")).to_be_visible()
    page.get_by_role("button", name="Submit for officer approval").click()
    expect(page.get_by_role("button", name="Submit for officer approval")).to_have_count(0)
    # Fixed now: the schedule of awards the PCC will sign.
    expect(page.locator("#schedule-of-awards")).to_be_visible()
    schedule = page.get_by_role("region", name="Schedule of awards")
    expect(schedule.get_by_role("row", name=f"YV25-0001: {football.title}")).to_be_visible()
    check(page, "submitted record")
    record_url = f"{base}/staff/decisions/{record.pk}/"

    # The Chief Executive first returns it with comments, which staff read on their home
    # page; they submit it again.
    sign_in(page, base, "ceo@example.org")
    page.goto(record_url)
    page.get_by_text("Return it to the OPCC instead").click()
    page.get_by_label("What needs to change").fill("Name the schools in Section A.")
    page.get_by_role("button", name="Return to draft").click()
    expect(page.get_by_role("button", name="Return to draft")).to_have_count(0)
    check(page, "record returned to draft")
    sign_in(page, base, "staff@example.org")
    page.goto(base + "/")
    returned = page.locator(".govuk-inset-text").filter(has_text=record.reference)
    expect(returned).to_contain_text("Returned by the Chief Executive")
    expect(returned).to_contain_text("Name the schools in Section A.")
    check(page, "staff home with the record returned")
    returned.get_by_role("link").click()
    page.get_by_role("button", name="Submit for officer approval").click()
    expect(page.get_by_role("button", name="Submit for officer approval")).to_have_count(0)
    record.refresh_from_db()
    assert record.status == DecisionStatus.AWAITING_APPROVAL

    # The Chief Executive approves; first without confirming the advice.
    sign_in(page, base, "ceo@example.org")
    page.goto(record_url)
    check(page, "record for officer approval")
    page.get_by_label("Your name as it appears on the record").fill("Helen Carter")
    page.get_by_role("button", name="Approve: send to the PCC").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "approval without the confirmation")
    page.get_by_label("I have been consulted", exact=False).check()
    page.get_by_label("Your name as it appears on the record").fill("Helen Carter")
    page.get_by_role("button", name="Approve: send to the PCC").click()
    expect(page.get_by_role("button", name="Approve: send to the PCC")).to_have_count(0)
    check(page, "approved record")
    record.refresh_from_db()
    assert record.status == DecisionStatus.AWAITING_SIGNATURE

    # The PCC signs; first with a wrong password.
    # The PCC's first sign-in: the password, then an authenticator app set up (its pages
    # checked with axe too), then the record.
    sign_in(page, base, "pcc@example.org", check=check)
    page.goto(record_url)
    check(page, "record for signature")
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Your password, to sign").fill("not my password")
    page.get_by_role("button", name="Sign the decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "signing with a wrong password")
    page.get_by_label("Approved", exact=True).check()
    page.get_by_label("Your password, to sign").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign the decision").click()
    expect(page.locator("#documents")).to_contain_text("Being made")
    check(page, "signed record with the PDF being made")
    record.refresh_from_db()
    assert record.signed_name == "Morgan Reid"

    # Staff watch the page; the worker renders the PDF and the page shows it by itself.
    sign_in(page, base, "staff@example.org")
    page.goto(record_url)
    # A mark on this document: a reload or a navigation would lose it.
    page.evaluate("window.journeyMark = 'no reload'")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        expect(page.locator("#documents")).to_contain_text("Download version 1", timeout=30000)
    assert page.evaluate("window.journeyMark") == "no reload"
    check(page, "signed PDF ready")
    assert record.documents.get().status == DocumentStatus.READY

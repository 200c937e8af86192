"""An agreement's PDFs, rendered by WeasyPrint and signed by pyHanko as the worker does: the
offer with the award's facts and the frozen clauses, signed for the OPCC; the accepted file,
the offer's exact bytes with the acceptance added as a second signature, both valid; and the
sweep that queues again what was never finished."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grants import services
from grants.models import AgreementDocument, AwardSplit
from svd_portal import pdfs
from svd_portal.pdfs import PdfStatus
from tests.decisions.documents_helpers import pdfsig, pdftotext

from .awarding import make_award, make_template, ready_to_offer


@pytest.fixture
def offered(funding_round, provider_user, staff_user, pcc_user, award_files, quiet_weasyprint):
    """OPN-A-0001, £3,000 over two years (labour, then non-labour), offered on the template."""
    award = make_award(
        funding_round=funding_round,
        organisation=provider_user.memberships.get().organisation,
        created_by=pcc_user,
        starts=datetime.date(2024, 10, 1),
    )
    AwardSplit.objects.filter(award=award).update(amount=Decimal("1000.01"))
    AwardSplit.objects.create(
        award=award, financial_year="2025-26", cost_kind="non_labour", amount=Decimal("1999.99")
    )
    ready = ready_to_offer(
        award, entered_by=provider_user, staff=staff_user, signatory=provider_user
    )
    return services.award_offer(award=ready, by=staff_user, template=make_template(staff_user))


def written(document: AgreementDocument, tmp_path) -> tuple[bytes, object]:
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        data = handle.read()
    path = tmp_path / f"{document.kind}.pdf"
    path.write_bytes(data)
    return data, path


def test_offer_pdf_holds_the_awards_facts_and_one_valid_signature_for_the_opcc(offered, tmp_path):
    document = AgreementDocument.objects.get(kind="offer")

    services.agreement_render(document_id=document.pk)

    data, path = written(document, tmp_path)
    assert document.status == PdfStatus.READY
    assert document.sha256 == pdfs.sha256(data)
    text = pdftotext(path)
    for fact in (
        "Grant agreement OPN-A-0001: Street sport",
        "And Seaham Street Sport",
        "Made by PCC decision DN1-24",
        "Grant amount £3,000 Delivery",
        "Delivery period 1 October 2024 to 30 September 2025",
        "4. Clawback Clawback.",
        "2024-25 £1,000.01 £0 £1,000.01",
        "2025-26 £0 £1,999.99 £1,999.99 Total £3,000",
        "Eligible expenditure",
        "Payment in arrears",
        "Clawback",
        "Data protection",
        "Offered for",
        "By Olive Staff on",
    ):
        assert fact in text, fact
    (signature,) = pdfs.verify_pdf(data, trust_root_der=pdfs.load_trust_root())
    assert (signature.intact, signature.valid, signature.trusted) == (True, True, True)


def test_accepted_pdf_is_the_offer_with_a_second_valid_signature(offered, provider_user, tmp_path):
    offer = AgreementDocument.objects.get(kind="offer")
    services.agreement_render(document_id=offer.pk)
    offer_data, _ = written(offer, tmp_path)
    agreement = services.agreement_accept(
        agreement=offer.agreement,
        by=provider_user,
        signatory_name="Chris Bell",
        signatory_position="Chair of trustees",
        sha256=offer.sha256,
        address="203.0.113.9",
    )
    accepted = agreement.documents.get(kind="accepted")

    services.agreement_render(document_id=accepted.pk)

    data, path = written(accepted, tmp_path)
    assert accepted.status == PdfStatus.READY
    assert data[: len(offer_data)] == offer_data
    assert pdfs.sha256(data[: len(offer_data)]) == agreement.accepted_sha256
    signatures = pdfs.verify_pdf(data, trust_root_der=pdfs.load_trust_root())
    assert [(s.intact, s.valid, s.trusted) for s in signatures] == [(True, True, True)] * 2
    text = pdftotext(path)
    assert "Accepted for Seaham Street Sport by Chris Bell, Chair of trustees" in text
    assert "from 203.0.113.9" in text
    assert pdfsig(path).count("Signature is Valid.") == 2


def test_render_twice_leaves_the_ready_file_as_it_was(offered, tmp_path):
    document = AgreementDocument.objects.get(kind="offer")
    services.agreement_render(document_id=document.pk)
    first, _ = written(document, tmp_path)

    services.agreement_render(document_id=document.pk)

    again, _ = written(document, tmp_path)
    assert again == first


def test_sweep_queues_again_what_was_left_unfinished(offered, settings, monkeypatch):
    settings.DECISION_DOCUMENT_STUCK_AFTER = 300
    queued = []
    monkeypatch.setattr(
        "svd_portal.tasks.enqueue", lambda name, **kwargs: queued.append((name, kwargs))
    )
    document = AgreementDocument.objects.get(kind="offer")
    now = timezone.now()

    assert services.agreements_sweep(now=now + datetime.timedelta(seconds=299)) == []
    assert services.agreements_sweep(now=now + datetime.timedelta(seconds=301)) == [document.pk]
    assert queued == [("grants.render_agreement", {"document_id": document.pk})]
    # Just queued again, it is left alone for another five minutes.
    assert services.agreements_sweep(now=now + datetime.timedelta(seconds=400)) == []

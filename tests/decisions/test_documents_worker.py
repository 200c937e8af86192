"""End to end with a real Celery worker on real Redis: signing a record queues its PDF after
the commit, and the worker renders and signs it."""

from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from decisions.enums import DecisionStatus, DocumentStatus
from svd_portal import celery_app, pdfs

from .documents_helpers import OFFICER, pdfsig, pdftotext, stored_files, tampered, wait_for_status

# Signed with a certificate, and stored, in this test's own folder.
pytestmark = pytest.mark.usefixtures("document_signing", "document_storage")


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_signed_record_pdf_made_by_a_real_worker(
    record_in, documents_broker, document_storage, document_signing, tmp_path, quiet_weasyprint
):
    # Signed in committed transactions: the render is queued on Redis after the commit.
    record = record_in(DecisionStatus.PUBLISHED)
    document = record.documents.get()
    assert document.status == DocumentStatus.QUEUED
    assert documents_broker.queued() == [
        ("decisions.render_document", {"document_id": document.pk})
    ]

    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        document = wait_for_status(document, DocumentStatus.READY)

    path = Path(document.file.path)
    assert stored_files(document_storage) == [f"decisions/pdf/{record.reference}-v1.pdf"]
    assert document.sha256 == pdfs.sha256(path.read_bytes())
    assert record.documents.count() == 1
    text = pdftotext(path)
    for expected in (record.reference, record.title, "Decision Approved", f"Name {OFFICER}"):
        assert expected in text
    [result] = pdfs.verify_pdf(path.read_bytes(), trust_root_der=document_signing.certificate_der)
    assert (result.intact, result.valid, result.trusted) == (True, True, True)
    assert "Signature Validation: Signature is Valid." in pdfsig(path)

    copy = tmp_path / "tampered.pdf"
    copy.write_bytes(tampered(path.read_bytes()))
    [result] = pdfs.verify_pdf(copy.read_bytes(), trust_root_der=document_signing.certificate_der)
    assert (result.intact, result.ok) == (False, False)
    report = pdfsig(copy)
    assert "Digest Mismatch" in report
    assert "Signature is Valid" not in report

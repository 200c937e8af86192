"""Fault injection with real worker processes and real Redis: the broker is down when the
record is signed, and a worker is killed in the middle of a render. In both cases a ready,
valid PDF exists after recovery, and there is exactly one document and one file for the
version."""

import datetime
import errno
import logging
import os
import signal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings as django_settings
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, DocumentStatus
from decisions.models import DecisionDocument
from svd_portal import pdfs
from svd_portal.tasks import enqueue
from tests.ports import free_port

from .documents_helpers import (
    children_of,
    pdfsig,
    point_celery_at,
    stored_files,
    wait_for_status,
    wait_until,
)

pytestmark = [
    pytest.mark.usefixtures("document_signing", "document_storage"),
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]


def past_the_stuck_limit() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(
        seconds=django_settings.DECISION_DOCUMENT_STUCK_AFTER + 60
    )


def assert_one_ready_valid_pdf(record, document_storage, certificate_der) -> DecisionDocument:
    document = DecisionDocument.objects.get(record=record)  # exactly one row
    assert (document.version, document.status) == (1, DocumentStatus.READY)
    assert stored_files(document_storage) == [f"decisions/pdf/{record.reference}-v1.pdf"]
    path = Path(document.file.path)
    data = path.read_bytes()
    assert document.sha256 == pdfs.sha256(data)
    [result] = pdfs.verify_pdf(data, trust_root_der=certificate_der)
    assert result.ok is True
    assert "Signature Validation: Signature is Valid." in pdfsig(path)
    return document


def test_broker_down_at_signing_pdf_made_after_the_sweep(
    record_in,
    sign,
    settings,
    documents_broker,
    start_worker_process,
    document_storage,
    document_signing,
    caplog,
):
    record = record_in(DecisionStatus.AWAITING_SIGNATURE)
    down = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_URL = down
    point_celery_at(down)

    with caplog.at_level(logging.ERROR, logger="svd_portal.tasks"):
        record = sign(record)

    # The signature stands; the version waits, queued, with the failure in the log.
    assert record.status == DecisionStatus.PUBLISHED
    document = record.documents.get()
    assert (document.status, document.attempts) == (DocumentStatus.QUEUED, 0)
    assert [r.getMessage() for r in caplog.records] == [
        f"Could not queue decisions.render_document with {{'document_id': {document.pk}}}"
    ]
    assert enqueue("decisions.render_document", document_id=document.pk) is False

    # The broker is back. Not stuck yet, so the sweeper leaves it; later it queues it again.
    settings.CELERY_BROKER_URL = documents_broker.url
    point_celery_at(documents_broker.url)
    assert services.documents_sweep() == []
    assert services.documents_sweep(now=past_the_stuck_limit()) == [document.pk]
    assert documents_broker.queued() == [
        ("decisions.render_document", {"document_id": document.pk})
    ]
    worker = start_worker_process("worker")

    wait_for_status(document, DocumentStatus.READY, workers=[worker])

    document = assert_one_ready_valid_pdf(
        record, document_storage, document_signing.certificate_der
    )
    assert document.attempts == 1


def test_worker_killed_mid_render_pdf_made_after_the_sweep(
    record_in,
    documents_broker,
    start_worker_process,
    document_storage,
    document_signing,
    tmp_path,
):
    # The first worker reads its PKCS#12 key from a named pipe no one writes to: it marks
    # the version rendering, then waits inside load_signing_identity until it is killed.
    # That makes "in the middle of a render" exact, with no race against a fast render.
    gate = tmp_path / "gate.p12"
    os.mkfifo(gate)
    record = record_in(DecisionStatus.PUBLISHED)
    document = record.documents.get()
    first = start_worker_process("first", DECISION_SIGNING_PKCS12=str(gate))

    wait_for_status(document, DocumentStatus.RENDERING, workers=[first])
    assert first.process.poll() is None
    # A render under way is not stuck: the sweeper leaves it to its worker.
    assert services.documents_sweep() == []
    first.process.send_signal(signal.SIGKILL)
    assert first.process.wait(timeout=10) == -signal.SIGKILL

    document.refresh_from_db()
    assert (document.status, document.attempts, document.file.name) == ("rendering", 1, "")
    assert stored_files(document_storage) == []
    # The killed worker's message stays unacknowledged on Redis until its visibility
    # timeout (an hour); the sweeper is what brings the version back.
    second = start_worker_process("second")
    assert services.documents_sweep(now=past_the_stuck_limit()) == [document.pk]

    wait_for_status(document, DocumentStatus.READY, workers=[first, second])

    document = assert_one_ready_valid_pdf(
        record, document_storage, document_signing.certificate_der
    )
    assert document.attempts == 2
    assert second.process.poll() is None


def open_for_writing(fifo: Path, *, timeout: float = 30.0) -> int:
    """Opens the pipe once a reader waits on it; never blocks the test for good."""

    def attempt():
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
            return None

    return wait_until(attempt, timeout=timeout)


def test_worker_child_killed_mid_render_message_delivered_again(
    record_in,
    documents_broker,
    start_worker_process,
    document_storage,
    document_signing,
    tmp_path,
):
    # `make run` uses the prefork pool. Its parent sees a child die and, with acks_late and
    # reject_on_worker_lost, puts the message back at once: no sweep is needed. The key is
    # read from a named pipe, so each child waits mid-render until the test lets it go.
    key = serialization.load_pem_private_key(document_signing.key.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(document_signing.cert.read_bytes())
    bundle = pkcs12.serialize_key_and_certificates(
        b"opcc", key, cert, None, serialization.NoEncryption()
    )
    gate = tmp_path / "gate.p12"
    os.mkfifo(gate)
    record = record_in(DecisionStatus.PUBLISHED)
    document = record.documents.get()
    worker = start_worker_process("prefork", pool="prefork", DECISION_SIGNING_PKCS12=str(gate))
    wait_for_status(document, DocumentStatus.RENDERING, workers=[worker])
    [child] = wait_until(lambda: children_of(worker.process.pid))

    os.kill(child, signal.SIGKILL)

    wait_until(
        lambda: DecisionDocument.objects.get(pk=document.pk).attempts == 2,
        describe=worker.log_tail,
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDERING
    assert stored_files(document_storage) == []
    fd = open_for_writing(gate)
    os.write(fd, bundle)
    os.close(fd)
    wait_for_status(document, DocumentStatus.READY, workers=[worker])

    document = assert_one_ready_valid_pdf(
        record, document_storage, document_signing.certificate_der
    )
    assert document.attempts == 2
    assert "WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL)" in (
        worker.log.read_text()
    )

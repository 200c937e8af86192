"""The signed-PDF services (decisions/services.py, "Signed PDFs") and the tasks that call
them, run in the test's thread: no worker."""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile

from decisions import services, tasks
from decisions.enums import DecisionStatus, DocumentStatus
from decisions.models import DecisionDocument
from tests.on_commit import queued_work

from .documents_helpers import pdftotext, stored_files

# Signed with a certificate, and stored, in this test's own folder.
pytestmark = pytest.mark.usefixtures("document_signing", "document_storage")

RENDER = "decisions.render_document"


def sha256_of(document) -> str:
    with document.file.open("rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture
def render():
    """render(document): the worker's part, done here; returns the document fresh."""

    def do(document):
        services.document_render(document_id=document.pk)
        return DecisionDocument.objects.get(pk=document.pk)

    return do


def test_decision_sign_queues_one_document_after_commit(
    record_in, sign, pcc_user, documents_broker, django_capture_on_commit_callbacks
):
    record = record_in(DecisionStatus.AWAITING_SIGNATURE)

    with django_capture_on_commit_callbacks() as callbacks:
        record = sign(record)

    document = record.documents.get()
    assert (document.version, document.status, document.reason) == (1, "queued", "Signed")
    assert document.requested_by == pcc_user
    assert (document.file.name, document.sha256, document.attempts) == ("", "", 0)
    # Nothing reaches the broker before the commit; after it, the render is queued once.
    assert documents_broker.queued() == []
    for callback in callbacks:
        callback()
    assert documents_broker.queued() == [(RENDER, {"document_id": document.pk})]


def test_document_render_ready_with_sha256_and_fingerprint(
    published_record, render, document_storage, document_signing
):
    document = render(published_record.documents.get())

    name = f"decisions/pdf/{published_record.reference}-v1.pdf"
    assert document.status == DocumentStatus.READY
    assert document.file.name == name
    assert stored_files(document_storage) == [name]
    assert document.sha256 == sha256_of(document)
    assert (
        document.certificate_fingerprint
        == hashlib.sha256(document_signing.certificate_der).hexdigest()
    )
    assert (document.attempts, document.last_error) == (1, "")
    assert document.started_at <= document.finished_at == document.updated_at


def test_document_render_twice_one_file_one_row(published_record, render, document_storage):
    document = published_record.documents.get()
    first = render(document)

    second = render(document)

    assert stored_files(document_storage) == [f"decisions/pdf/{published_record.reference}-v1.pdf"]
    assert DecisionDocument.objects.filter(record=published_record).count() == 1
    assert (second.sha256, second.attempts, second.finished_at) == (
        first.sha256,
        1,
        first.finished_at,
    )


def test_document_render_replaces_a_file_left_by_a_dead_worker(
    published_record, render, document_storage
):
    # A worker saved the file and died before its transaction committed: the row still
    # says rendering and the half-made file is on disk under the version's name.
    name = f"decisions/pdf/{published_record.reference}-v1.pdf"
    document_storage.save(name, ContentFile(b"%PDF-1.7 half a file"))
    document = published_record.documents.get()
    DecisionDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.RENDERING)

    document = render(document)

    assert document.status == DocumentStatus.READY
    assert stored_files(document_storage) == [name]
    assert document.file.name == name
    assert document.sha256 == sha256_of(document)
    with document.file.open("rb") as f:
        assert f.read() != b"%PDF-1.7 half a file"


def test_document_queue_again_makes_version_2_and_keeps_version_1(
    published_record, render, staff_user, document_storage
):
    first = render(published_record.documents.get())

    second = services.document_queue(record=published_record, by=staff_user, reason="New template")

    assert (second.version, second.status, second.reason) == (2, "queued", "New template")
    assert second.requested_by == staff_user
    assert list(published_record.documents.values_list("version", "status")) == [
        (2, "queued"),
        (1, "ready"),
    ]
    second = render(second)
    ref = published_record.reference
    assert stored_files(document_storage) == [
        f"decisions/pdf/{ref}-v1.pdf",
        f"decisions/pdf/{ref}-v2.pdf",
    ]
    assert sha256_of(DecisionDocument.objects.get(pk=first.pk)) == first.sha256


def test_latest_ready_document_is_version_2_only_once_ready(published_record, render, staff_user):
    assert services.latest_ready_document(published_record) is None
    first = render(published_record.documents.get())
    second = services.document_queue(record=published_record, by=staff_user)

    assert services.latest_ready_document(published_record) == first
    DecisionDocument.objects.filter(pk=second.pk).update(status=DocumentStatus.RENDERING)
    assert services.latest_ready_document(published_record) == first
    render(second)
    assert services.latest_ready_document(published_record) == second


def test_document_render_failure_recorded_and_version_1_still_served(
    published_record, render, staff_user, settings, tmp_path, client, document_storage
):
    first = render(published_record.documents.get())
    second = services.document_queue(record=published_record, by=staff_user)
    missing = tmp_path / "renewed-key.pem"
    settings.DECISION_SIGNING_KEY = str(missing)

    with pytest.raises(ImproperlyConfigured):
        services.document_render(document_id=second.pk)

    second.refresh_from_db()
    assert second.status == DocumentStatus.FAILED
    assert second.last_error.startswith("ImproperlyConfigured: No signing certificate")
    assert str(missing) in second.last_error
    assert (second.attempts, second.file.name, second.sha256) == (1, "", "")
    assert stored_files(document_storage) == [f"decisions/pdf/{published_record.reference}-v1.pdf"]
    response = client.get(f"/decisions/{published_record.reference}/pdf/")
    assert response.status_code == 200
    assert hashlib.sha256(response.getvalue()).hexdigest() == first.sha256


def test_document_retry_failed_version_queued_again(
    published_record, staff_user, settings, tmp_path, render, django_capture_on_commit_callbacks
):
    document = published_record.documents.get()
    settings.DECISION_SIGNING_CERT = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured):
        services.document_render(document_id=document.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        document = services.document_retry(document=document, by=staff_user)

    document.refresh_from_db()
    assert (document.status, document.last_error, document.attempts) == ("queued", "", 1)
    assert len(queued_work(callbacks)) == 1
    assert DecisionDocument.objects.filter(record=published_record).count() == 1


def test_document_retry_then_render_ready(published_record, staff_user, settings, render):
    document = published_record.documents.get()
    good_key = settings.DECISION_SIGNING_KEY
    settings.DECISION_SIGNING_KEY = "/nonexistent/key.pem"
    with pytest.raises(ImproperlyConfigured):
        services.document_render(document_id=document.pk)
    settings.DECISION_SIGNING_KEY = good_key

    services.document_retry(document=document, by=staff_user)
    document = render(document)

    assert (document.status, document.last_error, document.attempts) == ("ready", "", 2)


def test_document_retry_ready_version_refused(published_record, staff_user, render):
    document = render(published_record.documents.get())

    with pytest.raises(ValidationError, match="This version is ready: regenerate"):
        services.document_retry(document=document, by=staff_user)

    document.refresh_from_db()
    assert document.status == DocumentStatus.READY


def test_documents_sweep_queues_again_only_the_stuck(
    published_record, staff_user, settings, documents_broker
):
    settings.DECISION_DOCUMENT_STUCK_AFTER = 600
    now = datetime.datetime(2030, 6, 1, 12, 0, tzinfo=datetime.UTC)
    stuck_for = {
        # status, seconds since its last change
        1: (DocumentStatus.QUEUED, 601),
        2: (DocumentStatus.RENDERING, 3600),
        3: (DocumentStatus.QUEUED, 600),  # exactly the limit: not yet
        4: (DocumentStatus.RENDERING, 599),
        5: (DocumentStatus.READY, 3600),
        6: (DocumentStatus.FAILED, 3600),
    }
    for _ in range(5):
        services.document_queue(record=published_record, by=staff_user)
    documents = {d.version: d for d in published_record.documents.all()}
    for version, (status, age) in stuck_for.items():
        extra = {"file": "decisions/pdf/x.pdf", "sha256": "0" * 64} if status == "ready" else {}
        DecisionDocument.objects.filter(pk=documents[version].pk).update(
            status=status, updated_at=now - datetime.timedelta(seconds=age), **extra
        )

    swept = services.documents_sweep(now=now)

    assert sorted(swept) == sorted([documents[1].pk, documents[2].pk])
    assert sorted(documents_broker.queued(), key=lambda t: t[1]["document_id"]) == [
        (RENDER, {"document_id": documents[1].pk}),
        (RENDER, {"document_id": documents[2].pk}),
    ]
    after = {d.version: (d.status, now - d.updated_at) for d in published_record.documents.all()}
    assert after == {
        1: ("queued", datetime.timedelta(0)),
        2: ("rendering", datetime.timedelta(0)),
        **{
            v: (status, datetime.timedelta(seconds=age))
            for v, (status, age) in stuck_for.items()
            if v > 2
        },
    }


def test_documents_sweep_nothing_stuck_queues_nothing(published_record, documents_broker):
    assert services.documents_sweep() == []
    assert documents_broker.queued() == []


@pytest.mark.parametrize(
    "status",
    [
        DecisionStatus.DRAFT,
        DecisionStatus.AWAITING_APPROVAL,
        DecisionStatus.AWAITING_SIGNATURE,
    ],
)
def test_document_queue_unsigned_record_refused(record_in, staff_user, status):
    record = record_in(status)

    with pytest.raises(ValidationError, match="Only a signed record has a signed PDF"):
        services.document_queue(record=record, by=staff_user)

    assert DecisionDocument.objects.count() == 0


def test_document_queue_signed_but_unpublished_record(record_in, staff_user):
    record = record_in(DecisionStatus.SIGNED)

    document = services.document_queue(record=record, by=staff_user)

    assert list(record.documents.values_list("version", flat=True)) == [2, 1]
    assert document.version == 2


def test_render_document_task_renders_and_says_ready(published_record):
    document = published_record.documents.get()

    assert tasks.render_document(document_id=document.pk) == "ready"
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY


def test_render_document_task_document_gone(db):
    assert tasks.render_document(document_id=987654) == "gone"


def test_render_document_task_is_late_acked_and_retried():
    task = tasks.render_document

    assert (task.name, task.acks_late, task.reject_on_worker_lost) == (RENDER, True, True)
    assert task.autoretry_for == (Exception,)
    assert (task.max_retries, task.retry_backoff, task.retry_jitter) == (5, 2, True)


def test_sweep_documents_runs_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["decisions-sweep-documents"] == {
        "task": "decisions.sweep_documents",
        "schedule": 60.0,
    }


def test_document_render_correction_names_the_record_it_corrects(
    published_record, record_in, render
):
    correction = record_in(DecisionStatus.PUBLISHED, corrects=published_record)

    document = render(correction.documents.get())

    assert document.status == DocumentStatus.READY
    text = pdftotext(Path(document.file.path))
    assert f"Corrects {published_record.reference}" in text

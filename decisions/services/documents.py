"""The signed PDFs of a record: versions queued, rendered and signed by the worker, retried
and swept when stuck. The public always gets the latest ready version."""

import contextlib
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partners.models import User
from svd_portal import pdfs
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Workflow, move

from .. import documents as rendering
from ..enums import LOCKED_STATUSES, DocumentStatus
from ..models import (
    DecisionDocument,
    DecisionRecord,
    document_path,
)

DOCUMENT = Workflow(
    DecisionDocument,
    pdfs.PDF_MOVES,
    noun="A version",
    refusal="This version is ready: regenerate to make a new one",
)


def document_queue(
    *, record: DecisionRecord, by: User | None, reason: str = ""
) -> DecisionDocument:
    """Staff (or the portal itself, `by` None) add a new version of a signed record's PDF
    and queue its rendering after commit.

    Older versions are kept; the public always gets the latest ready one.
    """
    if record.status not in LOCKED_STATUSES:
        raise ValidationError("Only a signed record has a signed PDF")
    if by is not None:
        require_perm(by, "decisions.regenerate_document", record)
    return document_add(record=record, by=by, reason=reason)


@transaction.atomic
def document_add(*, record: DecisionRecord, by: User | None, reason: str) -> DecisionDocument:
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status not in LOCKED_STATUSES:
        raise ValidationError("Only a signed record has a signed PDF")
    last = record.documents.order_by("-version").values_list("version", flat=True).first() or 0
    document = DecisionDocument.objects.create(
        record=record, version=last + 1, requested_by=by, reason=reason
    )
    transaction.on_commit(lambda: _render_later(document))
    return document


def _render_later(document: DecisionDocument) -> None:
    enqueue("decisions.render_document", document_id=document.pk)


def document_retry(*, document: DecisionDocument, by: User | None) -> DecisionDocument:
    """Queues a failed (or stuck) version again."""
    if by is not None:
        require_perm(by, "decisions.regenerate_document", document.record)
    return move(
        DOCUMENT,
        document,
        DocumentStatus.QUEUED,
        by=by,
        changes={"last_error": "", "updated_at": timezone.now()},
        then=lambda moved: _render_later(moved.instance),
    )


def document_render(*, document_id: int) -> DecisionDocument | None:
    """Renders and signs one version. Idempotent: a ready version is left as it is, and a
    second render of the same version overwrites its own file rather than adding one.

    The row is marked rendering in its own short transaction, so that a worker that dies
    mid-render leaves a trace the sweeper can see; the result is saved in a second one.
    """
    with transaction.atomic():
        document = (
            # Only the document's row is locked: the record's correction link is an outer join.
            DecisionDocument.objects.select_for_update(of=("self",))
            .select_related("record", "record__corrects")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status == DocumentStatus.READY:
            return document
        record = document.record
        now = timezone.now()
        document = move(
            DOCUMENT,
            document,
            DocumentStatus.RENDERING,
            changes={"attempts": document.attempts + 1, "started_at": now, "updated_at": now},
        )
    try:
        identity = pdfs.load_signing_identity()
        pdf = rendering.sign_pdf(
            rendering.render_pdf(record),
            identity=identity,
            signed_by=record.signed_name,
            signed_on=record.signed_on,
        )
    except Exception as exc:
        # Unless another worker finished this version meanwhile: then it stays ready.
        with contextlib.suppress(ValidationError):
            move(
                DOCUMENT,
                document,
                DocumentStatus.FAILED,
                changes={
                    "last_error": f"{type(exc).__name__}: {exc}"[:2000],
                    "updated_at": timezone.now(),
                },
            )
        raise
    with transaction.atomic():
        document = DecisionDocument.objects.select_for_update().get(pk=document.pk)
        if document.status == DocumentStatus.READY:
            return document
        storage = document.file.storage
        name = document_path(document, "")
        if storage.exists(name):
            storage.delete(name)
        document.file.save(name, ContentFile(pdf), save=False)
        now = timezone.now()
        return move(
            DOCUMENT,
            document,
            DocumentStatus.READY,
            changes={
                "file": document.file.name,
                "sha256": pdfs.sha256(pdf),
                "certificate_fingerprint": identity.fingerprint,
                "last_error": "",
                "finished_at": now,
                "updated_at": now,
            },
        )


def documents_sweep(*, now=None) -> list[int]:
    """Queues again every version stuck in queued or rendering for too long (the broker was
    down when the record was signed, or a worker died mid-render). Returns their ids."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.DECISION_DOCUMENT_STUCK_AFTER)
    stuck = list(
        DecisionDocument.objects.filter(
            status__in=[DocumentStatus.QUEUED, DocumentStatus.RENDERING], updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for document_id in stuck:
        DecisionDocument.objects.filter(pk=document_id).update(updated_at=now)
        enqueue("decisions.render_document", document_id=document_id)
    return stuck


def latest_ready_document(record: DecisionRecord) -> DecisionDocument | None:
    return record.documents.filter(status=DocumentStatus.READY).order_by("-version").first()

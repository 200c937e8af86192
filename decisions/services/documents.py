"""The signed PDFs of a record: versions queued, rendered and signed by the worker, retried
and swept when stuck. The public always gets the latest ready version."""

from django.core.exceptions import ValidationError
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
    """Renders and signs one version (svd_portal.pdfs.render_version says how)."""

    def make(document: DecisionDocument) -> tuple[bytes, str]:
        identity = pdfs.load_signing_identity()
        record = document.record
        pdf = rendering.sign_pdf(
            rendering.render_pdf(record),
            identity=identity,
            signed_by=record.signed_name,
            signed_on=record.signed_on,
        )
        return pdf, identity.fingerprint

    # The record's correction link is an outer join: only the version's row is locked.
    return pdfs.render_version(
        DOCUMENT, document_id, make=make, related=("record", "record__corrects")
    )


def documents_sweep(*, now=None) -> list[int]:
    """Queues again every version stuck in queued or rendering for too long (the broker was
    down when the record was signed, or a worker died mid-render). Returns their ids."""
    return pdfs.sweep_versions(
        DecisionDocument,
        "decisions.render_document",
        statuses=[DocumentStatus.QUEUED, DocumentStatus.RENDERING],
        now=now or timezone.now(),
    )


def latest_ready_document(record: DecisionRecord) -> DecisionDocument | None:
    return record.documents.filter(status=DocumentStatus.READY).order_by("-version").first()

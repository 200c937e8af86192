"""Background work for decision records: signed PDFs, their sweeper, deferred publication,
and telling a record's creator it was returned to draft."""

import logging

from celery import shared_task

from svd_portal.pdfs import RENDER_TASK_OPTIONS

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="decisions.render_document", **RENDER_TASK_OPTIONS)
def render_document(*, document_id: int) -> str:
    """Renders and signs one PDF version. Idempotent; a failure is recorded and retried."""
    document = services.document_render(document_id=document_id)
    return document.status if document else "gone"


@shared_task(name="decisions.sweep_documents")
def sweep_documents() -> list[int]:
    """Queues again the PDFs stuck in queued or rendering (every minute)."""
    return services.documents_sweep()


@shared_task(name="decisions.publish_due")
def publish_due() -> list[str]:
    """Publishes signed records whose deferral date has passed (hourly; idempotent)."""
    return services.decisions_publish_due()


@shared_task(
    name="decisions.send_returned_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_returned_email(*, status_change_id: int) -> bool:
    """Emails a returned record's creator the comments. False when there is nothing to send."""
    return services.decision_return_notify(status_change_id=status_change_id)

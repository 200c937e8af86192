"""Queueing background work so that a broker outage never breaks a page that has already
saved; and the portal's own task, applying the retention schedule each day."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


def enqueue(name: str, **kwargs) -> bool:
    """Sends the task called `name` (e.g. "decisions.render_document") to the broker; logs
    and returns False if the broker cannot take it.

    Called from transaction.on_commit, after the data is saved: the person's work
    is kept whatever the broker does, and the error is in the log for staff. Tasks are
    named, not imported, so that a service never imports the tasks module that calls it
    (the apps' tasks are registered when the portal starts: PortalConfig.ready).
    """
    from .celery import app

    task = app.tasks[name]  # a name no task has is a mistake in the code: KeyError
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:  # noqa: BLE001 (any broker failure: the saved data must stand)
        logger.exception("Could not queue %s with %s", name, kwargs)
        return False
    return True


@shared_task(name="svd_portal.apply_retention")
def apply_retention() -> dict[str, int]:
    """Anonymises or deletes what the retention schedule says is due (daily, by beat)."""
    from . import retention

    removed = retention.apply()
    logger.info("Retention schedule applied: %s", removed)
    return removed

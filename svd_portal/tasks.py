"""Queueing background work so that a broker outage never breaks a page that has already saved."""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, **kwargs) -> bool:
    """Sends a task to the broker; logs and returns False if the broker cannot take it.

    Called from transaction.on_commit, after the data is saved: the person's work
    is kept whatever the broker does, and the error is in the log for staff.
    """
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:  # noqa: BLE001 (any broker failure: the saved data must stand)
        logger.exception("Could not queue %s with %s", task.name, kwargs)
        return False
    return True

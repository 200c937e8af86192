"""A request id on every log line: the id of the request being answered, or of the request
that queued the task being run, so that one person's click can be followed from the web
process into the worker.

The id comes from nginx's X-Request-ID when it is a sane one, or is made here; the response
carries it back. Tasks queued while a request is answered take it in their message headers.

Nothing here reads the settings: the Celery app imports this module before they are loaded.
The id is kept in a context variable: each thread (a gunicorn thread, a task) has its own.
"""

import contextvars
import logging
import re
import threading
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
# The name of the task message header that carries the id.
TASK_HEADER = "request_id"
# Letters, digits and dashes only: an id is written into log lines and a response header, so
# nothing that could break either (spaces, quotes, new lines) is taken from outside.
VALID = re.compile(r"[A-Za-z0-9-]{8,64}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_tasks = threading.local()


def is_valid(value) -> bool:
    return isinstance(value, str) and VALID.fullmatch(value) is not None


class RequestIdMiddleware:
    """Gives each request its id (nginx's, when valid, or a new uuid4 hex) until its response
    is closed, and sets X-Request-ID on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if is_valid(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed, not only while the middleware runs: Django logs
        # a 4xx or 5xx answer after the middleware has returned it.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="request-ids-finished")
def _request_finished(sender, **kwargs):
    _current.set(None)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record a handler emits (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


# --- Celery signals (connected in svd_portal/celery.py) -----------------------------------


def add_to_task_headers(headers=None, **kwargs) -> None:
    """before_task_publish: a task queued during a request carries the request's id."""
    request_id = _current.get()
    if request_id is not None and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def task_started(task=None, **kwargs) -> None:
    """task_prerun: the task's log lines carry the id its message brought.

    A task run eagerly (in the thread that queued it) publishes no message, so it keeps the id
    of the request it runs in."""
    request = task.request
    request_id = getattr(request, TASK_HEADER, None)
    if request_id is None and request.is_eager:
        request_id = _current.get()
    stack = _tasks.__dict__.setdefault("tokens", [])
    stack.append(_current.set(request_id if is_valid(request_id) else None))


def task_finished(**kwargs) -> None:
    """task_postrun: what ran before the task (nothing, in a worker) has its id back, so the
    next task does not inherit this one's."""
    stack = getattr(_tasks, "tokens", None)
    if stack:
        _current.reset(stack.pop())

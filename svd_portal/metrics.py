"""Prometheus metrics at /metrics: how long each view takes, how Celery tasks end, how long
PDFs take to render and sign, and how many messages wait in the Celery queues.

Several processes serve the portal (gunicorn's workers, the Celery worker's pool), so the
counts use prometheus_client's multiprocess mode: each process writes its own to files in
one folder, and a scrape adds them up. The folder must be known before prometheus_client is
imported: gunicorn's config and scripts/run.sh name it in PROMETHEUS_MULTIPROC_DIR; any
other process (a Celery worker started on its own, manage.py) takes METRICS_DIR.
The queue lengths are asked of the broker at each scrape instead.
"""

import hmac
import logging
import os
import time
from pathlib import Path

from django.conf import settings

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(settings.METRICS_DIR))
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

# After the folder is chosen: prometheus_client picks multiprocess mode when it is imported.
from django.http import Http404, HttpResponse, HttpResponseNotAllowed  # noqa: E402
from kombu import Connection  # noqa: E402
from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402

logger = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "portal_request_seconds",
    "Time to answer a request, by URL name, method and status class",
    ["view", "method", "status"],
)
TASKS = Counter(
    "portal_tasks",
    "Celery tasks ended, by task name and outcome (succeeded, failed, retried)",
    ["task", "outcome"],
)
PDF_SECONDS = Histogram(
    "portal_pdf_seconds",
    "Time to render a PDF from its HTML (render) or to sign it (sign)",
    ["step"],
    # A record renders in a second or two; a long one, or a busy worker, takes longer.
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
)
# Those written by the processes, which a test may clear.
RECORDED = (REQUEST_SECONDS, TASKS, PDF_SECONDS)

# Methods counted by name; anything else is "other", so a client cannot add label values.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# How long a scrape waits for the broker before leaving the queue lengths out.
BROKER_TIMEOUT = 2.0


class RequestMetricsMiddleware:
    """Times every request, labelled with the URL name it resolved to (or "unmatched")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        # A streamed export is timed to its first bytes: the rest goes as the client reads.
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        REQUEST_SECONDS.labels(
            view=match.view_name if match is not None else "unmatched",
            method=request.method if request.method in METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(elapsed)
        return response


def task_ended(task, outcome: str) -> None:
    """Counts a task's outcome (Celery's task_success, task_failure and task_retry signals,
    connected in svd_portal/celery.py)."""
    TASKS.labels(task=getattr(task, "name", None) or "unknown", outcome=outcome).inc()


def pdf_timer(step: str):
    """A context manager that times one step of a PDF: "render" or "sign"."""
    return PDF_SECONDS.labels(step=step).time()


# --- Queue lengths, asked of the broker at each scrape ---------------------------------------


def queue_names() -> list[str]:
    """The Celery queues tasks go to: the default one and any a route names."""
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")}
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return sorted(names)


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each queue: LLEN of its Redis lists, or its message files in the
    filesystem broker's folder. Read from the settings, as /healthz/ does."""
    names = queue_names()
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT,
        transport_options={
            **options,
            "socket_timeout": BROKER_TIMEOUT,
            "socket_connect_timeout": BROKER_TIMEOUT,
        },
    ) as conn:
        if conn.transport_cls == "filesystem":
            files = os.listdir(options["data_folder_in"])
            # kombu names a message "<time>_<uuid>.<queue>.msg".
            return {
                name: sum(1 for f in files if f.partition(".")[2] == f"{name}.msg")
                for name in names
            }
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
        channel = conn.default_channel
        lengths = {}
        with channel.client.pipeline() as pipe:
            for name in names:
                # kombu keeps a message sent with a priority in a list of its own per step.
                for step in channel.priority_steps:
                    pipe.llen(f"{name}{channel.sep}{step}" if step else name)
            counts = pipe.execute()
        per_queue = len(channel.priority_steps)
        for n, name in enumerate(names):
            lengths[name] = sum(counts[n * per_queue : (n + 1) * per_queue])
        return lengths


class QueueCollector:
    """portal_queue_messages: the queue lengths when the broker answers; left out (and logged)
    when it does not, so that a broker outage does not stop the other metrics."""

    def collect(self):
        try:
            lengths = queue_lengths()
        except Exception as exc:  # noqa: BLE001 (any broker failure: the rest is still served)
            logger.warning("Metrics: could not read the queue lengths: %s", exc)
            return
        gauge = GaugeMetricFamily(
            "portal_queue_messages", "Messages waiting in each Celery queue", labels=["queue"]
        )
        for name, length in lengths.items():
            gauge.add_metric([name], length)
        yield gauge


def exposition() -> bytes:
    """Every process's counts added up, and the queue lengths, in Prometheus's text format."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(QueueCollector())
    return generate_latest(registry)


def _authorised(request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def scrape(request):
    """/metrics for Prometheus, with `Authorization: Bearer <METRICS_TOKEN>`.

    With no token configured the page does not exist (404). Never kept by a cache; it is not
    a download, so the audit trail does not record it."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    if not _authorised(request, token):
        response = HttpResponse(
            "A bearer token is needed.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = "Bearer"
    elif request.method not in ("GET", "HEAD"):
        response = HttpResponseNotAllowed(["GET", "HEAD"])
    else:
        response = HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response["Cache-Control"] = "no-store"
    return response

"""gunicorn for `make run`: the portal on one machine, on the loopback address.

A few processes use the cores; threads in each serve other pages while a request waits on
the database or a file, so twelve people at once are served side by side.
"""

import multiprocessing
import os
from pathlib import Path

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() + 1, 4)))
threads = int(os.environ.get("WEB_THREADS", 4))
# A decision PDF is rendered by the Celery worker, not in a request: a minute is generous.
timeout = 60
# On SIGTERM, requests under way get this long to finish (scripts/run.sh waits longer).
graceful_timeout = 20
accesslog = "-"

# Prometheus metrics (svd_portal/metrics.py): each worker writes its counts to files in one
# folder, which /metrics adds up. Named before the workers start, so that each imports
# prometheus_client in multiprocess mode. Given PROMETHEUS_MULTIPROC_DIR, the folder is
# already prepared (scripts/run.sh empties it before the Celery worker writes there too);
# otherwise it is METRICS_DIR, emptied here: counts start again with each run.
_metrics_prepared = "PROMETHEUS_MULTIPROC_DIR" in os.environ
metrics_dir = Path(
    os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR",
        os.environ.get("METRICS_DIR", str(Path(__file__).resolve().parent.parent / "var/metrics")),
    )
)


def on_starting(server):
    metrics_dir.mkdir(parents=True, exist_ok=True)
    if not _metrics_prepared:
        for stale in metrics_dir.glob("*.db"):
            stale.unlink(missing_ok=True)


def child_exit(server, worker):
    # A worker that is gone no longer counts in the gauges that follow live processes.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(metrics_dir))

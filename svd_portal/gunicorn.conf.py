"""gunicorn for `make run`: the portal on one machine, on the loopback address.

A few processes use the cores; threads in each serve other pages while a request waits on
the database or a file, so twelve people at once are served side by side.
"""

import multiprocessing
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() + 1, 4)))
threads = int(os.environ.get("WEB_THREADS", 4))
# A decision PDF is rendered by the Celery worker, not in a request: a minute is generous.
timeout = 60
# On SIGTERM, requests under way get this long to finish (scripts/run.sh waits longer).
graceful_timeout = 20
accesslog = "-"

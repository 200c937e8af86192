"""Prometheus metrics at /metrics (issue 18, item 6): behind a bearer token, never cached or
audited, adding up what every process counted (request latency by view, task outcomes, PDF
render and signing times) and asking the broker how many messages wait."""

import datetime
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from prometheus_client import values

from svd_portal import celery_app, metrics, pdfs
from svd_portal.models import AuditEvent
from tests.decisions import conftest as decisions
from tests.ports import free_port

documents_broker = decisions.documents_broker

TOKEN = "scrape-token-0123456789"
BEARER = f"Bearer {TOKEN}"


@pytest.fixture
def metrics_dir(tmp_path, monkeypatch):
    """The test's counts alone: prometheus_client's files in a folder of its own, and no
    label set left over from an earlier test (a child keeps the file it was made with)."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue())
    forget_label_sets()
    yield folder
    forget_label_sets()


def forget_label_sets():
    # prometheus_client warns that clearing leaves the counts in the files; the test's
    # folder is its own, so nothing is left to count.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Clearing labels", UserWarning)
        for metric in metrics.RECORDED:
            metric.clear()


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scraped(client) -> list[str]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=BEARER)
    assert response.status_code == 200
    return response.content.decode().splitlines()


def samples(lines: list[str], name: str) -> list[str]:
    return sorted(line for line in lines if line.startswith(name + "{"))


# --- The address and its protection ---------------------------------------------------------


def test_metrics_without_a_token_setting_is_404(client, db, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404
    assert client.post("/metrics").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer"],
    ids=["none", "longer", "shorter", "basic", "no scheme", "empty"],
)
def test_metrics_wrong_token_is_401(client, token, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = client.get("/metrics", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Cache-Control"] == "no-store"
    assert b"portal_" not in response.content


def test_metrics_signed_in_without_the_token_is_401(staff_client, token):
    # A session, even OPCC staff's, is no credential for the scrape.
    response = staff_client.get("/metrics")

    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_metrics_with_the_token_counts_the_view_just_requested(client, db, token, metrics_dir):
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/metrics").status_code == 401

    response = client.get("/metrics", HTTP_AUTHORIZATION=BEARER)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    lines = response.content.decode().splitlines()
    # The scrape itself is counted once it has answered, so it is not in its own answer.
    assert samples(lines, "portal_request_seconds_count") == [
        'portal_request_seconds_count{method="GET",status="2xx",view="home"} 1.0',
        'portal_request_seconds_count{method="GET",status="4xx",view="metrics"} 1.0',
        'portal_request_seconds_count{method="GET",status="4xx",view="unmatched"} 1.0',
    ]
    assert 'portal_request_seconds_bucket{le="+Inf",method="GET",status="2xx",view="home"} 1.0' in (
        lines
    )


def test_metrics_scraped_while_signed_in_stays_uncached_and_out_of_the_audit_trail(
    staff_client, token, metrics_dir
):
    before = AuditEvent.objects.count()

    response = staff_client.get("/metrics", HTTP_AUTHORIZATION=BEARER)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert not response.has_header("Content-Disposition")
    assert AuditEvent.objects.count() == before


def test_metrics_methods_other_than_get_are_405(client, token):
    response = client.post("/metrics", HTTP_AUTHORIZATION=BEARER)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# --- Counts from several processes ----------------------------------------------------------


def _database_url() -> str:
    """The test database, for a process of the test's own."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _environment(**overrides) -> dict:
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR), "DATABASE_URL": _database_url()}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.update(overrides)
    return env


REQUEST_IN_ANOTHER_PROCESS = """
import django
django.setup()
from django.test import Client
assert Client().get("/accessibility/").status_code == 200
"""


def test_metrics_add_up_the_counts_of_every_process(client, db, token, metrics_dir):
    subprocess.run(
        [sys.executable, "-c", REQUEST_IN_ANOTHER_PROCESS],
        cwd=settings.BASE_DIR,
        env=_environment(
            DJANGO_SETTINGS_MODULE="svd_portal.settings.test",
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        ),
        check=True,
        timeout=120,
    )
    assert client.get("/accessibility/").status_code == 200

    lines = scraped(client)

    # One file of histograms per process that answered a request.
    assert len(list(metrics_dir.glob("histogram_*.db"))) == 2
    assert samples(lines, "portal_request_seconds_count") == [
        'portal_request_seconds_count{method="GET",status="2xx",view="accessibility"} 2.0'
    ]


def _get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_under_gunicorn_add_up_its_workers_and_start_from_zero(db, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    stale = folder / "counter_999999.db"
    stale.write_bytes(b"left by the last run")
    port = free_port()
    env = _environment(
        DJANGO_SETTINGS_MODULE="svd_portal.settings.test",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        WEB_THREADS="2",
        METRICS_DIR=str(folder),
        METRICS_TOKEN=TOKEN,
    )
    # Started on its own, gunicorn names the folder itself (as in production).
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "svd_portal/gunicorn.conf.py",
                "svd_portal.wsgi:application",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/accessibility/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        for _ in range(9):
            assert _get(f"{base}/accessibility/")[0] == 200

        status, body = _get(f"{base}/metrics", Authorization=BEARER)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert status == 200, log.read_text()
    assert not stale.exists()
    # Ten requests, whichever of the two workers answered each.
    assert samples(body.splitlines(), "portal_request_seconds_count") == [
        'portal_request_seconds_count{method="GET",status="2xx",view="accessibility"} 10.0'
    ]


# --- Task outcomes, counted by a real worker ------------------------------------------------


@celery_app.task(name="tests.metrics.succeed")
def succeed() -> int:
    return 1


@celery_app.task(name="tests.metrics.fail")
def fail() -> int:
    raise ValueError("failing, as the test asks")


@celery_app.task(name="tests.metrics.retry_once", bind=True, max_retries=1)
def retry_once(self) -> int:
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return 2


@pytest.fixture
def own_queue():
    """A queue of this test's own on the real Redis broker, deleted after."""
    name = f"metrics-test-{uuid.uuid4().hex}"
    yield name
    # A worker started with queues=[name] narrows the app's queues: forget them.
    celery_app.amqp.__dict__.pop("queues", None)
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(name)


@pytest.mark.celery
def test_task_outcomes_counted_by_a_real_worker(client, token, metrics_dir, own_queue):
    expected = [
        'portal_tasks_total{outcome="failed",task="tests.metrics.fail"} 1.0',
        'portal_tasks_total{outcome="retried",task="tests.metrics.retry_once"} 1.0',
        'portal_tasks_total{outcome="succeeded",task="tests.metrics.retry_once"} 1.0',
        'portal_tasks_total{outcome="succeeded",task="tests.metrics.succeed"} 1.0',
    ]
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, queues=[own_queue], loglevel="WARNING"
    ):
        for task in (succeed, fail, retry_once):
            task.apply_async(queue=own_queue)
        deadline = time.monotonic() + 20
        while (
            found := samples(scraped(client), "portal_tasks_total")
        ) != expected and time.monotonic() < deadline:
            time.sleep(0.1)

    assert found == expected


# --- Queue lengths, asked of the broker -----------------------------------------------------


def test_queue_length_is_the_messages_waiting_on_redis(client, token, documents_broker):
    assert samples(scraped(client), "portal_queue_messages") == [
        'portal_queue_messages{queue="celery"} 0.0'
    ]
    celery_app.send_task("svd_portal.apply_retention")
    celery_app.send_task("svd_portal.apply_retention")
    # kombu keeps a message with a priority in a list of its own.
    celery_app.send_task("svd_portal.apply_retention", priority=9)

    lines = scraped(client)

    assert documents_broker.client.llen("celery") == 2
    assert samples(lines, "portal_queue_messages") == ['portal_queue_messages{queue="celery"} 3.0']


def test_queue_length_counts_the_filesystem_brokers_message_files(
    client, token, settings, tmp_path
):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(tmp_path / "processed"),
        "store_processed": False,
    }
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    with celery_app.connection_for_write("filesystem://", transport_options=options) as conn:
        for _ in range(2):
            celery_app.send_task("svd_portal.apply_retention", connection=conn)
        # A message for another queue is not one of the portal's.
        celery_app.send_task("svd_portal.apply_retention", connection=conn, queue="elsewhere")

    lines = scraped(client)

    assert len(list(folder.iterdir())) == 3
    assert samples(lines, "portal_queue_messages") == ['portal_queue_messages{queue="celery"} 2.0']


def test_queue_length_left_out_when_the_broker_is_down(client, token, settings, metrics_dir):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    assert client.get("/").status_code == 200

    lines = scraped(client)

    assert samples(lines, "portal_queue_messages") == []
    assert samples(lines, "portal_request_seconds_count") == [
        'portal_request_seconds_count{method="GET",status="2xx",view="home"} 1.0'
    ]


# --- PDFs -----------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Metrics test</title></head>
<body><h1>Metrics test</h1><p>One page to render and sign.</p></body></html>"""


def test_pdf_render_and_sign_are_timed(client, token, metrics_dir):
    pdf = pdfs.write_pdf(HTML, identifier="metrics-test")
    signed = pdfs.sign_pdf(
        pdf,
        identity=pdfs.load_signing_identity(),
        stamp=pdfs.Stamp(
            field_name="MetricsTest",
            text=f"Signed on {datetime.date(2024, 5, 1):%-d %B %Y}",
            description="A test signature",
            reason="Testing the metrics",
            signed_by="The test",
        ),
    )

    lines = scraped(client)

    assert signed.startswith(pdf)
    assert samples(lines, "portal_pdf_seconds_count") == [
        'portal_pdf_seconds_count{step="render"} 1.0',
        'portal_pdf_seconds_count{step="sign"} 1.0',
    ]

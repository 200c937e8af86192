"""`make run` is the product, not a debugger (issue 12, items 8 and 12).

The local settings keep DEBUG off unless DJANGO_DEBUG asks for it (`make dev`), and
scripts/run.sh itself, started on a throwaway SQLite file and queue folder, serves the
portal from gunicorn with whitenoise and the portal's own 404 page, and stops every
process it started when it is sent SIGTERM.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.ports import free_port


def _clean_env(**overrides) -> dict:
    """The environment of someone typing `make run`: no settings module, database or broker."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "DECISION_"))
    }
    env.pop("REDIS_URL", None)
    env.update(overrides)
    return env


def _local_settings(**overrides) -> dict:
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=_clean_env(DJANGO_SETTINGS_MODULE="svd_portal.settings.local", **overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_local_settings_debug_off_without_django_debug():
    local = _local_settings()
    assert local["debug"] is False
    assert {"127.0.0.1", "localhost"} <= set(local["hosts"])


def test_local_settings_debug_on_for_make_dev():
    assert _local_settings(DJANGO_DEBUG="1")["debug"] is True


def _get(url: str):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _answers(url: str) -> bool:
    try:
        return _get(url)[0] == 200
    except OSError:
        return False


def _session_processes(session_id: int) -> dict[int, str]:
    """Live (not zombie) processes in the session, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): state, ppid, pgrp, session.
        state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
        if int(session) == session_id and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def _wait_for(predicate, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_make_run_serves_gunicorn_without_debug_and_stops_everything_on_sigterm(tmp_path):
    port = free_port()
    env = _clean_env(
        PORT=str(port),
        # Even when the environment asks for debug pages, `make run` does not show them.
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_QUEUE_DIR=str(tmp_path / "celery"),
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_PRIVATE_ROOT=str(tmp_path / "private"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DECISION_SIGNING_KEY=str(tmp_path / "key.pem"),
        DECISION_SIGNING_CERT=str(tmp_path / "cert.pem"),
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        SEED_DEMO="0",
    )
    output = open(tmp_path / "run.log", "wb")  # noqa: SIM115 (closed in the finally below)
    # Its own session: every process it starts can be found, and killed if the test fails.
    run = subprocess.Popen(
        [str(settings.BASE_DIR / "scripts" / "run.sh")],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    worker_log = tmp_path / "var" / "log" / "worker.log"
    try:
        _wait_for(
            lambda: run.poll() is not None or _answers(f"{base}/"),
            seconds=90,
            what="the portal to answer",
        )
        assert run.poll() is None, (tmp_path / "run.log").read_text()

        status, headers, _ = _get(f"{base}/")
        assert status == 200
        assert headers["Server"] == "gunicorn"
        # The database and the queue folders are in place.
        assert _get(f"{base}/healthz/")[0] == 200

        status, headers, body = _get(f"{base}/static/css/portal.css")
        assert status == 200
        assert body == (settings.BASE_DIR / "static" / "css" / "portal.css").read_bytes()

        status, _, body = _get(f"{base}/no-such-page/")
        assert status == 404
        page = body.decode()
        assert '<h1 class="govuk-heading-l">Page not found</h1>' in page
        assert "Using the URLconf" not in page  # Django's technical 404
        assert "DEBUG = True" not in page

        _wait_for(
            lambda: worker_log.exists() and " ready." in worker_log.read_text(),
            seconds=60,
            what="the Celery worker",
        )
        started = _session_processes(run.pid)
        assert sum("gunicorn" in cmd for cmd in started.values()) >= 2  # master and workers
        assert sum("celery" in cmd for cmd in started.values()) >= 2  # worker and its pool

        run.send_signal(signal.SIGTERM)
        run.wait(timeout=45)
        # An orphan would outlive the script in its session (a killed one takes a moment).
        deadline = time.monotonic() + 5
        while _session_processes(run.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _session_processes(run.pid) == {}
        assert "Warm shutdown" in worker_log.read_text()
    finally:
        for pid in _session_processes(run.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if run.poll() is None:
            run.wait()
        output.close()
        # Shown by pytest when the test fails.
        print((tmp_path / "run.log").read_text(errors="replace")[-6000:])

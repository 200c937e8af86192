"""Checks behind /healthz/: each returns None when its component answers, or the error."""

import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from kombu import Connection


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 (any failure means the database is down)
        return f"{type(exc).__name__}: {exc}"
    return None


def check_broker():
    # A fresh connection from settings (not the Celery app's pool), so the check
    # sees the broker as it is now and follows overridden settings in tests.
    timeout = settings.HEALTHZ_BROKER_TIMEOUT
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options={
                **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
            },
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            _ping(conn)
    except Exception as exc:  # noqa: BLE001 (any failure means the broker is down)
        return f"{type(exc).__name__}: {exc}"
    return None


def _ping(conn):
    """Make one round trip to the broker: PING for Redis, a writable folder for files."""
    if conn.transport_cls == "filesystem":
        folder = Path(conn.transport_options["data_folder_in"])
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise OSError(f"queue folder {folder} is missing or not writable")
        return
    conn.default_channel.client.ping()

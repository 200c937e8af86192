"""The embedded SQLite default under concurrent writes (issue 12, item 9).

The suite's own database is PostgreSQL, so the test runs this module as a child process
on a fresh SQLite file with the settings `make run` uses: twelve signed-in people post
the organisation registration form at the same moment, each in its own thread with its
own connection, through the real view and service (a transaction that reads, then writes).
"""

import json
import os
import subprocess
import sys
import threading

from django.conf import settings

WRITERS = 12


def test_sqlite_twelve_simultaneous_registrations_all_save(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="svd_portal.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_QUEUE_DIR=str(tmp_path / "celery"),
        DJANGO_PRIVATE_ROOT=str(tmp_path / "private"),
        EMAIL_URL="dummymail://",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.svd_portal.test_sqlite_concurrency"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # Every person is sent on to their organisations: no "database is locked", no 500.
    assert outcome["responses"] == [302] * WRITERS
    assert outcome["organisations"] == WRITERS
    assert outcome["journal_mode"] == "wal"


def _register_at_once() -> dict:
    """In the child process: migrate, then twelve threads register an organisation each."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    from partners.enums import OrganisationKind
    from partners.models import Organisation, User

    call_command("migrate", verbosity=0)
    clients = []
    for n in range(WRITERS):
        user = User.objects.create_user(email=f"writer{n}@example.org", full_name=f"Writer {n}")
        client = Client()
        client.force_login(user)
        clients.append(client)
    connections.close_all()

    start = threading.Barrier(WRITERS)
    responses: list = [None] * WRITERS

    def register(n: int) -> None:
        try:
            start.wait()
            response = clients[n].post(
                "/organisations/register/",
                {
                    "name": f"Writers Group {n}",
                    "kind": OrganisationKind.COMMUNITY_GROUP.value,
                    "address_line_1": f"{n} High Street",
                    "town": "Durham",
                    "postcode": "DH1 1AA",
                },
            )
            responses[n] = response.status_code
        except Exception as exc:  # noqa: BLE001 (the report names whatever a writer met)
            responses[n] = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    return {
        "responses": responses,
        "organisations": Organisation.objects.count(),
        "journal_mode": journal_mode,
    }


if __name__ == "__main__":
    print(json.dumps(_register_at_once()))

"""`manage.py backup` and `manage.py restore` (svd_portal/backups.py), end to end: a backup of
the suite's PostgreSQL database and of a private store the files reach only through the
storage API, restored by `manage.py restore` in a process of its own into a PostgreSQL
cluster started for the test and an empty folder; and a round trip of the embedded SQLite
database."""

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import FileField

from decisions import services as decisions
from decisions.models import DecisionDocument, DecisionRecord
from grants.models import Application, Attachment
from grants.storage import private_storage
from partners.enums import Role
from partners.models import User
from svd_portal import backups
from tests.factories import (
    ApplicationFactory,
    DecisionRecordFactory,
    FundingRoundFactory,
    UserFactory,
)
from tests.ports import free_port

ROOT = Path(django_settings.BASE_DIR)
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
# The tables the test compares one by one, beyond the restore's own check of every table.
KEY_MODELS = {
    "decision records": DecisionRecord,
    "decision documents": DecisionDocument,
    "applications": Application,
    "attachments": Attachment,
    "users": User,
    "audit lines": LogEntry,
}
BUDGET = b"%PDF-1.4\n% the applicant's budget, a private attachment\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def memory_store(settings, monkeypatch):
    """The private storage held in memory: no folder exists to copy, so a backup has the
    files only if it reads them through the storage API."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    storage = storages["private"]
    # Each private file field called private_storage() once, at import: repoint them all.
    for model in apps.get_models():
        for field in model._meta.fields:
            if (
                isinstance(field, FileField)
                and getattr(field, "_storage_callable", None) is private_storage
            ):
                monkeypatch.setattr(field, "storage", storage)
    return storage


def files_in(storage) -> dict[str, str]:
    """{name: SHA-256} of every file in a storage, read through its API."""
    found = {}
    for name in backups.stored_names(storage):
        with storage.open(name, "rb") as f:
            found[name] = sha256(f.read())
    return found


def files_under(folder: Path) -> dict[str, str]:
    """{name: SHA-256} of every file under a folder, read from the disk itself."""
    return {
        str(path.relative_to(folder)): sha256(path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def as_postgres(*command: str) -> None:
    """A PostgreSQL server command, as the postgres user when running as root (initdb
    refuses root), as scripts/with-services.sh does."""
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    subprocess.run(command, check=True, capture_output=True)


@pytest.fixture
def fresh_cluster():
    """fresh_cluster(name) is the URL of a new, empty database in a PostgreSQL cluster of
    the test's own, on a free loopback port; the cluster is stopped and removed after."""
    folder = Path(tempfile.mkdtemp(prefix="svd-restore-pg-"))
    data = str(folder / "data")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()

    def create(name: str) -> str:
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", name],
            check=True,
        )
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    try:
        as_postgres(
            str(PG_BIN / "initdb"),
            *("-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"),
            *("--locale=C.UTF-8", "--no-sync"),
        )
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off"
        as_postgres(
            str(PG_BIN / "pg_ctl"),
            *("-D", data, "-l", str(folder / "log"), "-w", "-o", options, "start"),
        )
        yield create
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def manage(*arguments: str, database_url: str, private_root: Path) -> subprocess.CompletedProcess:
    """`manage.py …` in a process of its own under the settings of `make run` and `make
    restore`, on the database and private folder given."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "svd_portal.settings.local",
        "DATABASE_URL": database_url,
        "DJANGO_PRIVATE_ROOT": str(private_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def counts_in(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as db:
        return {
            label: db.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"').fetchone()[0]
            for label, model in KEY_MODELS.items()
        }


def tables_in(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [row[0] for row in rows]


def applied_migrations() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        applied = {}
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied


def read_archive(path: Path) -> tuple[list[str], dict]:
    with tarfile.open(path) as tar:
        return sorted(tar.getnames()), json.load(tar.extractfile("manifest.json"))


@pytest.fixture
def portal_data(memory_store, staff_user, provider_user, quiet_weasyprint):
    """A published decision record with its PDF really rendered and signed, and an
    application with a private attachment, all committed (the test is transactional)."""
    record = DecisionRecordFactory(published=True, reference="DN41-24", created_by=staff_user)
    document = DecisionDocument.objects.create(record=record, version=1, reason="Signed")
    document = decisions.document_render(document_id=document.pk)
    application = ApplicationFactory(
        round=FundingRoundFactory(slug="backup-round", reference_prefix="BAK"),
        organisation=provider_user.memberships.get().organisation,
        created_by=provider_user,
        reference="BAK-0001",
    )
    attachment = Attachment.objects.create(
        application=application,
        file=ContentFile(BUDGET, name="budget.pdf"),
        original_name="budget.pdf",
        content_type="application/pdf",
        size=len(BUDGET),
        uploaded_by=provider_user,
    )
    UserFactory(email="panel@example.org", roles=[Role.PANEL_MEMBER])
    return document, attachment


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_cluster_and_an_empty_folder(
    portal_data, memory_store, fresh_cluster, tmp_path
):
    document, attachment = portal_data
    original_counts = {label: model.objects.count() for label, model in KEY_MODELS.items()}
    original_files = files_in(memory_store)
    with memory_store.open(document.file.name, "rb") as f:
        pdf = f.read()
    assert original_counts == {
        "decision records": 1,
        "decision documents": 1,
        "applications": 1,
        "attachments": 1,
        # Staff, the provider, the record's Chief Executive and PCC, and the panel member.
        "users": 5,
        # Field history of each row made of a model that keeps one.
        "audit lines": 15,
    }
    assert original_files == {
        document.file.name: document.sha256,
        attachment.file.name: sha256(BUDGET),
    }
    assert document.file.name == "decisions/pdf/DN41-24-v1.pdf"
    assert pdf.startswith(b"%PDF-") and b"/ByteRange" in pdf  # rendered and signed
    archive = tmp_path / "backups" / "portal.tar"

    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)

    members, manifest = read_archive(archive)
    assert members == sorted(
        ["manifest.json", "database.dump", *(f"files/{name}" for name in original_files)]
    )
    assert manifest["files"] == [
        {"name": name, "size": len(data), "sha256": sha256(data)}
        for name, data in sorted({document.file.name: pdf, attachment.file.name: BUDGET}.items())
    ]
    assert manifest["migrations"] == applied_migrations()
    assert (manifest["database"]["engine"], manifest["database"]["member"]) == (
        "postgresql",
        "database.dump",
    )
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() == created.astimezone(ZoneInfo("Europe/London")).utcoffset()
    assert manifest["time_zone"] == "Europe/London"
    assert out.getvalue().splitlines()[1] == f"Files: 2 files, {len(pdf) + len(BUDGET):,} bytes"
    assert archive.stat().st_mode & 0o777 == 0o600

    # A fresh cluster and an empty folder, restored by `manage.py restore` in its own process.
    target = fresh_cluster("svd_portal_restored")
    store = tmp_path / "restored-private"
    result = manage("restore", str(archive), database_url=target, private_root=store)

    assert result.returncode == 0, result.stderr
    tables = manifest["database"]["tables"]
    assert result.stdout.splitlines()[1:] == [
        f"Database: PostgreSQL, {len(tables)} tables, {sum(tables.values()):,} rows, "
        "each table's count equal to the manifest's",
        f"Files: 2 files, {len(pdf) + len(BUDGET):,} bytes, each SHA-256 equal to the manifest's",
        f"Restored from {archive}",
    ]
    assert counts_in(target) == original_counts
    assert files_under(store) == original_files
    with psycopg.connect(target) as db:
        name, recorded = db.execute(
            "SELECT file, sha256 FROM decisions_decisiondocument WHERE id = %s", [document.pk]
        ).fetchone()
        migrations = db.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]
    assert (name, recorded) == (document.file.name, document.sha256)
    assert sha256((store / name).read_bytes()) == recorded
    assert migrations == sum(len(names) for names in applied_migrations().values())

    # Into the database now restored: refused, and nothing changes.
    other_store = tmp_path / "other-private"
    refused = manage("restore", str(archive), database_url=target, private_root=other_store)

    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1] == (
        "CommandError: The database svd_portal_restored is not empty: restore goes into an "
        "empty database, so nothing was changed. Run it again with --force to replace the "
        "backup's tables in it."
    )
    assert not other_store.exists()
    assert counts_in(target) == original_counts

    # An empty database but a file store that is not: refused too.
    empty = fresh_cluster("svd_portal_empty")
    refused = manage("restore", str(archive), database_url=empty, private_root=store)

    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1] == (
        "CommandError: The file store already holds 2 files: restore goes into an empty one, "
        "so nothing was changed. Run it again with --force to replace the files of the same "
        "names."
    )
    assert tables_in(empty) == []

    # --force restores over what is there.
    forced = manage("restore", str(archive), "--force", database_url=target, private_root=store)

    assert forced.returncode == 0, forced.stderr
    assert counts_in(target) == original_counts
    assert files_under(store) == original_files


def write_archive(path: Path, manifest: dict, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in {**members, "manifest.json": json.dumps(manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def small_manifest(files: dict[str, bytes], **changes) -> tuple[dict, bytes]:
    """A manifest of the files given and of a stand-in database dump, and that dump."""
    dump = b"not really a dump"
    return {
        "format": 1,
        "created_at": "2026-06-01T09:00:00+01:00",
        "time_zone": "Europe/London",
        "database": {
            "engine": "postgresql",
            "member": "database.dump",
            "server_version": "15",
            "size": len(dump),
            "sha256": sha256(dump),
            "tables": {},
        },
        "migrations": {"partners": ["0001_initial"]},
        "files": [
            {"name": name, "size": len(data), "sha256": sha256(data)}
            for name, data in files.items()
        ],
        **changes,
    }, dump


def test_restore_refuses_a_damaged_archive_before_changing_anything(tmp_path, memory_store):
    files = {"applications/7/budget.pdf": BUDGET}
    manifest, dump = small_manifest(files)
    # The file's bytes differ from the ones the manifest lists.
    archive = write_archive(
        tmp_path / "damaged.tar",
        manifest,
        {"database.dump": dump, "files/applications/7/budget.pdf": BUDGET + b"changed"},
    )

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force", stdout=io.StringIO())

    assert str(refused.value) == (
        "The archive is damaged: these do not match its manifest, and nothing was changed: "
        "files/applications/7/budget.pdf"
    )
    assert files_in(memory_store) == {}


def test_restore_refuses_a_backup_from_a_newer_portal(tmp_path, memory_store):
    manifest, dump = small_manifest(
        {}, migrations={"partners": ["0001_initial", "9999_from_the_future"]}
    )
    archive = write_archive(tmp_path / "newer.tar", manifest, {"database.dump": dump})

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--force", stdout=io.StringIO())

    assert str(refused.value) == (
        "The backup's database has migrations this version of the portal lacks "
        "(partners.9999_from_the_future): restore it with the version that made it, or a "
        "later one. Nothing was changed."
    )


def test_default_path_is_the_local_time_under_var_backups():
    summer = datetime.datetime(2026, 7, 1, 12, 0, 5, tzinfo=datetime.UTC)

    assert backups.default_path(summer) == ROOT / "var/backups/svd-portal-20260701-130005.tar"


def test_sqlite_round_trip_keeps_rows_still_in_the_write_ahead_log(tmp_path):
    source = tmp_path / "portal" / "db.sqlite3"
    source.parent.mkdir()
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app, name, applied)")
    writer.execute("INSERT INTO django_migrations (app, name) VALUES ('partners', '0001_initial')")
    writer.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    writer.execute("INSERT INTO notes (body) VALUES ('checkpointed')")
    writer.commit()
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Committed, but only in the write-ahead log while this connection stays open.
    writer.executemany("INSERT INTO notes (body) VALUES (?)", [("in the log",), ("and this",)])
    writer.commit()
    copied = tmp_path / "copied.sqlite3"
    shutil.copy(source, copied)
    # What a copy of the file alone would hold: the rows in the log are not in it.
    with contextlib.closing(sqlite3.connect(copied)) as plain:
        assert plain.execute("SELECT COUNT(*) FROM notes").fetchone() == (1,)
    store = tmp_path / "private"
    (store / "applications" / "3").mkdir(parents=True)
    (store / "applications" / "3" / "plan.pdf").write_bytes(BUDGET)
    archive = tmp_path / "portal.tar"

    made = manage(
        "backup", "--output", str(archive), database_url=f"sqlite:///{source}", private_root=store
    )
    target = tmp_path / "restored" / "db.sqlite3"
    restored_store = tmp_path / "restored-private"
    restored = manage(
        "restore", str(archive), database_url=f"sqlite:///{target}", private_root=restored_store
    )

    writer.close()
    assert made.returncode == 0, made.stderr
    assert restored.returncode == 0, restored.stderr
    members, manifest = read_archive(archive)
    assert members == ["database.sqlite3", "files/applications/3/plan.pdf", "manifest.json"]
    assert manifest["database"]["tables"] == {"django_migrations": 1, "notes": 3}
    with contextlib.closing(sqlite3.connect(target)) as db:
        rows = db.execute("SELECT id, body FROM notes ORDER BY id").fetchall()
    assert rows == [(1, "checkpointed"), (2, "in the log"), (3, "and this")]
    assert files_under(restored_store) == {"applications/3/plan.pdf": sha256(BUDGET)}
    missing = len(MigrationLoader(None, ignore_no_migrations=True).disk_migrations) - 1
    assert restored.stdout.splitlines()[1:] == [
        "Database: SQLite, 2 tables, 4 rows, each table's count equal to the manifest's",
        f"Files: 1 file, {len(BUDGET)} bytes, each SHA-256 equal to the manifest's",
        f"This version of the portal has {missing} migrations the backup's database had "
        "not applied: run `python manage.py migrate`.",
        f"Restored from {archive}",
    ]

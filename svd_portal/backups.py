"""Backups: the database and the private file store in one tar archive, and their restore.

The archive holds `manifest.json`, the database (`database.dump`, PostgreSQL's custom format
from pg_dump, or `database.sqlite3`, a copy made with SQLite's online backup API) and
`files/`, every file of the private storage. The manifest lists each file's name, size and
SHA-256, the database file's too, every table's row count and the migrations applied, all
read from the one snapshot the database was dumped from.

Files are copied through the storage API (listdir, open, save), never by path, so the same
code serves a folder on disk and an object store. Keys, certificates and the environment
(.env) are not in the archive: they are kept apart from the data they protect.
"""

import datetime
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from .formatting import plural

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files/"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ENGINES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024
# A file is copied through memory up to this size, then through a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
PG_BIN_DIRS = "/usr/lib/postgresql"


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with words for the person running it."""


@dataclass(frozen=True)
class Restored:
    manifest: dict
    tables: int
    rows: int
    files: int
    bytes: int
    # Migrations this code has that the backup's database had not applied.
    pending: list[str]


def private_storage() -> Storage:
    return storages["private"]


def default_path(now: datetime.datetime | None = None) -> Path:
    """var/backups/svd-portal-<local date and time>.tar"""
    moment = timezone.localtime(now or timezone.now())
    return Path(settings.BASE_DIR) / "var" / "backups" / f"svd-portal-{moment:%Y%m%d-%H%M%S}.tar"


def stored_names(storage: Storage) -> list[str]:
    """Every file in the storage, by its name there, walking listdir from the top."""
    names = []

    def walk(folder: str) -> None:
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            if folder:
                raise
            return  # a folder storage that has never held a file
        names.extend(posixpath.join(folder, name) for name in files)
        for name in folders:
            walk(posixpath.join(folder, name))

    walk("")
    return sorted(names)


def sha256_of(fileobj) -> tuple[int, str]:
    """(size, SHA-256) of what is left to read in the file."""
    digest = hashlib.sha256()
    size = 0
    while chunk := fileobj.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def vendor() -> str:
    if connection.vendor not in ENGINES:
        raise BackupError(
            f"Backups cover PostgreSQL and SQLite; this database is {connection.vendor}"
        )
    return connection.vendor


def database_label() -> str:
    return str(connection.settings_dict["NAME"])


# --- Backup --------------------------------------------------------------------------------


def backup(output: Path, *, storage: Storage | None = None) -> dict:
    """Writes the archive to `output` (refused if it exists) and returns its manifest.

    The database is dumped first and the files copied after, so every file a row of the
    dump names is in the archive, unless it was deleted meanwhile (a file is only ever
    written once under its name). A failed backup leaves no archive behind: it is written
    under a temporary name and renamed.
    """
    storage = storage or private_storage()
    engine = vendor()
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists: choose another name")
    output.parent.mkdir(parents=True, exist_ok=True)
    created = timezone.localtime()
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        dump = Path(work) / DUMPS[engine]
        database = _pg_dump(dump) if engine == "postgresql" else _sqlite_dump(dump)
        with dump.open("rb") as f:
            database["size"], database["sha256"] = sha256_of(f)
        migrations = database.pop("migrations")
        partial = Path(work) / "archive.tar"
        files = []
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            with dump.open("rb") as f:
                tar.addfile(_member(DUMPS[engine], database["size"], created), f)
            for name in stored_names(storage):
                entry = _add_stored_file(tar, storage, name, created)
                if entry:
                    files.append(entry)
            manifest = {
                "format": FORMAT,
                "created_at": created.isoformat(),
                "time_zone": settings.TIME_ZONE,
                "database": database,
                "migrations": migrations,
                "files": files,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            tar.addfile(_member(MANIFEST, len(data), created), io.BytesIO(data))
        partial.chmod(0o600)  # personal data: readable by its owner only
        os.replace(partial, output)
    return manifest


def _member(name: str, size: int, moment: datetime.datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(moment.timestamp())
    return info


def _add_stored_file(tar, storage, name, moment) -> dict | None:
    # Spooled: the size must be known before the bytes go into the archive, and a storage
    # that is not a folder on disk cannot always say it without reading.
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        try:
            source = storage.open(name, "rb")
        except FileNotFoundError:
            return None  # deleted since it was listed: nothing left to copy
        with source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                spool.write(chunk)
        size = spool.tell()
        spool.seek(0)
        tar.addfile(_member(FILES + name, size, moment), spool)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _pg_dump(path: Path) -> dict:
    """pg_dump of the database, with the row counts and migrations of the same snapshot."""
    pg_dump = pg_binary("pg_dump")
    # A repeatable-read transaction exports its snapshot; pg_dump reads that same snapshot,
    # so the counts below describe exactly what is dumped, whatever is written meanwhile.
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        _run_pg(pg_dump, ["--format=custom", f"--file={path}", f"--snapshot={snapshot}"])
        tables = _row_counts(cursor, connection.introspection.table_names(cursor))
        migrations = _migrations(cursor, tables)
    return {
        "engine": "postgresql",
        "server_version": server_version,
        "member": DUMPS["postgresql"],
        "tables": tables,
        "migrations": migrations,
    }


def _sqlite_dump(path: Path) -> dict:
    source_path = Path(connection.settings_dict["NAME"])
    if not source_path.is_file():
        raise BackupError(f"There is no database at {source_path}")
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(path)
    try:
        # The online backup API copies a consistent database while the portal writes,
        # the rows still in the write-ahead log included (a file copy would miss them).
        source.backup(target)
        cursor = target.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = _row_counts(cursor, [row[0] for row in cursor.fetchall()], quote=_sqlite_quote)
        migrations = _migrations(cursor, tables)
        server_version = sqlite3.sqlite_version
    finally:
        target.close()
        source.close()
    return {
        "engine": "sqlite",
        "server_version": server_version,
        "member": DUMPS["sqlite"],
        "tables": tables,
        "migrations": migrations,
    }


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_counts(cursor, tables, *, quote=None) -> dict[str, int]:
    quote = quote or connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


# --- PostgreSQL's tools --------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """The pg_dump or pg_restore of the server's major version (Debian keeps one per version
    under /usr/lib/postgresql), else the oldest newer one there, else the one on PATH if new
    enough: an older pg_dump refuses a newer server."""
    major = connection.pg_version // 10000
    found = {}
    for folder in Path(PG_BIN_DIRS).glob("*/bin"):
        if (folder / name).is_file() and folder.parent.name.isdigit():
            found[int(folder.parent.name)] = str(folder / name)
    usable = sorted(version for version in found if version >= major)
    if usable:
        return found[usable[0]]
    on_path = shutil.which(name)
    if on_path:
        result = subprocess.run([on_path, "--version"], capture_output=True, text=True)
        match = re.search(r"(\d+)(?:\.\d+)?", result.stdout)
        if match and int(match.group(1)) >= major:
            return on_path
    raise BackupError(
        f"{name} of PostgreSQL {major} or newer is needed for this server: "
        f"install postgresql-client-{major}"
    )


def _run_pg(binary: str, parameters: list[str], *, restore_from: Path | None = None) -> None:
    # Django's psql arguments (user, host, port, then the database) and environment
    # (password, SSL, service) suit pg_dump as they are. pg_restore names the database with
    # --dbname and takes the dump last.
    if restore_from:
        parameters = [*parameters, "--dbname"]
    args, env = connection.client.settings_to_cmd_args_env(connection.settings_dict, parameters)
    if restore_from:
        args.append(str(restore_from))
    result = subprocess.run(
        [binary, *args[1:]],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(
            f"{Path(binary).name} failed (exit status {result.returncode}): "
            f"{result.stderr.strip()[-2000:]}"
        )


# --- Restore -------------------------------------------------------------------------------


def restore(path: Path, *, force: bool = False, storage: Storage | None = None) -> Restored:
    """Restores an archive into this settings' database and private storage.

    Before anything changes it checks the whole archive against its manifest, that this
    code knows every migration the backup's database had, and that the database and the
    storage are empty. With `force` the backup replaces what is there: in PostgreSQL the
    tables it holds (others stay), in SQLite the whole file, in the storage the files of
    the same names (others stay). After, every table's row count and every file's SHA-256
    must equal the manifest's.
    """
    storage = storage or private_storage()
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no archive at {path}")
    try:
        with tarfile.open(path, "r:") as tar:
            manifest = _read_manifest(tar, path)
            _check_members(tar, manifest)
            pending = _check_migrations(manifest)
            _check_target(manifest, storage, force=force)
            counts = _restore_database(tar, manifest)
            for entry in manifest["files"]:
                _restore_file(tar, storage, entry, force=force)
    except tarfile.TarError as exc:
        raise BackupError(f"{path} could not be read as a backup archive ({exc})") from exc
    _check_restored_files(storage, manifest["files"])
    return Restored(
        manifest=manifest,
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(manifest["files"]),
        bytes=sum(entry["size"] for entry in manifest["files"]),
        pending=pending,
    )


def _read_manifest(tar: tarfile.TarFile, path: Path) -> dict:
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not a backup archive: it has no readable {MANIFEST}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} is a backup of format {manifest.get('format')}; this portal reads {FORMAT}"
        )
    if manifest["database"].get("engine") not in DUMPS:
        raise BackupError(f"{path} holds a database this portal cannot restore")
    for entry in manifest["files"]:
        name = PurePosixPath(entry["name"])
        if name.is_absolute() or ".." in name.parts or str(name) != entry["name"]:
            raise BackupError(f"The archive names a file outside the store: {entry['name']}")
    return manifest


def _check_members(tar: tarfile.TarFile, manifest: dict) -> None:
    """Every member is in the manifest with its size and SHA-256, and nothing else is there."""
    expected = {FILES + entry["name"]: entry for entry in manifest["files"]}
    database = manifest["database"]
    expected[database["member"]] = database
    members = {member.name: member for member in tar.getmembers() if member.name != MANIFEST}
    damaged = sorted(set(expected) ^ set(members))
    for name in sorted(set(expected) & set(members)):
        if not members[name].isfile():
            damaged.append(name)
            continue
        size, sha256 = sha256_of(tar.extractfile(members[name]))
        if (size, sha256) != (expected[name]["size"], expected[name]["sha256"]):
            damaged.append(name)
    if damaged:
        raise BackupError(
            "The archive is damaged: these do not match its manifest, and nothing was "
            f"changed: {', '.join(damaged)}"
        )


def _check_migrations(manifest: dict) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(applied - known)
    if unknown:
        raise BackupError(
            "The backup's database has migrations this version of the portal lacks ("
            + ", ".join(f"{app}.{name}" for app, name in unknown)
            + "): restore it with the version that made it, or a later one. Nothing was changed."
        )
    return [f"{app}.{name}" for app, name in sorted(known - applied)]


def _check_target(manifest: dict, storage: Storage, *, force: bool) -> None:
    engine = manifest["database"]["engine"]
    if vendor() != engine:
        raise BackupError(
            f"The archive holds a {ENGINES[engine]} database and this portal's database "
            f"is {ENGINES[connection.vendor]}: set DATABASE_URL to a {ENGINES[engine]} one"
        )
    if force:
        return
    if _has_tables():
        raise BackupError(
            f"The database {database_label()} is not empty: restore goes into an empty "
            "database, so nothing was changed. Run it again with --force to replace the "
            "backup's tables in it."
        )
    names = stored_names(storage)
    if names:
        raise BackupError(
            f"The file store already holds {plural(len(names), 'file')}: restore goes into an "
            "empty one, so nothing was changed. Run it again with --force to replace the "
            "files of the same names."
        )


def _restore_database(tar: tarfile.TarFile, manifest: dict) -> dict[str, int]:
    """Restores the database and returns its row counts, refused unless the manifest's."""
    database = manifest["database"]
    member = tar.extractfile(database["member"])
    if database["engine"] == "postgresql":
        _pg_restore(member)
    else:
        _sqlite_restore(member)
    counts = _row_counts_now(database["tables"])
    if counts != database["tables"]:
        wrong = [
            f"{table} ({counts[table]:,}, not {expected:,})"
            for table, expected in database["tables"].items()
            if counts[table] != expected
        ]
        raise BackupError(
            "The restored database's row counts differ from the manifest's: " + ", ".join(wrong)
        )
    return counts


def _has_tables() -> bool:
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return False  # connecting would make an empty file
    return bool(connection.introspection.table_names())


def _pg_restore(member) -> None:
    pg_restore = pg_binary("pg_restore")
    with tempfile.TemporaryDirectory(prefix="svd-restore-") as work:
        # pg_restore needs a file it can seek in: from a pipe it cannot always restore.
        dump = Path(work) / DUMPS["postgresql"]
        with dump.open("wb") as out:
            shutil.copyfileobj(member, out, CHUNK)
        # One transaction: a failure part way leaves the database as it was. --clean drops
        # the backup's tables first (there are none in an empty database); the owner and
        # grants are left out, since the roles of the old server need not exist here.
        _run_pg(
            pg_restore,
            [
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
            ],
            restore_from=dump,
        )


def _sqlite_restore(member) -> None:
    target_path = Path(connection.settings_dict["NAME"])
    target_path.parent.mkdir(parents=True, exist_ok=True)
    connection.close()
    with tempfile.TemporaryDirectory(prefix="svd-restore-") as work:
        copy = Path(work) / DUMPS["sqlite"]
        with copy.open("wb") as out:
            shutil.copyfileobj(member, out, CHUNK)
        source = sqlite3.connect(copy)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()


def _row_counts_now(tables: dict[str, int]) -> dict[str, int]:
    present = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        counts = _row_counts(cursor, [t for t in tables if t in present])
    return {table: counts.get(table, 0) for table in tables}


def _restore_file(tar: tarfile.TarFile, storage: Storage, entry: dict, *, force: bool) -> None:
    name = entry["name"]
    if force and storage.exists(name):
        storage.delete(name)
    content = File(tar.extractfile(FILES + name), name=posixpath.basename(name))
    # File would otherwise take the size of a file on disk of the member's name.
    content.size = entry["size"]
    saved = storage.save(name, content)
    if saved != name:
        raise BackupError(f"The file store saved {name} as {saved}: restore needs an empty store")


def _check_restored_files(storage: Storage, entries: list[dict]) -> None:
    differ = []
    for entry in entries:
        with storage.open(entry["name"], "rb") as f:
            if sha256_of(f) != (entry["size"], entry["sha256"]):
                differ.append(entry["name"])
    if differ:
        raise BackupError(
            "These files were restored but differ from the manifest: " + ", ".join(differ)
        )

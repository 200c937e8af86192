"""`make backup`: the database and the private file store in one archive."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from svd_portal import backups
from svd_portal.formatting import plural


class Command(BaseCommand):
    help = (
        "Writes the database and every file of the private store to one tar archive, with a "
        "manifest of each file's size and SHA-256 (default var/backups/svd-portal-<time>.tar). "
        "Keys, certificates and .env are not in it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the archive to write (it must not exist yet)")

    def handle(self, *args, output=None, **options):
        path = Path(output) if output else backups.default_path()
        try:
            manifest = backups.backup(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        database = manifest["database"]
        tables = database["tables"]
        files = manifest["files"]
        created = timezone.localtime(datetime.datetime.fromisoformat(manifest["created_at"]))
        self.stdout.write(
            f"Database: {backups.ENGINES[database['engine']]} {database['server_version']}, "
            f"{plural(len(tables), 'table')}, {plural(sum(tables.values()), 'row')}"
        )
        self.stdout.write(
            f"Files: {plural(len(files), 'file')}, {plural(sum(f['size'] for f in files), 'byte')}"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {path} ({created:%d %B %Y %H:%M:%S %Z})")
        )

"""`make restore BACKUP=path`: puts an archive of `backup` back."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from svd_portal import backups
from svd_portal.formatting import plural


class Command(BaseCommand):
    help = (
        "Restores an archive written by `backup` into this settings' database and private "
        "file store, which must be empty (--force replaces what is there), then checks every "
        "table's row count and every file's SHA-256 against the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive written by `backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore into a database or file store that is not empty",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            restored = backups.restore(archive, force=force)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        database = restored.manifest["database"]
        created = timezone.localtime(
            datetime.datetime.fromisoformat(restored.manifest["created_at"])
        )
        self.stdout.write(f"Backup of {created:%d %B %Y %H:%M:%S %Z}")
        self.stdout.write(
            f"Database: {backups.ENGINES[database['engine']]}, "
            f"{plural(restored.tables, 'table')}, {plural(restored.rows, 'row')}, "
            "each table's count equal to the manifest's"
        )
        self.stdout.write(
            f"Files: {plural(restored.files, 'file')}, {plural(restored.bytes, 'byte')}, "
            "each SHA-256 equal to the manifest's"
        )
        if restored.pending:
            self.stdout.write(
                self.style.WARNING(
                    f"This version of the portal has {plural(len(restored.pending), 'migration')} "
                    "the backup's database had not applied: run `python manage.py migrate`."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Restored from {archive}"))

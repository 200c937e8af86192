from django.core.management.base import BaseCommand
from django.utils import timezone

from svd_portal import retention
from svd_portal.formatting import plural


class Command(BaseCommand):
    help = (
        "Shows what the retention schedule would remove now and what falls due soon (a dry "
        "run: nothing changes); with --apply, removes what is due, as the daily task does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="remove what is due")

    def handle(self, *args, **options):
        if options["apply"]:
            for label, count in retention.apply().items():
                self.stdout.write(f"{label}: {plural(count, 'record')} removed")
            return
        for part in retention.report():
            schedule = part.schedule
            self.stdout.write(
                f"{schedule.label} (kept {part.kept_for} after {schedule.starts}): "
                f"{part.due_count:,} due now, {part.coming_count:,} coming"
            )
            for row in part.due_rows:
                self.stdout.write(f"  {row.label}, due {timezone.localtime(row.due):%d %B %Y}")
            if part.unlisted:
                self.stdout.write(f"  and {part.unlisted:,} more")

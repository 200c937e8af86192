"""Retention (UK GDPR, storage limitation): how long the portal keeps each kind of record,
and what becomes of it when its time is up.

Each app says which of its records have a period by registering a Schedule (in its
AppConfig's ready(), from its own retention module): the key of its period in
settings.RETENTION, words for the report, the records whose clock started by a given time
(annotated with that time as `retention_from`), and what to do with them. This module knows
none of the apps: it makes the report, a dry run of what the job would remove now and what
falls due within RETENTION_NOTICE_DAYS (/staff/retention/, `manage.py retention`), and applies
it (the daily task, `manage.py retention --apply`), writing a line of the audit trail for
each record it anonymises, or one for a batch of sign-in records it deletes.

Published decision records and the grants register have no schedule: they are kept."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .formatting import plural

# The report lists at most this many records of each kind (the count is always whole).
REPORT_ROWS = 100


@dataclass(frozen=True)
class Schedule:
    key: str  # its period: settings.RETENTION[key]
    label: str  # "Unsuccessful applications"
    starts: str  # when the clock starts: "the round's closing"
    action: str  # what becomes of them: "Anonymised: …"
    due: Callable[[datetime.datetime], QuerySet]  # clock started at or before the time
    apply: Callable[[QuerySet], int]  # removes what it is given; how many
    # Listed one by one in the report and the trail, or counted (sign-in records).
    one_by_one: bool = True


# By label, in the order the apps register them.
SCHEDULES: dict[str, Schedule] = {}


def register(schedule: Schedule) -> None:
    SCHEDULES[schedule.label] = schedule


def period(schedule: Schedule) -> relativedelta:
    return relativedelta(**settings.RETENTION[schedule.key])


def period_words(schedule: Schedule) -> str:
    """ "2 years", "30 days"."""
    ((unit, count),) = settings.RETENTION[schedule.key].items()
    return plural(count, unit.rstrip("s"))


@dataclass(frozen=True)
class Row:
    label: str
    started: datetime.datetime
    due: datetime.datetime


@dataclass(frozen=True)
class Part:
    """What one schedule would remove now, and what falls due soon."""

    schedule: Schedule
    kept_for: str
    due_count: int
    due_rows: list[Row]
    coming_count: int
    coming_rows: list[Row]

    @property
    def unlisted(self) -> int:
        return self.due_count - len(self.due_rows)


def _rows(schedule: Schedule, records: QuerySet, keep: relativedelta, limit=REPORT_ROWS):
    if not schedule.one_by_one:
        return []
    ordered = records.order_by("retention_from", "pk")
    return [
        Row(str(record), record.retention_from, record.retention_from + keep)
        for record in (ordered[:limit] if limit else ordered.iterator(chunk_size=500))
    ]


def report(now: datetime.datetime | None = None) -> list[Part]:
    """The dry run: for each schedule, what the job would remove at `now` and what falls due
    within the next RETENTION_NOTICE_DAYS. Nothing is changed."""
    now = now or timezone.now()
    notice = datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)
    parts = []
    for schedule in SCHEDULES.values():
        keep = period(schedule)
        cutoff = now - keep
        due = schedule.due(cutoff)
        coming = schedule.due(cutoff + notice).filter(retention_from__gt=cutoff)
        parts.append(
            Part(
                schedule=schedule,
                kept_for=period_words(schedule),
                due_count=due.count(),
                due_rows=_rows(schedule, due, keep),
                coming_count=coming.count(),
                coming_rows=_rows(schedule, coming, keep),
            )
        )
    return parts


def every_row_due(now: datetime.datetime | None = None):
    """(schedule, row) for every record the job would remove at `now`, for the report's
    CSV; a schedule counted rather than listed gives one row saying how many."""
    now = now or timezone.now()
    for schedule in SCHEDULES.values():
        keep = period(schedule)
        due = schedule.due(now - keep)
        if schedule.one_by_one:
            for row in _rows(schedule, due, keep, limit=None):
                yield schedule, row
            continue
        count = due.count()
        if count:
            oldest = due.order_by("retention_from").values_list("retention_from", flat=True)[0]
            yield schedule, Row(plural(count, "record"), oldest, oldest + keep)


def apply(now: datetime.datetime | None = None) -> dict[str, int]:
    """Removes what is due at `now`, schedule by schedule, each in a transaction of its own
    with its lines of the audit trail; returns how many records of each label."""
    from .audit import record
    from .models import AuditKind

    now = now or timezone.now()
    removed = {}
    for schedule in SCHEDULES.values():
        cutoff = now - period(schedule)
        why = f"{schedule.label}, kept {period_words(schedule)} after {schedule.starts}"
        # The field history would keep what is removed: it is not written meanwhile.
        with transaction.atomic(), disable_auditlog():
            due = schedule.due(cutoff)
            if schedule.one_by_one:
                pks = list(due.order_by("retention_from", "pk").values_list("pk", flat=True))
                count = schedule.apply(due.model.objects.filter(pk__in=pks))
                # Named as they are now (a closed account no longer by its address).
                for each in due.model.objects.filter(pk__in=pks).order_by("pk"):
                    record(AuditKind.RETENTION, obj=each, summary=f"{schedule.action} ({why})")
            else:
                count = schedule.apply(due)
                if count:
                    record(
                        AuditKind.RETENTION,
                        summary=(
                            f"{schedule.action}: {plural(count, 'record')} from before "
                            f"{timezone.localtime(cutoff):%d %B %Y %H:%M} ({why})"
                        ),
                    )
        removed[schedule.label] = count
    return removed


def sign_in_schedules() -> list[Schedule]:
    """Sign-in records, for the retention schedule: the trail's sign-in lines (deleted by
    the trail's one deletion path) and the sign-in throttle's logs (django-axes)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from .models import SIGN_IN_KINDS, AuditEvent, expire_sign_in_records

    def _older(model, at):
        return lambda until: model.objects.annotate(retention_from=F(at)).filter(
            retention_from__lte=until
        )

    def _delete(records):
        # The model's own rows (an attempt's expiry goes with it, uncounted).
        return records.delete()[1].get(records.model._meta.label, 0)

    deleted = "Deleted"
    return [
        Schedule(
            key="sign_in_records",
            label="Sign-in lines of the audit trail",
            starts="the sign-in",
            action=deleted,
            due=lambda until: (
                AuditEvent.objects.filter(kind__in=SIGN_IN_KINDS)
                .annotate(retention_from=F("at"))
                .filter(retention_from__lte=until)
            ),
            apply=expire_sign_in_records,
            one_by_one=False,
        ),
        *(
            Schedule(
                key="sign_in_records",
                label=label,
                starts="the attempt",
                action=deleted,
                due=_older(model, "attempt_time"),
                apply=_delete,
                one_by_one=False,
            )
            for label, model in (
                ("Sign-in log", AccessLog),
                ("Refused sign-in log", AccessFailureLog),
                ("Sign-in attempt counts", AccessAttempt),
            )
        ),
    ]

"""The retention schedule (svd_portal/retention.py and each app's schedules): the dry run's
exact contents at a fixed time, what applying it removes and keeps (published decisions and
the grants register are kept), the audit trail's one deletion path, and the staff page and
CSV over HTTP."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessLog
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions.models import DecisionRecord
from grants.enums import ApplicationStatus, AwardStatus, Stage
from grants.models import Application, Attachment, AwardStatusChange, MonitoringReturn
from partners.closing import CLOSED_NAME
from partners.enums import Role
from partners.models import User
from svd_portal import retention
from svd_portal.models import AuditEvent, AuditKind, expire_sign_in_records
from tests.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    DecisionRecordFactory,
    FundingRoundFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.grants.awarding import make_award
from tests.grants.register_data import on_register

LONDON = timezone.get_default_timezone()
NOW = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)
# The staff page: the session, its person, their second factor and roles (4), the last run
# (1), for each of the 8 schedules a count due now and coming (16), and the rows of the 4
# listed one by one, due now and coming (8).
QUERIES = 29


def ago(**kwargs) -> datetime.datetime:
    return NOW - datetime.timedelta(**kwargs)


def closed_round(closes_at, prefix):
    return FundingRoundFactory(
        opens_at=closes_at - datetime.timedelta(days=60),
        closes_at=closes_at,
        status="decided",
        reference_prefix=prefix,
        title=f"Round {prefix}",
    )


def sign_in_line(at, kind=AuditKind.SIGN_IN, actor="someone@example.org"):
    return AuditEvent.objects.create(at=at, kind=kind, actor=actor, summary="Signed in")


@pytest.fixture
def world(role_groups, staff_user, attachment_storage):
    """Records either side of each period at NOW."""
    old = closed_round(ago(days=2 * 365 + 10), "OLD")  # closed 2 years and 10 days ago
    soon = closed_round(ago(days=2 * 365 - 10), "SOON")  # 2 years in 10 days' time
    recent = closed_round(ago(days=365), "NEW")
    writer = UserFactory(full_name="Ada Writer")
    not_funded = ApplicationFactory(
        round=old,
        reference="OLD-0001",
        title="Boxing club",
        status=ApplicationStatus.NOT_RECOMMENDED,
        submitted_at=ago(days=800),
        contact_name="Ada Writer",
        contact_email="ada@example.org",
        contact_address="1 High Street",
        summary="Boxing for young people",
        description="Weekly sessions with mentors",
        target_cohort="Boys aged 12 to 16 in Durham",
        outcomes="Fewer exclusions",
        amount_requested=Decimal("4000.00"),
        created_by=writer,
    )
    line = BudgetLineFactory(application=not_funded, item="Coach", amount=Decimal("4000.00"))
    Attachment.objects.create(
        application=not_funded,
        file=attachment_storage.save("plan.pdf", ContentFile(b"%PDF-1.7 plan")),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=writer,
    )
    LogEntry.objects.log_create(not_funded, action=LogEntry.Action.UPDATE, changes={"x": [1, 2]})
    ApplicationFactory(round=old, reference="OLD-0002", title="Never sent")  # a draft
    ApplicationFactory(
        round=old,
        reference="OLD-0003",
        title="Still recommended",
        status=ApplicationStatus.RECOMMENDED,
        submitted_at=ago(days=800),
    )
    ApplicationFactory(
        round=old,
        stage=Stage.EOI,
        reference="OLD-E-0001",
        title="An idea",
        status=ApplicationStatus.INVITED,
        submitted_at=ago(days=800),
        summary="An idea in brief",
    )
    ApplicationFactory(
        round=soon,
        reference="SOON-0001",
        title="Declined soon",
        status=ApplicationStatus.DECLINED,
        submitted_at=ago(days=700),
    )
    ApplicationFactory(
        round=recent,
        reference="NEW-0001",
        title="Declined lately",
        status=ApplicationStatus.DECLINED,
        submitted_at=ago(days=400),
    )

    # A funded application whose award closed 7 years and 5 days ago, with a published
    # decision; and one whose award is still active.
    holder = OrganisationFactory(name="Old Holder")
    award = make_award(
        funding_round=closed_round(ago(days=8 * 365), "GONE"),
        organisation=holder,
        created_by=staff_user,
        reference="GONE-A-0001",
        title="Youth mentoring",
    )
    Application.objects.filter(pk=award.application_id).update(
        status=ApplicationStatus.AWARDED,
        submitted_at=ago(days=3000),
        reference="GONE-0001",
        summary="Mentoring for young people",
        contact_name="Ben Holder",
    )
    award = on_register(award, status=AwardStatus.CLOSED, accepted_on=datetime.date(2018, 5, 2))
    AwardStatusChange.objects.create(
        award=award,
        from_status=AwardStatus.ACTIVE,
        to_status=AwardStatus.CLOSED,
        changed_by=staff_user,
        changed_at=ago(days=7 * 365 + 7),  # 7 years (two of them leap) and 5 days ago
    )
    MonitoringReturn.objects.create(
        award=award,
        number=1,
        kind="final",
        period_starts_on=datetime.date(2018, 4, 1),
        period_ends_on=datetime.date(2019, 3, 31),
        due_on=datetime.date(2019, 4, 28),
        status="accepted",
        narrative="Ten boys mentored",
        case_study="J., 14, now back at school",
        risks="None",
    )
    record = DecisionRecordFactory(published=True, reference="DN9-19")
    running = make_award(
        funding_round=closed_round(ago(days=400), "RUN"),
        organisation=holder,
        created_by=staff_user,
        reference="RUN-A-0001",
    )
    Application.objects.filter(pk=running.application_id).update(
        status=ApplicationStatus.AWARDED, submitted_at=ago(days=400), reference="RUN-0001"
    )

    # Sign-in records: one past its year, one falling due in 10 days, one lately; a status
    # line far older, which is never deleted.
    sign_in_line(ago(days=400))
    sign_in_line(ago(days=365 - 10), kind=AuditKind.SIGN_IN_REFUSED)
    sign_in_line(ago(days=10), kind=AuditKind.SIGN_OUT)
    AuditEvent.objects.create(at=ago(days=900), kind=AuditKind.STATUS, summary="Submitted")
    old_log = AccessLog.objects.create(username="old@example.org", user_agent="x", path_info="/")
    AccessLog.objects.filter(pk=old_log.pk).update(attempt_time=ago(days=400))
    AccessLog.objects.create(username="new@example.org", user_agent="x", path_info="/")
    attempt = AccessAttempt.objects.create(
        username="old@example.org", user_agent="x", path_info="/", failures_since_start=3
    )
    AccessAttemptExpiration.objects.create(access_attempt=attempt, expires_at=ago(days=399))
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=ago(days=400))

    # Sign-ups: one never confirmed for 40 days, one for 20, one confirmed.
    provider = Group.objects.get(name=Role.PROVIDER)
    for email, days, active in (
        ("stale@example.org", 40, False),
        ("fresh@example.org", 20, False),
        ("confirmed@example.org", 40, True),
    ):
        user = UserFactory(email=email, full_name="New Person", is_active=active)
        user.groups.add(provider)
        User.objects.filter(pk=user.pk).update(date_joined=ago(days=days))
    return {"not_funded": not_funded, "line": line, "award": award, "record": record}


def summary(parts):
    return [
        (
            part.schedule.label,
            part.kept_for,
            part.due_count,
            [row.label for row in part.due_rows],
            part.coming_count,
            [row.label for row in part.coming_rows],
        )
        for part in parts
    ]


def test_the_dry_run_lists_what_is_due_and_what_is_coming(world):
    lines = AuditEvent.objects.count()
    parts = retention.report(now=NOW)

    assert summary(parts) == [
        ("Sign-in lines of the audit trail", "1 year", 1, [], 1, []),
        ("Sign-in log", "1 year", 1, [], 0, []),
        ("Refused sign-in log", "1 year", 0, [], 0, []),
        ("Sign-in attempt counts", "1 year", 1, [], 0, []),
        (
            "Sign-ups never confirmed",
            "30 days",
            1,
            ["New Person <stale@example.org>"],
            1,
            ["New Person <fresh@example.org>"],
        ),
        ("Expressions of interest", "2 years", 1, ["OLD-E-0001: An idea"], 0, []),
        (
            "Applications not funded",
            "2 years",
            2,
            ["OLD-0001: Boxing club", "OLD-0002: Never sent"],
            1,
            ["SOON-0001: Declined soon"],
        ),
        (
            "Funded applications and their delivery",
            "7 years",
            1,
            ["GONE-0001: Youth mentoring"],
            0,
            [],
        ),
    ]
    not_funded = parts[6].due_rows[0]
    assert not_funded.started == world["not_funded"].round.closes_at
    assert timezone.localtime(not_funded.due).date() == datetime.date(2026, 11, 24)
    # A dry run changes nothing.
    assert Application.objects.filter(anonymised_at__isnull=False).count() == 0
    assert AuditEvent.objects.count() == lines


def test_applying_the_schedule_removes_what_is_due_and_keeps_the_rest(
    world, attachment_storage, django_capture_on_commit_callbacks
):
    stored = Attachment.objects.get().file.name
    assert LogEntry.objects.get_for_object(world["not_funded"]).count() >= 1
    with django_capture_on_commit_callbacks(execute=True):
        removed = retention.apply(now=NOW)

    assert removed == {
        "Sign-in lines of the audit trail": 1,
        "Sign-in log": 1,
        "Refused sign-in log": 0,
        "Sign-in attempt counts": 1,
        "Sign-ups never confirmed": 1,
        "Expressions of interest": 1,
        "Applications not funded": 2,
        "Funded applications and their delivery": 1,
    }
    # The application not funded: who wrote what is gone; the record of the bid stays.
    application = Application.objects.get(reference="OLD-0001")
    assert [
        application.contact_name,
        application.contact_email,
        application.contact_address,
        application.summary,
        application.description,
        application.target_cohort,
        application.outcomes,
    ] == [""] * 7
    assert application.title == "Boxing club"
    assert application.amount_requested == Decimal("4000.00")
    assert application.status == ApplicationStatus.NOT_RECOMMENDED
    assert application.anonymised_at is not None
    assert list(application.budget_lines.values_list("item", "amount")) == [
        ("Coach", Decimal("4000.00"))
    ]
    assert Attachment.objects.count() == 0
    assert not attachment_storage.exists(stored)
    assert not LogEntry.objects.get_for_object(application).exists()
    # The funded one keeps what the grants register publishes; its delivery's words go.
    funded = Application.objects.get(reference="GONE-0001")
    assert (funded.summary, funded.contact_name) == ("Mentoring for young people", "")
    monitoring = MonitoringReturn.objects.get()
    assert (monitoring.narrative, monitoring.case_study, monitoring.risks) == ("", "", "")
    world["award"].refresh_from_db()
    assert (world["award"].title, world["award"].amount, world["award"].status) == (
        "Youth mentoring",
        Decimal("3000.00"),
        AwardStatus.CLOSED,
    )
    assert DecisionRecord.objects.get(reference="DN9-19").status == "published"
    # What was not due is untouched.
    assert Application.objects.get(reference="OLD-0003").anonymised_at is None
    assert Application.objects.get(reference="SOON-0001").anonymised_at is None
    assert Application.objects.get(reference="RUN-0001").anonymised_at is None
    # The sign-up never confirmed is closed; the others stay.
    stale = User.objects.get(closed_at__isnull=False)
    assert (stale.email, stale.full_name) == (f"closed-{stale.pk}@closed.invalid", CLOSED_NAME)
    assert User.objects.filter(email="fresh@example.org").exists()
    assert User.objects.filter(email="confirmed@example.org").exists()
    # Sign-in records past their year are deleted; the status line stays.
    kept = AuditEvent.objects.exclude(kind__in=[AuditKind.RETENTION, AuditKind.FIELDS])
    assert sorted(kept.values_list("kind", flat=True)) == [
        AuditKind.SIGN_IN_REFUSED,
        AuditKind.SIGN_OUT,
        AuditKind.STATUS,
    ]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["new@example.org"]
    assert (AccessAttempt.objects.count(), AccessAttemptExpiration.objects.count()) == (0, 0)
    # Each removal is in the audit trail.
    lines = AuditEvent.objects.filter(kind=AuditKind.RETENTION).order_by("pk")
    assert [(line.object_label, line.summary) for line in lines] == [
        (
            "",
            "Deleted: 1 record from before 04 December 2025 12:00 "
            "(Sign-in lines of the audit trail, kept 1 year after the sign-in)",
        ),
        (
            "",
            "Deleted: 1 record from before 04 December 2025 12:00 "
            "(Sign-in log, kept 1 year after the attempt)",
        ),
        (
            "",
            "Deleted: 1 record from before 04 December 2025 12:00 "
            "(Sign-in attempt counts, kept 1 year after the attempt)",
        ),
        (
            f"{CLOSED_NAME} <closed-{stale.pk}@closed.invalid>",
            "Closed: name, email address and password removed "
            "(Sign-ups never confirmed, kept 30 days after the sign-up)",
        ),
        (
            "OLD-E-0001: An idea",
            "Anonymised: contact details, answers and files removed "
            "(Expressions of interest, kept 2 years after the round's closing)",
        ),
        (
            "OLD-0001: Boxing club",
            "Anonymised: contact details, answers and files removed "
            "(Applications not funded, kept 2 years after the round's closing)",
        ),
        (
            "OLD-0002: Never sent",
            "Anonymised: contact details, answers and files removed "
            "(Applications not funded, kept 2 years after the round's closing)",
        ),
        (
            "GONE-0001: Youth mentoring",
            "Anonymised: contact details, answers and files removed, with the monitoring "
            "returns' and due diligence's (Funded applications and their delivery, kept 7 "
            "years after the award's close-out, withdrawal or claw-back)",
        ),
    ]
    # A second run finds nothing more.
    assert set(retention.apply(now=NOW).values()) == {0}


def test_the_grants_register_is_kept(world, client):
    from grants.selectors import register

    before = [
        (row.reference, row.title, row.summary, row.amount)
        for row in register.register_rows(register.register_awards())
    ]
    assert before == [
        ("GONE-A-0001", "Youth mentoring", "Mentoring for young people", Decimal("3000.00"))
    ]
    retention.apply(now=NOW)
    after = [
        (row.reference, row.title, row.summary, row.amount)
        for row in register.register_rows(register.register_awards())
    ]
    assert after == before


def test_the_trail_refuses_deletes_but_for_expiring_sign_in_lines(db):
    sign_in = sign_in_line(ago(days=400))
    status = AuditEvent.objects.create(at=ago(days=400), kind=AuditKind.STATUS, summary="Moved")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=sign_in.pk).delete()
    with pytest.raises(PermissionDenied):
        sign_in.delete()

    assert expire_sign_in_records(AuditEvent.objects.all()) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [status.pk]


def test_the_command_prints_the_dry_run_and_applies_with_apply(world, capsys):
    call_command("retention")
    printed = capsys.readouterr().out
    assert "Applications not funded (kept 2 years after the round's closing): 2 due now" in printed
    assert "  OLD-0001: Boxing club, due " in printed
    assert Application.objects.filter(anonymised_at__isnull=False).count() == 0

    call_command("retention", "--apply")
    assert "Applications not funded: 2 records removed" in capsys.readouterr().out
    assert Application.objects.filter(anonymised_at__isnull=False).count() == 4


# --- Over HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def due_now(db, role_groups):
    closed = closed_round(timezone.now() - datetime.timedelta(days=3 * 365), "PAST")
    return ApplicationFactory(
        round=closed,
        reference="PAST-0001",
        title="Old <b>bid</b>",
        status="withdrawn",
        submitted_at=closed.closes_at - datetime.timedelta(days=1),
    )


def test_staff_read_the_dry_run(staff_client, due_now):
    page = staff_client.get("/staff/retention/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "PAST-0001: Old &lt;b&gt;bid&lt;/b&gt;" in body
    assert "The job has not removed anything yet." in body
    assert Application.objects.get().anonymised_at is None


def test_the_csv_lists_every_record_due(staff_client, due_now):
    response = staff_client.get("/staff/retention.csv")
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    started = timezone.localtime(due_now.round.closes_at).date()
    assert rows == [
        ["Kind of record", "Record", "Kept for", "Clock started", "Due on", "What becomes of it"],
        [
            "Applications not funded",
            "PAST-0001: Old <b>bid</b>",
            "2 years",
            f"{started:%Y-%m-%d}",
            f"{started.replace(year=started.year + 2):%Y-%m-%d}",
            "Anonymised: contact details, answers and files removed",
        ],
    ]
    assert (
        AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD, path="/staff/retention.csv").count() == 1
    )


@pytest.mark.parametrize("url", ["/staff/retention/", "/staff/retention.csv"])
def test_only_opcc_staff_read_the_schedule(client_as, url, due_now):
    for role in (Role.PROVIDER, Role.PANEL_MEMBER, Role.CHIEF_EXECUTIVE, Role.PCC):
        assert client_as(UserFactory(roles=[role])).get(url).status_code == 403
    assert client_as(None).get(url).status_code == 302


def test_an_anonymised_application_says_so(staff_client, due_now):
    retention.apply()
    page = staff_client.get(f"/staff/applications/{due_now.reference}/")
    assert page.status_code == 200
    anonymised_on = timezone.localdate()
    assert (
        f"Its contact details, answers and files were removed on {anonymised_on:%-d %B %Y} "
        "under the retention schedule." in page.content.decode()
    )


def test_the_dry_run_reads_the_same_number_of_queries_however_many_are_due(staff_client, due_now):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get("/staff/retention/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(5):
        ApplicationFactory(
            round=due_now.round,
            reference=f"PAST-01{n}",
            status="withdrawn",
            submitted_at=due_now.submitted_at,
        )
    assert (one, queries()) == (QUERIES, QUERIES)


def test_the_daily_task_applies_the_schedule(settings, due_now):
    from svd_portal.celery import app
    from svd_portal.tasks import apply_retention

    assert settings.CELERY_BEAT_SCHEDULE["svd-portal-apply-retention"] == {
        "task": "svd_portal.apply_retention",
        "schedule": 86400.0,
    }
    assert app.tasks["svd_portal.apply_retention"].name == apply_retention.name
    removed = apply_retention()
    assert {label: count for label, count in removed.items() if count} == {
        "Applications not funded": 1
    }
    assert Application.objects.get().anonymised_at is not None

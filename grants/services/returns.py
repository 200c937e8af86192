"""Monitoring returns: the grant holder fills one in (actuals against each target, spend to
date on each budget line, what happened) and submits it once its period has ended; staff
accept it, which makes the payment after it due, or return it with what to change. The
grant holder may add documents to it (checked as an application's are) while it can still
be changed. Reminders go 14 days before a return is due, on the day and 7 days after."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from partners.models import User
from svd_portal.formatting import money
from svd_portal.history import attributed
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Workflow, move

from ..enums import (
    OPEN_RETURN_STATUSES,
    AwardStatus,
    PaymentStatus,
    ReminderKind,
    ReturnKind,
    ReturnStatus,
)
from ..models import (
    Award,
    MonitoringReturn,
    Payment,
    ReturnActual,
    ReturnAttachment,
    ReturnReminder,
    ReturnSpend,
    ReturnStatusChange,
)
from .attachments import delete_with_file, numbered_download_name, store_upload
from .payments import PAYMENT

R = ReturnStatus
RETURN_MOVES = {
    R.DRAFT: {R.SUBMITTED},
    R.SUBMITTED: {R.ACCEPTED, R.RETURNED},
    R.RETURNED: {R.SUBMITTED},
    R.ACCEPTED: set(),
}
RETURN = Workflow(MonitoringReturn, RETURN_MOVES, noun="A return", log=ReturnStatusChange)
# When each reminder goes, counted from the day the return is due.
REMINDERS = {
    ReminderKind.BEFORE: -14,
    ReminderKind.ON_THE_DAY: 0,
    ReminderKind.OVERDUE: 7,
}


def _check_active(monitoring_return: MonitoringReturn) -> None:
    award = monitoring_return.award
    if award.status != AwardStatus.ACTIVE:
        raise ValidationError(
            f"Returns are made while the grant is active: {award.reference} is "
            f"{award.get_status_display().lower()}"
        )


def _check_open(monitoring_return: MonitoringReturn) -> None:
    _check_active(monitoring_return)
    if monitoring_return.status not in OPEN_RETURN_STATUSES:
        raise ValidationError(
            f"This return is {monitoring_return.get_status_display().lower()}: it can no "
            "longer be changed"
        )


@attributed
@transaction.atomic
def return_save(
    *,
    monitoring_return: MonitoringReturn,
    by: User,
    actuals: dict[int, int | None],
    spend: dict[int, Decimal | None],
    narrative: str,
    case_study: str,
    risks: str,
) -> MonitoringReturn:
    """Saves what the grant holder has entered so far (a figure left empty is not there
    yet): nothing is checked for completeness until it is submitted."""
    require_perm(by, "grants.report_on_award", monitoring_return.award)
    monitoring_return = (
        MonitoringReturn.objects.select_for_update()
        .select_related("award")
        .get(pk=monitoring_return.pk)
    )
    _check_open(monitoring_return)
    award = monitoring_return.award
    targets = {target.pk: target for target in award.targets.all()}
    lines = {line.pk: line for line in award.application.budget_lines.all()}
    errors = {}
    if set(actuals) - set(targets):
        errors["actuals"] = "An actual must be for one of the award's targets"
    elif any(value is not None and value < 0 for value in actuals.values()):
        errors["actuals"] = "An actual cannot be less than 0"
    if set(spend) - set(lines):
        errors["spend"] = "Spend must be on one of the award's budget lines"
    elif any(value is not None and value < 0 for value in spend.values()):
        errors["spend"] = "Spend cannot be less than £0"
    if errors:
        raise ValidationError(errors)
    for pk, value in actuals.items():
        if value is None:
            monitoring_return.actuals.filter(target_id=pk).delete()
        else:
            ReturnActual.objects.update_or_create(
                monitoring_return=monitoring_return, target_id=pk, defaults={"actual": value}
            )
    for pk, amount in spend.items():
        if amount is None:
            monitoring_return.spend.filter(budget_line_id=pk).delete()
        else:
            ReturnSpend.objects.update_or_create(
                monitoring_return=monitoring_return, budget_line_id=pk, defaults={"amount": amount}
            )
    monitoring_return.narrative = narrative.strip()
    monitoring_return.case_study = case_study.strip()
    monitoring_return.risks = risks.strip()
    monitoring_return.saved_at = timezone.now()
    monitoring_return.save()
    return monitoring_return


def paid_so_far(award: Award) -> Decimal:
    """What the ledger has paid the award, less what was clawed back."""
    return award.ledger.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def submission_problems(
    monitoring_return: MonitoringReturn, *, today: datetime.date | None = None
) -> list[str]:
    """What stops the return being submitted, each said so the grant holder knows what to
    do; empty when it may be submitted."""
    today = today or timezone.localdate()
    award = monitoring_return.award
    problems = []
    if monitoring_return.period_ends_on >= today:
        problems.append(
            f"The period ends on {monitoring_return.period_ends_on:%-d %B %Y}: submit the "
            f"return from {monitoring_return.period_ends_on + datetime.timedelta(days=1):%-d %B %Y}"
        )
    entered = set(monitoring_return.actuals.values_list("target_id", flat=True))
    for target in award.targets.all():
        if target.pk not in entered:
            problems.append(f"Enter the actual for {target.label.lower()}")
    spent = {row.budget_line_id: row.amount for row in monitoring_return.spend.all()}
    for line in award.application.budget_lines.all():
        if line.pk not in spent:
            problems.append(f"Enter the spend to date on {line.item} ({line.financial_year})")
    if not monitoring_return.narrative:
        problems.append("Say what happened in the period")
    if monitoring_return.kind == ReturnKind.FINAL and not monitoring_return.case_study:
        problems.append("Add a case study: the final report needs one")
    total = sum(spent.values(), Decimal("0"))
    paid = paid_so_far(award)
    next_payment = (
        Payment.objects.filter(after_return=monitoring_return).values_list("amount", flat=True)
    ).first() or Decimal("0")
    if total > paid + next_payment:
        problems.append(
            f"The spend to date, {money(total)}, is more than has been paid "
            f"({money(paid)}) and the payment after this return ({money(next_payment)}): "
            "check the figures, or ask the OPCC for a variation of the grant"
        )
    return problems


@attributed
def return_submit(
    *, monitoring_return: MonitoringReturn, by: User, today: datetime.date | None = None
) -> MonitoringReturn:
    """The grant holder submits the return; refused, with every reason, while it is not
    complete. Staff are told."""
    require_perm(by, "grants.report_on_award", monitoring_return.award)

    def guard(locked: MonitoringReturn) -> None:
        _check_open(locked)
        problems = submission_problems(locked, today=today)
        if problems:
            raise ValidationError(["The return cannot be submitted yet:", *problems])

    return move(
        RETURN,
        monitoring_return,
        R.SUBMITTED,
        by=by,
        guard=guard,
        changes={
            "submitted_at": timezone.now(),
            "submitted_by": by,
            "first_submitted_on": MonitoringReturn.objects.values_list(
                "first_submitted_on", flat=True
            ).get(pk=monitoring_return.pk)
            or timezone.localdate(),
        },
        then=lambda moved: enqueue("grants.send_return_email", return_id=moved.instance.pk),
    )


@attributed
@transaction.atomic
def return_accept(
    *, monitoring_return: MonitoringReturn, by: User, comment: str = ""
) -> MonitoringReturn:
    """Staff accept the return: the payment after it becomes due."""
    require_perm(by, "grants.manage_awards", monitoring_return.award)
    accepted = move(
        RETURN,
        monitoring_return,
        R.ACCEPTED,
        by=by,
        reason=comment,
        guard=_check_active,
        changes={
            "decided_at": timezone.now(),
            "decided_by": by,
            "staff_comment": comment.strip(),
        },
        then=lambda moved: enqueue("grants.send_return_email", return_id=moved.instance.pk),
    )
    record_delivered(accepted.award)
    payment = Payment.objects.filter(after_return=accepted, status=PaymentStatus.SCHEDULED).first()
    if payment is not None:
        move(
            PAYMENT,
            payment,
            PaymentStatus.DUE,
            by=by,
            reason=f"Return {accepted.reference} accepted",
        )
    return accepted


def record_delivered(award: Award) -> None:
    """Each target's delivered figure: its actual on the latest accepted return that
    reports it."""
    latest = dict(
        ReturnActual.objects.filter(
            monitoring_return__award=award, monitoring_return__status=R.ACCEPTED
        )
        .order_by("monitoring_return__number")
        .values_list("target_id", "actual")
    )
    for target in award.targets.all():
        if target.delivered != latest.get(target.pk, 0):
            target.delivered = latest.get(target.pk, 0)
            target.save(update_fields=["delivered"])


@attributed
def return_send_back(
    *, monitoring_return: MonitoringReturn, by: User, comment: str
) -> MonitoringReturn:
    """Staff return the return to the grant holder, saying what to change."""
    require_perm(by, "grants.manage_awards", monitoring_return.award)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Say what the grant holder should change"})
    return move(
        RETURN,
        monitoring_return,
        R.RETURNED,
        by=by,
        reason=comment,
        guard=_check_active,
        changes={"decided_at": timezone.now(), "decided_by": by, "staff_comment": comment},
        then=lambda moved: enqueue("grants.send_return_email", return_id=moved.instance.pk),
    )


# --- Documents --------------------------------------------------------------------------------


def _check_documents_open(monitoring_return: MonitoringReturn) -> None:
    _check_active(monitoring_return)
    if monitoring_return.status not in OPEN_RETURN_STATUSES:
        message = (
            f"This return is {monitoring_return.get_status_display().lower()}: its documents "
            "can no longer be changed"
        )
        if monitoring_return.status == R.SUBMITTED:
            message += ". If one is missing, ask the OPCC to return it to you for changes"
        raise ValidationError(message)


def _require_holder(by: User, monitoring_return: MonitoringReturn, doing: str) -> None:
    require_perm(
        by,
        "grants.report_on_award",
        monitoring_return.award,
        message=f"Only members of the grant holder's organisation can {doing} its returns",
    )


@transaction.atomic
def return_attachment_add(
    *, monitoring_return: MonitoringReturn, by: User, uploaded_file
) -> ReturnAttachment:
    """Stores a document on the return privately: only by a member of the grant holder,
    while the return can still be changed, no more than RETURN_ATTACHMENTS_MAX of them, and
    only a file that passes the checks an application's documents pass."""
    _require_holder(by, monitoring_return, "add documents to")
    # Locked, so that two uploads at once cannot both take the last place.
    monitoring_return = (
        MonitoringReturn.objects.select_for_update()
        .select_related("award")
        .get(pk=monitoring_return.pk)
    )
    _check_documents_open(monitoring_return)
    limit = settings.RETURN_ATTACHMENTS_MAX
    if monitoring_return.attachments.count() >= limit:
        raise ValidationError(
            {"file": f"A return can have up to {limit} documents: remove one to add another"}
        )
    return store_upload(ReturnAttachment, uploaded_file, by=by, monitoring_return=monitoring_return)


@transaction.atomic
def return_attachment_remove(*, attachment: ReturnAttachment, by: User) -> None:
    """Removes a document from the return, its file once the removal is committed: only by
    a member of the grant holder, while the return can still be changed."""
    _require_holder(by, attachment.monitoring_return, "remove documents from")
    monitoring_return = (
        MonitoringReturn.objects.select_for_update()
        .select_related("award")
        .get(pk=attachment.monitoring_return_id)
    )
    _check_documents_open(monitoring_return)
    delete_with_file(attachment)


def return_attachment_download_name(attachment: ReturnAttachment) -> str:
    """The name a return's document downloads under: <return reference>-<n>.<extension>."""
    return numbered_download_name(
        attachment,
        reference=attachment.monitoring_return.reference,
        siblings=ReturnAttachment.objects.filter(
            monitoring_return_id=attachment.monitoring_return_id
        ),
    )


def returns_remind(*, today: datetime.date | None = None) -> list[tuple[int, str]]:
    """Queues the reminders due today (or missed since) for returns of active awards not
    yet submitted: each kind once per return, whatever how often this runs. Returns the
    (return id, kind) of each queued."""
    today = today or timezone.localdate()
    queued = []
    # The earliest reminder goes 14 days before the due date.
    waiting = MonitoringReturn.objects.filter(
        award__status=AwardStatus.ACTIVE,
        status__in=sorted(OPEN_RETURN_STATUSES),
        due_on__lte=today + datetime.timedelta(days=-min(REMINDERS.values())),
    ).prefetch_related("reminders")
    for monitoring_return in waiting:
        sent = {reminder.kind for reminder in monitoring_return.reminders.all()}
        # Only the latest reminder that has come is sent: a return first seen late is not
        # sent all three at once.
        come = [
            kind
            for kind, days in REMINDERS.items()
            if monitoring_return.due_on + datetime.timedelta(days=days) <= today
        ]
        if not come or come[-1] in sent:
            continue
        kind = come[-1]
        try:
            with transaction.atomic():
                ReturnReminder.objects.create(monitoring_return=monitoring_return, kind=kind)
        except IntegrityError:
            continue  # another run sent it meanwhile
        transaction.on_commit(
            lambda pk=monitoring_return.pk, kind=kind: enqueue(
                "grants.send_return_reminder", return_id=pk, kind=kind
            )
        )
        queued.append((monitoring_return.pk, kind))
    return queued

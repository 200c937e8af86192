"""Reads of an award's delivery: its returns with the payment after each, a return's page,
and the payments staff work through and export to finance."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ..enums import OPEN_RETURN_STATUSES, AwardStatus, PaymentStatus, ReturnStatus
from ..models import Award, AwardTarget, MonitoringReturn, Payment, ReturnActual


@dataclass(frozen=True)
class ReturnRow:
    """One return of an award, the payment after it, and whether it is overdue."""

    monitoring_return: MonitoringReturn
    payment: Payment
    overdue: bool


def delivery_rows(award: Award, *, today: datetime.date | None = None) -> list[ReturnRow]:
    """The award's returns in order, each with its payment (two queries)."""
    today = today or timezone.localdate()
    payments = {p.after_return_id: p for p in award.payments.all()}
    return [ReturnRow(r, payments.get(r.pk), r.is_overdue(today)) for r in award.returns.all()]


def latest_actuals(award: Award) -> dict[int, int]:
    """Each target's actual as the latest return reporting it has it (actuals count the
    whole grant so far, so the latest is the total)."""
    rows = (
        ReturnActual.objects.filter(monitoring_return__award=award)
        .order_by("monitoring_return__number")
        .values_list("target_id", "actual")
    )
    return dict(rows)


def return_for_page(*, reference: str, number: int) -> MonitoringReturn:
    """A return with what its page shows; MonitoringReturn.DoesNotExist when there is none."""
    return (
        MonitoringReturn.objects.select_related(
            "award__organisation", "award__application", "decided_by", "submitted_by"
        )
        .prefetch_related(
            Prefetch("actuals", queryset=ReturnActual.objects.select_related("target")),
            Prefetch(
                "award__targets",
                queryset=AwardTarget.objects.select_related("success_measure"),
            ),
            "award__application__budget_lines",
            "spend",
            "attachments",
            "status_changes__changed_by",
        )
        .get(award__reference=reference, number=number)
    )


def payments_for_staff(*, status: str = "") -> QuerySet[Payment]:
    """Every payment (or those of one status), the oldest award first, with what the
    payments list and the finance export show."""
    payments = Payment.objects.select_related(
        "award__organisation__bank_account",
        "after_return",
        "raised_by",
        "approved_by",
    ).order_by("award__created_at", "award__reference", "number")
    if status in PaymentStatus.values:
        payments = payments.filter(status=status)
    return payments


# What the staff's list of returns can show: those waiting for a decision, those overdue
# (not submitted after their due date, on an active award), or every one.
RETURN_VIEWS = {
    "submitted": "Waiting for a decision",
    "overdue": "Overdue",
    "all": "All",
}


def returns_for_staff(
    *, view: str = "submitted", today: datetime.date | None = None
) -> QuerySet[MonitoringReturn]:
    """The returns staff work through: by default those submitted and waiting for them,
    the oldest due first."""
    today = today or timezone.localdate()
    returns = MonitoringReturn.objects.select_related("award__organisation").order_by(
        "due_on", "award__reference", "number"
    )
    if view == "overdue":
        return returns.filter(
            award__status=AwardStatus.ACTIVE,
            status__in=sorted(OPEN_RETURN_STATUSES),
            due_on__lt=today,
        )
    if view == "all":
        return returns
    return returns.filter(status=ReturnStatus.SUBMITTED)

"""The end of an award: money clawed back (a negative entry in the ledger, and, when the
grant is ended for it, the award clawed back and its unpaid payments cancelled), and the
close-out, once the final report is accepted and every payment made, with what staff
confirm. Nothing of a closed or clawed-back award changes after."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import User
from svd_portal.formatting import money
from svd_portal.history import attributed
from svd_portal.permissions import require_perm
from svd_portal.workflow import move

from .. import fiscal
from ..enums import (
    AwardStatus,
    CloseOutItem,
    CostKind,
    LedgerKind,
    PaymentStatus,
    ReturnStatus,
)
from ..models import Award, CloseOut, LedgerEntry
from .awards import AWARD
from .payments import PAYMENT, ledger_split
from .returns import paid_so_far

SETTLED_PAYMENTS = (PaymentStatus.PAID, PaymentStatus.CANCELLED)


@attributed
@transaction.atomic
def award_claw_back(
    *,
    award: Award,
    by: User,
    amount: Decimal,
    reason: str,
    recovered_on: datetime.date,
    end_award: bool,
    today: datetime.date | None = None,
) -> LedgerEntry:
    """Records money recovered from the grant holder: never more than has been paid. When
    the grant is ended for it, the award is clawed back and its unpaid payments cancelled
    (an approved one is with finance, who must be told not to pay it)."""
    require_perm(by, "grants.manage_payments", award)
    award = Award.objects.select_for_update().get(pk=award.pk)
    today = today or timezone.localdate()
    if award.status != AwardStatus.ACTIVE:
        raise ValidationError(
            f"Money is clawed back from an active award: {award.reference} is "
            f"{award.get_status_display().lower()}"
        )
    reason = reason.strip()
    errors = {}
    paid = paid_so_far(award)
    if amount <= 0:
        errors["amount"] = "Enter the amount recovered, more than £0"
    elif amount > paid:
        errors["amount"] = (
            f"Only {money(paid)} has been paid (less what was recovered before): no more than "
            "that can be recovered"
        )
    if recovered_on > today:
        errors["recovered_on"] = "The date cannot be in the future"
    if not reason:
        errors["reason"] = "Say why the money is recovered"
    if errors:
        raise ValidationError(errors)
    year = fiscal.year_of(recovered_on)
    split = ledger_split(award, -amount, year)
    entry = LedgerEntry.objects.create(
        award=award,
        kind=LedgerKind.CLAWBACK,
        entry_date=recovered_on,
        financial_year=year,
        amount=-amount,
        labour=split[CostKind.LABOUR],
        non_labour=split[CostKind.NON_LABOUR],
        reason=reason,
        created_by=by,
    )
    if end_award:
        for payment in award.payments.exclude(status__in=SETTLED_PAYMENTS):
            move(
                PAYMENT,
                payment,
                PaymentStatus.CANCELLED,
                by=by,
                reason=f"The award was clawed back: {reason}",
            )
        move(AWARD, award, AwardStatus.CLAWED_BACK, by=by, reason=f"{money(amount)}: {reason}")
    return entry


def close_out_problems(award: Award) -> list[str]:
    """What the portal itself checks before an award is closed, each said so that staff
    know what to do; empty when it may be closed."""
    problems = []
    for monitoring_return in award.returns.all():
        if monitoring_return.status != ReturnStatus.ACCEPTED:
            problems.append(
                f"{monitoring_return.get_kind_display()} {monitoring_return.number}: "
                f"{monitoring_return.get_status_display().lower()}, not accepted"
            )
    for payment in award.payments.all():
        if payment.status not in SETTLED_PAYMENTS:
            problems.append(
                f"Payment {payment.number}: {payment.get_status_display().lower()}, not paid"
            )
    return problems


@attributed
def award_close(*, award: Award, by: User, confirmed: list[str], note: str) -> Award:
    """Closes the award once every return is accepted (the final report with them) and
    every payment made, with staff's confirmation of each item of the close-out."""
    require_perm(by, "grants.manage_awards", award)
    missing = [item for item in CloseOutItem.values if item not in confirmed]
    if missing:
        raise ValidationError(
            {
                "confirmed": "Confirm every item of the close-out: "
                + "; ".join(CloseOutItem(item).label.lower() for item in missing)
            }
        )

    def guard(locked: Award) -> None:
        problems = close_out_problems(locked)
        if problems:
            raise ValidationError(["The award cannot be closed yet:", *problems])

    with transaction.atomic():
        closed = move(
            AWARD,
            award,
            AwardStatus.CLOSED,
            by=by,
            reason=note.strip() or "Closed out",
            guard=guard,
        )
        CloseOut.objects.create(
            award=closed, confirmed=list(CloseOutItem.values), note=note.strip(), closed_by=by
        )
    return closed

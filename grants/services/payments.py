"""Payments in arrears: a payment falls due when the return before it is accepted; one
member of staff raises it and another approves it (never the same person); approved, it goes
to finance in the export and is then marked paid with its date, which writes it to the
ledger. A payment is held while any return of the award is overdue."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import User
from svd_portal.history import attributed
from svd_portal.permissions import require_perm
from svd_portal.workflow import Workflow, move

from .. import fiscal, money
from ..enums import OPEN_RETURN_STATUSES, CostKind, LedgerKind, PaymentStatus
from ..models import Award, LedgerEntry, Payment, PaymentStatusChange

P = PaymentStatus
PAYMENT_MOVES = {
    P.SCHEDULED: {P.DUE, P.CANCELLED},
    P.DUE: {P.RAISED, P.CANCELLED},
    P.RAISED: {P.APPROVED, P.CANCELLED},
    # An approved payment is with finance: cancelling it means telling finance not to pay.
    P.APPROVED: {P.PAID, P.CANCELLED},
    P.PAID: set(),
    P.CANCELLED: set(),
}
PAYMENT = Workflow(Payment, PAYMENT_MOVES, noun="A payment", log=PaymentStatusChange)


def hold_reasons(award: Award, *, today: datetime.date | None = None) -> list[str]:
    """Why the award's payments are held: each of its returns that is overdue."""
    today = today or timezone.localdate()
    overdue = award.returns.filter(
        status__in=sorted(OPEN_RETURN_STATUSES), due_on__lt=today
    ).order_by("number")
    return [
        f"Return {award.reference}-R{r.number} was due on {r.due_on:%-d %B %Y} and has not "
        "been submitted"
        for r in overdue
    ]


def _not_held(payment: Payment, today: datetime.date | None) -> None:
    reasons = hold_reasons(payment.award, today=today)
    if reasons:
        raise ValidationError(
            ["The payment is held until the overdue returns are submitted:", *reasons]
        )


@attributed
def payment_raise(*, payment: Payment, by: User, today: datetime.date | None = None) -> Payment:
    """A member of staff raises a payment that is due, for another to approve."""
    require_perm(by, "grants.manage_payments", payment.award)
    return move(
        PAYMENT,
        payment,
        P.RAISED,
        by=by,
        guard=lambda locked: _not_held(locked, today),
        changes={"raised_by": by, "raised_at": timezone.now()},
    )


@attributed
def payment_approve(*, payment: Payment, by: User, today: datetime.date | None = None) -> Payment:
    """Another member of staff than whoever raised it approves the payment, to the bank
    details verified for the organisation."""
    require_perm(by, "grants.manage_payments", payment.award)

    def guard(locked: Payment) -> None:
        if locked.raised_by_id == by.pk:
            raise ValidationError(
                "You raised this payment: another member of staff must approve it"
            )
        account = getattr(locked.award.organisation, "bank_account", None)
        if account is None or not account.is_verified:
            raise ValidationError(
                f"{locked.award.organisation.name}'s bank details are not verified: verify "
                "them before approving a payment"
            )
        _not_held(locked, today)

    return move(
        PAYMENT,
        payment,
        P.APPROVED,
        by=by,
        guard=guard,
        changes={"approved_by": by, "approved_at": timezone.now()},
    )


def ledger_split(award: Award, amount: Decimal, financial_year: str) -> dict[str, Decimal]:
    """How money paid on the award in a financial year divides labour / non-labour: as the
    award's own split of that year, or of the whole award when it has none that year."""
    splits = list(award.splits.all())
    weights = {}
    for split in [s for s in splits if s.financial_year == financial_year] or splits:
        weights[split.cost_kind] = weights.get(split.cost_kind, Decimal("0")) + split.amount
    order = [kind for kind in (CostKind.LABOUR, CostKind.NON_LABOUR) if kind in weights]
    shares = money.apportion(abs(amount), weights, order=order)
    sign = -1 if amount < 0 else 1
    return {kind: sign * shares.get(kind, Decimal("0.00")) for kind in CostKind.values}


@attributed
@transaction.atomic
def payment_mark_paid(
    *, payment: Payment, by: User, paid_on: datetime.date, today: datetime.date | None = None
) -> Payment:
    """Finance has paid an approved payment on `paid_on`: it is marked paid and written to
    the ledger, split labour / non-labour."""
    require_perm(by, "grants.manage_payments", payment.award)
    today = today or timezone.localdate()

    def guard(locked: Payment) -> None:
        if paid_on > today:
            raise ValidationError({"paid_on": "The date paid cannot be in the future"})
        if locked.approved_at and paid_on < timezone.localtime(locked.approved_at).date():
            raise ValidationError(
                {"paid_on": "The date paid cannot be before the payment was approved"}
            )

    paid = move(PAYMENT, payment, P.PAID, by=by, guard=guard, changes={"paid_on": paid_on})
    year = fiscal.year_of(paid_on)
    split = ledger_split(paid.award, paid.amount, year)
    LedgerEntry.objects.create(
        award=paid.award,
        kind=LedgerKind.PAYMENT,
        payment=paid,
        entry_date=paid_on,
        financial_year=year,
        amount=paid.amount,
        labour=split[CostKind.LABOUR],
        non_labour=split[CostKind.NON_LABOUR],
        created_by=by,
    )
    return paid

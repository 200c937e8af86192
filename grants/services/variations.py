"""Variations of an award once its holder has accepted it: a change of its amount (in one
financial year and kind of cost), of the end of its delivery, of its targets or of its
budget lines, proposed with a reason by the grant holder or OPCC staff. Staff decide it;
when the amount changes by more than VARIATION_PCC_THRESHOLD the PCC does, on a decision
record the decisions app drafts for it (`variation_refer`) and whose signature settles it
(`variation_settle`). Underspend moves between two awards of one stream as a pair of
variations, one of each, decided together.

Approved, a variation changes the award as one transaction: the stream's money is checked
under its row lock, the returns are planned again to the new end of delivery (those already
submitted stay as they are), and what is not yet paid or due is shared equally among the
payments still scheduled, so that the ledger's rule holds: paid + due + scheduled never
exceeds the award."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from partners.models import User
from svd_portal.formatting import in_sentence, money
from svd_portal.history import attributed
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Workflow, move

from .. import fiscal
from .. import money as award_money
from ..enums import (
    OPEN_VARIATION_STATUSES,
    AwardStatus,
    CostKind,
    PaymentStatus,
    ReturnKind,
    ReturnStatus,
    VariationStatus,
)
from ..models import (
    Award,
    AwardSplit,
    AwardTarget,
    BudgetLine,
    MonitoringReturn,
    Payment,
    Variation,
    VariationStatusChange,
)
from .delivery import planned_returns
from .payments import PAYMENT

V = VariationStatus
VARIATION_MOVES = {
    V.PROPOSED: {V.APPROVED, V.REFUSED, V.WITHDRAWN, V.AWAITING_DECISION},
    V.AWAITING_DECISION: {V.APPROVED, V.REFUSED},
    V.APPROVED: set(),
    V.REFUSED: set(),
    V.WITHDRAWN: set(),
}
VARIATION = Workflow(Variation, VARIATION_MOVES, noun="A variation", log=VariationStatusChange)
# An award varies once its holder has accepted it and until it ends.
VARIABLE_STATUSES = frozenset({AwardStatus.ACCEPTED, AwardStatus.ACTIVE})
ZERO = Decimal("0.00")


def needs_pcc_decision(variation: Variation) -> bool:
    """Whether the amount changes by more than staff may decide on their own."""
    return abs(variation.amount_change) > settings.VARIATION_PCC_THRESHOLD


def _check_variable(award: Award) -> None:
    if award.status not in VARIABLE_STATUSES:
        raise ValidationError(
            f"An award is varied once accepted and until it ends: {award.reference} is "
            f"{award.get_status_display().lower()}"
        )


def _may_propose(by: User, award: Award) -> None:
    if not (
        by.has_perm("grants.manage_awards", award) or by.has_perm("grants.report_on_award", award)
    ):
        raise PermissionDenied(
            "Only the grant holder's members or OPCC staff can propose a variation"
        )


def committed_payments(award: Award) -> Decimal:
    """What the award's payments have paid or are on their way to paying (due, raised,
    approved, paid): a variation cannot take the award below it."""
    return sum(
        (
            payment.amount
            for payment in award.payments.all()
            if payment.status not in (PaymentStatus.SCHEDULED, PaymentStatus.CANCELLED)
        ),
        ZERO,
    )


def _last_submitted(award: Award) -> MonitoringReturn | None:
    return (
        award.returns.exclude(status=ReturnStatus.DRAFT).order_by("-number").first()
        if award.pk
        else None
    )


def _changes(
    award: Award,
    *,
    reason: str,
    amount_change: Decimal,
    change_year: str,
    change_kind: str,
    new_ends_on,
    targets: dict[int, int],
    budget: dict[int, Decimal],
) -> dict:
    """The variation's fields from what was asked, each part checked against the award as
    it stands; every reason for refusal at once."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why the change is needed"
    fields: dict = {
        "reason": reason.strip(),
        "previous_amount": award.amount,
        "previous_ends_on": award.delivery_ends_on,
        "amount_change": ZERO,
        "change_year": "",
        "change_kind": "",
        "new_ends_on": None,
        "target_changes": {},
        "budget_changes": {},
    }
    amount_change = amount_change or ZERO
    if amount_change:
        splits = {(s.financial_year, s.cost_kind): s.amount for s in award.splits.all()}
        years = sorted(
            {year for year, _ in splits}
            | set(
                fiscal.years_between(
                    award.delivery_starts_on, new_ends_on or award.delivery_ends_on
                )
            )
        )
        floor = committed_payments(award)
        if change_year not in years:
            errors["change_year"] = "Choose a financial year the grant delivers in: " + ", ".join(
                years
            )
        elif change_kind not in CostKind.values:
            errors["change_kind"] = "Choose whether the change is to labour or non-labour money"
        elif splits.get((change_year, change_kind), ZERO) + amount_change < 0:
            held = splits.get((change_year, change_kind), ZERO)
            errors["amount_change"] = (
                f"The award holds {money(held)} of {change_year}'s "
                f"{award_money.kind_name(change_kind)} money: it cannot be reduced by more"
            )
        elif award.amount + amount_change <= 0:
            errors["amount_change"] = (
                "An award cannot be reduced to £0 or less: to end it, recover the money "
                "paid or withdraw it"
            )
        elif award.amount + amount_change < floor:
            errors["amount_change"] = (
                f"{money(floor)} of the award is paid or due to be paid: it cannot be reduced "
                "below that"
            )
        fields.update(amount_change=amount_change, change_year=change_year, change_kind=change_kind)
    if new_ends_on and new_ends_on != award.delivery_ends_on:
        last = _last_submitted(award)
        if new_ends_on <= award.delivery_starts_on:
            errors["new_ends_on"] = "Delivery must end after it starts"
        elif last is not None and last.kind == ReturnKind.FINAL:
            errors["new_ends_on"] = (
                "The final report has been submitted: the end of delivery can no longer change"
            )
        elif last is not None and new_ends_on <= last.period_ends_on:
            errors["new_ends_on"] = (
                f"Return {last.reference}, already submitted, reports to "
                f"{last.period_ends_on:%-d %B %Y}: delivery must end after that"
            )
        fields["new_ends_on"] = new_ends_on
    current_targets = {t.pk: t for t in award.targets.all()}
    for pk, figure in (targets or {}).items():
        target = current_targets.get(pk)
        if target is None:
            errors["targets"] = "A target must be one of the award's"
        elif figure is None or figure < 0:
            errors["targets"] = "A target cannot be less than 0"
        elif figure != target.target:
            fields["target_changes"][str(pk)] = [target.target, figure]
    current_lines = {line.pk: line for line in award.application.budget_lines.all()}
    for pk, amount in (budget or {}).items():
        line = current_lines.get(pk)
        if line is None:
            errors["budget"] = "A budget line must be one of the award's"
        elif amount is None or amount < 0:
            errors["budget"] = "A budget line cannot be less than £0"
        elif amount != line.amount:
            fields["budget_changes"][str(pk)] = [str(line.amount), str(amount)]
    nothing = not (
        fields["amount_change"]
        or fields["new_ends_on"]
        or fields["target_changes"]
        or fields["budget_changes"]
    )
    if nothing and not errors:
        errors["__all__"] = (
            "Change at least one thing: the amount, the end of delivery, a target or a budget line"
        )
    if errors:
        raise ValidationError(errors)
    return fields


def _email(moved) -> None:
    enqueue("grants.send_variation_email", variation_id=moved.instance.pk)


@attributed
@transaction.atomic
def variation_propose(
    *,
    award: Award,
    by: User,
    reason: str,
    amount_change: Decimal = ZERO,
    change_year: str = "",
    change_kind: str = "",
    new_ends_on=None,
    targets: dict[int, int] | None = None,
    budget: dict[int, Decimal] | None = None,
) -> Variation:
    """Proposes a variation of the award: by a member of its holder or by OPCC staff, while
    the award is accepted or active and no other variation of it is open."""
    _may_propose(by, award)
    award = Award.objects.select_for_update().get(pk=award.pk)
    _check_variable(award)
    open_one = award.variations.filter(status__in=sorted(OPEN_VARIATION_STATUSES)).first()
    if open_one is not None:
        raise ValidationError(
            f"Variation {open_one.reference} is still open: it must be decided or withdrawn "
            "before another is proposed"
        )
    fields = _changes(
        award,
        reason=reason,
        amount_change=amount_change,
        change_year=change_year,
        change_kind=change_kind,
        new_ends_on=new_ends_on,
        targets=targets or {},
        budget=budget or {},
    )
    number = (award.variations.aggregate(last=Max("number"))["last"] or 0) + 1
    variation = Variation.objects.create(award=award, number=number, proposed_by=by, **fields)
    VariationStatusChange.objects.create(
        variation=variation, from_status="", to_status=V.PROPOSED, changed_by=by
    )
    transaction.on_commit(lambda: enqueue("grants.send_variation_email", variation_id=variation.pk))
    return variation


@attributed
@transaction.atomic
def reallocation_propose(
    *,
    from_award: Award,
    to_award: Award,
    by: User,
    amount: Decimal,
    financial_year: str,
    cost_kind: str,
    reason: str,
) -> Variation:
    """Moves underspend of one award to another of the same stream: a variation of each
    (less on the first, more on the second, in the same year and kind of cost), paired so
    that they are decided together. Staff only. Returns the first."""
    require_perm(by, "grants.manage_awards", from_award)
    if to_award.pk == from_award.pk:
        raise ValidationError({"to_award": "Choose another award to move the money to"})
    if from_award.stream_id is None or to_award.stream_id != from_award.stream_id:
        raise ValidationError(
            {"to_award": "Underspend moves only between awards of one funding stream"}
        )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter an amount more than £0"})
    first = variation_propose(
        award=from_award,
        by=by,
        reason=reason,
        amount_change=-amount,
        change_year=financial_year,
        change_kind=cost_kind,
    )
    try:
        second = variation_propose(
            award=to_award,
            by=by,
            reason=reason,
            amount_change=amount,
            change_year=financial_year,
            change_kind=cost_kind,
        )
    except ValidationError as error:
        raise ValidationError(
            [f"{to_award.reference} cannot take the money:", *error.messages]
        ) from error
    second.paired_with = first
    second.save(update_fields=["paired_with"])
    first.paired_with = second
    first.save(update_fields=["paired_with"])
    return first


def _pair(variation: Variation) -> list[Variation]:
    """The variation and its pair, the one taking money first, so that money the first
    frees in the stream is there for the second."""
    pair = [variation]
    if variation.paired_with_id:
        pair.append(Variation.objects.get(pk=variation.paired_with_id))
    return sorted(pair, key=lambda v: v.amount_change)


@attributed
@transaction.atomic
def variation_withdraw(*, variation: Variation, by: User) -> Variation:
    """The proposer, or staff, withdraws a variation not yet decided (with its pair)."""
    if by.pk != variation.proposed_by_id:
        require_perm(
            by,
            "grants.manage_awards",
            variation.award,
            message="Only who proposed a variation, or OPCC staff, can withdraw it",
        )
    for each in _pair(variation):
        move(VARIATION, each, V.WITHDRAWN, by=by)
    return Variation.objects.get(pk=variation.pk)


@attributed
@transaction.atomic
def variation_decide(*, variation: Variation, by: User, approve: bool, note: str = "") -> Variation:
    """Staff approve a variation, which changes the award, or refuse it with a reason. A
    change of the amount above the threshold is the PCC's to decide, on a decision record."""
    require_perm(
        by, "grants.manage_awards", variation.award, message="Only OPCC staff decide variations"
    )
    variation = Variation.objects.select_for_update().get(pk=variation.pk)
    if variation.status != V.PROPOSED:
        raise ValidationError(
            f"Variation {variation.reference} is "
            f"{in_sentence(variation.get_status_display())}: it is no longer staff's to decide"
        )
    if approve and needs_pcc_decision(variation):
        raise ValidationError(
            f"A change of the amount of more than {money(settings.VARIATION_PCC_THRESHOLD)} "
            "is decided by the PCC: prepare a decision record for it"
        )
    if not approve and not note.strip():
        raise ValidationError({"note": "Say why the variation is refused"})
    _settle(variation, by=by, approve=approve, note=note)
    return Variation.objects.get(pk=variation.pk)


@transaction.atomic
def variation_refer(*, variation: Variation, by: User) -> Variation:
    """The variation (with its pair) waits for the PCC's decision: called by the decisions
    app as it drafts the record that links it."""
    require_perm(by, "grants.manage_awards", variation.award)
    variation = Variation.objects.select_for_update().get(pk=variation.pk)
    # Said here rather than by the workflow: a second click on the button, or a page left
    # open, would otherwise read "cannot move from waiting to waiting".
    if variation.status == V.AWAITING_DECISION:
        raise ValidationError(
            f"Variation {variation.reference} is waiting for the PCC's decision: its decision "
            "record is drafted already"
        )
    if variation.status != V.PROPOSED:
        raise ValidationError(
            f"Variation {variation.reference} is {in_sentence(variation.get_status_display())}: "
            "only a proposed variation goes to the PCC"
        )
    if not needs_pcc_decision(variation):
        raise ValidationError(
            f"Variation {variation.reference} is within what staff decide: approve or refuse it "
            "on its page"
        )
    for each in _pair(variation):
        move(VARIATION, each, V.AWAITING_DECISION, by=by, reason="A PCC decision record is drafted")
    return Variation.objects.get(pk=variation.pk)


@transaction.atomic
def variation_settle(
    *, variation: Variation, by: User, approved: bool, decision_reference: str
) -> Variation:
    """The PCC signed the decision record linking the variation: approved, it changes the
    award (or the signature is refused, nothing changed, with why); not approved, it is
    refused. Called by the decisions app, which has checked the signature."""
    require_perm(by, "grants.decide_variation", variation.award)
    variation = Variation.objects.select_for_update().get(pk=variation.pk)
    if variation.status != V.AWAITING_DECISION:
        raise ValidationError(
            f"Variation {variation.reference} is {in_sentence(variation.get_status_display())}, "
            "not waiting for the PCC's decision"
        )
    note = f"PCC decision {decision_reference}: {'approved' if approved else 'not approved'}"
    _settle(variation, by=by, approve=approved, note=note, decision_reference=decision_reference)
    return Variation.objects.get(pk=variation.pk)


def _settle(
    variation: Variation, *, by: User, approve: bool, note: str, decision_reference: str = ""
) -> None:
    for each in _pair(variation):
        changes = {
            "decided_by": by,
            "decided_at": timezone.now(),
            "decision_note": note.strip(),
            "decision_reference": decision_reference,
        }
        if approve:
            amount, ends_on = _apply(each)
            changes.update(previous_amount=amount, previous_ends_on=ends_on)
        move(
            VARIATION,
            each,
            V.APPROVED if approve else V.REFUSED,
            by=by,
            reason=note,
            changes=changes,
            then=_email,
        )


# --- Applying an approved variation ------------------------------------------------------


def _apply(variation: Variation) -> tuple:
    """Changes the award as the variation says, all or nothing; returns its amount and end
    of delivery as they were just before."""
    award = Award.objects.select_for_update().get(pk=variation.award_id)
    _check_variable(award)
    before = (award.amount, award.delivery_ends_on)
    prefix = f"Variation {variation.reference} cannot be made: "
    if variation.amount_change:
        _change_amount(award, variation, prefix)
    if variation.new_ends_on and variation.new_ends_on != award.delivery_ends_on:
        award.delivery_ends_on = variation.new_ends_on
        _plan_returns_again(award, prefix)
    award.save(update_fields=["amount", "delivery_ends_on"])
    for pk, (_, figure) in variation.target_changes.items():
        target = AwardTarget.objects.get(pk=int(pk), award=award)
        target.target = figure
        target.save(update_fields=["target"])
    for pk, (_, amount) in variation.budget_changes.items():
        line = BudgetLine.objects.get(pk=int(pk), application_id=award.application_id)
        line.amount = Decimal(amount)
        line.save(update_fields=["amount"])
    _share_what_is_left(award, variation, prefix)
    return before


def _change_amount(award: Award, variation: Variation, prefix: str) -> None:
    change, year, kind = variation.amount_change, variation.change_year, variation.change_kind
    if change > 0 and award.stream_id:
        problems = award_money.allocation_problems(award.stream, {(year, kind): change}, lock=True)
        if problems:
            raise ValidationError(prefix + "; ".join(problems))
    split = (
        AwardSplit.objects.select_for_update()
        .filter(award=award, financial_year=year, cost_kind=kind)
        .first()
    )
    held = split.amount if split else ZERO
    if held + change < 0:
        raise ValidationError(
            prefix + f"the award holds only {money(held)} of {year}'s "
            f"{award_money.kind_name(kind)} money"
        )
    if split is None:
        AwardSplit.objects.create(award=award, financial_year=year, cost_kind=kind, amount=change)
    elif held + change == 0:
        split.delete()
    else:
        split.amount = held + change
        split.save(update_fields=["amount"])
    award.amount += change
    if award.amount <= 0:
        raise ValidationError(prefix + "the award would be £0 or less")


def _plan_returns_again(award: Award, prefix: str) -> None:
    """Returns to the new end of delivery: those submitted stay as they are, the drafts
    after them take the new periods (keeping what was typed in them), new ones are added
    with a scheduled payment each, and drafts past the new end go with their payments,
    unless something was saved in them."""
    plan = planned_returns(award, award.return_frequency)
    returns = list(award.returns.select_for_update().order_by("number"))
    kept = max((r.number for r in returns if r.status != ReturnStatus.DRAFT), default=0)
    if kept > len(plan) or any(
        r.period_ends_on != plan[r.number - 1].ends_on for r in returns if r.number <= kept
    ):
        raise ValidationError(prefix + "a return already submitted would change its period")
    by_number = {r.number: r for r in returns}
    for planned in plan[kept:]:
        existing = by_number.pop(planned.number, None)
        fields = {
            "kind": planned.kind,
            "period_starts_on": planned.starts_on,
            "period_ends_on": planned.ends_on,
            "due_on": planned.due_on,
        }
        if existing is None:
            new = MonitoringReturn.objects.create(award=award, number=planned.number, **fields)
            number = (award.payments.aggregate(last=Max("number"))["last"] or 0) + 1
            # A penny for now: what is left to pay is shared out once the plan is made.
            Payment.objects.create(
                award=award, number=number, amount=Decimal("0.01"), after_return=new
            )
            continue
        if existing.due_on != planned.due_on:
            existing.reminders.all().delete()
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(fields))
    for surplus in by_number.values():
        if surplus.number <= kept:
            continue
        if surplus.saved_at or surplus.attachments.exists():
            raise ValidationError(
                prefix + f"return {surplus.reference} has work saved in it and would no longer "
                "be needed"
            )
        Payment.objects.filter(after_return=surplus, status=PaymentStatus.SCHEDULED).delete()
        surplus.delete()


def _share_what_is_left(award: Award, variation: Variation, prefix: str) -> None:
    """What is not yet paid or due, shared equally among the payments still scheduled; those
    left with nothing are cancelled."""
    payments = list(award.payments.select_for_update().order_by("number"))
    scheduled = [p for p in payments if p.status == PaymentStatus.SCHEDULED]
    left = award.amount - committed_payments(award)
    if left < 0:
        raise ValidationError(
            prefix + f"{money(award.amount - left)} of the award is paid or due to be paid"
        )
    if left > 0 and not scheduled:
        raise ValidationError(
            prefix + "every payment of the award is paid or due, so none is left to carry "
            "the change: extend the delivery too, which adds a return and its payment"
        )
    if left == 0:
        for payment in scheduled:
            move(
                PAYMENT,
                payment,
                PaymentStatus.CANCELLED,
                reason=f"Variation {variation.reference}: nothing is left to pay",
            )
        return
    parts = award_money.in_equal_parts(left, len(scheduled))
    # Fewer pennies left than payments: the payments past them are cancelled.
    parts += [ZERO] * (len(scheduled) - len(parts))
    for payment, amount in zip(scheduled, parts, strict=True):
        if amount == 0:
            move(
                PAYMENT,
                payment,
                PaymentStatus.CANCELLED,
                reason=f"Variation {variation.reference}: nothing is left to pay",
            )
        elif payment.amount != amount:
            payment.amount = amount
            payment.save(update_fields=["amount"])

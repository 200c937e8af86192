"""An award's delivery plan, which staff set before the offer and the agreement states: the
targets its delivery is counted by, its monitoring returns (every quarter or six months of
the financial year, the last one the final report) and the payments in arrears, one after
each return, that add up to the award."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import SuccessMeasure, User
from svd_portal.formatting import money as pounds
from svd_portal.history import attributed
from svd_portal.permissions import require_perm

from .. import fiscal, money
from ..enums import OUTPUT_KINDS, AwardStatus, ReturnFrequency, ReturnKind, TargetKind
from ..models import Award, AwardTarget, MonitoringReturn, Payment

MONTHS = {ReturnFrequency.QUARTERLY: 3, ReturnFrequency.HALF_YEARLY: 6}


@dataclass(frozen=True)
class PlannedReturn:
    number: int
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date
    due_on: datetime.date


def planned_returns(award: Award, frequency: str) -> list[PlannedReturn]:
    """The returns of an award reporting at `frequency`: one for each quarter (or half) of
    the financial year its delivery touches; the last is the final report."""
    periods = fiscal.periods_between(
        award.delivery_starts_on, award.delivery_ends_on, months=MONTHS[frequency]
    )
    planned = []
    for number, (starts_on, ends_on) in enumerate(periods, start=1):
        final = number == len(periods)
        days = settings.FINAL_REPORT_DUE_DAYS if final else settings.RETURN_DUE_DAYS
        planned.append(
            PlannedReturn(
                number=number,
                kind=ReturnKind.FINAL if final else ReturnKind.PROGRESS,
                starts_on=starts_on,
                ends_on=ends_on,
                due_on=ends_on + datetime.timedelta(days=days),
            )
        )
    return planned


def outcome_measures(award: Award) -> list[SuccessMeasure]:
    """The success measures the application linked its outcomes to: one outcome target each."""
    return list(award.application.success_measures.order_by("-is_home_office", "title"))


def plan_tranches(award: Award, frequency: str) -> list[Decimal]:
    """The payments as the plan has them, or else the award in equal parts, one per return."""
    count = len(planned_returns(award, frequency))
    saved = [payment.amount for payment in award.payments.order_by("number")]
    if award.plan_set_at and award.return_frequency == frequency and len(saved) == count:
        return saved
    return money.in_equal_parts(award.amount, count)


@attributed
@transaction.atomic
def award_plan_save(
    *,
    award: Award,
    by: User,
    frequency: str,
    outputs: dict[str, int],
    outcomes: dict[int, tuple[str, int]],
    tranches: list[Decimal],
) -> Award:
    """Sets the award's delivery plan: its targets (`outputs` by kind; `outcomes` by success
    measure, each its description and target), how often it reports, and its payments in
    the order of the returns they follow. Set again, it replaces the plan: nothing of it has
    started before the offer, and after the offer it changes only by a variation."""
    require_perm(by, "grants.manage_awards", award)
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != AwardStatus.DUE_DILIGENCE:
        raise ValidationError(
            f"The delivery plan is set before the offer: this award is "
            f"{award.get_status_display().lower()}"
        )
    if frequency not in MONTHS:
        raise ValidationError({"frequency": "Choose how often the grant holder reports"})
    returns = planned_returns(award, frequency)
    measures = {measure.pk: measure for measure in outcome_measures(award)}
    errors = {}
    if sorted(outputs) != sorted(OUTPUT_KINDS):
        errors["outputs"] = "Enter a target for each age band and for sessions"
    if any(value < 0 for value in outputs.values()):
        errors["outputs"] = "A target cannot be less than 0"
    if set(outcomes) - set(measures):
        errors["outcomes"] = "An outcome must be one of the success measures the bid named"
    elif any(not description.strip() or target < 0 for description, target in outcomes.values()):
        errors["outcomes"] = "Describe each outcome and give its target (0 or more)"
    if len(tranches) != len(returns):
        errors["tranches"] = f"Enter one payment for each of the {len(returns)} returns"
    elif any(amount <= 0 for amount in tranches):
        errors["tranches"] = "Each payment must be more than £0"
    elif (total := sum(tranches, Decimal("0"))) != award.amount:
        errors["tranches"] = (
            f"The payments add up to {pounds(total)}: they must add up to the award, "
            f"{pounds(award.amount)}"
        )
    if errors:
        raise ValidationError(errors)
    # Before the offer nothing reports against or pays from the plan: it is made afresh.
    award.payments.all().delete()
    award.returns.all().delete()
    award.targets.all().delete()
    AwardTarget.objects.bulk_create(
        [
            AwardTarget(award=award, kind=kind, target=outputs[kind], position=position)
            for position, kind in enumerate(OUTPUT_KINDS)
        ]
        + [
            AwardTarget(
                award=award,
                kind=TargetKind.OUTCOME,
                success_measure=measures[pk],
                description=description.strip(),
                target=target,
                position=len(OUTPUT_KINDS) + position,
            )
            for position, (pk, (description, target)) in enumerate(sorted(outcomes.items()))
        ]
    )
    saved_returns = MonitoringReturn.objects.bulk_create(
        [
            MonitoringReturn(
                award=award,
                number=planned.number,
                kind=planned.kind,
                period_starts_on=planned.starts_on,
                period_ends_on=planned.ends_on,
                due_on=planned.due_on,
            )
            for planned in returns
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(award=award, number=number, amount=amount, after_return=after)
            for number, (amount, after) in enumerate(
                zip(tranches, saved_returns, strict=True), start=1
            )
        ]
    )
    award.return_frequency = frequency
    award.plan_set_at, award.plan_set_by = timezone.now(), by
    award.save(update_fields=["return_frequency", "plan_set_at", "plan_set_by"])
    return award

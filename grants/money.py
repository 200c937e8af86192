"""The arithmetic of the money after the signature, shared by the services that commit it
and the pages that warn before they would: how an award splits by financial year and
kind of cost, what a stream's year has committed, and whether awards fit what is left."""

import datetime
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db.models import Sum

from svd_portal.formatting import money

from . import fiscal
from .enums import UNCOMMITTED_AWARD_STATUSES, CostKind
from .models import AwardSplit, BudgetLine, FundingStream, StreamAllocation

PENNY = Decimal("0.01")


def apportion(amount: Decimal, weights: dict, *, order: list | None = None) -> dict:
    """`amount` shared among the keys of `weights` in their proportions, in pennies that add
    up to `amount` exactly: the pennies left over by rounding go to the largest remainders,
    the earliest (in `order`, else the keys sorted) first. Keys whose share is nothing are
    left out."""
    total = sum(weights.values(), Decimal("0"))
    keys = order if order is not None else sorted(weights)
    shares = {}
    remainders = []
    for position, key in enumerate(keys):
        exact = amount * weights[key] / total
        shares[key] = exact.quantize(PENNY, rounding=ROUND_DOWN)
        remainders.append((exact - shares[key], -position, key))
    left = int((amount - sum(shares.values())) / PENNY)
    for _, _, key in sorted(remainders, reverse=True)[:left]:
        shares[key] += PENNY
    return {key: share for key, share in shares.items() if share > 0}


def award_splits(
    budget_lines: list[BudgetLine], amount: Decimal, *, delivery_starts_on: datetime.date
) -> dict[tuple[str, str], Decimal]:
    """How an award of `amount` falls by (financial year, kind of cost): in the proportions
    of the application's budget lines, in pennies that add up to `amount` exactly.
    Without a budget, all of it falls in the year delivery starts, as non-labour."""
    budget: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in budget_lines:
        budget[(line.financial_year, line.cost_kind)] += line.amount
    if sum(budget.values(), Decimal("0")) <= 0:
        return {(fiscal.year_of(delivery_starts_on), CostKind.NON_LABOUR): amount}
    return apportion(amount, budget)


def in_equal_parts(amount: Decimal, parts: int) -> list[Decimal]:
    """`amount` in `parts` tranches as equal as pennies allow, the earlier ones a penny
    more where they cannot all be equal."""
    return list(apportion(amount, dict.fromkeys(range(parts), Decimal(1))).values())


def committed_by_kind(*, stream: FundingStream, financial_year: str) -> dict[str, Decimal]:
    """What awards commit against a stream's year, by kind of cost."""
    committed = {kind: Decimal("0.00") for kind in CostKind.values}
    for row in (
        AwardSplit.objects.filter(award__stream=stream, financial_year=financial_year)
        .exclude(award__status__in=sorted(UNCOMMITTED_AWARD_STATUSES))
        .values("cost_kind")
        .annotate(total=Sum("amount"))
    ):
        committed[row["cost_kind"]] = row["total"]
    return committed


def allocation_problems(
    stream: FundingStream, wanted: dict[tuple[str, str], Decimal], *, lock: bool = False
) -> list[str]:
    """Why awards wanting these amounts by (year, kind) would commit more than the stream
    holds, a sentence each; none if they fit. With `lock` (inside the transaction that
    makes them) the year's allocations are locked first, in one order, so that two
    decisions signed at once are judged one after the other."""
    years = sorted({year for year, _ in wanted})
    allocations = StreamAllocation.objects.filter(stream=stream, financial_year__in=years)
    if lock:
        allocations = allocations.select_for_update().order_by("financial_year")
    held = {a.financial_year: a for a in allocations}
    problems = []
    for year in years:
        allocation = held.get(year)
        if allocation is None:
            problems.append(f"the {stream.name} stream has no allocation for {year}")
            continue
        committed = committed_by_kind(stream=stream, financial_year=year)
        for kind in CostKind.values:
            if (year, kind) not in wanted:
                continue
            available = allocation.of_kind(kind) - committed[kind]
            if wanted[(year, kind)] > available:
                problems.append(
                    f"{year}'s {kind_name(kind)} money would be overcommitted by "
                    f"{money(wanted[(year, kind)] - available)} "
                    f"({money(available)} of {money(allocation.of_kind(kind))} is left)"
                )
    return problems


def refusal(problems: list[str]) -> str:
    return (
        "These awards cannot be made: " + "; ".join(problems) + ". OPCC staff can change "
        "the stream's allocation, or the record can be returned to draft."
    )


def kind_name(kind: str) -> str:
    """ "labour" or "non-labour", as a sentence says it."""
    return CostKind(kind).label.split(" (")[0].lower()

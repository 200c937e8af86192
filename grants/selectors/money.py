"""Reads of the money after the signature: each stream's years, and the awards."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import DecimalField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from partners.enums import MembershipStatus
from partners.models import Membership
from partners.validators import org_id
from svd_portal.filters import filter_data

from .. import diligence, fiscal, money
from ..enums import (
    OPEN_RETURN_STATUSES,
    UNCOMMITTED_AWARD_STATUSES,
    AwardStatus,
    CostKind,
    DiligenceItem,
)
from ..filters import AwardFilter
from ..models import (
    Agreement,
    Award,
    AwardSplit,
    AwardTarget,
    BudgetLine,
    DiligenceCheck,
    FundingRound,
    FundingStream,
    LedgerEntry,
    MonitoringReturn,
    Payment,
    StreamAllocation,
)

ZERO = Decimal("0.00")


@dataclass
class Money:
    labour: Decimal = ZERO
    non_labour: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.labour + self.non_labour

    def add(self, kind: str, amount: Decimal) -> None:
        if kind == CostKind.LABOUR:
            self.labour += amount
        else:
            self.non_labour += amount

    def __sub__(self, other: "Money") -> "Money":
        return Money(self.labour - other.labour, self.non_labour - other.non_labour)


@dataclass
class StreamYear:
    """One financial year of a stream: what it holds, what awards commit, what is left."""

    financial_year: str
    allocated: Money = field(default_factory=Money)
    committed: Money = field(default_factory=Money)
    # What the ledger has paid in the year, less what was clawed back.
    paid: Money = field(default_factory=Money)
    has_allocation: bool = False
    # From 1 October to 31 March, money not committed is forecast unspent, and it cannot
    # be carried over.
    unspent_warning: bool = False

    @property
    def remaining(self) -> Money:
        return self.allocated - self.committed

    @property
    def ends_on(self) -> datetime.date:
        return fiscal.ends_on(self.financial_year)


def stream_years(*, stream: FundingStream, today: datetime.date | None = None) -> list[StreamYear]:
    """Every year the stream holds money for or has awards or payments in, oldest first
    (three queries)."""
    today = today or timezone.localdate()
    years: dict[str, StreamYear] = {}
    for allocation in StreamAllocation.objects.filter(stream=stream):
        year = years.setdefault(allocation.financial_year, StreamYear(allocation.financial_year))
        year.allocated = Money(allocation.labour, allocation.non_labour)
        year.has_allocation = True
    for row in (
        AwardSplit.objects.filter(award__stream=stream)
        .exclude(award__status__in=sorted(UNCOMMITTED_AWARD_STATUSES))
        .values("financial_year", "cost_kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        year = years.setdefault(row["financial_year"], StreamYear(row["financial_year"]))
        year.committed.add(row["cost_kind"], row["total"])
    for row in (
        LedgerEntry.objects.filter(award__stream=stream)
        .values("financial_year")
        .annotate(labour=Sum("labour"), non_labour=Sum("non_labour"))
        .order_by()
    ):
        year = years.setdefault(row["financial_year"], StreamYear(row["financial_year"]))
        year.paid = Money(row["labour"], row["non_labour"])
    for year in years.values():
        year.unspent_warning = (
            fiscal.third_quarter_starts_on(year.financial_year)
            <= today
            <= fiscal.ends_on(year.financial_year)
            and year.remaining.total > 0
        )
    return [years[key] for key in sorted(years)]


def streams_for_staff() -> QuerySet[FundingStream]:
    return FundingStream.objects.order_by("name")


def awards_for_staff(*, params) -> AwardFilter:
    """Every award, newest first, filtered by `params` (stream, year, status, words)."""
    # Only what the list and its export show: an export reads every award, and whole rows
    # of three tables made it a second for 2,000 awards.
    awards = (
        Award.objects.select_related("organisation", "stream")
        .only(
            "reference",
            "title",
            "amount",
            "status",
            "decision_reference",
            "created_at",
            "organisation__name",
            "organisation__charity_number",
            "organisation__company_number",
            "stream__name",
        )
        .prefetch_related(
            Prefetch(
                "splits",
                queryset=AwardSplit.objects.only(
                    "award_id", "financial_year", "cost_kind", "amount"
                ).order_by("pk"),
            )
        )
        .order_by("-created_at", "reference")
    )
    return AwardFilter(filter_data(params, AwardFilter), awards)


def awards_for_organisations(*, user) -> QuerySet[Award]:
    """The awards made to the organisations `user` is an active member of, each with what
    the ledger has paid it (`paid`) and its returns still to submit (`open_returns`)."""
    paid = (
        LedgerEntry.objects.filter(award=OuterRef("pk"))
        .values("award")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Award.objects.filter(
            organisation__memberships__user=user,
            organisation__memberships__status=MembershipStatus.ACTIVE,
        )
        .select_related("organisation", "round")
        .annotate(paid=Coalesce(Subquery(paid), Value(ZERO), output_field=DecimalField()))
        .prefetch_related(
            Prefetch(
                "returns",
                queryset=MonitoringReturn.objects.filter(
                    status__in=sorted(OPEN_RETURN_STATUSES)
                ).order_by("number"),
                to_attr="open_returns",
            )
        )
        .order_by("-created_at", "reference")
        .distinct()
    )


class AwardYearRow(NamedTuple):
    """One award's money in one financial year, as the awards export writes it."""

    reference: str
    organisation: str
    org_id: str
    title: str
    stream: str
    financial_year: str
    labour: Decimal
    non_labour: Decimal
    amount: Decimal
    status: str
    decision_reference: str

    @property
    def year_total(self) -> Decimal:
        return self.labour + self.non_labour


def award_year_rows(awards: QuerySet[Award], *, financial_year: str = "") -> Iterator[AwardYearRow]:
    """A row for each of the awards (in their order) and each financial year it has money
    in (only `financial_year` when given), read as plain values in three queries whatever
    the number of awards: an export of thousands is mostly the writing of the file."""
    order = list(awards.values_list("pk", flat=True))
    columns = Award.objects.filter(pk__in=order).values_list(
        "pk",
        "reference",
        "organisation__name",
        "organisation__charity_number",
        "organisation__company_number",
        "title",
        "stream__name",
        "amount",
        "status",
        "decision_reference",
    )
    facts = {row[0]: row[1:] for row in columns}
    splits = AwardSplit.objects.filter(award_id__in=order)
    if financial_year:
        splits = splits.filter(financial_year=financial_year)
    money_by_year: dict[int, dict[str, Money]] = defaultdict(lambda: defaultdict(Money))
    for award_id, year, kind, amount in splits.values_list(
        "award_id", "financial_year", "cost_kind", "amount"
    ):
        money_by_year[award_id][year].add(kind, amount)
    labels = dict(AwardStatus.choices)
    for pk in order:
        reference, name, charity, company, title, stream, amount, status, decision = facts[pk]
        for year, held in sorted(money_by_year[pk].items()):
            yield AwardYearRow(
                reference,
                name,
                org_id(charity_number=charity, company_number=company),
                title,
                stream or "",
                year,
                held.labour,
                held.non_labour,
                amount,
                labels[status],
                decision,
            )


def award_for_page(*, reference: str) -> Award:
    """An award with what its page shows; Award.DoesNotExist when there is none."""
    return (
        Award.objects.select_related(
            "organisation__bank_account",
            "stream",
            "round",
            "application",
            "plan_set_by",
            "close_out__closed_by",
        )
        .prefetch_related(
            "splits",
            Prefetch("ledger", queryset=LedgerEntry.objects.select_related("payment")),
            Prefetch("targets", queryset=AwardTarget.objects.select_related("success_measure")),
            Prefetch("returns", queryset=MonitoringReturn.objects.order_by("number")),
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("raised_by", "approved_by").order_by(
                    "number"
                ),
            ),
            "status_changes__changed_by",
            "checks__recorded_by",
            Prefetch(
                "agreements",
                queryset=Agreement.objects.order_by("-version").prefetch_related("documents"),
            ),
            Prefetch(
                "organisation__memberships",
                queryset=Membership.objects.filter(
                    status=MembershipStatus.ACTIVE, is_signatory=True
                ).select_related("user"),
                to_attr="signatories",
            ),
        )
        .get(reference=reference)
    )


@dataclass(frozen=True)
class ChecklistRow:
    item: str
    label: str
    check: DiligenceCheck | None
    problem: str | None  # None when the item is done


def diligence_checklist(award: Award, *, today: datetime.date | None = None) -> list[ChecklistRow]:
    """The award's due diligence items in order, each with what was recorded and what (if
    anything) still stops the offer. Reads the checks award_for_page prefetched."""
    today = today or timezone.localdate()
    checks = {check.item: check for check in award.checks.all()}
    return [
        ChecklistRow(
            item,
            DiligenceItem(item).label,
            checks.get(item),
            diligence.item_problem(item, checks.get(item), today),
        )
        for item in diligence.required_items(award)
    ]


def schedule_money_problems(
    *, funding_round: FundingRound, awards: dict[int, Decimal]
) -> list[str]:
    """Why signing these awards (application id: amount) would be refused because the
    round's stream cannot hold them, a sentence each: said on the record's page before
    the PCC signs. None for a round on no stream."""
    if not funding_round.stream_id or not awards:
        return []
    lines = defaultdict(list)
    for line in BudgetLine.objects.filter(application_id__in=awards).order_by("pk"):
        lines[line.application_id].append(line)
    wanted: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for application_id, amount in awards.items():
        for key, share in money.award_splits(
            lines[application_id], amount, delivery_starts_on=funding_round.delivery_starts_on
        ).items():
            wanted[key] += share
    return money.allocation_problems(funding_round.stream, wanted)

"""The money dashboard's reads: per stream and financial year what is allocated, committed,
paid and remaining, labour and non-labour; the people reached, sessions and outcomes
against their targets, by priority and by success measure; and whether returns came in
on time. Each is a list of rows that the chart, the table beside it and the CSV all show,
so the three cannot disagree. Each is a fixed number of queries, however many awards."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from .. import fiscal
from ..enums import (
    DELIVERING_AWARD_STATUSES,
    OPEN_RETURN_STATUSES,
    UNCOMMITTED_AWARD_STATUSES,
    AwardStatus,
    CostKind,
    TargetKind,
)
from ..models import (
    AwardSplit,
    AwardTarget,
    FundingStream,
    LedgerEntry,
    MonitoringReturn,
    StreamAllocation,
)

ZERO = Decimal("0.00")
PEOPLE_KINDS = [
    TargetKind.UNDER_18,
    TargetKind.AGED_18_24,
    TargetKind.AGED_25_35,
    TargetKind.OVER_35,
]


@dataclass(frozen=True)
class Scope:
    """What the dashboard is narrowed to: one stream, one financial year, both or neither."""

    stream: FundingStream | None = None
    financial_year: str = ""

    def awards(self, prefix: str = "award__") -> Q:
        """The awards in scope, as a condition on a model `prefix` leads to them from."""
        condition = Q()
        if self.stream:
            condition &= Q(**{f"{prefix}stream": self.stream})
        if self.financial_year:
            # An award is in a year when it has money in it (a subquery, so that an award
            # with labour and non-labour money in the year is not counted twice).
            in_year = AwardSplit.objects.filter(financial_year=self.financial_year)
            condition &= Q(**{f"{prefix}pk__in": in_year.values("award_id")})
        return condition


# --- Money ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyRow:
    """One stream's money of one kind in one financial year."""

    stream: str
    financial_year: str
    kind: str
    allocated: Decimal
    committed: Decimal
    paid: Decimal
    has_allocation: bool

    @property
    def remaining(self) -> Decimal:
        """Allocated and not committed: what could still be awarded."""
        return self.allocated - self.committed

    @property
    def committed_unpaid(self) -> Decimal:
        return max(self.committed - self.paid, ZERO)

    @property
    def kind_label(self) -> str:
        return "Labour" if self.kind == CostKind.LABOUR else "Non-labour"

    @property
    def label(self) -> str:
        return f"{self.stream}, {self.financial_year}, {self.kind_label.lower()}"


@dataclass(frozen=True)
class MoneyTotals:
    allocated: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.committed


def money_rows(scope: Scope) -> list[MoneyRow]:
    """A row per stream, year and kind of cost that holds, commits or has paid anything,
    by stream name, year and kind (four queries)."""
    streams = FundingStream.objects.order_by("name", "pk")
    if scope.stream:
        streams = streams.filter(pk=scope.stream.pk)
    names = dict(streams.values_list("pk", "name"))
    year_filter = Q(financial_year=scope.financial_year) if scope.financial_year else Q()
    cells: dict[tuple[int, str, str], dict] = defaultdict(
        lambda: {"allocated": ZERO, "committed": ZERO, "paid": ZERO, "has_allocation": False}
    )
    for allocation in StreamAllocation.objects.filter(year_filter, stream_id__in=names):
        for kind in CostKind.values:
            cell = cells[(allocation.stream_id, allocation.financial_year, kind)]
            cell["allocated"] = allocation.of_kind(kind)
            cell["has_allocation"] = True
    for row in (
        AwardSplit.objects.filter(year_filter, award__stream_id__in=names)
        .exclude(award__status__in=sorted(UNCOMMITTED_AWARD_STATUSES))
        .values("award__stream_id", "financial_year", "cost_kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        key = (row["award__stream_id"], row["financial_year"], row["cost_kind"])
        cells[key]["committed"] = row["total"]
    for row in (
        LedgerEntry.objects.filter(year_filter, award__stream_id__in=names)
        .values("award__stream_id", "financial_year")
        .annotate(labour=Sum("labour"), non_labour=Sum("non_labour"))
        .order_by()
    ):
        for kind in CostKind.values:
            cells[(row["award__stream_id"], row["financial_year"], kind)]["paid"] = row[kind]
    kind_order = {kind: position for position, kind in enumerate(CostKind.values)}
    keys = sorted(cells, key=lambda key: (names[key[0]], key[0], key[1], kind_order[key[2]]))
    return [
        MoneyRow(
            stream=names[stream], financial_year=year, kind=kind, **cells[(stream, year, kind)]
        )
        for stream, year, kind in keys
    ]


def money_totals(rows: list[MoneyRow]) -> MoneyTotals:
    return MoneyTotals(
        allocated=sum((row.allocated for row in rows), ZERO),
        committed=sum((row.committed for row in rows), ZERO),
        paid=sum((row.paid for row in rows), ZERO),
    )


# --- Delivery against targets -----------------------------------------------------------


@dataclass(frozen=True)
class DeliveryRow:
    """A figure delivered against its target: the sum over the awards in scope of each
    one's target and of its latest accepted actual."""

    group: str
    label: str
    target: int
    actual: int

    @property
    def percent(self) -> int | None:
        """The actual as a whole percentage of the target (None when there is no target)."""
        return round(self.actual * 100 / self.target) if self.target else None


def _targets(scope: Scope) -> QuerySet[AwardTarget]:
    """The targets of accepted awards in scope; each one's `delivered` is the actual of the
    award's latest accepted return (actuals count the whole grant so far)."""
    return AwardTarget.objects.filter(
        scope.awards(), award__status__in=sorted(DELIVERING_AWARD_STATUSES)
    )


def delivery_rows(scope: Scope) -> list[DeliveryRow]:
    """People reached by age band and in all, sessions, and each success measure's
    outcomes; then people and sessions by the strategic priority the application named
    (an award naming two priorities counts under each). Two queries."""
    by_kind: dict[tuple[str, int | None], dict] = {}
    measures: dict[int, str] = {}
    for row in (
        _targets(scope)
        .values("kind", "success_measure_id", "success_measure__title")
        .annotate(target_sum=Sum("target"), actual_sum=Sum("delivered"))
        .order_by()
    ):
        by_kind[(row["kind"], row["success_measure_id"])] = row
        if row["success_measure_id"]:
            measures[row["success_measure_id"]] = row["success_measure__title"]

    def figures(kinds) -> tuple[int, int]:
        found = [row for (kind, _), row in by_kind.items() if kind in kinds]
        return (
            sum(row["target_sum"] for row in found),
            sum(row["actual_sum"] for row in found),
        )

    people = "People reached"
    rows = [
        DeliveryRow(
            people, TargetKind(kind).label.removeprefix("People reached "), *figures({kind})
        )
        for kind in PEOPLE_KINDS
    ]
    rows.append(DeliveryRow(people, "All ages", *figures(set(PEOPLE_KINDS))))
    rows.append(DeliveryRow("Sessions", "Sessions delivered", *figures({TargetKind.SESSIONS})))
    for measure_id, title in sorted(measures.items(), key=lambda item: item[1]):
        row = by_kind[(TargetKind.OUTCOME, measure_id)]
        rows.append(
            DeliveryRow("Outcomes by success measure", title, row["target_sum"], row["actual_sum"])
        )

    by_priority: dict[tuple, dict[str, list[int]]] = defaultdict(
        lambda: {"people": [0, 0], "sessions": [0, 0]}
    )
    for row in (
        _targets(scope)
        .filter(kind__in=[*PEOPLE_KINDS, TargetKind.SESSIONS])
        .values(
            "kind",
            "award__application__priorities__number",
            "award__application__priorities__title",
        )
        .annotate(target_sum=Sum("target"), actual_sum=Sum("delivered"))
        .order_by()
    ):
        number = row["award__application__priorities__number"]
        key = (
            number if number is not None else 10_000,
            f"{number}. {row['award__application__priorities__title']}"
            if number is not None
            else "No priority named",
        )
        figure = by_priority[key]["sessions" if row["kind"] == TargetKind.SESSIONS else "people"]
        figure[0] += row["target_sum"]
        figure[1] += row["actual_sum"]
    for (_, title), figures_of in sorted(by_priority.items()):
        rows.append(DeliveryRow(f"Priority {title}", "People reached", *figures_of["people"]))
        rows.append(DeliveryRow(f"Priority {title}", "Sessions delivered", *figures_of["sessions"]))
    return rows


# --- Returns on time --------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnsRow:
    """The returns due in one financial quarter: submitted by the due date the first time,
    submitted after it, not submitted and overdue, and not due yet."""

    quarter: str
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    not_yet_due: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.not_yet_due


RETURN_COUNTS = ["on_time", "late", "overdue", "not_yet_due"]


def returns_rows(scope: Scope, *, today: datetime.date | None = None) -> list[ReturnsRow]:
    """A row per financial quarter that returns fall due in, the earliest first (one
    query, a row per due date). A return counts as on time when it was first submitted by
    its due date, even if staff sent it back later; the open returns of an award that has
    ended are left out."""
    today = today or timezone.localdate()
    # A year narrows returns by when they fall due, whatever years the award has money in.
    returns = MonitoringReturn.objects.filter(
        Scope(stream=scope.stream).awards(), award__status__in=sorted(DELIVERING_AWARD_STATUSES)
    )
    if scope.financial_year:
        returns = returns.filter(
            due_on__range=(
                fiscal.starts_on(scope.financial_year),
                fiscal.ends_on(scope.financial_year),
            )
        )
    waiting = Q(
        first_submitted_on__isnull=True,
        status__in=sorted(OPEN_RETURN_STATUSES),
        award__status__in=[AwardStatus.ACCEPTED, AwardStatus.ACTIVE],
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RETURN_COUNTS, 0))
    for row in (
        returns.values("due_on")
        .annotate(
            on_time=Count("pk", filter=Q(first_submitted_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(first_submitted_on__gt=F("due_on"))),
            overdue=Count("pk", filter=waiting & Q(due_on__lt=today)),
            not_yet_due=Count("pk", filter=waiting & Q(due_on__gte=today)),
        )
        .order_by()
    ):
        quarter = counts[fiscal.quarter_of(row["due_on"])]
        for name in RETURN_COUNTS:
            quarter[name] += row[name]
    return [
        ReturnsRow(quarter, **counts[quarter])
        for quarter in sorted(counts)
        if sum(counts[quarter].values())
    ]

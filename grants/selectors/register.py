"""The public grants register (SI 2011/3050, Schedule para 3(f)): every award once its
holder accepted it and the decision that made it is published, with its recipient,
amount, purpose, conditions, why it is expected to reduce crime and disorder, its dates,
its decision and what has been paid. Only organisations are named, never people."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Min, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from partners.models import Area, StrategicPriority
from svd_portal.filters import filter_data

from ..enums import DELIVERING_AWARD_STATUSES, AwardStatus, LedgerKind
from ..filters import RegisterFilter
from ..models import Award, AwardStatusChange, FundingRound, LedgerEntry

# An award is on the register once accepted, and stays on it (closed or clawed back too).
REGISTER_STATUSES = DELIVERING_AWARD_STATUSES


def _on_register() -> QuerySet[Award]:
    return Award.objects.filter(
        status__in=sorted(REGISTER_STATUSES), decision_published_on__isnull=False
    )


def register_awards() -> QuerySet[Award]:
    """The awards on the register, with what its list and pages show: paid to date (the
    ledger, less what was clawed back) and the day it was accepted; newest award first."""
    paid = (
        LedgerEntry.objects.filter(award=OuterRef("pk"))
        .order_by()
        .values("award")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    accepted = (
        AwardStatusChange.objects.filter(award=OuterRef("pk"), to_status=AwardStatus.ACCEPTED)
        .order_by()
        .values("award")
        .annotate(first=Min("changed_at"))
        .values("first")
    )
    return (
        _on_register()
        .select_related("organisation", "round")
        .annotate(
            paid_to_date=Coalesce(
                Subquery(paid, output_field=DecimalField(max_digits=12, decimal_places=2)),
                0,
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
            accepted_at=Subquery(accepted),
        )
        .order_by("-created_at", "-reference")
    )


def register_award(*, reference: str) -> Award:
    """One award of the register with its areas and priorities; Award.DoesNotExist when
    it is not on it."""
    return (
        register_awards()
        .select_related("application")
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("name")),
            Prefetch(
                "application__priorities", queryset=StrategicPriority.objects.order_by("number")
            ),
        )
        .get(reference=reference)
    )


@dataclass(frozen=True, slots=True)
class RowOrganisation:
    pk: int
    name: str
    charity_number: str
    company_number: str


@dataclass(frozen=True, slots=True)
class RowRound:
    reference_prefix: str
    fund_name: str
    title: str
    slug: str


@dataclass(frozen=True, slots=True)
class RowArea:
    name: str
    geo_code: str
    geo_code_type: str


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A grant of the register as its downloads read it: plain values, no model."""

    reference: str
    title: str
    amount: Decimal
    paid_to_date: Decimal
    created_at: datetime.datetime
    accepted_at: datetime.datetime | None
    delivery_starts_on: datetime.date
    delivery_ends_on: datetime.date
    conditions: str
    rationale: str
    decision_reference: str
    summary: str
    amount_requested: Decimal | None
    organisation: RowOrganisation
    round: RowRound
    areas: tuple[RowArea, ...]


_ROW_FIELDS = (
    "reference",
    "title",
    "amount",
    "paid_to_date",
    "created_at",
    "accepted_at",
    "delivery_starts_on",
    "delivery_ends_on",
    "conditions",
    "rationale",
    "decision_reference",
    "application__summary",
    "application__amount_requested",
    "pk",
    "round_id",
    "organisation_id",
    "organisation__name",
    "organisation__charity_number",
    "organisation__company_number",
)


def register_rows(awards: QuerySet[Award]) -> Iterator[RegisterRow]:
    """The grants of `awards` (register_awards() or narrower, in its order) as plain rows,
    for downloads of the whole register: three queries however many grants (their rounds,
    their areas, then the grants themselves read 500 at a time), no model built.

    It reads in one transaction of its own, held while the rows are taken: one snapshot of
    the register for the whole download, and a cursor that hands over its first rows at
    once (outside a transaction PostgreSQL's cursor must hold the whole result first)."""
    with transaction.atomic():
        yield from _rows(awards)


def _rows(awards: QuerySet[Award]) -> Iterator[RegisterRow]:
    rounds = {
        pk: RowRound(*values)
        for pk, *values in FundingRound.objects.filter(
            pk__in=awards.order_by().values("round_id")
        ).values_list("pk", "reference_prefix", "fund_name", "title", "slug")
    }
    areas = defaultdict(list)
    for award_id, *values in (
        Award.areas.through.objects.filter(award__in=awards.order_by().values("pk"))
        .order_by("area__name", "area_id")
        .values_list("award_id", "area__name", "area__geo_code", "area__geo_code_type")
    ):
        areas[award_id].append(RowArea(*values))
    organisations = {}
    for *fields, pk, round_id, organisation_id, name, charity, company in awards.values_list(
        *_ROW_FIELDS
    ).iterator(chunk_size=500):
        organisation = organisations.get(organisation_id)
        if organisation is None:
            organisation = organisations[organisation_id] = RowOrganisation(
                organisation_id, name, charity, company
            )
        yield RegisterRow(
            *fields,
            organisation=organisation,
            round=rounds[round_id],
            areas=tuple(areas.get(pk, ())),
        )


def register_filtered(*, params) -> RegisterFilter:
    """The register as the query string narrows it."""
    return RegisterFilter(filter_data(params, RegisterFilter), queryset=register_awards())


def register_months() -> list[datetime.date]:
    """The first of each month grants were made in, newest first: the monthly files."""
    return list(_on_register().dates("created_at", "month", order="DESC"))


def register_month(month: datetime.date) -> QuerySet[Award]:
    """The grants made in one month, oldest first."""
    following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        register_awards()
        .filter(created_at__date__gte=month, created_at__date__lt=following)
        .order_by("created_at", "reference")
    )


# SI 2011/3050 as amended: each payment of more than £500 (Schedule para 3(g)) and each
# contract (here, grant agreement) of more than £10,000 (para 4(b)) is published.
PAYMENTS_OVER = Decimal("500.00")
AGREEMENTS_OVER = Decimal("10000.00")


def register_payments() -> QuerySet[LedgerEntry]:
    """Payments of more than £500 on grants of the register, newest first."""
    return (
        LedgerEntry.objects.filter(
            kind=LedgerKind.PAYMENT, amount__gt=PAYMENTS_OVER, award__in=_on_register()
        )
        .select_related("award__organisation")
        .order_by("-entry_date", "-pk")
    )


def register_agreements() -> QuerySet[Award]:
    """Grants of the register whose agreement is for more than £10,000, newest first."""
    return register_awards().filter(amount__gt=AGREEMENTS_OVER)

"""Benchmark: issue 15's delivery pages at 2,000 awards, 16,000 returns and 8,000 payments.

Seeds 10 streams (with allocations for each year their awards touch) and 2,000 awards on
them, each delivering for two years from a quarter between April 2024 and July 2025 (one in
ten closed, one in ten accepted, the rest active): targets for the four age bands, sessions
and one or two outcomes; eight quarterly returns, accepted, submitted, returned, overdue or
not yet due, with the status changes of each submission and the actuals of each accepted
return; and four payments, after every second return, paid into the ledger, approved,
raised, due or scheduled. Then times, for an OPCC officer, the money dashboard and its
CSVs, the staff's list of returns, and the payments list and finance export in-process.
Queries are counted first at 50 awards and again at 2,000: they should not change.
Run it with `make bench-delivery`. Targets: 95th percentile ≤ 200 ms for the pages,
≤ 1 s for an export.
"""

import datetime
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svd_portal.settings.test")

import django  # noqa: E402 (Django must be set up before the models are imported)

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks._timing import demo_database, measure, table  # noqa: E402
from grants import fiscal, services  # noqa: E402
from grants.enums import (  # noqa: E402
    OUTPUT_KINDS,
    ApplicationStatus,
    AwardStatus,
    CostKind,
    LedgerKind,
    PaymentStatus,
    ReturnFrequency,
    ReturnStatus,
    RoundStatus,
    TargetKind,
)
from grants.models import (  # noqa: E402
    Application,
    Award,
    AwardSplit,
    AwardTarget,
    BankAccount,
    FundingRound,
    FundingStream,
    LedgerEntry,
    MonitoringReturn,
    Payment,
    ReturnActual,
    ReturnStatusChange,
    StreamAllocation,
)
from partners.enums import OrganisationKind, VerificationStatus  # noqa: E402
from partners.models import Organisation, StrategicPriority, SuccessMeasure, User  # noqa: E402

STREAMS = 10
AWARDS = int(os.environ.get("BENCH_AWARDS", 2000))
FEW = 50  # the awards the queries are first counted at
YEARS = ["2024-25", "2025-26", "2026-27", "2027-28"]
# Each award delivers for two years (eight quarterly returns) from one of these quarters:
# the first ended before today, the last has three returns still to come.
STARTS = [datetime.date(2024, month, 1) for month in (4, 7, 10)] + [
    datetime.date(2025, month, 1) for month in (1, 4, 7)
]
AMOUNT = Decimal("12000.00")
# Paid in arrears after every second return: four payments of a quarter of the award.
PAYMENT_AFTER = (2, 4, 6, 8)
# The latest return that has fallen due, by award: most are in, some are late.
LATEST_RETURN = [
    ReturnStatus.ACCEPTED,
    ReturnStatus.SUBMITTED,
    ReturnStatus.RETURNED,
    ReturnStatus.DRAFT,
    ReturnStatus.SUBMITTED,
]
# The payment after the latest accepted return, by award; earlier ones are paid.
LATEST_PAYMENT = [
    PaymentStatus.PAID,
    PaymentStatus.APPROVED,
    PaymentStatus.RAISED,
    PaymentStatus.DUE,
]
LONDON = timezone.get_default_timezone()


@dataclass(frozen=True)
class Base:
    """What every award is made from: the demo's officers, priorities and measures, and
    the benchmark's grant holders, streams and rounds."""

    staff: User
    second_officer: User
    pcc: User
    organisations: list[Organisation]
    streams: list[FundingStream]
    rounds: list[FundingRound]
    priorities: list[StrategicPriority]
    measures: list[SuccessMeasure]


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=LONDON)


def seed_base() -> Base:
    staff, pcc = demo_database()
    second_officer = User.objects.get(email="staff2@demo.example")
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Grantee {n}",
            kind=OrganisationKind.REGISTERED_CHARITY,
            charity_number=str(4_000_000 + n),
            verification_status=VerificationStatus.VERIFIED,
        )
        for n in range(100)
    )
    # The payments list and the finance export show each payee's verified bank details.
    now = timezone.now()
    BankAccount.objects.bulk_create(
        BankAccount(
            organisation=organisation,
            account_name=organisation.name,
            sort_code=f"{400_000 + n:06d}",
            account_number=f"{41_000_000 + n:08d}",
            changed_by=second_officer,
            verified_by=staff,
            verified_at=now,
        )
        for n, organisation in enumerate(organisations)
    )
    streams = FundingStream.objects.bulk_create(
        FundingStream(name=f"Bench stream {n}", funder="Home Office") for n in range(STREAMS)
    )
    StreamAllocation.objects.bulk_create(
        StreamAllocation(
            stream=stream,
            financial_year=year,
            labour=Decimal("400000"),
            non_labour=Decimal("600000"),
        )
        for stream in streams
        for year in YEARS
    )
    rounds = FundingRound.objects.bulk_create(
        FundingRound(
            slug=f"bench-delivery-round-{n}",
            fund_name="Violence Prevention Fund",
            title=f"Bench delivery round {n}",
            reference_prefix=f"BD{n:02d}",
            description="A benchmark round.",
            eligibility="Anyone.",
            how_to_apply="Online.",
            budget=Decimal("3000000"),
            stream=stream,
            opens_at=now - datetime.timedelta(days=1000),
            closes_at=now - datetime.timedelta(days=900),
            delivery_starts_on=STARTS[0],
            delivery_ends_on=datetime.date(2027, 6, 30),
            status=RoundStatus.DECIDED,
            created_by=staff,
        )
        for n, stream in enumerate(streams)
    )
    return Base(
        staff=staff,
        second_officer=second_officer,
        pcc=pcc,
        organisations=organisations,
        streams=streams,
        rounds=rounds,
        priorities=list(StrategicPriority.objects.order_by("number")),
        measures=list(SuccessMeasure.objects.order_by("pk")),
    )


def award_status(index: int) -> str:
    return {0: AwardStatus.CLOSED, 1: AwardStatus.ACCEPTED}.get(index % 10, AwardStatus.ACTIVE)


def award_starts_on(index: int) -> datetime.date:
    # A closed award's returns have all fallen due.
    return STARTS[0] if award_status(index) == AwardStatus.CLOSED else STARTS[index % len(STARTS)]


def return_status(index: int, number: int, due_on, due_count: int, today) -> str:
    """Earlier returns accepted, the latest one due in any state, later ones not yet due."""
    if award_status(index) == AwardStatus.CLOSED:
        return ReturnStatus.ACCEPTED
    if due_on >= today:
        return ReturnStatus.DRAFT
    if number < due_count:
        return ReturnStatus.ACCEPTED
    return LATEST_RETURN[index % len(LATEST_RETURN)]


def seed_awards(base: Base, numbers: range) -> None:
    """Awards `numbers` with their targets, returns and payments (bulk inserts)."""
    today = timezone.localdate()
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            round=base.rounds[index % STREAMS],
            organisation=base.organisations[index % len(base.organisations)],
            reference=f"{base.rounds[index % STREAMS].reference_prefix}-{index // STREAMS + 1:04d}",
            title=f"Bench project {index}",
            summary="A benchmark application.",
            amount_requested=AMOUNT,
            awarded_amount=AMOUNT,
            status=ApplicationStatus.AWARDED,
            submitted_at=now,
            created_by=base.staff,
        )
        for index in numbers
    )
    # One or two priorities each, so that the dashboard's by-priority figures have work.
    priorities = len(base.priorities)
    Application.priorities.through.objects.bulk_create(
        Application.priorities.through(
            application_id=application.pk,
            strategicpriority_id=base.priorities[(index + step) % priorities].pk,
        )
        for index, application in zip(numbers, applications, strict=True)
        for step in range(1 + index % 2)
    )
    awards = Award.objects.bulk_create(
        Award(
            reference=f"{application.round.reference_prefix}-A-{index // STREAMS + 1:04d}",
            application=application,
            round=application.round,
            organisation=application.organisation,
            stream=application.round.stream,
            title=application.title,
            amount=AMOUNT,
            delivery_starts_on=award_starts_on(index),
            delivery_ends_on=award_starts_on(index).replace(year=award_starts_on(index).year + 2)
            - datetime.timedelta(days=1),
            decision_reference=f"DN{index % STREAMS + 1}-24",
            status=award_status(index),
            created_at=now - datetime.timedelta(minutes=index),
            created_by=base.pcc,
            return_frequency=ReturnFrequency.QUARTERLY,
            plan_set_at=now,
            plan_set_by=base.staff,
        )
        for index, application in zip(numbers, applications, strict=True)
    )
    indexed = list(zip(numbers, awards, strict=True))

    splits = []
    for award in awards:
        years = fiscal.years_between(award.delivery_starts_on, award.delivery_ends_on)
        share = AMOUNT / len(years) / 2
        splits += [
            AwardSplit(award=award, financial_year=year, cost_kind=kind, amount=share)
            for year in years
            for kind in CostKind.values
        ]
    AwardSplit.objects.bulk_create(splits, batch_size=2000)

    targets = []
    for index, award in indexed:
        outcomes = [
            base.measures[(index + step) % len(base.measures)] for step in range(1 + index % 2)
        ]
        targets += [
            AwardTarget(award=award, kind=kind, target=40 + index % 60, position=position)
            for position, kind in enumerate(OUTPUT_KINDS)
        ] + [
            AwardTarget(
                award=award,
                kind=TargetKind.OUTCOME,
                success_measure=measure,
                description="Young people with no further arrest",
                target=20 + index % 10,
                position=len(OUTPUT_KINDS) + step,
            )
            for step, measure in enumerate(outcomes)
        ]
    targets_of = defaultdict(list)
    for target in AwardTarget.objects.bulk_create(targets, batch_size=2000):
        targets_of[target.award_id].append(target)

    returns = []
    for index, award in indexed:
        planned = services.planned_returns(award, ReturnFrequency.QUARTERLY)
        due_count = sum(1 for plan in planned if plan.due_on < today)
        for plan in planned:
            status = return_status(index, plan.number, plan.due_on, due_count, today)
            returned = MonitoringReturn(
                award=award,
                number=plan.number,
                kind=plan.kind,
                period_starts_on=plan.starts_on,
                period_ends_on=plan.ends_on,
                due_on=plan.due_on,
                status=status,
            )
            if status != ReturnStatus.DRAFT:
                # One in three is submitted late, for the on-time figures.
                late = index % 3 == 0
                submitted = min(plan.due_on + datetime.timedelta(days=5 if late else -3), today)
                returned.narrative = "Sessions ran as planned."
                returned.saved_at = returned.submitted_at = at(submitted)
                returned.first_submitted_on = submitted
            if status in (ReturnStatus.ACCEPTED, ReturnStatus.RETURNED):
                returned.decided_at = at(min(submitted + datetime.timedelta(days=7), today))
                returned.decided_by = base.staff
            returns.append(returned)
    returns = MonitoringReturn.objects.bulk_create(returns, batch_size=2000)

    changes, actuals = [], []
    for returned in returns:
        if returned.submitted_at is None:
            continue
        changes.append(
            ReturnStatusChange(
                monitoring_return=returned,
                from_status=ReturnStatus.DRAFT,
                to_status=ReturnStatus.SUBMITTED,
                changed_at=returned.submitted_at,
            )
        )
        if returned.decided_at:
            changes.append(
                ReturnStatusChange(
                    monitoring_return=returned,
                    from_status=ReturnStatus.SUBMITTED,
                    to_status=returned.status,
                    changed_by=base.staff,
                    changed_at=returned.decided_at,
                )
            )
        if returned.status == ReturnStatus.ACCEPTED:
            # Actuals count the grant so far: a share of each target that grows.
            actuals += [
                ReturnActual(
                    monitoring_return=returned,
                    target=target,
                    actual=target.target * returned.number // 8,
                )
                for target in targets_of[returned.award_id]
            ]
    ReturnStatusChange.objects.bulk_create(changes, batch_size=2000)
    ReturnActual.objects.bulk_create(actuals, batch_size=2000)
    # What return_accept keeps: each target's actual on its latest accepted return.
    delivered = {actual.target.pk: actual.actual for actual in actuals}
    for targets in targets_of.values():
        for target in targets:
            target.delivered = delivered.get(target.pk, 0)
    AwardTarget.objects.bulk_update(
        [t for targets in targets_of.values() for t in targets], ["delivered"], batch_size=2000
    )

    returns_of = defaultdict(dict)
    for returned in returns:
        returns_of[returned.award_id][returned.number] = returned
    payments = []
    for index, award in indexed:
        after = [returns_of[award.pk][number] for number in PAYMENT_AFTER]
        accepted = [r.number for r in after if r.status == ReturnStatus.ACCEPTED]
        for number, returned in enumerate(after, start=1):
            if returned.status != ReturnStatus.ACCEPTED:
                status = PaymentStatus.SCHEDULED
            elif returned.number == accepted[-1] and award.status != AwardStatus.CLOSED:
                status = LATEST_PAYMENT[index % len(LATEST_PAYMENT)]
            else:
                status = PaymentStatus.PAID
            payment = Payment(
                award=award,
                number=number,
                amount=AMOUNT / len(PAYMENT_AFTER),
                after_return=returned,
                status=status,
            )
            if status in (PaymentStatus.RAISED, PaymentStatus.APPROVED, PaymentStatus.PAID):
                payment.raised_by, payment.raised_at = base.staff, returned.decided_at
            if status in (PaymentStatus.APPROVED, PaymentStatus.PAID):
                # Four eyes: another officer approves.
                payment.approved_by, payment.approved_at = base.second_officer, returned.decided_at
            if status == PaymentStatus.PAID:
                payment.paid_on = min(
                    timezone.localtime(returned.decided_at).date() + datetime.timedelta(days=7),
                    today,
                )
            payments.append(payment)
    payments = Payment.objects.bulk_create(payments, batch_size=2000)
    LedgerEntry.objects.bulk_create(
        (
            LedgerEntry(
                award_id=payment.award_id,
                kind=LedgerKind.PAYMENT,
                payment=payment,
                entry_date=payment.paid_on,
                financial_year=fiscal.year_of(payment.paid_on),
                amount=payment.amount,
                # Every award's splits are half labour, half non-labour.
                labour=payment.amount / 2,
                non_labour=payment.amount / 2,
                created_by=base.second_officer,
            )
            for payment in payments
            if payment.status == PaymentStatus.PAID
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def counts(model, field: str = "status") -> str:
    found = Counter(model.objects.values_list(field, flat=True))
    return ", ".join(f"{n:,} {value}" for value, n in sorted(found.items()))


def main() -> None:
    started = time.perf_counter()
    base = seed_base()
    stream = base.streams[3]
    client = Client()
    client.force_login(base.staff)
    dashboard = "/staff/dashboard/"
    pages = [
        ("Dashboard", dashboard),
        (
            "Dashboard, one stream and year",
            f"{dashboard}?stream={stream.pk}&financial_year=2024-25",
        ),
        ("Dashboard export, money (CSV)", f"{dashboard}money.csv"),
        ("Dashboard export, delivery (CSV)", f"{dashboard}delivery.csv"),
        ("Dashboard export, returns (CSV)", f"{dashboard}returns.csv"),
        # The list reads `show`, not `view`.
        ("Returns, waiting for a decision", "/staff/returns/?show=submitted"),
        ("Returns, overdue", "/staff/returns/?show=overdue"),
        ("Returns, all", "/staff/returns/?show=all"),
        ("Returns, all, last page", "/staff/returns/?show=all&page=last"),
        ("Payments, all", "/staff/payments/"),
        ("Payments, approved", "/staff/payments/?status=approved"),
        ("Export, approved payments for finance (CSV)", "/staff/payments/export.csv"),
    ]

    seed_awards(base, range(FEW))
    few = {url: measure(client, url, runs=3, warmup=1)["queries"] for _, url in pages}
    seed_awards(base, range(FEW, AWARDS))
    print(
        f"Seeded {Award.objects.count():,} awards ({counts(Award)}) on {STREAMS} streams, "
        f"{AwardTarget.objects.count():,} targets, {MonitoringReturn.objects.count():,} returns "
        f"({counts(MonitoringReturn)}), {ReturnStatusChange.objects.count():,} return status "
        f"changes, {ReturnActual.objects.count():,} actuals, {Payment.objects.count():,} "
        f"payments ({counts(Payment)}), {LedgerEntry.objects.count():,} ledger entries "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    results = [{"label": label, **measure(client, url, runs=30)} for label, url in pages]
    print()
    print(
        table(
            results,
            title=f"{AWARDS:,} awards, {MonitoringReturn.objects.count():,} returns and "
            f"{Payment.objects.count():,} payments on {STREAMS} funding streams",
        )
    )
    print()
    changed = [
        f"{row['label']}: {few[row['url']]} at {FEW}, {row['queries']} at {AWARDS:,}"
        for row in results
        if few[row["url"]] != row["queries"]
    ]
    if changed:
        print("Queries that grew with the number of awards:", *changed, sep="\n  ")
    else:
        print(f"Queries per request: the same at {FEW} awards as at {AWARDS:,}, on every page.")


if __name__ == "__main__":
    main()

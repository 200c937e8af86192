"""Benchmark: issue 16's public grants register at 10,000 grants.

Seeds 300 grant holders (registered charities and CIOs with their charity numbers, some
with a company number too; companies and CICs with theirs; unregistered community
groups), six areas on the demo partnership, twelve rounds of six months each from
January 2021, and 10,000 awards on the register, made about 140 a month from January
2021 to November 2026 (closed once their two years of delivery are over, one in forty
clawed back; active; accepted in the last two months), each from an application naming
one or two strategic priorities, delivered in none, one or two areas, with the status
changes that date its offer, acceptance and delivery. A third (of those four months into
delivery) have an accepted first return and a paid payment in the ledger (clawed back
where the award was). Then 1,000
awards not on the register: offered, or accepted before their decision was published.
Then times, for an anonymous visitor, the register's list (first page, page 200,
filtered by year, priority and area, a search), a grant's page, the Atom feed, a
month's CSV, and the whole register as CSV and as 360Giving CSV and JSON, each download
read to its end, and the public API's list of grants (its first page of 50, page 100,
and a page of 200 filtered by date). Queries are counted first at 50 awards and again at
10,000. Run it with `make bench-register`. Targets: 95th percentile ≤ 150 ms for the
pages (the month's CSV and the API's lists too), ≤ 2 s for a whole-register download.
"""

import datetime
import os
import statistics
import sys
import time
from collections import Counter
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
from grants import fiscal  # noqa: E402
from grants.enums import (  # noqa: E402
    ApplicationStatus,
    AwardStatus,
    LedgerKind,
    PaymentStatus,
    ReturnKind,
    ReturnStatus,
    RoundStatus,
)
from grants.models import (  # noqa: E402
    Application,
    Award,
    AwardStatusChange,
    FundingRound,
    FundingStream,
    LedgerEntry,
    MonitoringReturn,
    Payment,
)
from grants.selectors import register_awards  # noqa: E402
from partners.enums import GeoCodeType, OrganisationKind, VerificationStatus  # noqa: E402
from partners.models import (  # noqa: E402
    Area,
    Organisation,
    Partnership,
    StrategicPriority,
    User,
)

AWARDS = int(os.environ.get("BENCH_AWARDS", 10_000))
OFF_REGISTER = AWARDS // 10
FEW = 50  # the awards the queries are first counted at
ORGANISATIONS = 300
# Awards are made round-robin over these months, so that every month has about as many
# (10,000 over 71 months: 140 or 141) and the first 50 fall in 50 different months.
MONTHS = [datetime.date(2021 + n // 12, n % 12 + 1, 1) for n in range(71)]
MONTHS_PER_ROUND = 6
ROUNDS = -(-len(MONTHS) // MONTHS_PER_ROUND)
# The month whose CSV is timed (one of the first 50, so it has a grant at 50 awards too).
MONTH = MONTHS[40]
SEARCH = "youth"  # in two titles in eight
TITLES = [
    "Youth mentoring",
    "Knife crime education in schools",
    "Detached youth work",
    "Boxing and mentoring club",
    "Sports diversion evenings",
    "Family support for young people at risk",
    "Trauma-informed practice training",
    "Safer streets in the night-time economy",
]
PLACES = ["Durham", "Darlington", "Seaham", "Peterlee", "Consett", "Stanley", "Bishop Auckland"]
AREAS = [
    ("Chester-le-Street", "E05008812", GeoCodeType.COMMUNITY_SAFETY_PARTNERSHIP),
    ("Consett and Stanley", "E05008813", GeoCodeType.COMMUNITY_SAFETY_PARTNERSHIP),
    ("Newton Aycliffe", "", ""),
    ("Peterlee and Easington", "E05008815", GeoCodeType.COMMUNITY_SAFETY_PARTNERSHIP),
    ("Bishop Auckland and Shildon", "", ""),
    ("Seaham", "E05008817", GeoCodeType.COMMUNITY_SAFETY_PARTNERSHIP),
]
SUMMARY = (
    "Weekly sessions for young people aged 10 to 17 referred by schools, the youth "
    "justice service and neighbourhood policing, with one-to-one mentoring for those most "
    "at risk of carrying a knife, and a summer programme when the evenings are longest."
)
RATIONALE = (
    "The sessions run where and when the partnership's needs assessment finds most "
    "violence among young people, and the mentoring follows an approach the Youth "
    "Endowment Fund's toolkit rates as reducing offending."
)
CONDITIONS = "Quarterly returns; safeguarding policy reviewed each year by the board."
LONDON = timezone.get_default_timezone()


@dataclass(frozen=True)
class Base:
    """What every award is made from: the demo's officers and priorities, and the
    benchmark's grant holders, areas and rounds."""

    staff: User
    second_officer: User
    pcc: User
    organisations: list[Organisation]
    areas: list[Area]
    rounds: list[FundingRound]
    priorities: list[StrategicPriority]


def at(day: datetime.date, minutes: int = 0) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=LONDON)
    return moment + datetime.timedelta(minutes=minutes)


def organisation(n: int) -> Organisation:
    """A registered charity or CIO (one in two with a company number too), a company or
    CIC, or an unregistered community group, in turn."""
    name = f"{PLACES[n % len(PLACES)]} Community Trust {n}"
    kind, charity_number, company_number = OrganisationKind.COMMUNITY_GROUP, "", ""
    if n % 3 == 0:
        kind = OrganisationKind.REGISTERED_CHARITY if n % 2 else OrganisationKind.CIO
        charity_number = str(5_100_000 + n)
        if n % 6 == 0:
            company_number = f"{9_100_000 + n:08d}"
    elif n % 3 == 1:
        kind = OrganisationKind.COMPANY if n % 2 else OrganisationKind.CIC
        company_number = f"{9_000_000 + n:08d}"
    return Organisation(
        name=name,
        kind=kind,
        charity_number=charity_number,
        company_number=company_number,
        verification_status=VerificationStatus.VERIFIED,
    )


def seed_base() -> Base:
    staff, pcc = demo_database()
    partnership = Partnership.objects.get()
    areas = Area.objects.bulk_create(
        Area(partnership=partnership, name=name, geo_code=code, geo_code_type=kind)
        for name, code, kind in AREAS
    )
    stream = FundingStream.objects.create(name="Bench register stream", funder="Home Office")
    rounds = FundingRound.objects.bulk_create(
        FundingRound(
            slug=f"bench-register-round-{n}",
            fund_name="Violence Prevention Fund",
            title=f"Round {n + 1}",
            reference_prefix=f"BR{n:02d}",
            description="A benchmark round.",
            eligibility="Anyone.",
            how_to_apply="Online.",
            budget=Decimal("3000000"),
            stream=stream,
            opens_at=at(MONTHS[n * MONTHS_PER_ROUND]) - datetime.timedelta(days=90),
            closes_at=at(MONTHS[n * MONTHS_PER_ROUND]) - datetime.timedelta(days=30),
            delivery_starts_on=MONTHS[n * MONTHS_PER_ROUND],
            delivery_ends_on=MONTHS[n * MONTHS_PER_ROUND].replace(
                year=MONTHS[n * MONTHS_PER_ROUND].year + 3
            ),
            status=RoundStatus.DECIDED,
            created_by=staff,
        )
        for n in range(ROUNDS)
    )
    return Base(
        staff=staff,
        second_officer=User.objects.get(email="staff2@demo.example"),
        pcc=pcc,
        organisations=Organisation.objects.bulk_create(
            organisation(n) for n in range(ORGANISATIONS)
        ),
        areas=areas,
        rounds=rounds,
        priorities=list(StrategicPriority.objects.order_by("number")),
    )


@dataclass(frozen=True)
class Plan:
    """One award to seed: where it sits in the register's months and rounds."""

    index: int
    month: datetime.date
    round: FundingRound
    number: int  # its number in the round
    status: str
    published: bool


def plan_on_register(base: Base, index: int, today: datetime.date) -> Plan:
    month_number = index % len(MONTHS)
    month = MONTHS[month_number]
    starts = month.replace(year=month.year + (month.month == 12), month=month.month % 12 + 1)
    if starts.replace(year=starts.year + 2) <= today:
        status = AwardStatus.CLAWED_BACK if index % 40 == 0 else AwardStatus.CLOSED
    elif month_number >= len(MONTHS) - 2:
        status = AwardStatus.ACCEPTED
    else:
        status = AwardStatus.ACTIVE
    return Plan(
        index=index,
        month=month,
        round=base.rounds[month_number // MONTHS_PER_ROUND],
        number=index // len(MONTHS) * MONTHS_PER_ROUND + month_number % MONTHS_PER_ROUND + 1,
        status=status,
        published=True,
    )


def plan_off_register(base: Base, index: int) -> Plan:
    """Awards of the last round's months not on the register: offered (the decision is
    published), or accepted and delivering before their decision is published."""
    status = [AwardStatus.OFFERED, AwardStatus.ACCEPTED, AwardStatus.ACTIVE][index % 3]
    return Plan(
        index=index,
        month=MONTHS[-1 - index % MONTHS_PER_ROUND],
        round=base.rounds[-1],
        number=5000 + index,
        status=status,
        published=status == AwardStatus.OFFERED,
    )


def seed_awards(base: Base, plans: list[Plan]) -> None:
    """The awards of `plans` with their applications, priorities, areas, status changes and,
    for one in three, a first return paid into the ledger (bulk inserts)."""
    today = timezone.localdate()
    applications = Application.objects.bulk_create(
        (
            Application(
                round=plan.round,
                organisation=base.organisations[plan.index * 7 % ORGANISATIONS],
                reference=f"{plan.round.reference_prefix}-{plan.number:04d}",
                title=f"{TITLES[plan.index % len(TITLES)]} in {PLACES[plan.index % 7]}",
                summary=SUMMARY,
                amount_requested=Decimal(3000 + plan.index * 37 % 39 * 1000),
                awarded_amount=Decimal(2000 + plan.index * 37 % 39 * 1000),
                status=ApplicationStatus.AWARDED,
                submitted_at=at(plan.month) - datetime.timedelta(days=60),
                created_by=base.staff,
            )
            for plan in plans
        ),
        batch_size=2000,
    )
    priorities = len(base.priorities)
    Application.priorities.through.objects.bulk_create(
        (
            Application.priorities.through(
                application_id=application.pk,
                strategicpriority_id=base.priorities[(plan.index + step) % priorities].pk,
            )
            for plan, application in zip(plans, applications, strict=True)
            for step in range(1 + plan.index % 2)
        ),
        batch_size=2000,
    )
    awards = Award.objects.bulk_create(
        (
            Award(
                reference=f"{plan.round.reference_prefix}-A-{plan.number:04d}",
                application=application,
                round=plan.round,
                organisation=application.organisation,
                stream=plan.round.stream,
                title=application.title,
                # One in seven with pence, for the 360Giving amounts that are not whole.
                amount=application.awarded_amount + (Decimal("0.50") if plan.index % 7 == 0 else 0),
                conditions=CONDITIONS if plan.index % 2 else "",
                rationale=RATIONALE,
                decision_published_on=plan.month + datetime.timedelta(days=3)
                if plan.published
                else None,
                delivery_starts_on=plan.month + datetime.timedelta(days=31),
                delivery_ends_on=plan.month + datetime.timedelta(days=31 + 2 * 365),
                decision_reference=f"DN{plan.round.pk}-{plan.month:%y%m}",
                status=plan.status,
                created_at=at(plan.month + datetime.timedelta(days=plan.index // 71 % 28))
                + datetime.timedelta(minutes=plan.index % 480),
                created_by=base.pcc,
            )
            for plan, application in zip(plans, applications, strict=True)
        ),
        batch_size=2000,
    )
    indexed = list(zip(plans, awards, strict=True))

    # None, one or two areas each.
    Award.areas.through.objects.bulk_create(
        (
            Award.areas.through(
                award_id=award.pk, area_id=base.areas[(plan.index + step) % len(AREAS)].pk
            )
            for plan, award in indexed
            for step in range(plan.index % 3)
        ),
        batch_size=2000,
    )

    # The moves that date the offer, the acceptance (the register's "accepted on"), the
    # start of delivery and its end.
    moves = [
        (AwardStatus.DUE_DILIGENCE, AwardStatus.OFFERED, 7),
        (AwardStatus.OFFERED, AwardStatus.ACCEPTED, 14),
        (AwardStatus.ACCEPTED, AwardStatus.ACTIVE, 31),
        (AwardStatus.ACTIVE, AwardStatus.CLOSED, 31 + 2 * 365 + 30),
    ]
    reached = {
        AwardStatus.OFFERED: 1,
        AwardStatus.ACCEPTED: 2,
        AwardStatus.ACTIVE: 3,
        AwardStatus.CLOSED: 4,
        AwardStatus.CLAWED_BACK: 4,
    }
    changes = []
    for plan, award in indexed:
        for from_status, to_status, days in moves[: reached[plan.status]]:
            if plan.status == AwardStatus.CLAWED_BACK and to_status == AwardStatus.CLOSED:
                to_status = AwardStatus.CLAWED_BACK
            changes.append(
                AwardStatusChange(
                    award=award,
                    from_status=from_status,
                    to_status=to_status,
                    changed_by=base.staff,
                    changed_at=award.created_at + datetime.timedelta(days=days),
                )
            )
    AwardStatusChange.objects.bulk_create(changes, batch_size=2000)

    # A third of the delivering awards: the first quarter's return accepted and the
    # payment after it paid.
    paid = [
        (plan, award)
        for plan, award in indexed
        if plan.index % 3 == 0
        and plan.status not in (AwardStatus.OFFERED, AwardStatus.ACCEPTED)
        and award.delivery_starts_on + datetime.timedelta(days=120) < today
    ]
    returns = MonitoringReturn.objects.bulk_create(
        (
            MonitoringReturn(
                award=award,
                number=1,
                kind=ReturnKind.PROGRESS,
                period_starts_on=award.delivery_starts_on,
                period_ends_on=award.delivery_starts_on + datetime.timedelta(days=90),
                due_on=award.delivery_starts_on + datetime.timedelta(days=104),
                status=ReturnStatus.ACCEPTED,
                narrative="Sessions ran as planned.",
                saved_at=at(award.delivery_starts_on + datetime.timedelta(days=100)),
                submitted_at=at(award.delivery_starts_on + datetime.timedelta(days=100)),
                first_submitted_on=award.delivery_starts_on + datetime.timedelta(days=100),
                decided_at=at(award.delivery_starts_on + datetime.timedelta(days=107)),
                decided_by=base.staff,
            )
            for _, award in paid
        ),
        batch_size=2000,
    )
    payments = Payment.objects.bulk_create(
        (
            Payment(
                award=award,
                number=1,
                amount=(award.amount / 4).quantize(Decimal("0.01")),
                after_return=returned,
                status=PaymentStatus.PAID,
                raised_by=base.staff,
                raised_at=returned.decided_at,
                # Four eyes: another officer approves.
                approved_by=base.second_officer,
                approved_at=returned.decided_at,
                paid_on=returned.due_on + datetime.timedelta(days=14),
            )
            for (_, award), returned in zip(paid, returns, strict=True)
        ),
        batch_size=2000,
    )
    clawed_back = {award.pk for plan, award in paid if plan.status == AwardStatus.CLAWED_BACK}
    entries = []
    for payment in payments:
        half = (payment.amount / 2).quantize(Decimal("0.01"))
        entries.append(
            LedgerEntry(
                award_id=payment.award_id,
                kind=LedgerKind.PAYMENT,
                payment=payment,
                entry_date=payment.paid_on,
                financial_year=fiscal.year_of(payment.paid_on),
                amount=payment.amount,
                labour=half,
                non_labour=payment.amount - half,
                created_by=base.second_officer,
            )
        )
        if payment.award_id in clawed_back:
            recovered = payment.paid_on + datetime.timedelta(days=200)
            entries.append(
                LedgerEntry(
                    award_id=payment.award_id,
                    kind=LedgerKind.CLAWBACK,
                    entry_date=recovered,
                    financial_year=fiscal.year_of(recovered),
                    amount=-payment.amount,
                    labour=-half,
                    non_labour=-(payment.amount - half),
                    reason="Delivery stopped; unspent grant recovered.",
                    created_by=base.second_officer,
                )
            )
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed(base: Base, on_register: range, off_register: range) -> None:
    today = timezone.localdate()
    seed_awards(
        base,
        [plan_on_register(base, index, today) for index in on_register]
        + [plan_off_register(base, index) for index in off_register],
    )


def counts(model, field: str = "status") -> str:
    found = Counter(model.objects.values_list(field, flat=True))
    return ", ".join(f"{n:,} {value}" for value, n in sorted(found.items()))


def first_grant(client: Client, url: str, *, runs: int = 10) -> tuple[float, float]:
    """Median and 95th percentile of the time to the first grant of a streamed JSON
    package (its first chunk: the package's opening and the first grant). The rest is
    read after the clock stops, so each request finishes."""
    timings = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = client.get(url)
        chunks = iter(response.streaming_content)
        assert b'"id"' in next(chunks)
        timings.append((time.perf_counter() - started) * 1000)
        b"".join(chunks)
    timings = sorted(timings[1:])  # the first is the warm-up
    return statistics.median(timings), timings[max(0, int(round(0.95 * len(timings))) - 1)]


def main() -> None:
    started = time.perf_counter()
    base = seed_base()
    client = Client()  # anonymous: the register is public
    priority = base.priorities[2]
    area = base.areas[3]
    grant = f"{base.rounds[1].reference_prefix}-A-0002"  # among the first 50
    json_url = "/grants/360giving.json"
    pages = [
        ("Register, first page", "/grants/"),
        ("Register, page 200", "/grants/?page=200"),
        ("Register, one financial year", "/grants/?year=2023-24"),
        ("Register, one priority", f"/grants/?priority={priority.pk}"),
        ("Register, one area", f"/grants/?area={area.pk}"),
        (f"Register, a search (“{SEARCH}”)", f"/grants/?q={SEARCH}"),
        ("A grant's page", f"/grants/{grant}/"),
        ("Atom feed (50 grants)", "/grants/feed/"),
        ("A month's CSV", f"/grants/register-{MONTH:%Y-%m}.csv"),
        ("Export, the whole register (CSV)", "/grants/register.csv"),
        ("Export, 360Giving CSV", "/grants/360giving.csv"),
        ("Export, 360Giving JSON", json_url),
        ("API, grants (first page of 50)", "/api/v1/grants/"),
        ("API, grants page 100", "/api/v1/grants/?page=100"),
        (
            "API, grants made in 2024 (a page of 200)",
            "/api/v1/grants/?awarded_after=2024-01-01&awarded_before=2024-12-31&page_size=200",
        ),
    ]
    # At 50 awards there are two pages: the last stands in for page 200 (and the API's
    # single page for its page 100).
    at_few = {
        "/grants/?page=200": "/grants/?page=last",
        "/api/v1/grants/?page=100": "/api/v1/grants/",
    }

    seed(base, range(FEW), range(FEW // 10))
    few = {
        url: measure(client, at_few.get(url, url), runs=3, warmup=1)["queries"] for _, url in pages
    }
    seed(base, range(FEW, AWARDS), range(FEW // 10, OFF_REGISTER))
    on_register = register_awards().count()
    month_grants = register_awards().filter(
        created_at__year=MONTH.year, created_at__month=MONTH.month
    )
    print(
        f"Seeded {Award.objects.count():,} awards ({counts(Award)}), {on_register:,} of them "
        f"on the register ({month_grants.count()} made in {MONTH:%B %Y}), for "
        f"{Organisation.objects.count():,} organisations, with "
        f"{Award.areas.through.objects.count():,} areas, "
        f"{AwardStatusChange.objects.count():,} status changes and "
        f"{LedgerEntry.objects.count():,} ledger entries ({counts(LedgerEntry, 'kind')}) "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )

    results = [{"label": label, **measure(client, url, runs=30)} for label, url in pages]
    first_median, first_p95 = first_grant(client, json_url)
    print()
    print(table(results, title=f"{on_register:,} grants on the register, read anonymously"))
    print()
    print(
        f"360Giving JSON, time to its first grant: median {first_median:.1f} ms, "
        f"95th percentile {first_p95:.1f} ms."
    )
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

"""Benchmark: the money after the signature at 2,000 awards across 10 funding streams.

Seeds 10 streams (each with allocations for 2024-25 and 2025-26), a decided round on each,
and 200 awards per round split across the two years, labour and non-labour, then times a
stream's money page, the awards list (first page, filtered by stream and year) and its
CSV and XLSX exports in-process. Run it with `make bench-awards`. Targets: 95th percentile
≤ 150 ms for the pages, ≤ 1 s for an export; queries independent of the number of awards.
"""

import datetime
import os
import sys
import time
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
from grants.enums import ApplicationStatus, AwardStatus, CostKind, RoundStatus  # noqa: E402
from grants.models import (  # noqa: E402
    Application,
    Award,
    AwardSplit,
    FundingRound,
    FundingStream,
    StreamAllocation,
)
from partners.enums import OrganisationKind, VerificationStatus  # noqa: E402
from partners.models import Organisation  # noqa: E402

STREAMS = 10
AWARDS = int(os.environ.get("BENCH_AWARDS", 2000))
YEARS = ["2024-25", "2025-26"]
STATUSES = [AwardStatus.DUE_DILIGENCE, AwardStatus.OFFERED, AwardStatus.ACTIVE, AwardStatus.CLOSED]


def seed() -> tuple[FundingStream, object]:
    started = time.perf_counter()
    staff, pcc = demo_database()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Grantee {n}",
            kind=OrganisationKind.REGISTERED_CHARITY,
            charity_number=str(3_000_000 + n),
            verification_status=VerificationStatus.VERIFIED,
        )
        for n in range(100)
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
    now = timezone.now()
    rounds = FundingRound.objects.bulk_create(
        FundingRound(
            slug=f"bench-awards-round-{n}",
            fund_name="Violence Prevention Fund",
            title=f"Bench awards round {n}",
            reference_prefix=f"BA{n:02d}",
            description="A benchmark round.",
            eligibility="Anyone.",
            how_to_apply="Online.",
            budget=Decimal("1000000"),
            stream=stream,
            opens_at=now - datetime.timedelta(days=400),
            closes_at=now - datetime.timedelta(days=300),
            delivery_starts_on=datetime.date(2024, 10, 1),
            delivery_ends_on=datetime.date(2025, 9, 30),
            status=RoundStatus.DECIDED,
            created_by=staff,
        )
        for n, stream in enumerate(streams)
    )
    per_round = AWARDS // STREAMS
    applications = Application.objects.bulk_create(
        Application(
            round=rounds[index % STREAMS],
            organisation=organisations[index % len(organisations)],
            reference=f"{rounds[index % STREAMS].reference_prefix}-{index // STREAMS + 1:04d}",
            title=f"Bench project {index}",
            summary="A benchmark application.",
            amount_requested=Decimal("4000"),
            awarded_amount=Decimal("4000"),
            status=ApplicationStatus.AWARDED,
            submitted_at=now,
            created_by=staff,
        )
        for index in range(AWARDS)
    )
    awards = Award.objects.bulk_create(
        Award(
            reference=f"{application.round.reference_prefix}-A-{index // STREAMS + 1:04d}",
            application=application,
            round=application.round,
            organisation=application.organisation,
            stream=application.round.stream,
            title=application.title,
            amount=Decimal("4000.00"),
            delivery_starts_on=application.round.delivery_starts_on,
            delivery_ends_on=application.round.delivery_ends_on,
            decision_reference=f"DN{index // per_round + 1}-24",
            status=STATUSES[index % len(STATUSES)],
            created_at=now - datetime.timedelta(minutes=index),
            created_by=pcc,
        )
        for index, application in enumerate(applications)
    )
    AwardSplit.objects.bulk_create(
        AwardSplit(award=award, financial_year=year, cost_kind=kind, amount=Decimal("1000.00"))
        for award in awards
        for year in YEARS
        for kind in (CostKind.LABOUR, CostKind.NON_LABOUR)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Seeded {Award.objects.count():,} awards ({AwardSplit.objects.count():,} splits) "
        f"on {STREAMS} streams in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return streams[3], staff


def main() -> None:
    stream, staff = seed()
    client = Client()
    client.force_login(staff)
    pages = [
        ("A stream's money page", f"/staff/streams/{stream.pk}/"),
        ("Awards, first page", "/staff/awards/"),
        (
            "Awards, one stream and year",
            f"/staff/awards/?stream={stream.pk}&financial_year=2025-26",
        ),
        ("Awards, a search", "/staff/awards/?q=Grantee+42"),
        ("Export, every award (CSV)", "/staff/awards.csv"),
        ("Export, every award (XLSX)", "/staff/awards.xlsx"),
    ]
    results = [{"label": label, **measure(client, url, runs=30)} for label, url in pages]
    print()
    print(table(results, title=f"{AWARDS:,} awards on {STREAMS} funding streams"))


if __name__ == "__main__":
    main()

"""Benchmark: the staff application list and search, and the public round pages, at scale.

Seeds 100,000 applications across 50 rounds on PostgreSQL, then times each page
in-process (server time: the Django request, its queries and template, no
network). Run it with `make bench-applications` (throwaway PostgreSQL and Redis).
Target: 95th percentile ≤ 150 ms at 100,000 applications, queries independent of rows.
"""

import datetime
import os
import random
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
from grants.enums import ApplicationStatus, CapCategory, RoundStatus  # noqa: E402
from grants.models import (  # noqa: E402
    Application,
    AssessmentCriterion,
    AwardCap,
    FundingRound,
)
from partners.enums import OrganisationKind, VerificationStatus  # noqa: E402
from partners.models import Organisation, StrategicPriority, User  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", 50))
APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", 100_000))
ORGANISATIONS = 2_000
WORDS = [
    "youth",
    "mentoring",
    "boxing",
    "night-time",
    "economy",
    "safety",
    "knife",
    "crime",
    "outreach",
    "family",
    "support",
]


def seed() -> None:
    started = time.perf_counter()
    staff, _ = demo_database()
    priorities = list(StrategicPriority.objects.order_by("number"))
    rng = random.Random(2024)
    kinds = [OrganisationKind.COMMUNITY_GROUP, OrganisationKind.REGISTERED_CHARITY]
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Organisation {n} {rng.choice(WORDS)}",
            kind=kinds[n % 2],
            charity_number=str(2_000_000 + n) if n % 2 else "",
            verification_status=VerificationStatus.VERIFIED,
        )
        for n in range(ORGANISATIONS)
    )
    organisations = list(Organisation.objects.filter(name__startswith="Bench Organisation"))
    now = timezone.now()
    rounds = FundingRound.objects.bulk_create(
        FundingRound(
            slug=f"bench-round-{n}",
            fund_name="Violence Prevention Fund",
            title=f"Bench round {n}",
            reference_prefix=f"B{n:03d}",
            description="A benchmark round.",
            eligibility="Anyone.",
            how_to_apply="Online.",
            budget=Decimal("700000"),
            opens_at=now - datetime.timedelta(days=400 - n),
            closes_at=now - datetime.timedelta(days=300 - n)
            if n
            else now + datetime.timedelta(days=30),
            delivery_starts_on=datetime.date(2024, 1, 1),
            delivery_ends_on=datetime.date(2025, 3, 31),
            status=RoundStatus.OPEN if n == 0 else RoundStatus.ASSESSMENT,
            created_by=staff,
            next_application_number=APPLICATIONS // ROUNDS + 1,
        )
        for n in range(ROUNDS)
    )
    for funding_round in rounds:
        funding_round.priorities.set(priorities)
        AwardCap.objects.bulk_create(
            [
                AwardCap(
                    round=funding_round, category=CapCategory.UNREGISTERED, maximum=Decimal("5000")
                ),
                AwardCap(
                    round=funding_round, category=CapCategory.REGISTERED, maximum=Decimal("40000")
                ),
            ]
        )
        AssessmentCriterion.objects.bulk_create(
            AssessmentCriterion(
                round=funding_round,
                number=i,
                title=f"Criterion {i}",
                guidance="…",
                weight=Decimal(20),
            )
            for i in range(1, 6)
        )
    statuses = list(ApplicationStatus.values)
    per_round = APPLICATIONS // ROUNDS
    through = Application.priorities.through
    batch = []
    links = []
    for index in range(APPLICATIONS):
        funding_round = rounds[index % ROUNDS]
        number = index // ROUNDS + 1
        status = statuses[index % len(statuses)]
        batch.append(
            Application(
                round=funding_round,
                organisation=organisations[index % ORGANISATIONS],
                reference=f"{funding_round.reference_prefix}-{number:05d}",
                title=f"{rng.choice(WORDS).title()} project {index}",
                summary="A benchmark application.",
                amount_requested=Decimal(rng.randrange(500, 40000)),
                status=status,
                submitted_at=None if status == ApplicationStatus.DRAFT else now,
                created_by=staff,
                created_at=now - datetime.timedelta(minutes=index),
            )
        )
        if len(batch) == 5000:
            for application in Application.objects.bulk_create(batch):
                links.append(
                    through(
                        application_id=application.pk,
                        strategicpriority_id=priorities[application.pk % 4].pk,
                    )
                )
            through.objects.bulk_create(links)
            batch, links = [], []
    assert per_round * ROUNDS == APPLICATIONS
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Seeded {Application.objects.count():,} applications in {ROUNDS} rounds "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def main() -> None:
    seed()
    client = Client()
    client.force_login(User.objects.get(email="staff@demo.example"))
    big = FundingRound.objects.get(slug="bench-round-7")
    organisation = Organisation.objects.filter(name__startswith="Bench Organisation 1234 ").first()
    base = f"/staff/rounds/{big.slug}/"
    staff_pages = [
        ("Staff list, first page", base),
        ("Staff list, page 20", base + "?page=20"),
        (
            "Staff list, filtered (status, priority, category, amount)",
            base
            + "?status=submitted&priority="
            + str(StrategicPriority.objects.get(number=2).pk)
            + "&category=registered&min_amount=1000&max_amount=30000",
        ),
        ("Staff search by title word", base + "?q=mentoring"),
        ("Staff search by organisation", base + "?q=" + organisation.name.replace(" ", "+")),
        ("Staff search by reference", base + f"?q={big.reference_prefix}-00042"),
    ]
    public_pages = [
        ("Public round list (/funding/)", "/funding/"),
        ("Public round page", f"/funding/{big.slug}/"),
    ]
    results = []
    for label, url in staff_pages:
        results.append({"label": label, **measure(client, url)})
    anonymous = Client()
    for label, url in public_pages:
        results.append({"label": label, **measure(anonymous, url)})
    rows = Application.objects.count()
    print()
    print(
        table(
            results,
            title=f"{rows:,} applications in {ROUNDS} rounds ({rows // ROUNDS:,} in the round listed)",
        )
    )
    worst = max(r["p95_ms"] for r in results)
    print(f"\nWorst 95th percentile: {worst:.1f} ms (target ≤ 150 ms)")


if __name__ == "__main__":
    main()

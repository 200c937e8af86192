"""Benchmark: the public register of decision records at 100,000 published records.

Seeds 100,000 published records on PostgreSQL (with their full-text index), then
times the register list, a search and a detail page in-process. Run it with
`make bench-decisions`. Targets: 95th percentile ≤ 100 ms for list and detail,
≤ 150 ms for search, queries independent of size.
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svd_portal.settings.test")

import django  # noqa: E402 (Django must be set up before the models are imported)

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.postgres.search import SearchVector  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks._timing import demo_database, measure, table  # noqa: E402
from decisions.enums import DecisionStatus, Outcome  # noqa: E402
from decisions.models import DecisionRecord  # noqa: E402

RECORDS = int(os.environ.get("BENCH_RECORDS", 100_000))
SUBJECTS = [
    "Serious violence funding",
    "Knife crime prevention in schools",
    "Night-time economy patrols",
    "Youth diversion programme",
    "Domestic abuse perpetrator programme",
    "CCTV in town centres",
    "Violence Reduction Unit staffing",
    "Victims' services contract",
    "Estates: police station lease",
    "Community safety partnership grant",
    "Mentoring for young people",
    "Street lighting improvements",
]
WORDS = [
    "partnership",
    "funding",
    "prevention",
    "young",
    "people",
    "knife",
    "violence",
    "community",
    "safety",
    "contract",
    "grant",
    "evaluation",
    "police",
    "council",
    "health",
    "probation",
    "youth",
    "justice",
    "commissioning",
    "strategy",
]


def seed() -> None:
    started = time.perf_counter()
    staff, pcc = demo_database()
    rng = random.Random(2011)
    start = timezone.now() - datetime.timedelta(days=3650)
    batch = []
    for n in range(RECORDS):
        published = start + datetime.timedelta(minutes=52 * n)
        year = published.year % 100
        subject = SUBJECTS[n % len(SUBJECTS)]
        batch.append(
            DecisionRecord(
                reference=f"BN{n + 1}-{year:02d}",
                title=f"{subject} ({n})",
                received_on=published.date(),
                section_a=" ".join(rng.choice(WORDS) for _ in range(120)),
                decision_text="To approve the request.",
                status=DecisionStatus.PUBLISHED,
                outcome=Outcome.APPROVED if n % 7 else Outcome.NOT_APPROVED,
                officer_approval_name="Helen Carter",
                officer_approved_on=published.date(),
                advice_confirmed=True,
                signed_by=pcc,
                signed_name=pcc.full_name,
                signed_on=published.date(),
                signed_at=published,
                published_at=published,
                created_by=staff,
            )
        )
        if len(batch) == 5000:
            DecisionRecord.objects.bulk_create(batch)
            batch = []
    DecisionRecord.objects.bulk_create(batch)
    DecisionRecord.objects.filter(search_vector__isnull=True).update(
        search_vector=SearchVector("reference", weight="A", config="english")
        + SearchVector("title", weight="A", config="english")
        + SearchVector("section_a", weight="B", config="english")
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE decisions_decisionrecord")
    print(
        f"Seeded {DecisionRecord.objects.count():,} records in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def main() -> None:
    # What a page costs when it is made: the shared cache of whole pages is not used here
    # (benchmarks/public_pages.py measures it under load).
    settings.PAGE_CACHE_SECONDS = 0
    seed()
    client = Client()
    middle = DecisionRecord.objects.filter(reference__startswith="BN").order_by("pk")[RECORDS // 2]
    pages = [
        ("Register, first page", "/decisions/"),
        ("Register, page 2,000", "/decisions/?page=2000"),
        ("Register, one year", f"/decisions/?year={middle.published_at.year}"),
        ("Search: a subject (many matches)", "/decisions/?q=knife+crime"),
        ("Search: a common word (in every record)", "/decisions/?q=violence"),
        ("Search: a common word, most relevant first", "/decisions/?q=violence&order=relevance"),
        ("Search: two rarer words", "/decisions/?q=perpetrator+programme"),
        ("Search: a reference", f"/decisions/?q={middle.reference}"),
        ("Detail page", f"/decisions/{middle.reference}/"),
        ("Atom feed", "/decisions/feed/"),
    ]
    results = [{"label": label, **measure(client, url)} for label, url in pages]
    print()
    print(table(results, title=f"{DecisionRecord.objects.count():,} published decision records"))


if __name__ == "__main__":
    main()

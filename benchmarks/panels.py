"""Benchmark: the ranking table and the panel report for a round of
500 applications × 8 criteria × 10 members, on PostgreSQL.

Run it with `make bench-panels` (throwaway PostgreSQL and Redis). Target: 95th
percentile ≤ 200 ms, queries independent of size.
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

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks._timing import demo_database, measure, table  # noqa: E402
from grants import scoring  # noqa: E402
from grants.enums import ApplicationStatus, CapCategory, Recommendation, RoundStatus  # noqa: E402
from grants.models import (  # noqa: E402
    Application,
    AssessmentCriterion,
    AwardCap,
    ConflictDeclaration,
    FundingRound,
    ModeratedScore,
    Moderation,
    Panel,
    PanelMember,
    Score,
    Scorecard,
)
from partners.enums import OrganisationKind, Role, VerificationStatus  # noqa: E402
from partners.models import Organisation, User  # noqa: E402

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", 500))
CRITERIA = 8
MEMBERS = 10


def seed() -> FundingRound:
    started = time.perf_counter()
    staff, _ = demo_database()
    rng = random.Random(500)
    now = timezone.now()
    funding_round = FundingRound.objects.create(
        slug="bench-panel-round",
        fund_name="Violence Prevention Fund",
        title="Bench panel round",
        reference_prefix="BPR",
        description="…",
        eligibility="…",
        how_to_apply="…",
        budget=Decimal("10000000"),
        opens_at=now - datetime.timedelta(days=90),
        closes_at=now - datetime.timedelta(days=60),
        delivery_starts_on=datetime.date(2024, 1, 1),
        delivery_ends_on=datetime.date(2025, 3, 31),
        status=RoundStatus.ASSESSMENT,
        created_by=staff,
    )
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
    criteria = AssessmentCriterion.objects.bulk_create(
        AssessmentCriterion(
            round=funding_round,
            number=n,
            title=f"Criterion {n}",
            guidance="…",
            weight=Decimal(n % 3),
            scale_max=5,
        )
        for n in range(1, CRITERIA + 1)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Panel bench organisation {n}",
            kind=OrganisationKind.COMMUNITY_GROUP,
            verification_status=VerificationStatus.VERIFIED,
        )
        for n in range(100)
    )
    applications = Application.objects.bulk_create(
        Application(
            round=funding_round,
            organisation=organisations[n % 100],
            reference=f"BPR-{n:04d}",
            title=f"Bench application {n}",
            amount_requested=Decimal("4000"),
            status=ApplicationStatus.UNDER_ASSESSMENT,
            submitted_at=now,
            created_by=staff,
        )
        for n in range(1, APPLICATIONS + 1)
    )
    group = Group.objects.get(name=Role.PANEL_MEMBER)
    partner = Organisation.objects.get(name="Durham Constabulary")
    users = []
    for n in range(MEMBERS):
        user = User.objects.create_user(
            email=f"bench-panel{n}@example.org", password="x", full_name=f"Panellist {n}"
        )
        user.groups.add(group)
        users.append(user)
    panel = Panel.objects.create(round=funding_round, chair=users[0])
    members = PanelMember.objects.bulk_create(
        PanelMember(panel=panel, user=u, organisation=partner) for u in users
    )
    ConflictDeclaration.objects.bulk_create(
        ConflictDeclaration(member=m, application=a, has_interest=False)
        for a in applications
        for m in members
    )
    scorecards = []
    marks = {}
    for application in applications:
        for member in members:
            values = [rng.randint(0, 5) for _ in criteria]
            total = scoring.weighted_total(
                (c.weight, v, c.scale_max) for c, v in zip(criteria, values, strict=True)
            )
            scorecards.append(
                Scorecard(
                    member=member,
                    application=application,
                    status="submitted",
                    submitted_at=now,
                    total=total,
                )
            )
            marks[(application.pk, member.pk)] = values
    scorecards = Scorecard.objects.bulk_create(scorecards, batch_size=2000)
    Score.objects.bulk_create(
        (
            Score(scorecard=s, criterion=c, score=v, comment="")
            for s in scorecards
            for c, v in zip(criteria, marks[(s.application_id, s.member_id)], strict=True)
        ),
        batch_size=5000,
    )
    moderations = Moderation.objects.bulk_create(
        Moderation(
            application=a,
            rationale="Consensus reached.",
            recommendation=Recommendation.FUND if n % 2 else Recommendation.DO_NOT_FUND,
            recommended_amount=Decimal("4000") if n % 2 else Decimal("0"),
            total=Decimal(rng.randint(3000, 9000)) / 100,
            moderated_by=users[0],
        )
        for n, a in enumerate(applications)
    )
    ModeratedScore.objects.bulk_create(
        ModeratedScore(moderation=m, criterion=c, score=3) for m in moderations for c in criteria
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Seeded {APPLICATIONS} applications × {CRITERIA} criteria × {MEMBERS} members "
        f"({Score.objects.count():,} scores) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return funding_round


def main() -> None:
    funding_round = seed()
    client = Client()
    client.force_login(User.objects.get(email="staff@demo.example"))
    slug = funding_round.slug
    pages = [
        ("Ranking table", f"/panel/{slug}/ranking/"),
        ("Panel report (printable page)", f"/panel/{slug}/report/"),
        ("Panel report CSV", f"/panel/{slug}/report.csv"),
        ("Panel report XLSX", f"/panel/{slug}/report.xlsx"),
    ]
    results = [{"label": label, **measure(client, url, runs=30)} for label, url in pages]
    print()
    print(
        table(
            results, title=f"{APPLICATIONS} applications × {CRITERIA} criteria × {MEMBERS} members"
        )
    )


if __name__ == "__main__":
    main()

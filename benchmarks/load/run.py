"""Load benchmark: the portal under gunicorn (two workers) on PostgreSQL and Redis, driven
by Locust, at 10, 50 and 100 concurrent users.

Run it with `make bench` (throwaway PostgreSQL and Redis). It seeds 100,000 published
decision records and 100,000 applications (the data of bench-decisions and
bench-applications), signs real PDFs for 100 of the records, gives 100 providers a
draft each and puts 100 panellists on a round's panel, twenty applications each; then,
for each number of users:

1. the mix of people in locustfile.py with 1–3 s of think time between requests (the
   people the portal serves): requests per second, 50th/95th/99th percentiles, errors;
2. the same mix with no think time, and a minimal Django view with no think time, on
   the same gunicorn: the ratio of the two request rates shows what the portal's own
   work costs against the framework's floor.

Target: no errors at 50 users, 95th percentile ≤ 300 ms. The table is printed and
written to benchmarks/results/load.md.
"""

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.load.settings"

import django  # noqa: E402 (Django must be set up before the models are imported)

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

# Seeding the 100,000 applications and 100,000 records is theirs.
from benchmarks import applications as application_bench  # noqa: E402
from benchmarks import decisions as decision_bench  # noqa: E402
from benchmarks.load.server import free_port, start_gunicorn  # noqa: E402
from decisions.enums import DecisionStatus  # noqa: E402
from decisions.models import DecisionDocument, DecisionRecord  # noqa: E402
from decisions.services import document_render  # noqa: E402
from decisions.views import RegisterListView  # noqa: E402
from grants import services as grant_services  # noqa: E402
from grants.enums import SCORABLE_STATUSES, AssignmentMode, RoundStatus  # noqa: E402
from grants.models import Application, ConflictDeclaration, FundingRound  # noqa: E402
from partners.enums import MembershipStatus, OrganisationKind, Role, VerificationStatus  # noqa: E402
from partners.models import Membership, Organisation, User  # noqa: E402

LEVELS = [int(n) for n in os.environ.get("LOAD_USERS", "10,50,100").split(",")]
RUN_SECONDS = int(os.environ.get("LOAD_SECONDS", 40))
PEOPLE = 100
PASSWORD = "load-benchmark-password"
RESULTS = ROOT / "benchmarks" / "results"
WORK = ROOT / "var" / "load"


def people(prefix: str, role: str, count: int) -> list[User]:
    group = Group.objects.get(name=role)
    users = []
    for n in range(count):
        user = User.objects.create_user(
            email=f"{prefix}{n}@load.example", password=PASSWORD, full_name=f"Load {prefix} {n}"
        )
        user.groups.add(group)
        users.append(user)
    return users


def seed_people() -> dict:
    """Providers with a draft each in the open round, and a panel of 100 on a closed one."""
    staff = User.objects.get(email="staff@demo.example")
    open_round = FundingRound.objects.get(slug="bench-round-0")
    assert open_round.status == RoundStatus.OPEN
    providers = []
    for n, user in enumerate(people("provider", Role.PROVIDER, PEOPLE)):
        organisation = Organisation.objects.create(
            name=f"Load community group {n}",
            kind=OrganisationKind.COMMUNITY_GROUP,
            verification_status=VerificationStatus.VERIFIED,
        )
        Membership.objects.create(
            user=user, organisation=organisation, status=MembershipStatus.ACTIVE
        )
        draft = grant_services.application_start(
            funding_round=open_round,
            organisation=organisation,
            by=user,
            title="Street sport and mentoring",
        )
        providers.append({"email": user.email, "reference": draft.reference})

    panel_round = FundingRound.objects.get(slug="bench-round-1")
    panellists = people("panellist", Role.PANEL_MEMBER, PEOPLE)
    council = Organisation.objects.create(
        name="Load County Council",
        kind=OrganisationKind.LOCAL_AUTHORITY,
        verification_status=VerificationStatus.VERIFIED,
    )
    # A big round is shared out: each member scores twenty bids (one evening's work).
    panel = grant_services.panel_save(
        funding_round=panel_round,
        by=staff,
        chair=panellists[0],
        members=[(user, council) for user in panellists],
        assignment_mode=AssignmentMode.ASSIGNED,
    )
    scorable = list(
        Application.objects.filter(round=panel_round, status__in=sorted(SCORABLE_STATUSES))
        .order_by("reference")
        .only("pk", "reference", "round_id")[:200]
    )
    members = []
    for n, member in enumerate(panel.members.select_related("user").order_by("user__email")):
        work = [scorable[(n * 20 + i) % len(scorable)] for i in range(20)]
        grant_services.assignments_set(member=member, applications=work, by=staff)
        ConflictDeclaration.objects.bulk_create(
            ConflictDeclaration(member=member, application=a, has_interest=False) for a in work
        )
        members.append({"email": member.user.email, "applications": [a.reference for a in work]})
    return {
        "providers": providers,
        "open_round": open_round.slug,
        "panel": {"slug": panel_round.slug, "members": members},
    }


def seed_pdfs(count: int = 100) -> list[str]:
    """Real signed PDFs for `count` published records, rendered as the worker would."""
    records = list(
        DecisionRecord.objects.filter(
            status=DecisionStatus.PUBLISHED, reference__startswith="BN"
        ).order_by("-published_at")[:count]
    )
    started = time.perf_counter()
    for record in records:
        document = DecisionDocument.objects.create(record=record, version=1)
        document_render(document_id=document.pk)
    print(f"Signed {len(records)} PDFs in {time.perf_counter() - started:.0f} s", flush=True)
    return [record.reference for record in records]


def seed() -> dict:
    call_command("create_signing_certificate", verbosity=0)
    application_bench.seed()
    decision_bench.seed()
    scenario = seed_people()
    with_pdf = seed_pdfs()
    rng = random.Random(7)
    published = DecisionRecord.objects.filter(status=DecisionStatus.PUBLISHED).count()
    references = list(
        DecisionRecord.objects.filter(reference__startswith="BN").values_list(
            "reference", flat=True
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        **scenario,
        "password": PASSWORD,
        "records": rng.sample(references, 2000),
        "records_with_pdf": with_pdf,
        "register_pages": published // RegisterListView.paginate_by,
        "search_terms": [
            "knife+crime",
            "youth+diversion",
            "domestic+abuse",
            "street+lighting",
            "mentoring",
            "CCTV",
            "victims",
            "evaluation+probation",
        ],
        "words": decision_bench.WORDS,
    }


def locust(port: int, users: int, classes: list[str], *, wait: str, label: str) -> dict:
    """Runs Locust headless and returns its aggregated figures, measured after ramp-up."""
    prefix = WORK / label
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(Path(__file__).parent / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 5)),
                "--run-time",
                f"{RUN_SECONDS}s",
                "--reset-stats",
                "--stop-timeout",
                "5",
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                *classes,
            ],
            cwd=ROOT,
            env={**os.environ, "LOAD_SCENARIO": str(WORK / "scenario.json"), "LOAD_WAIT": wait},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    return {
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "requests": requests,
        "errors": failures,
        "error_rate": failures / requests if requests else 0.0,
        "pages": {
            name: float(row["95%"])
            for name, row in rows.items()
            if name != "Aggregated" and int(row["Request Count"])
        },
    }


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    scenario = seed()
    (WORK / "scenario.json").write_text(json.dumps(scenario))
    connection.close()
    port = free_port()
    server = start_gunicorn(port)
    people_classes = ["Visitor", "Provider", "Panellist"]
    rows = []
    try:
        for users in LEVELS:
            print(f"{users} users …", flush=True)
            paced = locust(port, users, people_classes, wait="1-3", label=f"paced-{users}")
            flat_out = locust(port, users, people_classes, wait="0", label=f"capacity-{users}")
            minimal = locust(port, users, ["Minimal"], wait="0", label=f"minimal-{users}")
            rows.append((users, paced, flat_out, minimal))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    lines = [
        f"Load: {DecisionRecord.objects.count():,} decision records, "
        f"{Application.objects.count():,} applications; gunicorn with 2 workers; "
        f"{RUN_SECONDS} s per run after ramp-up.",
        "",
        "| users | requests/s (1–3 s think time) | 50th (ms) | 95th (ms) | 99th (ms) | errors "
        "| requests/s flat out | minimal view requests/s | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for users, paced, flat_out, minimal in rows:
        ratio = flat_out["rps"] / minimal["rps"] if minimal["rps"] else 0
        lines.append(
            f"| {users} | {paced['rps']:.1f} | {paced['p50']:.0f} | {paced['p95']:.0f} "
            f"| {paced['p99']:.0f} | {paced['errors']} of {paced['requests']} "
            f"({paced['error_rate']:.2%}) | {flat_out['rps']:.1f} | {minimal['rps']:.1f} "
            f"| {ratio:.2f} |"
        )
    lines += ["", "95th percentile by request at 50 users (ms), with think time:", ""]
    at_50 = next((paced for users, paced, _, _ in rows if users == 50), rows[-1][1])
    for name, p95 in sorted(at_50["pages"].items(), key=lambda item: -item[1]):
        lines.append(f"- {name}: {p95:.0f}")
    report = "\n".join(lines)
    print()
    print(report)
    (RESULTS / "load.md").write_text(report + "\n")
    target = next((paced for users, paced, _, _ in rows if users == 50), None)
    if target is not None:
        met = target["errors"] == 0 and target["p95"] <= 300
        print(
            f"\nAt 50 users: {target['errors']} errors, 95th percentile {target['p95']:.0f} ms "
            f"(target: no errors, ≤ 300 ms): {'met' if met else 'NOT met'}"
        )


if __name__ == "__main__":
    main()

"""What the benchmarks share: the demo database they start from, and server time and queries
per request, via Django's test client. Import it after `django.setup()`."""

import statistics
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import User


def demo_database() -> tuple[User, User]:
    """Migrate and seed the demo, which every benchmark builds on; returns its OPCC staff
    and PCC accounts."""
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    return User.objects.get(email="staff@demo.example"), User.objects.get(email="pcc@demo.example")


def measure(client: Client, url: str, *, runs: int = 50, warmup: int = 3) -> dict:
    """Median and 95th-percentile time of `runs` GETs, and the queries one request makes."""
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    queries = set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    timings.sort()
    return {
        "url": url,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, int(round(0.95 * len(timings))) - 1)],
        "queries": sorted(queries),
    }


def table(rows: list[dict], *, title: str) -> str:
    lines = [
        f"### {title}",
        "",
        "| page | median (ms) | 95th percentile (ms) | queries per request |",
        "|---|---:|---:|---:|",
    ]
    for row in rows:
        queries = ", ".join(str(q) for q in row["queries"])
        lines.append(
            f"| {row['label']} | {row['median_ms']:.1f} | {row['p95_ms']:.1f} | {queries} |"
        )
    return "\n".join(lines)

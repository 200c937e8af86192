"""Benchmark: the public pages under a news-day crowd, as a share of what an empty view serves.

Run it with `make bench-public` (a throwaway PostgreSQL and Redis; wrk from Debian). It
seeds 100,000 published decision records (benchmarks/decisions.py) on top of the demo data
and signs one record's PDF, then serves the portal with gunicorn (two sync workers, the
load settings: the test settings with persistent connections, Redis as the shared cache)
and drives each URL in turn with wrk (BENCH_CONNECTIONS connections, 16 by default, for
BENCH_SECONDS, 15 by default), a raw-rate client that costs far less than the server it
measures. The empty view (/bench/minimal/, which does nothing) runs first and last; each
page's rate is shown as a share of their mean.

Targets (issue 18): every anonymous public page at least 40 % of the empty view's rate, the
search at least 15 %, page 2,000 within 10 % of page 1, and no errors. The table is printed
and written to benchmarks/results/public_pages.md; the script exits 1 if a target is missed.

"A different search each time" asks for two common words and a page of their matches, new
on every request (wrk's Lua script), so none is served from the cache: it shows what a
search costs when it is made, not kept.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.load.settings"

import django  # noqa: E402 (Django must be set up before the models are imported)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from benchmarks import decisions as decision_bench  # noqa: E402
from benchmarks.load.server import free_port, start_gunicorn  # noqa: E402
from decisions.enums import DecisionStatus  # noqa: E402
from decisions.models import DecisionDocument, DecisionRecord  # noqa: E402
from decisions.services import document_render  # noqa: E402
from grants.models import FundingRound  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", 15))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
RESULTS = ROOT / "benchmarks" / "results"
EMPTY = "/bench/minimal/"
# Two of the seeded words and a page of their matches, new on each request: wrk's two
# threads count from far apart, so no address is asked for twice in a run.
UNCACHED_SEARCH = """
words = {__WORDS__}
threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("offset", threads * 8000)
end
init = function(args)
  counter = offset
end
request = function()
  counter = counter + 1
  local first = words[counter % 20 + 1]
  local second = words[math.floor(counter / 20) % 20 + 1]
  local page = math.floor(counter / 400) % 40 + 1
  return wrk.format("GET", "/decisions/?q=" .. first .. "+" .. second .. "&page=" .. page)
end
""".replace("__WORDS__", ", ".join(f'"{word}"' for word in decision_bench.WORDS))


def seed() -> dict:
    call_command("create_signing_certificate", verbosity=0)
    decision_bench.seed()
    record = (
        DecisionRecord.objects.filter(status=DecisionStatus.PUBLISHED, reference__startswith="BN")
        .order_by("-published_at")
        .first()
    )
    document_render(document_id=DecisionDocument.objects.create(record=record, version=1).pk)
    funding_round = FundingRound.objects.exclude(status="draft").order_by("-opens_at").first()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return {"record": record.reference, "round": funding_round.slug}


def pages(seeded: dict) -> list[tuple[str, str, str]]:
    """(label, address, kind): kind is the target the row is held to."""
    return [
        ("`/`", "/", "page"),
        ("`/funding/`", "/funding/", "page"),
        ("a round page", f"/funding/{seeded['round']}/", "page"),
        ("a record page", f"/decisions/{seeded['record']}/", "page"),
        ("`/decisions/`", "/decisions/", "page"),
        ("`/decisions/?page=200`", "/decisions/?page=200", "page"),
        ("`/decisions/?page=2000`", "/decisions/?page=2000", "page"),
        ("`/decisions/feed/`", "/decisions/feed/", "page"),
        ("`/decisions/?q=violence`", "/decisions/?q=violence", "search"),
        ("a record's signed PDF", f"/decisions/{seeded['record']}/pdf/", "page"),
        ("a different search each time", "/decisions/?q=knife+youth&page=2", "uncached"),
    ]


def wrk(base: str, address: str, *, script: str | None = None) -> dict:
    """One wrk run: requests a second, latency percentiles, and every error it counted."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            command += ["-s", lua.name]
        output = subprocess.run(
            [*command, base + address], capture_output=True, text=True, check=True
        ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    return {
        "rate": rate,
        "requests": requests,
        "errors": errors,
        "p50": latency.get("50", "?"),
        "p99": latency.get("99", "?"),
    }


def main() -> None:
    seeded = seed()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port)
    try:
        rows = []
        for _label, address, _kind in pages(seeded):  # each page made once, as a crowd finds it
            urllib.request.urlopen(base + address, timeout=30).read()
        first_empty = wrk(base, EMPTY)
        for label, address, kind in pages(seeded):
            script = UNCACHED_SEARCH if kind == "uncached" else None
            rows.append({"label": label, "kind": kind, **wrk(base, address, script=script)})
            print(f"{label}: {rows[-1]['rate']:.0f} requests/s", flush=True)
        last_empty = wrk(base, EMPTY)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    report(rows, first_empty, last_empty)


def report(rows: list[dict], first_empty: dict, last_empty: dict) -> None:
    empty = (first_empty["rate"] + last_empty["rate"]) / 2
    by_label = {row["label"]: row for row in rows}
    page_1 = by_label["`/decisions/`"]["rate"]
    page_2000 = by_label["`/decisions/?page=2000`"]["rate"]
    missed = []
    lines = [
        f"Empty view: {first_empty['rate']:.0f} requests/s first, {last_empty['rate']:.0f} "
        f"last (mean {empty:.0f}); wrk, {CONNECTIONS} connections, {SECONDS} s a URL; "
        "gunicorn with 2 sync workers, PostgreSQL and Redis on the same machine.",
        "",
        "| page | requests/s | share of the empty view's rate | 50th | 99th | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        share = row["rate"] / empty
        lines.append(
            f"| {row['label']} | {row['rate']:.0f} | {share:.0%} | {row['p50']} | {row['p99']} "
            f"| {row['errors']} of {row['requests']} |"
        )
        floor = {"page": 0.40, "search": 0.15}.get(row["kind"])
        if floor is not None and share < floor:
            missed.append(f"{row['label']} at {share:.0%} (target {floor:.0%})")
        if row["errors"]:
            missed.append(f"{row['label']}: {row['errors']} errors")
    gap = abs(page_2000 - page_1) / page_1
    lines += ["", f"Page 2,000 against page 1: {gap:.1%} apart (target within 10 %)."]
    if gap > 0.10:
        missed.append(f"page 2,000 {gap:.1%} from page 1")
    lines.append("Targets met." if not missed else "Targets missed: " + "; ".join(missed))
    text = "\n".join(lines)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "public_pages.md").write_text(text + "\n")
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Benchmark: render-and-sign time per decision record, and the throughput of 1,000 records
through two Celery worker processes on PostgreSQL and Redis.

Run it with `make bench-documents`. Target: median ≤ 0.5 s per record. In the same
run it times WeasyPrint rendering a one-line page and reports the ratio.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svd_portal.settings.test")
SIGNING = Path(tempfile.mkdtemp(prefix="svd-bench-signing-"))
os.environ["DECISION_SIGNING_KEY"] = str(SIGNING / "key.pem")
os.environ["DECISION_SIGNING_CERT"] = str(SIGNING / "cert.pem")
os.environ["DJANGO_MEDIA_ROOT"] = str(SIGNING / "media")

import django  # noqa: E402 (Django must be set up before the models are imported)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks._timing import demo_database  # noqa: E402
from decisions import documents  # noqa: E402
from decisions.enums import DecisionStatus, DocumentStatus, Outcome  # noqa: E402
from decisions.models import DecisionDocument, DecisionRecord  # noqa: E402
from decisions.tasks import render_document  # noqa: E402
from svd_portal import pdfs  # noqa: E402

RECORDS = int(os.environ.get("BENCH_RECORDS", 1000))
SAMPLES = 50


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def seed() -> list[DecisionRecord]:
    staff, pcc = demo_database()
    call_command("create_signing_certificate", verbosity=0)
    DecisionDocument.objects.all().delete()
    template = DecisionRecord.objects.get(reference="DN50-24")
    today = timezone.localdate()
    return DecisionRecord.objects.bulk_create(
        DecisionRecord(
            reference=f"PB{n}-26",
            title=f"{template.title} ({n})",
            received_on=today,
            section_a=template.section_a,
            decision_text=template.decision_text,
            status=DecisionStatus.PUBLISHED,
            outcome=Outcome.APPROVED,
            officer_approval_name="Helen Carter",
            officer_approved_on=today,
            advice_confirmed=True,
            signed_by=pcc,
            signed_name=pcc.full_name,
            signed_on=today,
            signed_at=timezone.now(),
            published_at=timezone.now(),
            created_by=staff,
        )
        for n in range(1, RECORDS + 1)
    )


def time_in_process(records) -> dict:
    from weasyprint import HTML

    identity = pdfs.load_signing_identity()
    documents.render_pdf(records[0])  # the first render in a process loads fonts
    render, sign, total = [], [], []
    for record in records[:SAMPLES]:
        started = time.perf_counter()
        pdf = documents.render_pdf(record)
        rendered = time.perf_counter()
        documents.sign_pdf(
            pdf, identity=identity, signed_by=record.signed_name, signed_on=record.signed_on
        )
        done = time.perf_counter()
        render.append(rendered - started)
        sign.append(done - rendered)
        total.append(done - started)
    one_line = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        HTML(string="<p>One line.</p>").write_pdf()
        one_line.append(time.perf_counter() - started)
    return {"render": render, "sign": sign, "total": total, "one_line": one_line}


def throughput(records) -> tuple[float, int]:
    env = {**os.environ}
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "svd_portal",
            "worker",
            "--concurrency=2",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # the two processes start and connect
        queued = DecisionDocument.objects.bulk_create(
            DecisionDocument(record=record, version=1) for record in records
        )
        started = time.perf_counter()
        for document in queued:
            render_document.apply_async(kwargs={"document_id": document.pk})
        while True:
            ready = DecisionDocument.objects.filter(status=DocumentStatus.READY).count()
            failed = DecisionDocument.objects.filter(status=DocumentStatus.FAILED).count()
            if ready + failed >= len(queued):
                break
            if time.perf_counter() - started > 1800:
                raise TimeoutError(f"only {ready} of {len(queued)} ready after 30 minutes")
            time.sleep(0.5)
        return time.perf_counter() - started, failed
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def ms(values, share=None) -> str:
    value = statistics.median(values) if share is None else percentile(values, share)
    return f"{value * 1000:.0f}"


def main() -> None:
    records = seed()
    timings = time_in_process(records)
    elapsed, failed = throughput(records)
    print()
    print(f"### Signed PDFs: {RECORDS:,} records, two worker processes (PostgreSQL, Redis)")
    print()
    print("| measure | median (ms) | 95th percentile (ms) |")
    print("|---|---:|---:|")
    print(
        f"| render (WeasyPrint, PDF/UA-1) | {ms(timings['render'])} | {ms(timings['render'], 0.95)} |"
    )
    print(f"| sign (pyHanko, PAdES) | {ms(timings['sign'])} | {ms(timings['sign'], 0.95)} |")
    print(
        f"| render and sign, one record | {ms(timings['total'])} | {ms(timings['total'], 0.95)} |"
    )
    print(
        f"| WeasyPrint, a one-line page | {ms(timings['one_line'])} | {ms(timings['one_line'], 0.95)} |"
    )
    ratio = statistics.median(timings["total"]) / statistics.median(timings["one_line"])
    print()
    print(f"Render and sign take {ratio:.1f} × a one-line WeasyPrint page (medians).")
    print(
        f"Throughput: {RECORDS:,} records in {elapsed:.1f} s with two worker processes = "
        f"{RECORDS / elapsed:.1f} records a second ({failed} failed)."
    )


if __name__ == "__main__":
    main()

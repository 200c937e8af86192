"""Two web instances behind nginx, two Celery workers and one scheduler, sharing PostgreSQL,
Redis and the bucket (tests/cluster/conftest.py): what one instance does, the other shows
at once, and nginx shares the work and keeps only what the portal allows it to."""

import base64
import hashlib
import json
import re
import subprocess
import time

import pytest
from django_otp.oath import totp

from .conftest import DEMO_PASSWORD, PCC

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECRET = re.compile(r'<code class="portal-secret" id="secret">([A-Z2-7 ]+)</code>')
# The worker renders the demo's five records first, then this one.
PDF_SECONDS = 90


def form(page) -> dict:
    """What a browser sends with a form from `page`: its CSRF token, and the page it came
    from (Django checks the Origin of a POST over HTTPS)."""
    origin = re.match(r"https://[^/]+", page.url)[0]
    return {
        "data": {"csrfmiddlewaretoken": CSRF.search(page.text)[1]},
        "headers": {"Origin": origin, "Referer": page.url},
    }


def post(session, page, url, **fields):
    sent = form(page)
    return session.post(
        url,
        data={**sent["data"], **fields},
        headers=sent["headers"],
        allow_redirects=False,
        timeout=30,
    )


def code_now(secret: str) -> str:
    return f"{totp(base64.b32decode(secret.replace(' ', ''))):06d}"


@pytest.fixture(scope="module")
def pcc(cluster):
    """The demo PCC signed in through instance A: the password, then the authenticator app
    set up with the key seed_demo printed."""
    session = cluster.session()
    a = cluster.instance_a
    login = session.get(f"{a}/accounts/login/", timeout=30)
    answer = post(session, login, f"{a}/accounts/login/", username=PCC, password=DEMO_PASSWORD)
    assert (answer.status_code, answer.headers["Location"]) == (302, "/")
    home = session.get(f"{a}/", allow_redirects=False, timeout=30)
    assert (home.status_code, home.headers["Location"]) == (
        302,
        "/accounts/two-factor/setup/?next=%2F",
    )
    setup = session.get(f"{a}/accounts/two-factor/setup/?next=%2F", timeout=30)
    assert SECRET.search(setup.text)[1] == cluster.pcc_key
    done = post(session, setup, setup.url, code=code_now(cluster.pcc_key), next="/")
    assert (done.status_code, done.headers["Location"]) == (
        302,
        "/accounts/two-factor/recovery-codes/",
    )
    return session


def upstreams(cluster, request_ids) -> list[str]:
    """The instance nginx chose for each of these requests, from its access log. nginx
    writes a request's line once the answer has gone, so the last may come a moment after
    the client has it: the log is read again until every id is there (5 s at most)."""
    deadline = time.monotonic() + 5
    while True:
        chosen = {line["request_id"]: line["upstream"] for line in cluster.access_log()}
        if all(i in chosen for i in request_ids) or time.monotonic() > deadline:
            return [chosen.get(request_id, "not logged") for request_id in request_ids]
        time.sleep(0.05)


def json_lines(text: str) -> list[dict]:
    """The JSON log lines of a process (the production settings' LOG_FORMAT), banner left out."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_nginx_shares_requests_between_the_instances(cluster):
    client = cluster.session()

    answers = [client.get(f"{cluster.balanced}/healthz/", timeout=30) for _ in range(6)]

    assert [(a.status_code, a.json()) for a in answers] == [
        (200, {"database": "ok", "broker": "ok"})
    ] * 6
    # The id nginx made for each request is the one the portal used and sent back.
    ids = [a.headers["X-Request-ID"] for a in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids), ids
    assert sorted(set(upstreams(cluster, ids))) == sorted([cluster.upstream_a, cluster.upstream_b])


def test_nginx_sends_plain_http_to_https_and_keeps_metrics_in(cluster):
    client = cluster.session()

    plain = client.get(f"{cluster.plain}/decisions/?page=2", allow_redirects=False, timeout=30)
    metrics = client.get(f"{cluster.balanced}/metrics", timeout=30)

    assert (plain.status_code, plain.headers["Location"]) == (
        301,
        "https://127.0.0.1/decisions/?page=2",
    )
    assert metrics.status_code == 404


def test_a_record_signed_through_instance_a_is_read_through_instance_b(cluster, pcc):
    a, b = cluster.instance_a, cluster.instance_b
    reference, pk = cluster.record["reference"], cluster.record["pk"]
    link = f'href="/decisions/{reference}/"'
    visitor = cluster.session()
    # B keeps the register in the shared cache before the record is signed.
    before = visitor.get(f"{b}/decisions/", timeout=30)
    kept = visitor.get(f"{b}/decisions/", timeout=30)
    assert (before.status_code, kept.status_code) == (200, 200)
    assert link not in before.text
    assert kept.headers["ETag"] == before.headers["ETag"]

    page = pcc.get(f"{a}/staff/decisions/{pk}/", timeout=30)
    assert page.status_code == 200
    assert "Sign the decision" in page.text
    signed = post(
        pcc,
        page,
        f"{a}/staff/decisions/{pk}/sign/",
        outcome="approved",
        declaration="None",
        password=DEMO_PASSWORD,
    )
    assert (signed.status_code, signed.headers["Location"]) == (302, f"/staff/decisions/{pk}/")

    # Signing gave the register a new version in Redis: B's next answer is a new page.
    after = visitor.get(f"{b}/decisions/", timeout=30)
    assert after.status_code == 200
    assert link in after.text
    assert after.headers["ETag"] != before.headers["ETag"]

    # One of the two workers renders and signs the PDF into the bucket; B streams it.
    deadline = time.monotonic() + PDF_SECONDS
    while (pdf := visitor.get(f"{b}/decisions/{reference}/pdf/", timeout=30)).status_code == 404:
        assert time.monotonic() < deadline, f"no PDF of {reference} after {PDF_SECONDS} s"
        time.sleep(0.5)
    sha256 = hashlib.sha256(pdf.content).hexdigest()
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["ETag"] == f'"{sha256}"'
    assert pdf.content.startswith(b"%PDF-")
    assert visitor.get(f"{a}/decisions/{reference}/pdf/", timeout=30).content == pdf.content
    # B's page of the record gives the same file's fingerprint.
    record_page = visitor.get(f"{b}/decisions/{reference}/", timeout=30)
    assert f"SHA-256 fingerprint of the file: <code>{sha256}</code>" in record_page.text

    stored = cluster.s3.list_objects_v2(Bucket=cluster.bucket, Prefix=f"decisions/pdf/{reference}")
    assert [o["Key"] for o in stored["Contents"]] == [f"decisions/pdf/{reference}-v1.pdf"]
    body = cluster.s3.get_object(Bucket=cluster.bucket, Key=f"decisions/pdf/{reference}-v1.pdf")
    assert body["Body"].read() == pdf.content
    path = cluster.folder / f"{reference}.pdf"
    path.write_bytes(pdf.content)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True)
    assert "Signature Validation: Signature is Valid." in report.stdout

    # nginx sent the PCC's click to A and the visitor's requests to B; the task the click
    # queued ran once, in one of the workers, and its log line carries the click's id.
    sign_id = signed.headers["X-Request-ID"]
    read = [before, kept, after, pdf, record_page]
    assert upstreams(cluster, [sign_id]) == [cluster.upstream_a]
    assert upstreams(cluster, [r.headers["X-Request-ID"] for r in read]) == [cluster.upstream_b] * 5
    finished = [
        line["message"].split("[")[0]
        for name in ("worker-a", "worker-b")
        for line in json_lines(cluster.log(name))
        if line.get("request_id") == sign_id and "] succeeded in " in line["message"]
    ]
    assert finished == ["Task decisions.render_document"]


def test_nginx_keeps_a_visitors_page_but_never_a_signed_in_one(cluster, pcc):
    visitor = cluster.session()

    first, second = (visitor.get(f"{cluster.balanced}/funding/", timeout=30) for _ in range(2))
    mine = [pcc.get(f"{cluster.balanced}/staff/decisions/", timeout=30) for _ in range(4)]

    assert [(r.status_code, r.headers["X-Cache-Status"]) for r in (first, second)] == [
        (200, "MISS"),
        (200, "HIT"),
    ]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert second.content == first.content
    assert [
        (r.status_code, r.headers["Cache-Control"], r.headers["X-Cache-Status"]) for r in mine
    ] == [(200, "private", "BYPASS")] * 4
    # The session is in PostgreSQL: both instances know the PCC signed in through A.
    ids = [r.headers["X-Request-ID"] for r in mine]
    assert sorted(set(upstreams(cluster, ids))) == sorted([cluster.upstream_a, cluster.upstream_b])


def test_every_process_is_still_running(cluster):
    assert {name: p.poll() for name, p in cluster.processes.items()} == {
        "web-a": None,
        "worker-a": None,
        "web-b": None,
        "worker-b": None,
        "beat": None,
        "nginx": None,
    }
    # One scheduler: the beat process, and neither worker runs one of its own (-B).
    scheduling = [name for name in cluster.processes if "beat: Starting..." in cluster.log(name)]
    assert scheduling == ["beat"]

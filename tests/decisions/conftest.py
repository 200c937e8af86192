"""Fixtures for decision records: records taken to each status through the services, a
round with the panel's recommendations to decide on, and what the signed PDFs need (a
development certificate and a private storage of the test's own, the Celery app on a Redis
database of its own, and real worker processes).

The round, its panel and its applications come from tests/grants/conftest.py; the Chief
Executive, the PCC and the other people from tests/conftest.py. The PDF fixtures are not
autouse: the document tests ask for `document_signing` and `document_storage` by
`pytestmark`, so nothing else here writes under this test's folders by surprise.
"""

import base64
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionDocument, DecisionRecord
from grants.enums import Recommendation
from svd_portal import celery_app
from tests.factories.partners import PASSWORD
from tests.grants import conftest as panels

from .documents_helpers import children_of, make_certificate, point_celery_at

RECORD = {
    "title": "Knife crime awareness campaign in schools",
    "received_on": datetime.date(2024, 3, 1),
    "section_a": "A request to fund a knife crime awareness campaign in secondary schools.",
    "decision_text": "To approve the campaign.",
}
# The grants round in assessment, its panel, applications and moderation, found by pytest
# under these names.
applicant_org = panels.applicant_org
chair_user = panels.chair_user
declare = panels.declare
funding_round = panels.funding_round
make_application = panels.make_application
make_panel = panels.make_panel
make_panellist = panels.make_panellist
make_round = panels.make_round
member_user = panels.member_user
moderate = panels.moderate
panel = panels.panel
score = panels.score
third_user = panels.third_user

DEFERRAL = {
    "publication_deferred": True,
    "deferral_reasons": "Staff affected must be consulted first.",
}


def bulk_published(
    count, *, by, first=1, start=datetime.datetime(2024, 1, 1, 9, 0, tzinfo=datetime.UTC)
):
    """`count` published records in one INSERT, numbered from DN<first>-24, each an hour
    after the one before; the register's rows, not made through the workflow (no search
    index)."""
    rows = []
    for n in range(first, first + count):
        moment = start + datetime.timedelta(hours=n)
        rows.append(
            DecisionRecord(
                reference=f"DN{n}-24",
                title=f"Decision number {n}",
                received_on=moment.date(),
                section_a="A request for a decision.",
                decision_text="To approve the request.",
                status=DecisionStatus.PUBLISHED,
                outcome=Outcome.APPROVED,
                officer_approval_name="Helen Carter",
                officer_approved_on=moment.date(),
                advice_confirmed=True,
                signed_name="Morgan Reid",
                signed_on=moment.date(),
                signed_at=moment,
                published_at=moment,
                created_by=by,
            )
        )
    return DecisionRecord.objects.bulk_create(rows)


@pytest.fixture(autouse=True)
def section_b_storage(tmp_path, monkeypatch):
    """Section B reports (and their redacted copies) in a folder of this test's own, not
    the shared test media."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(DecisionRecord._meta.get_field("section_b"), "storage", storage)
    monkeypatch.setattr(DecisionRecord._meta.get_field("section_b_redacted"), "storage", storage)
    return storage


@pytest.fixture
def future_day():
    """A deferral date well after today, whenever the suite runs."""
    return timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def make_record(staff_user, ceo_user, pcc_user):
    """make_record(status, outcome=…, declaration=…, section_b=b"…", **fields): a record taken
    to `status` through the services. SIGNED needs a deferral (`deferred_until=`), since a
    record signed without one is published at once."""

    def make(
        status=DecisionStatus.DRAFT,
        *,
        outcome=Outcome.APPROVED,
        declaration="None",
        section_b=None,
        **fields,
    ):
        record = services.decision_create(by=staff_user, **{**RECORD, **fields})
        if section_b is not None:
            record = services.decision_attach_section_b(
                record=record, by=staff_user, uploaded_file=ContentFile(section_b, name="b.txt")
            )
        if status == DecisionStatus.DRAFT:
            return record
        record = services.decision_submit(record=record, by=staff_user)
        if status == DecisionStatus.AWAITING_APPROVAL:
            return record
        record = services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
        )
        if status == DecisionStatus.AWAITING_SIGNATURE:
            return record
        record = services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=outcome,
            declaration=declaration,
            password=PASSWORD,
        )
        assert record.status == status, f"made {record.status}, not {status}"
        return record

    return make


@pytest.fixture
def record_in(make_record, future_day):
    """record_in(status): a record in that status; a signed one is deferred to future_day."""

    def make(status, **fields):
        if status == DecisionStatus.SIGNED:
            fields = {**DEFERRAL, "deferred_until": future_day, **fields}
        return make_record(status, **fields)

    return make


@pytest.fixture
def recommended_round(funding_round, panel, make_application, moderate):
    """The round (budget £10,000) with three applications moderated: YV1-0001 funded at
    £4,800 of £6,000, YV1-0002 funded with conditions at £3,000, YV1-0003 not funded."""
    first = make_application("Mentoring for young people at risk", amount=Decimal("6000"))
    second = make_application("Healthy relationships in schools", amount=Decimal("3000"))
    third = make_application("Boxing after school", amount=Decimal("2000"))
    moderate(first, Decimal("4800"), scores=(5, 4))
    moderate(
        second,
        Decimal("3000"),
        recommendation=Recommendation.FUND_WITH_CONDITIONS,
        conditions="Safeguarding training first.",
        scores=(4, 3),
    )
    moderate(third, Decimal("0"), recommendation=Recommendation.DO_NOT_FUND, scores=(1, 1))
    return funding_round


@pytest.fixture
def sign(pcc_user):
    """sign(record, outcome=…, password=…): the PCC signs a record awaiting signature (with
    their own password unless told otherwise)."""

    def do(record, outcome=Outcome.APPROVED, password=PASSWORD):
        return services.decision_sign(
            record=record, by=pcc_user, outcome=outcome, declaration="None", password=password
        )

    return do


@pytest.fixture
def published_record(record_in):
    """A published record whose version 1 is queued (its on-commit render never runs here)."""
    return record_in(DecisionStatus.PUBLISHED)


# --- Signed PDFs: a certificate and a storage of the test's own ----------------------------


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """One development certificate for the run: RSA key generation is the slow part."""
    return make_certificate(tmp_path_factory.mktemp("signing"))


@pytest.fixture
def document_signing(settings, signing_files):
    """The test signs with this run's certificate in a tmp folder (rather than the suite's
    under var/)."""
    settings.DECISION_SIGNING_PKCS12 = ""
    settings.DECISION_SIGNING_PASSPHRASE = ""
    settings.DECISION_SIGNING_KEY = str(signing_files.key)
    settings.DECISION_SIGNING_CERT = str(signing_files.cert)
    return signing_files


@pytest.fixture
def document_storage(tmp_path, settings, monkeypatch):
    """The private storage in this test's own folder, so that its files can be counted."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    storage = storages["private"]
    # The field called private_storage() once, at import: give it the new storage too.
    monkeypatch.setattr(DecisionDocument._meta.get_field("file"), "storage", storage)
    return storage


# --- Celery on a Redis database of the document tests' own ----------------------------------

# A Redis database no other suite uses, so that no one else's worker takes these tasks and
# these workers take no one else's: 13, and under pytest-xdist 13 for gw0, 14 for gw1…
REDIS_DB = 13 + django_settings.WORKER_INDEX


@dataclass
class Broker:
    url: str
    client: redis.Redis

    def queued(self, queue: str = "celery") -> list[tuple[str, dict]]:
        """(task name, keyword arguments) of each message waiting in `queue`, oldest first."""
        messages = []
        # kombu pushes on the left and takes from the right.
        for raw in reversed(self.client.lrange(queue, 0, -1)):
            message = json.loads(raw)
            _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            messages.append((message["headers"]["task"], kwargs))
        return messages


@pytest.fixture
def documents_broker(settings):
    """The Celery app's broker is Redis database REDIS_DB, emptied before and after."""
    assert django_settings.REDIS_URL, "these tests need REDIS_URL (make test sets it)"
    base = urlsplit(django_settings.REDIS_URL)
    url = f"redis://{base.netloc}/{REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    before = celery_app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    point_celery_at(url)
    yield Broker(url=url, client=client)
    point_celery_at(before)
    client.flushdb()
    client.close()


@dataclass
class WorkerProcess:
    process: object  # subprocess.Popen
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@pytest.fixture
def start_worker_process(tmp_path, document_storage, document_signing, documents_broker):
    """start_worker_process(name, pool=…, **env): a real `celery worker` process (with one
    child under pool="prefork") on this test's database (which pytest-django created), the
    suite's Redis database, this test's storage and certificate. Every process started is
    stopped after the test."""
    started = []
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    database_url = (
        f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )

    def start(name: str = "worker", *, pool: str = "solo", **extra_env) -> WorkerProcess:
        env = {
            **os.environ,
            # The test settings, with the private storage in this test's folder.
            "DJANGO_SETTINGS_MODULE": "tests.decisions.worker_settings",
            "PYTHONPATH": str(django_settings.BASE_DIR),
            "DATABASE_URL": database_url,
            "REDIS_URL": documents_broker.url,
            "DOCUMENTS_TEST_PRIVATE_ROOT": str(document_storage.location),
            "DECISION_SIGNING_PKCS12": "",
            "DECISION_SIGNING_PASSPHRASE": "",
            "DECISION_SIGNING_KEY": str(document_signing.key),
            "DECISION_SIGNING_CERT": str(document_signing.cert),
            **extra_env,
        }
        # Everything the worker uses is named above: under pytest-xdist the test settings
        # would otherwise give it the xdist worker's own broker database, not this one.
        env.pop("PYTEST_XDIST_WORKER", None)
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "celery"),
                    "-A",
                    "svd_portal",
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "-Q",
                    "celery",
                    "--loglevel=INFO",
                    "-n",
                    f"{name}-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = WorkerProcess(process=process, log=log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is not None:
            continue
        # A child still waiting on a test's pipe would outlive its parent: note them first.
        children = children_of(worker.process.pid)
        worker.process.terminate()
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

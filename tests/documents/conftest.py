"""Fixtures for the signed decision PDFs: a development certificate and a private storage in
this test's own folders, records taken to signature through the services, the Celery app on
a Redis database of its own, and real worker processes.

Nothing here writes to the shared var/ folders or to the Redis database other suites use.
"""

import base64
import contextlib
import datetime
import io
import json
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionDocument
from partners.enums import Role
from svd_portal import celery_app
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.partners import PASSWORD

from .helpers import children_of, wait_until

RECORD = {
    "title": "Knife crime awareness campaign in schools",
    "received_on": datetime.date(2024, 3, 1),
    "section_a": "A request to fund a knife crime awareness campaign in secondary schools.",
    "decision_text": "To approve the campaign.",
}
OFFICER = "Helen Carter"
PCC = "Morgan Reid"
# A Redis database no other suite uses, so that no one else's worker takes these tasks and
# these workers take no one else's.
REDIS_DB = 13


@dataclass(frozen=True)
class SigningFiles:
    key: Path
    cert: Path

    @cached_property
    def certificate_der(self) -> bytes:
        return x509.load_pem_x509_certificate(self.cert.read_bytes()).public_bytes(Encoding.DER)


def make_certificate(folder: Path) -> SigningFiles:
    """A key and self-signed certificate in `folder`, made by the project's own command."""
    files = SigningFiles(key=folder / "dev-key.pem", cert=folder / "dev-cert.pem")
    with override_settings(
        DECISION_SIGNING_KEY=str(files.key), DECISION_SIGNING_CERT=str(files.cert)
    ):
        call_command("create_signing_certificate", stdout=io.StringIO())
    return files


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """One development certificate for the run: RSA key generation is the slow part."""
    return make_certificate(tmp_path_factory.mktemp("signing"))


@pytest.fixture(autouse=True)
def signing_certificate(settings, signing_files):
    """Every test here signs with this run's certificate in a tmp folder. (It replaces the
    suite-wide fixture of the same name, which makes one under var/.)"""
    settings.DECISION_SIGNING_PKCS12 = ""
    settings.DECISION_SIGNING_PASSPHRASE = ""
    settings.DECISION_SIGNING_KEY = str(signing_files.key)
    settings.DECISION_SIGNING_CERT = str(signing_files.cert)
    return signing_files


@pytest.fixture(autouse=True)
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


# --- People and records ----------------------------------------------------------------------


@pytest.fixture
def role_groups(db):
    """The role groups a migration makes. A transactional test's flush deletes them."""
    for role in Role:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def staff_user(role_groups):
    return UserFactory(email="staff@example.org", full_name="Olive Staff", roles=[Role.OPCC_STAFF])


@pytest.fixture
def ceo_user(role_groups):
    return UserFactory(email="ceo@example.org", full_name=OFFICER, roles=[Role.CHIEF_EXECUTIVE])


@pytest.fixture
def pcc_user(role_groups):
    return UserFactory(email="pcc@example.org", full_name=PCC, roles=[Role.PCC])


@pytest.fixture
def provider_user(role_groups):
    user = UserFactory(email="provider@example.org", roles=[Role.PROVIDER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name="Seaham Street Sport"))
    return user


@pytest.fixture
def panel_member_user(role_groups):
    user = UserFactory(email="panellist@example.org", roles=[Role.PANEL_MEMBER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name="Durham Constabulary"))
    return user


@pytest.fixture
def client_as(db):
    """client_as(user): a test client of its own, signed in as that person (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def sign(pcc_user):
    """sign(record): the PCC approves and signs a record awaiting signature."""

    def do(record, outcome=Outcome.APPROVED):
        return services.decision_sign(
            record=record, by=pcc_user, outcome=outcome, declaration="None", password=PASSWORD
        )

    return do


@pytest.fixture
def make_record(staff_user, ceo_user, sign):
    """make_record(status, **fields): a record taken to `status` through the services.
    SIGNED is signed with publication deferred for a month, so it is not published."""

    def make(status=DecisionStatus.PUBLISHED, **fields):
        if status == DecisionStatus.SIGNED:
            fields = {
                "publication_deferred": True,
                "deferral_reasons": "Staff affected must be consulted first.",
                "deferred_until": timezone.localdate() + datetime.timedelta(days=30),
                **fields,
            }
        record = services.decision_create(by=staff_user, **{**RECORD, **fields})
        if status == DecisionStatus.DRAFT:
            return record
        record = services.decision_submit(record=record, by=staff_user)
        if status == DecisionStatus.AWAITING_APPROVAL:
            return record
        record = services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name=OFFICER
        )
        if status == DecisionStatus.AWAITING_SIGNATURE:
            return record
        record = sign(record)
        assert record.status == status, f"made {record.status}, not {status}"
        return record

    return make


@pytest.fixture
def published_record(make_record):
    """A published record whose version 1 is queued (its on-commit render never runs here)."""
    return make_record(DecisionStatus.PUBLISHED)


# --- Celery on a Redis database of this suite's own ------------------------------------------


def point_celery_at(url: str) -> None:
    """Sends this process's tasks to `url` from now on. The app read its broker from the
    settings when it was configured and keeps pooled connections to it: both are replaced.
    (The old pools are left open: kombu keeps them by URL and hands them out again.)"""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


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
def start_worker_process(tmp_path, document_storage, signing_certificate, documents_broker):
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
            "DJANGO_SETTINGS_MODULE": "tests.documents.worker_settings",
            "PYTHONPATH": str(django_settings.BASE_DIR),
            "DATABASE_URL": database_url,
            "REDIS_URL": documents_broker.url,
            "DOCUMENTS_TEST_PRIVATE_ROOT": str(document_storage.location),
            "DECISION_SIGNING_PKCS12": "",
            "DECISION_SIGNING_PASSPHRASE": "",
            "DECISION_SIGNING_KEY": str(signing_certificate.key),
            "DECISION_SIGNING_CERT": str(signing_certificate.cert),
            **extra_env,
        }
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


def wait_for_status(document: DecisionDocument, status: str, *, timeout=90.0, workers=()):
    """Polls the database until the document has `status`; returns it fresh."""

    def reached():
        document.refresh_from_db()
        return document.status == status

    wait_until(
        reached,
        timeout=timeout,
        describe=lambda: (
            f"Document {document.pk} is {document.status}, not {status}; "
            f"last error: {document.last_error!r}\n"
            + "\n".join(f"--- {w.log.name}:\n{w.log_tail()}" for w in workers)
        ),
    )
    return document

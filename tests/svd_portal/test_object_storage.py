"""Private files in S3-compatible object storage (grants.object_storage.PrivateS3Storage), against a
real S3 server in a process of its own (moto's): uploads and signed PDFs are private objects
with no URL, streamed back by the permission-checked views, and the files the portal deletes
leave the bucket. Without a bucket in the environment the private folder stays as it was."""

import datetime
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from decisions import services as decisions
from decisions.enums import DecisionStatus
from decisions.models import DecisionDocument
from grants.models import Attachment, FundingRound
from grants.object_storage import PrivateS3Storage
from grants.storage import NO_URL, private_storage
from partners.enums import Role
from svd_portal import retention
from tests.decisions import conftest as decision_records
from tests.factories import member_of_new_organisation
from tests.grants.helpers import login_redirect, pdf_bytes
from tests.ports import free_port

future_day = decision_records.future_day
make_record = decision_records.make_record
record_in = decision_records.record_in

REGION = "eu-west-2"
# moto takes any credentials; real ones never reach the tests.
ACCESS_KEY, SECRET_KEY = "test-access-key", "test-secret-key"
# Where each private file field's files go, as "app.Model.field".
PRIVATE_FIELDS = {
    "decisions.DecisionDocument.file",
    "decisions.DecisionRecord.section_b",
    "decisions.DecisionRecord.section_b_redacted",
    "grants.AgreementDocument.file",
    "grants.Attachment.file",
    "grants.DiligenceCheck.file",
    "grants.ReturnAttachment.file",
}


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3-compatible server, one process for the whole run, on a free local port."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: object  # boto3's S3 client, with credentials

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def anonymous_get(self, key: str) -> int:
        """The status of a plain GET of the object's address, as anyone on the internet
        would send it: no credentials, no signature."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/{self.name}/{key}", timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture
def bucket(s3_endpoint):
    """A new, empty bucket for each test."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    name = f"portal-private-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return Bucket(name=name, endpoint=s3_endpoint, client=client)


def private_file_fields() -> list[models.FileField]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
        and getattr(field, "_storage_callable", None) is private_storage
    ]


@pytest.fixture
def s3_storage(settings, monkeypatch, bucket):
    """STORAGES["private"] is the S3 backend on this test's bucket, as base.py makes it from
    the environment, and every private file field uses it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "grants.object_storage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": bucket.name,
                "endpoint_url": bucket.endpoint,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "default_acl": "private",
            },
        },
    }
    # Changing STORAGES emptied Django's cache of storage instances: this is a new one.
    storage = private_storage()
    assert isinstance(storage, PrivateS3Storage)
    # Each field called private_storage() once, at import: give them the new one too.
    for field in private_file_fields():
        monkeypatch.setattr(field, "storage", storage)
    return storage


def upload(client, application, content: bytes, name="safeguarding policy.pdf"):
    upload = SimpleUploadedFile(name, content, "application/pdf")
    return client.post(f"/applications/{application.reference}/attachments/", {"file": upload})


def body(response) -> bytes:
    return response.getvalue()


# --- Uploads ---------------------------------------------------------------------------------


def test_every_private_file_field_is_on_the_private_storage():
    assert {
        f"{field.model._meta.label}.{field.name}" for field in private_file_fields()
    } == PRIVATE_FIELDS


def test_an_uploaded_attachment_is_a_private_object_streamed_to_its_owner(
    provider_client, draft, s3_storage, bucket
):
    content = pdf_bytes(3000)

    response = upload(provider_client, draft, content)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    key = attachment.file.name
    assert key.startswith(f"applications/{draft.pk}/")
    assert key.endswith("-document.pdf")
    assert bucket.keys() == [key]
    assert bucket.read(key) == content
    assert attachment.size == 3000
    # The owner alone has any grant: no one else, and no group such as AllUsers.
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    assert [(grant["Grantee"]["Type"], grant["Permission"]) for grant in grants] == [
        ("CanonicalUser", "FULL_CONTROL")
    ]
    assert bucket.anonymous_get(key) == 403

    download = provider_client.get(f"/applications/{draft.reference}/attachments/{attachment.pk}/")

    assert download.status_code == 200
    assert body(download) == content
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{draft.reference}-1.pdf"'
    assert download["Content-Length"] == "3000"


def test_the_anonymous_get_is_refused_for_the_acl_not_for_being_anonymous(bucket):
    """The check above can fail: an object someone made public is served to anyone."""
    bucket.client.put_object(Bucket=bucket.name, Key="public.txt", Body=b"open", ACL="public-read")
    bucket.client.put_object(Bucket=bucket.name, Key="private.txt", Body=b"shut", ACL="private")

    assert bucket.anonymous_get("public.txt") == 200
    assert bucket.anonymous_get("private.txt") == 403


def test_a_name_already_taken_is_never_overwritten(s3_storage, bucket):
    first = s3_storage.save("applications/1/document.pdf", ContentFile(b"first"))
    second = s3_storage.save("applications/1/document.pdf", ContentFile(b"second"))

    assert first == "applications/1/document.pdf"
    assert second != first
    assert bucket.keys() == sorted([first, second])
    assert (bucket.read(first), bucket.read(second)) == (b"first", b"second")


def test_the_private_storage_has_no_url(provider_client, draft, s3_storage):
    upload(provider_client, draft, pdf_bytes(500))
    attachment = Attachment.objects.get()

    with pytest.raises(ValueError, match=f"^{NO_URL}$"):
        s3_storage.url(attachment.file.name)
    with pytest.raises(ValueError, match=f"^{NO_URL}$"):
        attachment.file.url  # noqa: B018 (the property is what is tested)
    assert (s3_storage.querystring_auth, s3_storage.file_overwrite, s3_storage.default_acl) == (
        True,
        False,
        "private",
    )


def test_someone_not_allowed_gets_no_attachment(client_as, provider_client, draft, s3_storage):
    upload(provider_client, draft, pdf_bytes(500))
    attachment = Attachment.objects.get()
    url = f"/applications/{draft.reference}/attachments/{attachment.pk}/"
    stranger = member_of_new_organisation(
        "Another Group", email="stranger@example.org", roles=[Role.PROVIDER]
    )

    other = client_as(stranger).get(url)
    anonymous = client_as(None).get(url)

    assert other.status_code == 404
    assert b"%PDF" not in other.content
    assert anonymous.status_code == 302
    assert anonymous.url == login_redirect(url)


def test_removing_an_attachment_deletes_its_object(
    provider_client, draft, s3_storage, bucket, django_capture_on_commit_callbacks
):
    upload(provider_client, draft, pdf_bytes(500))
    attachment = Attachment.objects.get()
    assert bucket.keys() == [attachment.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = provider_client.post(
            f"/applications/{draft.reference}/attachments/{attachment.pk}/remove/"
        )

    assert response.status_code == 302
    assert Attachment.objects.count() == 0
    assert bucket.keys() == []


def test_retention_deletes_the_objects_of_an_anonymised_application(
    provider_client, draft, s3_storage, bucket, django_capture_on_commit_callbacks
):
    upload(provider_client, draft, pdf_bytes(500))
    closed = timezone.now() - datetime.timedelta(days=3 * 365)
    FundingRound.objects.filter(pk=draft.round_id).update(
        opens_at=closed - datetime.timedelta(days=60), closes_at=closed
    )
    assert len(bucket.keys()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        removed = retention.apply()

    assert removed["Applications not funded"] == 1
    assert Attachment.objects.count() == 0
    assert bucket.keys() == []


def test_subject_access_zip_holds_the_uploaded_object(provider_client, draft, s3_storage, bucket):
    content = pdf_bytes(1200)
    upload(provider_client, draft, content, name="plan.pdf")
    attachment = Attachment.objects.get()

    response = provider_client.get("/accounts/data.zip")

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        held = archive.read(f"files/applications/{draft.reference}/{attachment.pk}-plan.pdf")
    assert held == content


# --- Signed decision PDFs ---------------------------------------------------------------------


def test_a_signed_record_pdf_is_stored_in_the_bucket_and_served_by_the_register(
    record_in, s3_storage, bucket, client
):
    record = record_in(DecisionStatus.PUBLISHED)
    document = record.documents.get()

    # As the worker does, in this thread.
    decisions.document_render(document_id=document.pk)

    document = DecisionDocument.objects.get(pk=document.pk)
    key = f"decisions/pdf/{record.reference}-v1.pdf"
    assert document.file.name == key
    assert bucket.keys() == [key]
    stored = bucket.read(key)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    # Public on the register, through the view; the object itself stays private.
    assert bucket.anonymous_get(key) == 403

    response = client.get(f"/decisions/{record.reference}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(body(response)).hexdigest() == document.sha256


# --- Settings from the environment --------------------------------------------------------


def _settings_process(code: str, **env) -> subprocess.CompletedProcess:
    """`code` run after django.setup() under the embedded default's settings, with none of
    this run's DJANGO_, DATABASE_, AWS_ or PRIVATE_STORAGE_ variables but `env`."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "AWS_", "PRIVATE_STORAGE_"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=django_settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "svd_portal.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _s3_environment(bucket, **more) -> dict:
    return {
        "PRIVATE_STORAGE_S3_BUCKET": bucket.name,
        "PRIVATE_STORAGE_S3_ENDPOINT_URL": bucket.endpoint,
        "PRIVATE_STORAGE_S3_REGION": REGION,
        "PRIVATE_STORAGE_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        **more,
    }


STORE_A_PROBE = (
    "import json; from django.core.files.base import ContentFile; "
    "from grants.models import Attachment; "
    "storage = Attachment._meta.get_field('file').storage; "
    "name = storage.save('probe/from-the-environment.txt', ContentFile(b'stored')); "
    "print(json.dumps([type(storage).__name__, storage.bucket_name, storage.endpoint_url, "
    "storage.region_name, storage.default_acl, name]))"
)


def test_the_environment_puts_private_files_in_the_bucket(bucket):
    result = _settings_process(STORE_A_PROBE, **_s3_environment(bucket))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "PrivateS3Storage",
        bucket.name,
        bucket.endpoint,
        REGION,
        "private",
        "probe/from-the-environment.txt",
    ]
    assert bucket.keys() == ["probe/from-the-environment.txt"]
    assert bucket.read("probe/from-the-environment.txt") == b"stored"


def test_a_bucket_with_acls_turned_off_is_sent_none(bucket):
    result = _settings_process(
        STORE_A_PROBE, **_s3_environment(bucket, PRIVATE_STORAGE_S3_OBJECT_ACL="none")
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[4] is None
    assert bucket.anonymous_get("probe/from-the-environment.txt") == 403


def test_a_public_acl_stops_start_up(bucket):
    result = _settings_process(
        STORE_A_PROBE, **_s3_environment(bucket, PRIVATE_STORAGE_S3_OBJECT_ACL="public-read")
    )

    assert result.returncode == 1
    assert (
        "ImproperlyConfigured: The private storage's objects cannot have the 'public-read' ACL"
        in result.stderr
    )
    assert bucket.keys() == []


def test_one_key_without_the_other_stops_start_up(bucket):
    environment = _s3_environment(bucket)
    del environment["PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY"]

    result = _settings_process(STORE_A_PROBE, **environment)

    assert result.returncode == 1
    assert "Set both PRIVATE_STORAGE_S3_ACCESS_KEY_ID and PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY" in (
        result.stderr
    )


def test_without_a_bucket_private_files_stay_in_the_private_folder(tmp_path):
    code = (
        "import json; from grants.models import Attachment; "
        "storage = Attachment._meta.get_field('file').storage; "
        "print(json.dumps([type(storage).__name__, str(storage.location)]))"
    )

    result = _settings_process(code, DJANGO_PRIVATE_ROOT=str(tmp_path / "private"))

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["PrivateFileSystemStorage", str(tmp_path / "private")]

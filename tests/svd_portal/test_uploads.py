"""An upload over ATTACHMENT_MAX_BYTES is refused while it arrives (svd_portal/uploads.py):
the handlers that store an upload never hold more than the limit, the form is shown again
with its message, and nothing is saved. Attachments and Section B reports alike."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import override_settings

from decisions import services
from decisions.models import DecisionRecord
from grants.models import Attachment
from tests.factories import ApplicationFactory, FundingRoundFactory

LIMIT = 10 * 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RECORD = {
    "title": "Knife crime awareness campaign in schools",
    "received_on": "2024-03-01",
    "section_a": "A request to fund a knife crime awareness campaign in secondary schools.",
    "decision_text": "To approve the campaign.",
}
TEMPORARY = "django.core.files.uploadhandler.TemporaryFileUploadHandler"


def pdf(size: int) -> bytes:
    return (PDF + b"%" * size)[:size]


class StoringProbe(TemporaryFileUploadHandler):
    """Django's temporary-file handler, the one that stores a large upload, recording how
    many bytes of each file reached it and whether the file was completed."""

    files: list[dict] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.record = {"field": self.field_name, "stored": 0, "completed": False}
        StoringProbe.files.append(self.record)

    def receive_data_chunk(self, raw_data, start):
        self.record["stored"] += len(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        self.record["completed"] = True
        return super().file_complete(file_size)


@pytest.fixture
def stored():
    """What reached the storing handler: the project's handlers, with the temporary-file one
    (which a large file reaches) swapped for the probe."""
    StoringProbe.files = []
    handlers = [
        f"{__name__}.StoringProbe" if path == TEMPORARY else path
        for path in settings.FILE_UPLOAD_HANDLERS
    ]
    assert handlers.count(f"{__name__}.StoringProbe") == 1
    with override_settings(FILE_UPLOAD_HANDLERS=handlers, FILE_UPLOAD_MAX_MEMORY_SIZE=1024):
        yield StoringProbe.files


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(DecisionRecord._meta.get_field("section_b"), "storage", storage)
    return storage


@pytest.fixture
def draft(provider_user):
    return ApplicationFactory(
        round=FundingRoundFactory(reference_prefix="VPF"),
        organisation=provider_user.memberships.get().organisation,
        created_by=provider_user,
        reference="VPF-0001",
    )


def stored_files(storage) -> list[Path]:
    return [path for path in Path(storage.location).rglob("*") if path.is_file()]


def test_attachment_over_10_mb_refused_before_it_is_stored(
    provider_client, draft, private_storage, stored
):
    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("annual-report.pdf", pdf(LIMIT + 1))},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The file must be smaller than 10 MB"]}
    assert "The file must be smaller than 10 MB" in response.content.decode()
    assert [(f["field"], f["completed"]) for f in stored] == [("file", False)]
    assert stored[0]["stored"] <= LIMIT
    assert Attachment.objects.count() == 0
    assert stored_files(private_storage) == []


def test_attachment_of_exactly_10_mb_accepted(provider_client, draft, private_storage, stored):
    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("annual-report.pdf", pdf(LIMIT))},
    )

    assert response.status_code == 302
    assert Attachment.objects.get().size == LIMIT
    assert [(f["stored"], f["completed"]) for f in stored] == [(LIMIT, True)]


@override_settings(ATTACHMENT_MAX_BYTES=64 * 1024, DATA_UPLOAD_MAX_MEMORY_SIZE=64 * 1024)
def test_attachment_in_a_body_far_over_the_limit_refused_without_reading_the_body(
    provider_client, draft, private_storage, stored
):
    """A request whose length alone says its file is too big is not read any further than
    the start of the file (a browser sends the form's other fields, the CSRF token first,
    before it)."""
    body = pdf(3 * 1024 * 1024)

    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("annual-report.pdf", body)},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The file must be smaller than 64 KB"]}
    assert stored == []  # the storing handler never even started a file
    # The request body as Django read it (its LimitedStream): not much past the file's start.
    assert response.wsgi_request._stream._pos < 256 * 1024
    assert Attachment.objects.count() == 0
    assert stored_files(private_storage) == []


def test_section_b_over_10_mb_refused_before_it_is_stored(staff_client, private_storage, stored):
    response = staff_client.post(
        "/staff/decisions/new/",
        {**RECORD, "section_b": SimpleUploadedFile("report.pdf", pdf(LIMIT + 1))},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"section_b": ["The file must be smaller than 10 MB"]}
    assert "The file must be smaller than 10 MB" in response.content.decode()
    assert [f["completed"] for f in stored] == [False]
    assert stored[0]["stored"] <= LIMIT
    assert DecisionRecord.objects.count() == 0
    assert stored_files(private_storage) == []


def test_section_b_over_10_mb_on_edit_keeps_the_draft_as_it_was(
    staff_client, staff_user, private_storage, stored
):
    record = services.decision_create(
        by=staff_user, **{**RECORD, "received_on": datetime.date(2024, 3, 1)}
    )

    response = staff_client.post(
        f"/staff/decisions/{record.pk}/edit/",
        {**RECORD, "title": "Changed", "section_b": SimpleUploadedFile("b.pdf", pdf(LIMIT + 1))},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"section_b": ["The file must be smaller than 10 MB"]}
    record.refresh_from_db()
    assert (record.title, bool(record.section_b)) == (RECORD["title"], False)

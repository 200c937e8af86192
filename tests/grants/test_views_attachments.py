"""Attachments through HTTP: uploading, listing, downloading and removing them, and every
limit the server enforces on a file."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from grants import services
from grants.models import Attachment
from tests.factories import (
    complete_application,
)
from tests.grants.helpers import login_redirect, on_page, page_text, pdf_bytes, stored_files

# --- Attachments --------------------------------------------------------------------------


def _upload(client, application, name, content, content_type="text/plain"):
    """The file posted on the application's attachments page."""
    upload = SimpleUploadedFile(name, content, content_type)
    return client.post(f"/applications/{application.reference}/attachments/", {"file": upload})


def test_attachment_exe_renamed_pdf_refused_and_nothing_stored(
    provider_client, draft, attachment_storage
):
    exe = SimpleUploadedFile(
        "budget.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000, "application/pdf"
    )

    response = provider_client.post(f"/applications/{draft.reference}/attachments/", {"file": exe})

    message = "The file must be a PDF, Word, Excel, OpenDocument or image file"
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert on_page(response, message)
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_storage) == []


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_attachment_over_the_size_setting_refused_and_nothing_stored(
    provider_client, draft, attachment_storage
):
    response = _upload(provider_client, draft, "plan.pdf", pdf_bytes(2048))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert response.context["form"].errors["file"][0].startswith("The file must be smaller than")
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_storage) == []


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_attachment_size_message_states_a_limit_under_one_mb(
    provider_client, draft, attachment_storage
):
    response = _upload(provider_client, draft, "plan.pdf", pdf_bytes(2048))

    assert "0 MB" not in page_text(response)


def test_attachment_over_the_default_10_mb_refused(provider_client, draft, attachment_storage):
    big = pdf_bytes(10 * 1024 * 1024 + 1)

    response = _upload(provider_client, draft, "annual-report.pdf", big)

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The file must be smaller than 10 MB"]}
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_storage) == []


def test_attachment_valid_pdf_stored_and_served_to_owner_and_staff_only(
    client, provider_user, second_staff_client, other_client, draft, attachment_storage
):
    content = pdf_bytes(3000)
    client.force_login(provider_user)

    response = _upload(client, draft, "safeguarding policy.pdf", content, content_type="text/plain")

    assert response.status_code == 302
    assert response.url == f"/applications/{draft.reference}/attachments/"
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "safeguarding policy.pdf",
        "application/pdf",
        3000,
    )
    assert attachment.uploaded_by == provider_user
    stored = stored_files(attachment_storage)
    assert len(stored) == 1
    assert stored[0].startswith(f"applications/{draft.pk}/")
    assert stored[0].endswith("-document.pdf")
    url = f"/applications/{draft.reference}/attachments/{attachment.pk}/"

    owner = client.get(url)
    staff = second_staff_client.get(url)
    other = other_client.get(url)
    client.logout()
    anonymous = client.get(url)

    for allowed in (owner, staff):
        assert allowed.status_code == 200
        assert b"".join(allowed.streaming_content) == content
        assert allowed["Content-Type"] == "application/pdf"
        # The portal's name for it, not the uploaded one.
        assert allowed["Content-Disposition"] == f'attachment; filename="{draft.reference}-1.pdf"'
        assert allowed["X-Content-Type-Options"] == "nosniff"
    assert other.status_code == 404
    assert anonymous.status_code == 302
    assert anonymous.url == login_redirect(url)


def test_attachment_png_accepted(provider_client, draft, attachment_storage):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200

    response = _upload(provider_client, draft, "poster.png", png)

    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "image/png"


def test_attachment_upload_after_submission_refused(provider_client, draft, attachment_storage):
    application = complete_application(draft)
    services.application_submit(application=application, by=application.created_by)

    response = _upload(provider_client, draft, "late.pdf", pdf_bytes(2048))

    assert response.status_code == 302
    assert response.url == f"/applications/{draft.reference}/"
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_storage) == []


def test_attachments_storage_is_private():
    storage = Attachment._meta.get_field("file").storage

    # Outside MEDIA_ROOT, and with no URL to serve it from.
    assert Path(storage.location) == Path(settings.PRIVATE_ROOT)
    assert not Path(storage.location).is_relative_to(Path(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        storage.url("applications/1/x.pdf")

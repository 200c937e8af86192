"""The public PDF link and the staff documents panel (decisions/views.py), with documents
rendered in the test's thread."""

import base64
import hashlib
import re

import pytest
from django.urls import reverse

from decisions import services
from decisions.enums import DecisionStatus, DocumentStatus
from decisions.models import DecisionDocument
from tests.on_commit import queued_work

# Signed with a certificate, and stored, in this test's own folder.
pytestmark = pytest.mark.usefixtures("document_signing", "document_storage")

SCRIPT = '<script type="module" src="/static/js/document-status.js"></script>'


def body(response) -> bytes:
    return response.getvalue()


def ready(document) -> DecisionDocument:
    services.document_render(document_id=document.pk)
    return DecisionDocument.objects.get(pk=document.pk)


def failed(document, *, error="ImproperlyConfigured: No signing certificate") -> DecisionDocument:
    DecisionDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.FAILED, last_error=error, attempts=1
    )
    return DecisionDocument.objects.get(pk=document.pk)


@pytest.fixture
def unpublished_record(record_in):
    """Signed, publication deferred, with a ready PDF: not for the public yet."""
    record = record_in(DecisionStatus.SIGNED)
    ready(record.documents.get())
    return record


# --- The public PDF ----------------------------------------------------------------------------


def test_record_pdf_serves_the_latest_ready_version(published_record, staff_user, client):
    ready(published_record.documents.get())
    second = ready(services.document_queue(record=published_record, by=staff_user))
    services.document_queue(record=published_record, by=staff_user)  # version 3, queued

    response = client.get(f"/decisions/{published_record.reference}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{published_record.reference}.pdf"'
    assert hashlib.sha256(body(response)).hexdigest() == second.sha256


def test_record_pdf_digest_header_is_base64(published_record, client):
    document = ready(published_record.documents.get())

    response = client.get(f"/decisions/{published_record.reference}/pdf/")

    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    assert response["Digest"] == f"sha-256={digest}"


def test_record_pdf_not_found_before_a_version_is_ready(published_record, client):
    response = client.get(f"/decisions/{published_record.reference}/pdf/")

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "provider"])
def test_record_pdf_unpublished_record_not_found(unpublished_record, client_as, provider_user, who):
    client = client_as(provider_user if who == "provider" else None)

    response = client.get(f"/decisions/{unpublished_record.reference}/pdf/")

    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_record_pdf_unpublished_record_served_to_staff(unpublished_record, staff_client):
    response = staff_client.get(f"/decisions/{unpublished_record.reference}/pdf/")

    assert response.status_code == 200
    assert body(response).startswith(b"%PDF-")


def test_register_detail_shows_the_sha256_and_how_to_verify(published_record, client):
    document = ready(published_record.documents.get())

    response = client.get(f"/decisions/{published_record.reference}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert f'href="/decisions/{published_record.reference}/pdf/"' in content
    assert f"<code>{document.sha256}</code>" in content
    assert f"<code>{document.certificate_fingerprint}</code>" in content
    assert "How to check the PDF is genuine" in content
    assert "If anyone changes even one character of the file, the signature no longer" in content
    assert f"sha256sum {published_record.reference}.pdf" in content


def test_register_detail_no_pdf_link_before_ready(published_record, client):
    response = client.get(f"/decisions/{published_record.reference}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert f"/decisions/{published_record.reference}/pdf/" not in content
    assert "How to check the PDF is genuine" not in content


# --- The staff panel ---------------------------------------------------------------------------


def documents_url(record) -> str:
    return reverse("decisions:staff-documents", args=[record.pk])


def test_document_status_fragment_polls_while_queued(published_record, staff_client):
    url = documents_url(published_record)

    response = staff_client.get(url)

    content = response.content.decode()
    assert url == f"/staff/decisions/{published_record.pk}/documents/"
    assert response.status_code == 200
    assert f'<div id="documents" data-poll-url="{url}"' in content
    assert "Queued" in content
    assert "Download version 1" not in content


def test_document_status_fragment_polls_while_rendering(published_record, staff_client):
    DecisionDocument.objects.update(status=DocumentStatus.RENDERING)

    response = staff_client.get(documents_url(published_record))

    assert f'data-poll-url="{documents_url(published_record)}"' in response.content.decode()


def test_document_status_fragment_stops_polling_once_ready(published_record, staff_client):
    document = ready(published_record.documents.get())

    response = staff_client.get(documents_url(published_record))

    content = response.content.decode()
    assert response.status_code == 200
    assert "data-poll-url" not in content
    download = reverse("decisions:staff-document", args=[published_record.pk, 1])
    assert f'href="{download}">Download version 1</a>' in content
    assert f"SHA-256 {document.sha256}" in content


def test_document_status_fragment_failed_version_has_error_and_retry(
    published_record, staff_client
):
    failed(published_record.documents.get())

    response = staff_client.get(documents_url(published_record))

    content = response.content.decode()
    retry = reverse("decisions:staff-document-retry", args=[published_record.pk, 1])
    assert "data-poll-url" not in content
    assert "ImproperlyConfigured: No signing certificate (attempt 1)" in content
    assert f'action="{retry}"' in content


def test_staff_detail_includes_the_status_script_and_no_inline_script(
    published_record, staff_client
):
    response = staff_client.get(reverse("decisions:staff-detail", args=[published_record.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT in content
    assert f'data-poll-url="{documents_url(published_record)}"' in content
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", content, flags=re.S)
    assert scripts and all(inline == "" for inline in scripts)
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", content))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_document_status_script_is_served(client):
    response = client.get("/static/js/document-status.js")

    assert response.status_code == 200
    assert b"dataset.pollUrl" in response.getvalue()


def test_document_download_any_ready_version_for_staff(published_record, staff_user, staff_client):
    first = ready(published_record.documents.get())
    ready(services.document_queue(record=published_record, by=staff_user))

    response = staff_client.get(reverse("decisions:staff-document", args=[published_record.pk, 1]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'inline; filename="{published_record.reference}-v1.pdf"'
    )
    assert hashlib.sha256(body(response)).hexdigest() == first.sha256


def test_document_download_version_not_ready_not_found(published_record, staff_client):
    response = staff_client.get(reverse("decisions:staff-document", args=[published_record.pk, 1]))

    assert response.status_code == 404


def test_document_regenerate_by_staff_makes_the_next_version(
    published_record, staff_user, staff_client, django_capture_on_commit_callbacks
):
    ready(published_record.documents.get())
    url = reverse("decisions:staff-document-regenerate", args=[published_record.pk])

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:staff-detail", args=[published_record.pk])
    assert list(published_record.documents.values_list("version", "status", "reason")) == [
        (2, "queued", "Regenerated by staff"),
        (1, "ready", "Signed"),
    ]
    assert published_record.documents.get(version=2).requested_by == staff_user
    assert len(queued_work(callbacks)) == 1


def test_document_retry_by_staff_queues_the_failed_version(published_record, staff_client):
    failed(published_record.documents.get())
    url = reverse("decisions:staff-document-retry", args=[published_record.pk, 1])

    response = staff_client.post(url)

    assert response.status_code == 302
    assert list(published_record.documents.values_list("version", "status", "last_error")) == [
        (1, "queued", "")
    ]


@pytest.mark.parametrize("who", ["provider", "panel member"])
@pytest.mark.parametrize(
    "method,name,with_version",
    [
        ("get", "decisions:staff-documents", False),
        ("get", "decisions:staff-document", True),
        ("post", "decisions:staff-document-regenerate", False),
        ("post", "decisions:staff-document-retry", True),
    ],
)
def test_document_views_forbidden_outside_the_opcc(
    published_record,
    client_as,
    provider_user,
    panel_member_user,
    who,
    method,
    name,
    with_version,
):
    # Version 1 is ready (what a download would leak), version 2 failed (what a retry
    # would touch).
    ready(published_record.documents.get())
    second = failed(services.document_queue(record=published_record, by=None))
    client = client_as(provider_user if who == "provider" else panel_member_user)
    args = (
        [published_record.pk, 2 if name.endswith("retry") else 1]
        if with_version
        else [published_record.pk]
    )

    response = getattr(client, method)(reverse(name, args=args))

    assert response.status_code == 403
    assert b"%PDF" not in response.content
    assert list(published_record.documents.values_list("version", "status")) == [
        (2, "failed"),
        (1, "ready"),
    ]
    second.refresh_from_db()
    assert second.last_error != ""


def test_document_regenerate_refused_for_the_pcc(published_record, client_as, pcc_user):
    # The PCC reads the records but regenerating is the staff's job.
    response = client_as(pcc_user).post(
        reverse("decisions:staff-document-regenerate", args=[published_record.pk])
    )

    assert response.status_code == 403
    assert published_record.documents.count() == 1


def test_document_regenerate_draft_refused(record_in, staff_client):
    record = record_in(DecisionStatus.DRAFT)

    response = staff_client.post(reverse("decisions:staff-document-regenerate", args=[record.pk]))

    assert response.status_code == 403
    assert record.documents.count() == 0

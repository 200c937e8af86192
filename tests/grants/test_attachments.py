"""Supporting documents: a name that agrees with what the file is, and downloads under a name
the portal chooses (<reference>-<n>.<extension of the detected type>), never the uploaded one."""

import io
import zipfile

import filetype
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from grants import services
from grants.models import Attachment
from tests.grants.helpers import stored_files

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n" + b"%" * 2000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"


def zipped(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


DOCX = zipped(
    [
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", b"<Relationships/>"),
        ("word/document.xml", b"<document/>"),
    ]
)
# A Word document whose first entries are not Word's own (as LibreOffice and some converters
# write them): its first bytes say no more than "a zip file".
DOCX_SEEN_AS_ZIP = zipped(
    [
        ("[Content_Types].xml", b"<Types/>" + b" " * 7000),
        ("_rels/.rels", b"<Relationships/>"),
        ("docProps/app.xml", b"<Properties/>"),
        ("docProps/core.xml", b"<coreProperties/>"),
        ("docProps/custom.xml", b"<Properties/>"),
        ("customXml/item1.xml", b"<item/>"),
        ("word/document.xml", b"<document/>"),
    ]
)
ODT = zipped([("mimetype", ODT_TYPE.encode()), ("content.xml", b"<office:document-content/>")])
JUST_A_ZIP = zipped([("notes.txt", b"hello"), ("word.txt", b"not Word")])


def upload(client, application, name: str, content: bytes):
    return client.post(
        f"/applications/{application.reference}/attachments/",
        {"file": SimpleUploadedFile(name, content, "application/octet-stream")},
    )


def test_docx_seen_as_zip_really_is_seen_as_zip_by_its_first_bytes():
    """The premise of the tests below: filetype alone calls this Word document a zip."""
    assert filetype.guess(DOCX_SEEN_AS_ZIP[:8192]).mime == "application/zip"


# --- The name must agree with the file -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.html", PDF, "The file’s name ends .html but it is a PDF: rename it to end .pdf"),
        ("report.hta", PDF, "The file’s name ends .hta but it is a PDF: rename it to end .pdf"),
        ("report.HTM", PDF, "The file’s name ends .HTM but it is a PDF: rename it to end .pdf"),
        ("report.pdf.exe", PDF, "The file’s name ends .exe but it is a PDF: rename it to end .pdf"),
        (
            "report.svg",
            PNG,
            "The file’s name ends .svg but it is a PNG image: rename it to end .png",
        ),
        (
            "photo.png",
            JPEG,
            "The file’s name ends .png but it is a JPEG image: rename it to end .jpg",
        ),
        (
            "budget.zip",
            DOCX,
            "The file’s name ends .zip but it is a Word document: rename it to end .docx",
        ),
        (
            "budget.doc",
            DOCX,
            "The file’s name ends .doc but it is a Word document: rename it to end .docx",
        ),
        ("report", PDF, "The file’s name does not end .pdf but it is a PDF: rename it to end .pdf"),
        (
            "report.",
            PDF,
            "The file’s name does not end .pdf but it is a PDF: rename it to end .pdf",
        ),
        (
            "report.pdƒ",
            PDF,
            "The file’s name does not end .pdf but it is a PDF: rename it to end .pdf",
        ),
    ],
)
def test_attachment_name_that_disagrees_with_the_file_refused_with_a_message(
    provider_client, draft, attachment_storage, name, content, message
):
    response = upload(provider_client, draft, name, content)

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert escape(message) in response.content.decode()
    assert Attachment.objects.count() == 0
    assert stored_files(attachment_storage) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Safeguarding policy.pdf", PDF, "application/pdf"),
        ("SAFEGUARDING.PDF", PDF, "application/pdf"),
        ("poster.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("PHOTO.JPEG", JPEG, "image/jpeg"),
        ("budget.docx", DOCX, DOCX_TYPE),
        ("budget.docx", DOCX_SEEN_AS_ZIP, DOCX_TYPE),
        ("minutes.odt", ODT, ODT_TYPE),
    ],
)
def test_attachment_name_that_agrees_with_the_file_accepted(
    provider_client, draft, attachment_storage, name, content, content_type
):
    response = upload(provider_client, draft, name, content)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)


def test_attachment_zip_that_is_not_a_document_refused(provider_client, draft, attachment_storage):
    response = upload(provider_client, draft, "budget.docx", JUST_A_ZIP)

    assert response.context["form"].errors == {
        "file": ["The file must be a PDF, Word, Excel, OpenDocument or image file"]
    }
    assert Attachment.objects.count() == 0


# --- Downloads are named by the portal -------------------------------------------------------


def test_attachment_downloads_under_reference_and_number_with_the_detected_extension(
    provider_client, second_staff_client, draft, attachment_storage
):
    for name, content in (
        ('"><script>alert(1)</script>.pdf', PDF),
        ("photo.JPEG", JPEG),
        ("budget.docx", DOCX_SEEN_AS_ZIP),
    ):
        assert upload(provider_client, draft, name, content).status_code == 302
    attachments = list(Attachment.objects.order_by("pk"))

    for client in (provider_client, second_staff_client):
        names = []
        for attachment in attachments:
            response = client.get(f"/applications/{draft.reference}/attachments/{attachment.pk}/")
            b"".join(response.streaming_content)
            names.append((response["Content-Disposition"], response["Content-Type"]))
        assert names == [
            ('attachment; filename="VPF-0001-1.pdf"', "application/pdf"),
            ('attachment; filename="VPF-0001-2.jpg"', "image/jpeg"),
            ('attachment; filename="VPF-0001-3.docx"', DOCX_TYPE),
        ]


def test_attachment_number_is_kept_when_a_later_one_is_added(
    provider_client, provider_user, draft, attachment_storage
):
    first = services.attachment_add(
        application=draft, by=provider_user, uploaded_file=SimpleUploadedFile("a.pdf", PDF)
    )
    url = f"/applications/{draft.reference}/attachments/{first.pk}/"
    before = provider_client.get(url)["Content-Disposition"]
    services.attachment_add(
        application=draft, by=provider_user, uploaded_file=SimpleUploadedFile("b.png", PNG)
    )

    assert provider_client.get(url)["Content-Disposition"] == before
    assert before == 'attachment; filename="VPF-0001-1.pdf"'

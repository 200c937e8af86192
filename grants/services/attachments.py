"""An application's attachments: only documents that are what their names say, within the
size limit, added and removed while the application is a draft. The checks of an uploaded
file, and how one is stored and deleted, serve a monitoring return's documents too."""

import zipfile
from typing import NamedTuple

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from partners.models import User
from svd_portal.formatting import file_size

from ..models import (
    Application,
    Attachment,
)
from .applications import check_draft, check_editor


class AttachmentType(NamedTuple):
    noun: str  # as in "it is a PDF"
    # What the file's name may end with; downloads are named with the first.
    extensions: tuple[str, ...]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": AttachmentType("a PDF", ("pdf",)),
    "application/msword": AttachmentType("a Word document", ("doc",)),
    DOCX: AttachmentType("a Word document", ("docx",)),
    "application/vnd.ms-excel": AttachmentType("an Excel spreadsheet", ("xls",)),
    XLSX: AttachmentType("an Excel spreadsheet", ("xlsx",)),
    ODT: AttachmentType("an OpenDocument text", ("odt",)),
    ODS: AttachmentType("an OpenDocument spreadsheet", ("ods",)),
    "image/jpeg": AttachmentType("a JPEG image", ("jpg", "jpeg")),
    "image/png": AttachmentType("a PNG image", ("png",)),
    "image/gif": AttachmentType("a GIF image", ("gif",)),
    "image/webp": AttachmentType("a WebP image", ("webp",)),
}
# Office Open XML documents are zip archives told apart by the folder of their main part.
OOXML_FOLDERS = {"word/": DOCX, "xl/": XLSX}


def detect_content_type(uploaded_file) -> str | None:
    """The file's type from its contents, never from its name or the browser's claim."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    if content_type == "application/zip":
        # filetype names an office document from its first few entries only: one whose
        # own parts come later (as LibreOffice writes them) it calls just a zip.
        content_type = _zipped_document_type(uploaded_file) or content_type
    return content_type


def _zipped_document_type(uploaded_file) -> str | None:
    """The office document a zip archive is, from its directory (and the few bytes of an
    OpenDocument's mimetype entry): nothing is decompressed in full."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
            if "[Content_Types].xml" in names:
                for folder, content_type in OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return None  # damaged, encrypted or compressed in a way zipfile cannot read
    finally:
        uploaded_file.seek(0)
    return None


def _check_name_agrees(name: str, content_type: str) -> None:
    """The name must end with the extension of what the file is: a PDF named .html or .hta
    would open as a web page or a program from the applicant's or a panellist's own disk."""
    kind = ALLOWED_ATTACHMENT_TYPES[content_type]
    expected = kind.extensions[0]
    stem, dot, extension = name.strip().rpartition(".")
    if dot and extension.lower() in kind.extensions:
        return
    if dot and stem and extension.isascii() and extension.isalnum() and len(extension) <= 10:
        ending = f"ends .{extension}"
    else:
        ending = f"does not end .{expected}"
    raise ValidationError(
        {"file": f"The file’s name {ending} but it is {kind.noun}: rename it to end .{expected}"}
    )


def numbered_download_name(attachment, *, reference: str, siblings: QuerySet) -> str:
    """<reference>-<n>.<extension of its type>, n counting `siblings` (the attachments of the
    same application or return) in upload order. Never the uploaded name, which the uploader
    chose and a browser or desktop would act on."""
    number = siblings.filter(pk__lte=attachment.pk).count()
    kind = ALLOWED_ATTACHMENT_TYPES.get(attachment.content_type)
    extension = kind.extensions[0] if kind else "bin"
    return f"{reference}-{number}.{extension}"


def attachment_download_name(attachment: Attachment) -> str:
    """The name an application's attachment downloads under."""
    return numbered_download_name(
        attachment,
        reference=attachment.application.reference,
        siblings=Attachment.objects.filter(application_id=attachment.application_id),
    )


class CheckedUpload(NamedTuple):
    content_type: str  # detected from the contents
    original_name: str  # as uploaded, without any folder, cut to fit the field


def check_upload(uploaded_file) -> CheckedUpload:
    """The checks every uploaded document passes, whatever it is attached to: within
    ATTACHMENT_MAX_BYTES, not empty, one of the allowed types by its contents, and named
    for that type. Refuses with a ValidationError on `file`."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded_file.size > limit:
        raise ValidationError({"file": f"The file must be smaller than {file_size(limit)}"})
    if uploaded_file.size == 0:
        raise ValidationError({"file": "The file is empty"})
    content_type = detect_content_type(uploaded_file)
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": "The file must be a PDF, Word, Excel, OpenDocument or image file"}
        )
    uploaded_name = (uploaded_file.name or "").rsplit("/", 1)[-1]
    _check_name_agrees(uploaded_name, content_type)
    return CheckedUpload(content_type, uploaded_name[:200])


def store_upload(model, uploaded_file, *, by: User, **owner):
    """A `model` row for an uploaded document of `owner` (its application, its return…),
    after the checks every document passes, with its file stored privately."""
    checked = check_upload(uploaded_file)
    attachment = model(
        **owner,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=uploaded_file.size,
        uploaded_by=by,
    )
    save_with_file(attachment, uploaded_file)
    return attachment


def save_with_file(attachment, uploaded_file) -> None:
    """Writes the file to the attachment's private storage under a name of the portal's,
    then saves the row; if the row cannot be saved, the file goes too."""
    extension = ALLOWED_ATTACHMENT_TYPES[attachment.content_type].extensions[0]
    attachment.file.save(f"document.{extension}", uploaded_file, save=False)
    try:
        attachment.save()
    except Exception:
        # Nothing half-written: a file without its row would never be found again.
        attachment.file.storage.delete(attachment.file.name)
        raise


def delete_with_file(attachment) -> None:
    """Deletes the row now and its file once the transaction commits, so that a rollback
    leaves both."""
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def attachment_add(*, application: Application, by: User, uploaded_file) -> Attachment:
    """Stores a supporting document privately, after checking who is adding it, its size,
    its real type and that its name says that type."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    check_draft(application)
    check_editor(application, by, doing="add a document to")
    return store_upload(Attachment, uploaded_file, by=by, application=application)


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    application = Application.objects.select_for_update().get(pk=attachment.application_id)
    check_draft(application)
    check_editor(application, by)
    delete_with_file(attachment)

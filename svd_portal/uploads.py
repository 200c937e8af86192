"""Uploads over the portal's limit are refused while they arrive, not after they are stored.

Django keeps a whole upload (in memory, or in a temporary file once it is large) before any
form or service can look at its size. SizeLimitUploadHandler comes first in
FILE_UPLOAD_HANDLERS and stops a file at settings.ATTACHMENT_MAX_BYTES; the handlers after
it never hold more than that. UploadLimitMixin then tells the person on the form.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from .formatting import file_size

# No form takes more than two files (a decision record's Section B report, full and
# redacted), and Django caps the other fields at DATA_UPLOAD_MAX_MEMORY_SIZE; the parts'
# own headers take a little more.
FILES_PER_FORM = 2
PART_HEADERS = 1024 * 1024


def too_big_message() -> str:
    return f"The file must be smaller than {file_size(settings.ATTACHMENT_MAX_BYTES)}"


def longest_body() -> int | None:
    """The longest request body a form could honestly send, or None when unbounded."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if fields is None:
        return None
    return FILES_PER_FORM * settings.ATTACHMENT_MAX_BYTES + fields + PART_HEADERS


def uploads_too_big(request) -> set[str]:
    """The names of the file fields whose upload was refused for its size."""
    return getattr(request, "uploads_too_big", set())


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuses a file larger than ATTACHMENT_MAX_BYTES before it is stored.

    A body whose Content-Length is longer than any form could honestly send is not read
    past the start of its first file (StopUpload with the connection reset: the server
    discards or closes what is left). Otherwise each file is counted as it arrives and
    skipped once past the limit: the rest of that file is read and thrown away, so that
    the fields after it still reach the form and the browser gets the page.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.body_too_long = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        longest = longest_body()
        self.body_too_long = longest is not None and content_length > longest
        return None  # the parsing is Django's

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0
        if self.body_too_long:
            self._refuse()
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            self._refuse()
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one make the file

    def _refuse(self):
        if self.request is not None:
            if not hasattr(self.request, "uploads_too_big"):
                self.request.uploads_too_big = set()
            self.request.uploads_too_big.add(self.field_name)


def report_too_big(request, form) -> None:
    """Puts the size refusal on each of the bound form's file fields whose upload was
    refused, rather than the form seeing no file (and saving without it, when it is
    optional)."""
    refused = [name for name in uploads_too_big(request) if name in form.fields]
    if refused and form.is_bound:
        for name in refused:
            form.errors.pop(name, None)  # "Select a file" is not the problem
            form.add_error(name, too_big_message())


class UploadLimitMixin:
    """For a FormView with a file field: a file refused for its size is reported on its
    field (report_too_big)."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        report_too_big(self.request, form)
        return form

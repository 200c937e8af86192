"""Headers for files the portal sends."""

from django.http import HttpResponseBase

# Kept by no shared cache (a proxy, a CDN, a shared machine's browser cache on disk): the
# file is for the person whose permission was checked, and only this once.
CONFIDENTIAL = "private, no-store"


def confidential(response: HttpResponseBase) -> HttpResponseBase:
    """Marks a download that only its reader may see: an attachment, an unpublished record's
    PDF or Section B report, a staff or panel export."""
    response["Cache-Control"] = CONFIDENTIAL
    return response

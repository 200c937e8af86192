"""Absolute links for emails, which are often sent by a worker with no request to hand."""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse


def absolute_url(viewname: str, *args) -> str:
    """The full address of a named page, under settings.PORTAL_BASE_URL."""
    return urljoin(settings.PORTAL_BASE_URL, reverse(viewname, args=args))

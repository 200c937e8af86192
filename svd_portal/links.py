"""Absolute links for emails, which are often sent by a worker with no request to hand."""

from collections.abc import Callable
from urllib.parse import quote, urljoin

from django.conf import settings
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS


def absolute_url(viewname: str, *args) -> str:
    """The full address of a named page, under settings.PORTAL_BASE_URL."""
    return urljoin(settings.PORTAL_BASE_URL, reverse(viewname, args=args))


_MARK = "--argument--"


def absolute_url_of(viewname: str) -> Callable[[object], str]:
    """absolute_url for a page named with one argument, reversed once: a download that
    links thousands of rows calls the function it returns instead of reversing each. The
    argument is quoted as reverse() quotes it."""
    before, _, after = absolute_url(viewname, _MARK).partition(_MARK)
    return lambda argument: before + quote(str(argument), safe=RFC3986_SUBDELIMS + "/~:@") + after

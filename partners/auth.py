"""How sign-in throttling (django-axes) names the person and the address it counts."""

from django.conf import settings
from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The email address as sign-in matches it: case and surrounding spaces ignored.

    Without this, "Ann@x.org" and "ann@x.org" would be counted apart and double the
    guesses allowed.
    """
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return str(username or "").strip().lower()


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry X-Forwarded-For's trusted proxies added.

    Each of PORTAL_TRUSTED_PROXY_COUNT proxies appends the address it saw, so the
    client is that many entries from the right. Entries further left are whatever
    the client sent, and are never trusted.
    """
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")

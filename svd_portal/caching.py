"""What shared caches may keep. A response to someone signed in is theirs alone: it says
`Cache-Control: private`, so that no reverse proxy or CDN in front of the portal keeps it
and hands it to someone else. The public pages a visitor reads are kept whole in the
portal's shared cache (public_page, below) and may be kept a short while by a proxy."""

import functools
import hashlib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date


class PrivateWhenSignedInMiddleware:
    """Marks every response to a signed-in person private, unless the view already said
    more (a confidential download's `private, no-store`, a status page's no-cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read before the view: the API replaces request.user with its own (anonymous) one.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        if not signed_in:
            return response
        said = response.get("Cache-Control", "")
        if not said:
            response["Cache-Control"] = "private"
        elif "private" not in said and "no-store" not in said:
            patch_cache_control(response, private=True)
        return response


# --- Anonymous public pages, kept in the shared cache ----------------------------------
#
# The register, a record's page, the feed and the funding rounds are the same for every
# visitor not signed in, and on the day a decision is in the news thousands ask for them at
# once. Each such page is kept whole in the shared cache, under a key made of its address
# and the current version of each "scope" it shows (the register, one record, the rounds,
# one round). A change to what a scope shows gives the scope a new version (a random token,
# so that a version evicted from the cache can never come back to an old value): every
# web process then computes a new key, and what was kept under the old one is never read
# again. Pages that change with the clock alone (a round opening or closing) are kept no
# longer than that moment.

PAGE_VERSION_PREFIX = "page-version:"
PAGE_PREFIX = "page:"


@functools.cache
def release() -> str:
    """PORTAL_RELEASE, or a digest of the templates and the code: kept pages are made by
    one release and read by the same one."""
    if settings.PORTAL_RELEASE:
        return settings.PORTAL_RELEASE
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("templates", "svd_portal", "partners", "grants", "decisions"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".html", ".txt", ".py", ".xml") and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_versions(scopes) -> list[str]:
    """The current version of each scope, made for a scope the cache does not hold."""
    keys = [PAGE_VERSION_PREFIX + scope for scope in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # add(): two processes making the first version agree on one of theirs.
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key) or uuid.uuid4().hex
    return [found[key] for key in keys]


def pages_changed(*scopes: str) -> None:
    """Every kept page that shows one of these scopes is stale.

    New versions are made at once, so that this request and this test see the change, and
    again once the transaction commits: a page another process rendered in between, from
    what the database held before the commit, is kept under the first new version and so
    never read."""

    def new_page_versions():
        cache.set_many({PAGE_VERSION_PREFIX + s: uuid.uuid4().hex for s in scopes}, timeout=None)

    new_page_versions()
    transaction.on_commit(new_page_versions)


def keep_until(request, moment) -> None:
    """The page being rendered changes by itself at `moment` (a round opens or closes):
    it is not kept beyond it."""
    until = getattr(request, "page_kept_until", None)
    if moment is not None and (until is None or moment < until):
        request.page_kept_until = moment


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _keepable(request, response) -> bool:
    said = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in said for word in ("private", "no-store", "no-cache"))
        # The page asked for a CSRF token (a form that posts) or changed the session:
        # it is this visitor's, not everyone's.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "modified", False)
    )


def _response_from(request, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=200)
    for header, value in entry["headers"]:
        response[header] = value
    # The view's own ETag (a signed PDF's SHA-256), or one made from the page.
    etag = response.get("ETag") or f'"{hashlib.sha256(entry["content"]).hexdigest()[:32]}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["made_at"])
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
    # Said here: CommonMiddleware, which would, is not reached by a page answered early.
    response["Content-Length"] = str(len(entry["content"]))
    # A shared cache in front keeps the visitor's page apart from a signed-in person's.
    patch_vary_headers(response, ["Cookie"])
    return get_conditional_response(
        request, etag=etag, last_modified=int(entry["made_at"]), response=response
    )


def public_page(request, *, scopes, respond) -> HttpResponse:
    """The page `respond()` makes, kept for every visitor not signed in.

    A signed-in person, a visitor with a message waiting, and anything but GET and HEAD
    get `respond()` itself. A visitor's page carries an ETag and Last-Modified (a
    conditional GET that matches gets 304 Not Modified) and may be kept by a reverse proxy
    for PUBLIC_CACHE_SECONDS. The page is kept by PublicPageCacheMiddleware once the other
    middleware has added its headers, and read back by it before they run again; a
    visitor whose request it cannot answer (one holding a session cookie) is answered here.
    """
    if (
        request.method not in ("GET", "HEAD")
        or request.user.is_authenticated
        or _has_messages(request)
    ):
        return respond()
    address = request.build_absolute_uri()
    key = page_key(address, scopes)
    entry = cache.get(key)
    if entry is not None:
        return _response_from(request, entry)
    response = respond()
    if hasattr(response, "render"):
        response = response.render()  # a TemplateResponse, rendered once here
    if not _keepable(request, response):
        return response
    timeout = settings.PAGE_CACHE_SECONDS
    until = getattr(request, "page_kept_until", None)
    if until is not None:
        timeout = min(timeout, max(0, int((until - timezone.now()).total_seconds())))
    made_at = time.time()
    if timeout > 0:
        request.page_to_keep = (address, key, list(scopes), timeout, made_at)
    return _response_from(
        request,
        {"content": response.content, "headers": _own_headers(response), "made_at": made_at},
    )


def page_key(address: str, scopes) -> str:
    name = "\n".join([release(), address, *page_versions(scopes)])
    return PAGE_PREFIX + hashlib.sha256(name.encode()).hexdigest()


def _own_headers(response) -> list[tuple[str, str]]:
    return [(h, v) for h, v in response.items() if h.lower() not in DROPPED]


class PublicPageCacheMiddleware:
    """Answers a visitor's request for a kept public page before the rest of the middleware
    runs (no session, no user, no view), and keeps the page public_page made, with the
    headers the rest of the middleware added.

    Placed after SecurityMiddleware (its HTTPS redirect and headers apply to kept pages too)
    and before the session: a request holding a session cookie or a message cookie might be
    someone's own, and goes on to the view, which decides."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kept = self.kept(request)
        if kept is not None:
            return kept
        response = self.get_response(request)
        keep = getattr(request, "page_to_keep", None)
        if keep is not None and response.status_code == 200 and not response.cookies:
            address, key, scopes, timeout, made_at = keep
            entry = {
                "content": response.content,
                "headers": _own_headers(response),
                "made_at": made_at,
            }
            cache.set_many({key: entry, SCOPES_PREFIX + address: scopes}, timeout=timeout)
        return response

    def kept(self, request) -> HttpResponse | None:
        if request.method not in ("GET", "HEAD") or request.path.startswith(settings.STATIC_URL):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
            return None
        address = request.build_absolute_uri()
        scopes = cache.get(SCOPES_PREFIX + address)
        if scopes is None:
            return None
        entry = cache.get(page_key(address, scopes))
        if entry is None:
            return None
        # The view's name, for the metrics of requests answered here.
        request.resolver_match = resolve(request.path_info)
        return _response_from(request, entry)


SCOPES_PREFIX = "page-scopes:"
# Said again for each response, not kept with the page.
DROPPED = {
    "cache-control",
    "vary",
    "last-modified",
    "set-cookie",
    "content-length",
    "date",
    "x-request-id",
}


class PublicPageMixin:
    """A class-based view whose page anyone may read is served from the shared cache to
    visitors not signed in (public_page). `page_scopes()` names what it shows."""

    def page_scopes(self) -> list[str]:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        return public_page(
            request,
            scopes=self.page_scopes(),
            respond=lambda: super(PublicPageMixin, self).dispatch(request, *args, **kwargs),
        )


def public_page_view(*scopes: str):
    """public_page for a function view (or a callable such as a Feed) whose page shows
    `scopes` whatever its arguments."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            return public_page(
                request, scopes=scopes, respond=lambda: view(request, *args, **kwargs)
            )

        return wrapped

    return decorate

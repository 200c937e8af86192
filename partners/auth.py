"""How sign-in throttling (django-axes) names the person and the address it counts, and what
it locks: an email address from one IP address, or the account from any address."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from svd_portal.tasks import enqueue


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


class PortalAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, locking the account as well as the (email, IP address) pair.

    Axes counts wrong passwords per email address and IP address (AXES_LOCKOUT_PARAMETERS),
    so one office's shared address is not locked out for everyone. That alone lets guesses
    spread over many addresses go on for ever, so the wrong passwords for an account from
    any mix of addresses are also summed: at AXES_ACCOUNT_FAILURE_LIMIT signing in to it is
    paused everywhere. A password re-entered by its signed-in holder (the PCC's signature) is
    held to AXES_FAILURE_LIMIT across addresses: a stolen session is not tied to one.

    A refused attempt is not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off): no
    password was checked, and one locked-out address hammering on would otherwise lock the
    holder out everywhere.
    """

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.account_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        refused = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or refused or not self.account_locked(request, credentials):
            return
        # This wrong password is the one that locked the account (the attempt was allowed,
        # so it was not locked before): tell the holder, once per lock. Queued whether or not
        # the address has an account, so the answer's timing does not tell.
        request.axes_locked_out = True
        request.axes_credentials = credentials
        enqueue(
            "partners.send_lockout_email",
            email=get_client_username(request, credentials),
            limit=self.account_limit(request, credentials),
            confirming=is_confirming(request, credentials),
            base_url=request.build_absolute_uri("/"),
        )

    def account_limit(self, request, credentials: dict | None) -> int:
        if is_confirming(request, credentials):
            return get_failure_limit(request, credentials)
        return settings.AXES_ACCOUNT_FAILURE_LIMIT

    def account_failures(self, request, credentials: dict | None) -> int:
        """Wrong passwords for the account within the cool-off, from every address."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        attempts = AccessAttempt.objects.filter(username=username)
        if get_cool_off(request) is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def account_locked(self, request, credentials: dict | None) -> bool:
        return self.account_failures(request, credentials) >= self.account_limit(
            request, credentials
        )


def password_confirmed(person, password: str, request: HttpRequest | None = None) -> bool:
    """Whether `password` is `person`'s, re-entered while signed in (signing a decision,
    closing an account). Given the request, it goes through sign-in throttling as a sign-in
    does, so it cannot be guessed from a stolen session."""
    from django.contrib.auth import authenticate

    if request is None:
        return person.check_password(password)
    return authenticate(request, username=person.email, password=password) == person


def is_confirming(request: HttpRequest, credentials: dict | None) -> bool:
    """The signed-in person re-entering their own password to confirm an act (signing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return user.email.strip().lower() == axes_username(request, credentials)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE), saying which lock holds and for how long."""
    handler = AxesProxyHandler.get_implementation()
    if handler.account_locked(request, credentials):
        scope = "confirming" if is_confirming(request, credentials) else "account"
        limit = handler.account_limit(request, credentials)
    else:
        scope, limit = "address", get_failure_limit(request, credentials)
    context = {"scope": scope, "failure_limit": limit, "cooloff_timedelta": get_cool_off(request)}
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )

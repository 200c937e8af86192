"""What a signed-in session may reach: with a password alone, someone who needs a second
factor reaches only the pages that take it (and signing out); a staff-side session ends
after SESSION_IDLE_MINUTES unused."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from . import two_factor

# The pages a person signed in with a password alone may reach.
BEFORE_SECOND_FACTOR = frozenset(
    {"partners:two-factor", "partners:two-factor-setup", "logout", "partners:signed-out"}
)
# Session keys: whether this session ends when unused (a staff-side sign-in), and when it
# was last used (seconds since the epoch).
IDLE_ENDS = "idle_ends"
LAST_USED = "last_used"
# The last-used time is written at most this often (seconds), not on every request.
LAST_USED_EVERY = 30


@receiver(user_logged_in)
def _on_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_ENDS] = two_factor.staff_side(user)
        request.session[LAST_USED] = timezone.now().timestamp()


def _to(name: str, request) -> str:
    url = reverse(name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in BEFORE_SECOND_FACTOR:
            return None
        if two_factor.app_device(user) is not None:
            return redirect(_to("partners:two-factor", request))
        if two_factor.staff_side(user):
            return redirect(_to("partners:two-factor-setup", request))
        return None


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(IDLE_ENDS):
            now = timezone.now().timestamp()
            last = session.get(LAST_USED, now)
            if now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                return redirect(reverse("partners:signed-out") + "?idle=1")
            if now - last >= LAST_USED_EVERY:
                session[LAST_USED] = now
        return self.get_response(request)

"""For views of acts that need the second factor given recently (settings
SECOND_FACTOR_RECENT_MINUTES): signing a decision, approving a payment, verifying bank
details, changing roles, downloading panel or payment exports."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor


def confirm_first(request):
    """To the code page, and back here after it (to this page: a form posted with an old
    second factor is shown again, nothing of it done)."""
    if request.method != "GET":
        messages.info(request, "Nothing was changed. Enter a code from your app, then try again.")
    back = request.get_full_path() if request.method == "GET" else request.path
    return redirect(reverse("partners:two-factor") + "?" + urlencode({"next": back}))


class RecentSecondFactorMixin:
    """First among a permission-checked view's bases: who may not act at all is refused as
    before (the view's own check answers); who may is asked for a code from their app
    unless they gave one recently."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not two_factor.given_recently(request)
            and self.has_permission()
        ):
            return confirm_first(request)
        return super().dispatch(request, *args, **kwargs)

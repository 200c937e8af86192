"""A person's own account: the second factor (setting up an authenticator app, giving a
code, new recovery codes), their sessions, and the page that says they were signed out."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from svd_portal import subject_access
from svd_portal.downloads import confidential
from svd_portal.forms import add_service_errors
from svd_portal.mixins import ServiceFormMixin

from .. import closing, two_factor
from ..auth import lockout_response
from ..forms import AppSetupForm, CloseAccountForm, SecondFactorForm
from ..middleware import LAST_USED
from ..mixins import RecentSecondFactorMixin
from ..models import User


def _next(request) -> str:
    """Where to go once the second factor is given: `next` if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked(request):
    """The lockout page if wrong codes (counted with wrong passwords) have locked signing
    in for this person, else None."""
    credentials = {"username": request.user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return lockout_response(request, None, credentials)
    return None


class SecondFactorView(LoginRequiredMixin, FormView):
    """A code from the app (or a recovery code): after the password, and again before an
    act that needs the second factor given recently."""

    template_name = "partners/two_factor.html"
    form_class = SecondFactorForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and two_factor.app_device(request.user) is None:
            return redirect(reverse("partners:two-factor-setup") + _query(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if two_factor.given_recently(request):
            return redirect(_next(request))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return _locked(request) or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            two_factor.verify(self.request, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect(_next(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            next=_next(self.request),
            confirming=self.request.user.is_verified(),
            recent_minutes=settings.SECOND_FACTOR_RECENT_MINUTES,
            **kwargs,
        )


def _query(request) -> str:
    target = request.GET.get("next")
    return "?" + request.GET.urlencode() if target else ""


class AppSetupView(LoginRequiredMixin, FormView):
    """Setting up an authenticator app: its QR code (drawn here) and its secret to type,
    then a code from it; the recovery codes are shown once, on the page that answers."""

    template_name = "partners/two_factor_setup.html"
    form_class = AppSetupForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and two_factor.app_device(user) is not None:
            # Replacing an app needs the one there now, given recently.
            if not user.is_verified():
                return redirect(reverse("partners:two-factor") + _query(request))
            if not two_factor.given_recently(request):
                return redirect(
                    reverse("partners:two-factor") + "?next=" + reverse("partners:two-factor-setup")
                )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return _locked(request) or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            codes = two_factor.enrol(self.request, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return _show_codes(self.request, codes, next=_next(self.request), new_app=True)

    def get_context_data(self, **kwargs):
        device = two_factor.enrolment_device(self.request.user)
        return super().get_context_data(
            qr_code=two_factor.qr_code(device),
            secret=two_factor.secret(device),
            issuer=settings.OTP_TOTP_ISSUER,
            next=_next(self.request),
            required=two_factor.staff_side(self.request.user),
            **kwargs,
        )


class AccountView(LoginRequiredMixin, TemplateView):
    """The signed-in person's account: who they are, their second factor, their sessions."""

    template_name = "partners/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            roles=sorted(group.name for group in user.groups.all()),
            app=two_factor.app_device(user),
            recovery_codes_left=two_factor.recovery_codes_left(user),
            second_factor_required=two_factor.staff_side(user),
            **kwargs,
        )


# The recovery codes just made, kept in the session until their page shows them, once.
NEW_CODES = "new_recovery_codes"


def _show_codes(request, codes: list[str], *, next: str, new_app: bool):
    request.session[NEW_CODES] = {"codes": codes, "next": next, "new_app": new_app}
    return redirect("partners:two-factor-recovery-codes")


class RecoveryCodesView(LoginRequiredMixin, View):
    """GET: the recovery codes just made, shown once. POST: new ones (the old stop
    working), which needs the second factor given recently."""

    http_method_names = ["get", "post"]

    def get(self, request):
        shown = request.session.pop(NEW_CODES, None)
        if shown is None:
            return redirect("partners:account")
        return render(request, "partners/recovery_codes.html", shown)

    def post(self, request):
        if two_factor.app_device(request.user) is None:
            messages.error(request, "Set up an authenticator app first")
            return redirect("partners:account")
        if not two_factor.given_recently(request):
            return redirect(reverse("partners:two-factor") + "?next=" + reverse("partners:account"))
        codes = two_factor.recovery_codes_renew(request)
        return _show_codes(request, codes, next=reverse("partners:account"), new_app=False)


class EndOtherSessionsView(LoginRequiredMixin, View):
    """Signs the person out everywhere but here (a phone left signed in, a shared
    computer)."""

    http_method_names = ["post"]

    def post(self, request):
        two_factor.end_other_sessions(request)
        messages.success(request, "You are signed out of every other session")
        return redirect("partners:account")


class KeepAliveView(LoginRequiredMixin, View):
    """The idle warning's "Stay signed in": using the portal, with no page to show."""

    http_method_names = ["post"]

    def post(self, request):
        request.session[LAST_USED] = timezone.now().timestamp()
        return HttpResponse(status=204)


def data_zip(person, *, name: str):
    """Everything held about `person` as a ZIP download, marked confidential (and so
    recorded in the audit trail)."""
    response = HttpResponse(subject_access.archive(person), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return confidential(response)


class AccountDataView(LoginRequiredMixin, View):
    """The signed-in person's own data: everything the portal holds about them."""

    http_method_names = ["get", "head"]

    def get(self, request):
        return data_zip(request.user, name=f"your-data-{timezone.localdate():%Y-%m-%d}")


class PersonDataView(RecentSecondFactorMixin, PermissionRequiredMixin, View):
    """Subject access: OPCC staff download everything held about one person (from the
    person's page in the admin); the download is in the audit trail."""

    http_method_names = ["get", "head"]
    permission_required = "partners.subject_access"

    def get(self, request, pk):
        person = get_object_or_404(User, pk=pk)
        return data_zip(person, name=f"subject-access-{person.pk}-{timezone.localdate():%Y-%m-%d}")


class SignedOutView(TemplateView):
    """Says the person is signed out, and why when the portal did it (unused too long)."""

    template_name = "partners/signed_out.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            idle="idle" in self.request.GET, idle_minutes=settings.SESSION_IDLE_MINUTES, **kwargs
        )


class CloseAccountView(LoginRequiredMixin, ServiceFormMixin, FormView):
    """A person closes their own account, unless something the OPCC must keep depends on it
    (the page then says what, and shows no form)."""

    template_name = "partners/account_close.html"
    form_class = CloseAccountForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(refusals=closing.refusals(self.request.user), **kwargs)

    def perform(self, form):
        locked = _locked(self.request)
        if locked is not None:
            return locked
        closing.close_own(
            self.request.user, password=form.cleaned_data["password"], request=self.request
        )
        logout(self.request)
        return redirect("partners:account-closed")

    def refused(self, form, exc):
        response = super().refused(form, exc)
        response.status_code = 400
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class AccountClosedView(TemplateView):
    """Says the account is closed, and what the OPCC still keeps."""

    template_name = "partners/account_closed.html"

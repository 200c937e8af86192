from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.views.generic import DetailView, FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from svd_portal.mixins import (
    FilteredListMixin,
    ServiceActionMixin,
    ServiceFormMixin,
    ServiceFormOnPageMixin,
)

from .. import selectors, services
from ..enums import MembershipStatus
from ..forms import (
    MembershipDecisionForm,
    OrganisationJoinForm,
    OrganisationRegisterForm,
    OrganisationVerificationForm,
    SignatoryForm,
    SignUpForm,
)
from ..mixins import RecentSecondFactorMixin
from ..models import Membership, Organisation


class SignUpView(FormView):
    """Anyone may ask for a provider account; a signed-in person is sent home.

    Every valid sign-up gets the same answer, whether or not the address has an account:
    what differs goes to the address by email (services.user_sign_up).
    """

    form_class = SignUpForm
    template_name = "partners/user_signup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        services.user_sign_up(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            base_url=self.request.build_absolute_uri("/"),
        )
        return redirect("partners:signup-sent")


class SignUpSentView(TemplateView):
    template_name = "partners/user_signup_sent.html"


class SignUpConfirmView(ServiceFormMixin, FormView):
    """The emailed link: GET shows a button, POST activates the account and signs in.

    A button rather than on GET, so a mail scanner that opens links does not use it up.
    """

    template_name = "partners/user_signup_confirm.html"
    form_class = forms.Form

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        self.pending = selectors.user_awaiting_confirmation(
            uidb64=kwargs["uidb64"], token=kwargs["token"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid=self.pending is not None, **kwargs)

    def perform(self, form):
        if self.pending is None:
            raise ValidationError("This link has expired or has already been used")
        user = services.user_sign_up_confirm(user=self.pending)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request, "Your account is ready. Now tell us about your organisation."
        )
        return redirect("partners:organisation-register")

    def refused(self, form, exc):
        # Whatever the reason, the page says only that the link no longer works.
        self.pending = None
        return self.render_to_response(self.get_context_data(), status=400)


class OrganisationsMineView(LoginRequiredMixin, TemplateView):
    """The organisations a person belongs to or has asked to join."""

    template_name = "partners/organisation_mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = selectors.memberships_for_user(user=self.request.user)
        return context


class OrganisationRegisterView(ServiceFormMixin, LoginRequiredMixin, FormView):
    form_class = OrganisationRegisterForm
    template_name = "partners/organisation_register.html"

    def perform(self, form):
        organisation = services.organisation_register(user=self.request.user, **form.cleaned_data)
        messages.success(
            self.request,
            f"{organisation.name} is registered. "
            "OPCC staff will verify it before you can apply for funding.",
        )
        return redirect("partners:organisations-mine")


class OrganisationJoinView(ServiceFormMixin, LoginRequiredMixin, FormView):
    form_class = OrganisationJoinForm
    template_name = "partners/organisation_join.html"
    service_error_field = "identifier"

    def perform(self, form):
        organisation = selectors.organisation_find_for_joining(
            identifier=form.cleaned_data["identifier"]
        )
        if organisation is None:
            form.add_error(
                "identifier",
                "No registered organisation matches. Check the number or name, or register it",
            )
            return self.form_invalid(form)
        services.membership_request(user=self.request.user, organisation=organisation)
        messages.success(
            self.request, f"You have asked to join {organisation.name}. OPCC staff will confirm it."
        )
        return redirect("partners:organisations-mine")


class OrganisationStaffListView(PermissionRequiredMixin, FilteredListMixin, ListView):
    """Every organisation, for OPCC staff, filtered by verification status."""

    permission_required = "partners.verify_organisation"
    template_name = "partners/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = 50

    def filter_list(self):
        return selectors.organisations_for_staff(params=self.request.GET)


class OrganisationStaffDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "partners.verify_organisation"
    model = Organisation
    template_name = "partners/organisation_detail.html"
    context_object_name = "organisation"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        form = kwargs.get("form") or OrganisationVerificationForm()
        form.helper.form_action = reverse("partners:organisation-verify", args=[organisation.pk])
        context.update(
            memberships=organisation.memberships.select_related("user").order_by("requested_at"),
            status_changes=organisation.status_changes.select_related("changed_by"),
            form=form,
            pending=MembershipStatus.REQUESTED,
            active=MembershipStatus.ACTIVE,
        )
        return context


class OrganisationVerifyView(ServiceFormOnPageMixin, OrganisationStaffDetailView):
    """POST only: records a verification decision and shows the page again on error."""

    form_class = OrganisationVerificationForm

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        services.organisation_set_verification(
            organisation=self.object,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            by=self.request.user,
        )
        messages.success(self.request, "Decision recorded.")
        return redirect("partners:organisation-detail", pk=self.object.pk)


class MembershipDecideView(ServiceActionMixin, PermissionRequiredMixin, FormView):
    """POST only: accepts or refuses a request to join an organisation."""

    permission_required = "partners.decide_membership"
    http_method_names = ["post"]
    form_class = MembershipDecisionForm

    def get_membership(self) -> Membership:
        if not hasattr(self, "_membership"):
            self._membership = get_object_or_404(Membership, pk=self.kwargs["pk"])
        return self._membership

    def organisation_url(self) -> str:
        return reverse("partners:organisation-detail", args=[self.get_membership().organisation_id])

    def refused_url(self) -> str:
        return self.organisation_url()

    def perform(self, form):
        services.membership_decide(
            membership=self.get_membership(),
            accept=form.cleaned_data["accept"],
            by=self.request.user,
        )
        messages.success(self.request, "Decision recorded.")
        return HttpResponseRedirect(self.organisation_url())

    def form_invalid(self, form):
        messages.error(self.request, "Choose to accept or refuse the request.")
        return HttpResponseRedirect(reverse_lazy("partners:organisations"))


class MembershipSignatoryView(RecentSecondFactorMixin, MembershipDecideView):
    """POST only: marks or unmarks a member as the organisation's authorised signatory."""

    form_class = SignatoryForm

    def perform(self, form):
        membership = services.membership_set_signatory(
            membership=self.get_membership(),
            is_signatory=form.cleaned_data["is_signatory"],
            by=self.request.user,
        )
        name = membership.user.full_name
        messages.success(
            self.request,
            f"{name} is now an authorised signatory."
            if membership.is_signatory
            else f"{name} is no longer an authorised signatory.",
        )
        return HttpResponseRedirect(self.organisation_url())

    def form_invalid(self, form):
        return self.back_with_error("Choose whether the person signs for the organisation.")

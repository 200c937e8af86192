"""OPCC staff's pages: rounds, their applications, eligibility, invitations, exports and logged bids."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from partners.enums import PROVIDER_KINDS, VerificationStatus
from partners.models import Organisation
from svd_portal.exports import csv_response, filters_refused, xlsx_response
from svd_portal.mixins import (
    FilteredListMixin,
    ServiceActionMixin,
    ServiceFormMixin,
    ServiceFormOnPageMixin,
)

from .. import selectors, services
from ..enums import ApplicationStatus, RoundStatus, Stage
from ..forms import (
    CriterionFormSet,
    EligibilityForm,
    LogBidForm,
    RoundCloseForm,
    RoundForm,
    RoundMoveForm,
    criteria_initial,
    criteria_posted,
)
from ..models import Application, FundingRound
from ..services import ROUND_MOVES, round_move_permission


class StaffMixin(PermissionRequiredMixin):
    permission_required = "grants.manage_rounds"


class RoundStaffMixin(StaffMixin):
    def get_round(self) -> FundingRound:
        if not hasattr(self, "_round"):
            self._round = get_object_or_404(
                FundingRound.objects.select_related("stream"), slug=self.kwargs["slug"]
            )
        return self._round


class RoundStaffListView(StaffMixin, ListView):
    template_name = "grants/round_staff_list.html"
    context_object_name = "rounds"
    paginate_by = 50

    def get_queryset(self):
        return selectors.rounds_for_staff()


class RoundCreateView(ServiceFormMixin, StaffMixin, FormView):
    """The round with its caps, and its criteria as a formset: both are checked and
    shown together, then round_save keeps all of it or none."""

    template_name = "grants/round_form.html"
    form_class = RoundForm

    def get_formset(self, bound: bool = True):
        if bound and self.request.method == "POST":
            return CriterionFormSet(self.request.POST, prefix="criteria")
        return CriterionFormSet(
            prefix="criteria", initial=criteria_initial(getattr(self, "funding_round", None))
        )

    def render_invalid(self, form, formset):
        if formset.is_bound and not formset.management_form.is_valid():
            # Not one criterion could be read: they are offered afresh, saying why.
            errors = formset.non_form_errors()
            formset = self.get_formset(bound=False)
            formset.non_form_errors().extend(errors)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", self.get_formset())
        return super().get_context_data(**kwargs)

    def add_criterion(self):
        """The page again as it was filled in, with one more blank criterion: adding one
        needs no JavaScript. Nothing is checked or saved."""
        kwargs = self.get_form_kwargs()
        kwargs.pop("data")
        kwargs.pop("files")
        kwargs["initial"] = RoundForm.initial_from(self.request.POST)
        formset = CriterionFormSet(prefix="criteria", initial=criteria_posted(self.request.POST))
        formset.extra = 1
        return self.render_to_response(
            self.get_context_data(form=RoundForm(**kwargs), formset=formset)
        )

    def post(self, request, *args, **kwargs):
        if "add_criterion" in request.POST:
            return self.add_criterion()
        form, self.formset = self.get_form(), self.get_formset()
        # Both are checked, so the page lists every problem at once.
        if not (form.is_valid() & self.formset.is_valid()):
            return self.form_invalid(form)
        return self.form_valid(form)

    def form_invalid(self, form):
        return self.render_invalid(form, self.formset)

    def refused(self, form, exc):
        # A refusal about the criteria is shown above them, the rest on the round's form.
        if hasattr(exc, "error_dict"):
            for message in ValidationError(exc.error_dict.pop("criteria", [])).messages:
                self.formset.add_non_form_error(message)
        return super().refused(form, exc)

    def perform(self, form):
        funding_round = services.round_save(
            funding_round=getattr(self, "funding_round", None),
            by=self.request.user,
            fields=form.round_fields(),
            priorities=form.cleaned_data["priorities"],
            caps=form.caps(),
            criteria=self.formset.criteria(),
        )
        messages.success(self.request, f"{funding_round.title} saved.")
        return redirect("grants:staff-round-applications", slug=funding_round.slug)


class RoundUpdateView(RoundStaffMixin, RoundCreateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.has_perm(self.permission_required):
            self.funding_round = self.get_round()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.funding_round
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["round"] = self.funding_round
        return context


class RoundMoveView(ServiceActionMixin, RoundStaffMixin, FormView):
    """POST only: opens, closes or moves a round on, as ROUND_MOVES allows. Which moves a
    person may make is round_move's check (PermissionDenied is a 403)."""

    permission_required = "grants.move_round"
    http_method_names = ["post"]
    form_class = RoundMoveForm
    invalid_message = "Choose what to do with the round."

    def refused_url(self) -> str:
        return reverse("grants:staff-round-applications", args=[self.get_round().slug])

    def perform(self, form):
        services.round_move(
            funding_round=self.get_round(),
            to_status=form.cleaned_data["to_status"],
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            base_url=self.request.build_absolute_uri("/"),
        )
        messages.success(self.request, "The round's status has changed.")
        return redirect("grants:staff-round-applications", slug=self.get_round().slug)


class RoundCloseView(ServiceFormMixin, RoundStaffMixin, FormView):
    """Closing an open round: a confirmation page that asks why, then round_move, which
    emails the reason to the holders of drafts once the close is saved."""

    permission_required = "grants.move_round"
    template_name = "grants/round_close.html"
    form_class = RoundCloseForm

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.has_perm(self.permission_required)
            and self.get_round().status != RoundStatus.OPEN
        ):
            messages.error(request, "Only an open round can be closed.")
            return redirect("grants:staff-round-applications", slug=self.kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        funding_round = self.get_round()
        deadline = funding_round.full_stage_closes_at or funding_round.closes_at
        holders = selectors.round_draft_holders(funding_round=funding_round)
        context.update(
            round=funding_round,
            deadline=deadline,
            early=timezone.now() < deadline,
            holders=len(holders),
            drafts=len({draft.pk for drafts in holders.values() for draft in drafts}),
        )
        return context

    def perform(self, form):
        funding_round = self.get_round()
        services.round_move(
            funding_round=funding_round,
            to_status=RoundStatus.CLOSED,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            base_url=self.request.build_absolute_uri("/"),
        )
        messages.success(self.request, "The round is closed.")
        return redirect("grants:staff-round-applications", slug=funding_round.slug)


class RoundApplicationsView(RoundStaffMixin, FilteredListMixin, ListView):
    """A round's applications: filter, search, page through, export."""

    template_name = "grants/round_applications.html"
    context_object_name = "applications"
    paginate_by = 50

    def filter_list(self):
        return selectors.applications_for_staff_list(
            funding_round=self.get_round(), params=self.request.GET
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        funding_round = self.get_round()
        context.update(
            round=funding_round,
            moves=[
                (status, label)
                for status, label in FundingRound._meta.get_field("status").choices
                if status in ROUND_MOVES[funding_round.status]
                and self.request.user.has_perm(round_move_permission(status), funding_round)
            ],
            query_string=self.request.GET.urlencode(),
        )
        return context


EXPORT_COLUMNS = [
    "Reference",
    "Stage",
    "Status",
    "Channel",
    "Organisation",
    "Org-id",
    "Registered",
    "Title",
    "Amount requested (£)",
    "Priorities",
    "Evidence base",
    "Submitted at",
]


def _export_row(application: Application) -> list:
    submitted = (
        timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
        if application.submitted_at
        else ""
    )
    return [
        application.reference,
        application.get_stage_display(),
        application.get_status_display(),
        application.get_channel_display(),
        application.organisation.name,
        application.organisation.org_id,
        "Yes" if application.organisation.is_registered else "No",
        application.title,
        application.amount_requested,
        ", ".join(str(p.number) for p in application.priorities.all()),
        application.evidence_base,
        submitted,
    ]


class RoundApplicationsExportView(RoundApplicationsView):
    """The filtered list as CSV or XLSX, every row rather than one page."""

    paginate_by = None

    def get(self, request, *args, **kwargs):
        applications = self.get_queryset()
        if self.filters.errors:
            # A file cannot say which filter was not used: the list page does.
            return filters_refused("the list of applications")
        rows = (_export_row(a) for a in applications.iterator(chunk_size=2000))
        name = f"{self.get_round().slug}-applications-{timezone.localdate():%Y-%m-%d}"
        if kwargs["format"] == "csv":
            return csv_response(name, EXPORT_COLUMNS, rows)
        return xlsx_response(name, "Applications", EXPORT_COLUMNS, rows)


class LogBidView(ServiceFormMixin, RoundStaffMixin, FormView):
    """Staff log a bid that arrived by email or on paper, then fill it in on its pages."""

    permission_required = "grants.log_bid"
    template_name = "grants/round_log_bid.html"
    form_class = LogBidForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = Organisation.objects.filter(
            kind__in=sorted(PROVIDER_KINDS), verification_status=VerificationStatus.VERIFIED
        ).order_by("name")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["round"] = self.get_round()
        return context

    def perform(self, form):
        application = services.application_start(
            funding_round=self.get_round(),
            organisation=form.cleaned_data["organisation"],
            by=self.request.user,
            title=form.cleaned_data["title"],
            channel=form.cleaned_data["channel"],
            contact_name=form.cleaned_data["contact_name"],
            contact_email=form.cleaned_data["contact_email"],
            contact_address=form.cleaned_data["contact_address"],
        )
        messages.success(
            self.request, f"Bid logged as {application.reference}. Fill it in from the bid."
        )
        return redirect("grants:application-detail", reference=application.reference)


def _with_letter(message: str, application: Application) -> str:
    """A move's message, with the letter to send when the applicant gets no email about it."""
    letter_to = services.applicant_mail(application).letter_to
    if letter_to is None:
        return message
    return f"{message} A letter is needed: {letter_to or 'no postal address is recorded'}"


class ApplicationStaffMixin(StaffMixin):
    def get_application(self) -> Application:
        if not hasattr(self, "_application"):
            self._application = get_object_or_404(
                Application.objects.select_related(
                    "round", "organisation", "evidence_strand", "submitted_by", "parent"
                ).prefetch_related(
                    "budget_lines", "attachments", "priorities", "success_measures", "round__caps"
                ),
                reference=self.kwargs["reference"],
            )
        return self._application


class ApplicationStaffDetailView(ApplicationStaffMixin, TemplateView):
    template_name = "grants/application_staff_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_application()
        eligibility_form = kwargs.get("eligibility_form") or EligibilityForm()
        eligibility_form.helper.form_action = reverse(
            "grants:staff-application-eligibility", args=[application.reference]
        )
        context.update(
            application=application,
            history=application.status_changes.select_related("changed_by"),
            eligibility_form=eligibility_form,
            can_check_eligibility=application.status == ApplicationStatus.SUBMITTED,
            can_invite=application.stage == Stage.EOI
            and application.status == ApplicationStatus.UNDER_ASSESSMENT,
            cap=services.cap_for(
                funding_round=application.round, organisation=application.organisation
            ),
            total=sum(line.amount for line in application.budget_lines.all()),
            mail=services.applicant_mail(application),
        )
        return context


class ApplicationEligibilityView(ServiceFormOnPageMixin, ApplicationStaffDetailView):
    permission_required = "grants.record_eligibility"
    form_class = EligibilityForm
    form_context_name = "eligibility_form"

    def perform(self, form):
        application = self.get_application()
        services.application_record_eligibility(
            application=application,
            eligible=form.cleaned_data["eligible"],
            reason=form.cleaned_data["reason"],
            by=self.request.user,
        )
        messages.success(self.request, _with_letter("Eligibility recorded.", application))
        return redirect("grants:staff-application-detail", reference=application.reference)


class ApplicationInviteView(ServiceActionMixin, ApplicationStaffMixin, FormView):
    permission_required = "grants.invite_to_full"
    http_method_names = ["post"]

    def refused_url(self) -> str:
        return reverse("grants:staff-application-detail", args=[self.get_application().reference])

    def perform(self, form):
        application = self.get_application()
        full = services.application_invite_to_full(application=application, by=self.request.user)
        messages.success(
            self.request,
            _with_letter(
                f"Invited. The full application {full.reference} starts from the expression "
                "of interest.",
                application,
            ),
        )
        return redirect("grants:staff-application-detail", reference=full.reference)

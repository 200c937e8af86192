"""The provider's application: start, fill in by section, attach, submit, withdraw.

OPCC staff use the same pages to fill in bids they logged from email or paper.
Every application is looked up through a user-scoped selector, so another
organisation's reference is a 404, whatever the URL.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from partners.enums import MembershipStatus
from partners.rules import is_opcc_staff
from svd_portal.downloads import confidential
from svd_portal.formatting import file_size
from svd_portal.mixins import ServiceFormMixin
from svd_portal.uploads import UploadLimitMixin

from .. import selectors, services
from ..enums import ApplicationStatus, Channel
from ..forms import (
    ApplicationStartForm,
    AttachmentForm,
    BudgetLineForm,
    StaffSubmitForm,
    WithdrawForm,
)
from ..models import Application
from ..sections import SECTIONS, SECTIONS_BY_SLUG


def attachment_response(attachment, *, filename: str | None = None) -> FileResponse:
    """Streams a private file as a download, never rendered inline by the browser, under a
    name the portal chooses from what the file is: an application's attachment's by
    default, or `filename` (a return's document)."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=filename or services.attachment_download_name(attachment),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return confidential(response)


class ApplicationMixin(LoginRequiredMixin):
    """Loads the application named in the URL from what this person may see, or 404."""

    edit = False

    def get_application(self) -> Application:
        if not hasattr(self, "_application"):
            try:
                self._application = selectors.application_for_page(
                    user=self.request.user, reference=self.kwargs["reference"]
                )
            except Application.DoesNotExist:
                raise Http404("No such application") from None
        return self._application

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        application = self.get_application()
        if self.edit and not request.user.has_perm("grants.edit_application", application):
            messages.error(
                request,
                f"This application is {application.status_for_applicant.lower()}: "
                "it can no longer be changed.",
            )
            return redirect("grants:application-detail", reference=application.reference)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["application"] = self.get_application()
        context["can_edit"] = self.request.user.has_perm(
            "grants.edit_application", context["application"]
        )
        context["from_check"] = self.from_check()
        context["back_url"] = self.back_url()
        return context

    def from_check(self) -> bool:
        """Opened from a Change link on check answers (?return=check): back goes there."""
        return RETURN_TO_CHECK in (self.request.GET.get("return"), self.request.POST.get("return"))

    def back_url(self) -> str:
        name = "grants:application-submit" if self.from_check() else "grants:application-detail"
        return reverse(name, args=[self.kwargs["reference"]])

    def here(self, name: str) -> str:
        """A page of this application, keeping ?return=check."""
        url = reverse(name, args=[self.kwargs["reference"]])
        return f"{url}?return={RETURN_TO_CHECK}" if self.from_check() else url


# The query of a Change link on check answers: the section's page then leads back there.
RETURN_TO_CHECK = "check"


class ApplicationListMineView(LoginRequiredMixin, TemplateView):
    template_name = "grants/application_mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applications"] = (
            selectors.applications_for_user(user=self.request.user)
            # Staff see every application elsewhere: here, only their own organisations'.
            .filter(
                organisation__memberships__user=self.request.user,
                organisation__memberships__status=MembershipStatus.ACTIVE,
            )
            .order_by("-created_at", "-pk")
        )
        return context


class ApplicationStartView(ServiceFormMixin, LoginRequiredMixin, FormView):
    form_class = ApplicationStartForm
    template_name = "grants/application_start.html"

    def dispatch(self, request, *args, **kwargs):
        self.funding_round = get_object_or_404(selectors.rounds_public(), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = selectors.organisations_for_applying(user=self.request.user)
        return kwargs

    def get_initial(self):
        organisations = selectors.organisations_for_applying(user=self.request.user)
        return {"organisation": organisations.first()} if len(organisations) == 1 else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["round"] = self.funding_round
        context["has_organisation"] = selectors.organisations_for_applying(
            user=self.request.user
        ).exists()
        # Told now rather than by a form that would refuse them.
        context["waiting_organisations"] = selectors.organisations_waiting_for_verification(
            user=self.request.user
        )
        context["verification_working_days"] = settings.VERIFICATION_WORKING_DAYS
        return context

    def perform(self, form):
        application = services.application_start(
            funding_round=self.funding_round,
            organisation=form.cleaned_data["organisation"],
            by=self.request.user,
            title=form.cleaned_data["title"],
        )
        messages.success(
            self.request,
            f"Application {application.reference} started. It is saved as a draft as you go.",
        )
        return redirect("grants:application-detail", reference=application.reference)


class ApplicationDetailView(ApplicationMixin, TemplateView):
    """The task list of a draft, or the summary of a submitted application."""

    template_name = "grants/application_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context["application"]
        context["sections"] = [
            (section, section.is_complete(application), section.url(application))
            for section in SECTIONS
        ]
        context["can_withdraw"] = self.request.user.has_perm(
            "grants.withdraw_application", application
        )
        if application.status == ApplicationStatus.AWARDED:
            # The round was held while the PCC signed, so the moderation's conditions are the
            # ones frozen in the signed schedule. The record is read through the reverse
            # relation the decisions app declares: grants never imports decisions.
            moderation = getattr(application, "moderation", None)
            context["award_conditions"] = moderation.conditions if moderation else ""
            context["award_records"] = application.decisions.filter(
                status="published"  # decisions.enums.DecisionStatus.PUBLISHED
            ).order_by("published_at", "pk")
        return context


class ApplicationSectionView(ServiceFormMixin, ApplicationMixin, FormView):
    """One section of the form, as grants.sections defines it. Saving keeps the draft;
    nothing is checked for completeness here."""

    edit = True
    template_name = "grants/application_section.html"

    def dispatch(self, request, *args, **kwargs):
        self.section = SECTIONS_BY_SLUG.get(kwargs["section"])
        # Budget and attachments have pages of their own.
        if self.section is None or not self.section.form:
            raise Http404("No such section")
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.section.form_class

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.section.form_takes_round:
            kwargs["funding_round"] = self.get_application().round
        return kwargs

    def get_initial(self):
        application = self.get_application()
        initial = {name: getattr(application, name) for name in self.section.fields}
        for name in self.section.relations:
            initial[name] = list(getattr(application, name).all())
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        return context

    def perform(self, form):
        data = form.cleaned_data
        services.application_update(
            application=self.get_application(),
            by=self.request.user,
            fields={name: data[name] for name in self.section.fields},
            **{name: data[name] for name in self.section.relations},
        )
        messages.success(self.request, "Saved.")
        return redirect(self.back_url())


class BudgetView(ServiceFormMixin, ApplicationMixin, FormView):
    """The budget lines, with a form to add one."""

    template_name = "grants/application_budget.html"
    form_class = BudgetLineForm

    def dispatch(self, request, *args, **kwargs):
        self.edit = request.method == "POST"
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["funding_round"] = self.get_application().round
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context["application"]
        lines = list(application.budget_lines.all())
        context["lines"] = lines
        context["total"] = sum(line.amount for line in lines)
        context["cap"] = services.cap_for(
            funding_round=application.round, organisation=application.organisation
        )
        context["cap_words"] = services.cap_words(application.organisation)
        return context

    def perform(self, form):
        services.budget_line_add(
            application=self.get_application(), by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, "Budget line added.")
        return redirect(self.here("grants:application-budget"))


class BudgetLineRemoveView(ApplicationMixin, View):
    edit = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        application = self.get_application()
        line = get_object_or_404(application.budget_lines.all(), pk=kwargs["pk"])
        services.budget_line_remove(line=line, by=request.user)
        messages.success(request, "Budget line removed.")
        return redirect(self.here("grants:application-budget"))


class AttachmentsView(ServiceFormMixin, UploadLimitMixin, ApplicationMixin, FormView):
    template_name = "grants/application_attachments.html"
    form_class = AttachmentForm
    service_error_field = "file"

    def dispatch(self, request, *args, **kwargs):
        self.edit = request.method == "POST"
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["max_size"] = file_size(settings.ATTACHMENT_MAX_BYTES)
        return kwargs

    def perform(self, form):
        attachment = services.attachment_add(
            application=self.get_application(),
            by=self.request.user,
            uploaded_file=form.cleaned_data["file"],
        )
        messages.success(self.request, f"{attachment.original_name} uploaded.")
        return redirect(self.here("grants:application-attachments"))


class AttachmentDownloadView(ApplicationMixin, View):
    """Streams a private attachment to someone who may see the application."""

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(self.get_application().attachments.all(), pk=kwargs["pk"])
        return attachment_response(attachment)


class AttachmentRemoveView(ApplicationMixin, View):
    edit = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        application = self.get_application()
        attachment = get_object_or_404(application.attachments.all(), pk=kwargs["pk"])
        services.attachment_remove(attachment=attachment, by=request.user)
        messages.success(request, f"{attachment.original_name} removed.")
        return redirect(self.here("grants:application-attachments"))


class ApplicationSubmitView(ServiceFormMixin, ApplicationMixin, FormView):
    """Check your answers, then submit. A refusal lists every problem and keeps the draft.

    Staff submitting a bid they logged say when it was received; an applicant's form is
    just the button."""

    edit = True
    template_name = "grants/application_submit.html"

    def staff_logged(self) -> bool:
        application = self.get_application()
        return application.channel != Channel.PORTAL and is_opcc_staff(self.request.user)

    def get_form_class(self):
        return StaffSubmitForm if self.staff_logged() else forms.Form

    def problems(self) -> list:
        """What stops submission now, each with the page that puts it right. A bid staff
        logged counts from when it was received, which they give with the submission: the
        dates are judged then."""
        staff_logged = self.staff_logged()
        return [
            (problem.message, self.change_url(problem.section) if problem.section else None)
            for problem in services.submission_problems(self.get_application(), at=timezone.now())
            if not (staff_logged and problem.about_time)
        ]

    def change_url(self, slug: str) -> str:
        return f"{SECTIONS_BY_SLUG[slug].url(self.get_application())}?return={RETURN_TO_CHECK}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = self.problems()
        context.setdefault("problems", now)
        # No Submit button while something stops it (a refusal of the received time alone
        # keeps the form, to give it).
        context["blocked"] = bool(now)
        context["staff_logged"] = self.staff_logged()
        context["change"] = {section.slug: self.change_url(section.slug) for section in SECTIONS}
        return context

    def show_problems(self, refusals: list[str]):
        """A refusal's problems, linked to their sections as the same problems are now."""
        links = dict(self.problems())
        problems = [(message, links.get(message)) for message in refusals]
        return self.render_to_response(self.get_context_data(problems=problems), status=400)

    def perform(self, form):
        application = self.get_application()
        services.application_submit(
            application=application,
            by=self.request.user,
            received_at=form.cleaned_data.get("received_at"),
        )
        return HttpResponseRedirect(
            reverse("grants:application-receipt", args=[application.reference])
        )

    def refused(self, form, exc):
        return self.show_problems(exc.messages)

    def form_invalid(self, form):
        return self.show_problems(["Enter when the bid was received"])


class ApplicationReceiptView(ApplicationMixin, TemplateView):
    template_name = "grants/application_receipt.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mail"] = services.applicant_mail(context["application"])
        return context


class ApplicationWithdrawView(ServiceFormMixin, ApplicationMixin, FormView):
    template_name = "grants/application_withdraw.html"
    form_class = WithdrawForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(
            "grants.withdraw_application", self.get_application()
        ):
            raise PermissionDenied("Only the applicant can withdraw an undecided application")
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        services.application_withdraw(
            application=self.get_application(),
            by=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(self.request, "The application has been withdrawn.")
        return redirect("grants:application-detail", reference=self.kwargs["reference"])

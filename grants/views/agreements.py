"""Before and at the offer: an organisation's bank details, the due diligence checklist,
agreement templates, offering an award, and the signatory reading and answering the
agreement. The award's own page (views/awards.py) shows where each of these stands."""

import ipaddress

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from partners.auth import client_ip
from partners.mixins import RecentSecondFactorMixin
from svd_portal.downloads import confidential
from svd_portal.mixins import ServiceActionMixin, ServiceFormMixin, ServiceFormOnPageMixin
from svd_portal.pdfs import PdfStatus
from svd_portal.uploads import UploadLimitMixin

from .. import services
from ..diligence import required_items
from ..enums import AgreementDocumentKind, AgreementOutcome, AwardStatus, DiligenceItem
from ..forms import (
    AcceptForm,
    AgreementReturnForm,
    AgreementTemplateForm,
    BankDetailsForm,
    BankVerifyForm,
    DiligenceCheckForm,
    OfferForm,
)
from ..models import AgreementTemplate
from .awards import AwardMixin


def _address(request) -> str | None:
    """The client's address as recorded with an answer; None if it is not an address."""
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


# --- Bank details ------------------------------------------------------------------------


class BankDetailsView(ServiceFormMixin, AwardMixin, FormView):
    """The organisation's bank details, entered or changed by one of its members (or staff,
    from a letter). Only the last four digits of the account number are ever shown."""

    template_name = "grants/bank_details_form.html"
    form_class = BankDetailsForm

    def has_permission(self):
        award = self.get_award()
        user = self.request.user
        return user.has_perm("grants.view_award", award) and user.has_perm(
            "grants.enter_bank_details", award.organisation
        )

    def get_initial(self):
        account = getattr(self.get_award().organisation, "bank_account", None)
        return {"account_name": account.account_name} if account else {}

    def get_context_data(self, **kwargs):
        award = self.get_award()
        return super().get_context_data(
            award=award, account=getattr(award.organisation, "bank_account", None), **kwargs
        )

    def perform(self, form):
        award = self.get_award()
        services.bank_details_save(
            organisation=award.organisation, by=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            f"Bank details saved. The OPCC will verify them before any payment, and every "
            f"member of {award.organisation.name} has been told of the change.",
        )
        return redirect(award)


class BankVerifyView(RecentSecondFactorMixin, ServiceActionMixin, AwardMixin, FormView):
    """POST only, from the award's page: staff verify the bank details."""

    permission_required = "grants.verify_bank_details"
    http_method_names = ["post"]
    form_class = BankVerifyForm

    def get_permission_object(self):
        return self.get_award().organisation

    def refused_url(self):
        return self.get_award().get_absolute_url()

    def perform(self, form):
        award = self.get_award()
        services.bank_details_verify(
            organisation=award.organisation, by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, f"{award.organisation.name}'s bank details are verified.")
        return redirect(award)


# --- Due diligence ---------------------------------------------------------------------


class DiligenceItemMixin(AwardMixin):
    def get_item(self) -> str:
        item = self.kwargs["item"]
        if item not in required_items(self.get_award()):
            raise Http404("This award has no such item of due diligence")
        return item

    def get_check(self):
        return self.get_award().checks.filter(item=self.get_item()).first()


class DiligenceItemView(ServiceFormMixin, UploadLimitMixin, DiligenceItemMixin, FormView):
    """Staff record one item of an award's due diligence."""

    permission_required = "grants.manage_awards"
    template_name = "grants/diligence_form.html"

    def get_form(self, form_class=None):
        return DiligenceCheckForm(item=self.get_item(), **self.get_form_kwargs())

    def get_initial(self):
        check = self.get_check()
        if check is None:
            award = self.get_award()
            number = award.organisation.charity_number or award.organisation.company_number
            return {"number": number}
        return {
            "satisfactory": "yes" if check.satisfactory else "no",
            "number": check.number,
            "dated_on": check.dated_on,
            "rating": check.rating,
            "note": check.note,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            award=self.get_award(),
            item_label=DiligenceItem(self.get_item()).label,
            check=self.get_check(),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        award = self.get_award()
        check = services.diligence_record(
            award=award,
            item=self.get_item(),
            by=self.request.user,
            satisfactory=data["satisfactory"],
            number=data.get("number", ""),
            dated_on=data.get("dated_on"),
            uploaded_file=data.get("file"),
            rating=data.get("rating", ""),
            note=data.get("note", ""),
        )
        if check.satisfactory:
            messages.success(self.request, f"{check.get_item_display()} recorded as satisfactory.")
        else:
            messages.success(
                self.request,
                f"{check.get_item_display()} refused. {award.organisation.name} has been "
                "emailed the reason.",
            )
        return redirect(award)


class DiligenceFileView(DiligenceItemMixin, View):
    """Streams the evidence staff attached to an item: to those who may read the money."""

    permission_required = "grants.view_money"

    def get(self, request, *args, **kwargs):
        check = self.get_check()
        if check is None or not check.file:
            raise Http404("No document is attached to this item")
        response = FileResponse(
            check.file.open("rb"), as_attachment=True, filename=check.original_name or "evidence"
        )
        return confidential(response)


# --- Agreement templates ---------------------------------------------------------------


class AgreementTemplateListView(PermissionRequiredMixin, ListView):
    permission_required = "grants.manage_agreement_templates"
    template_name = "grants/agreement_template_list.html"
    context_object_name = "templates"
    queryset = AgreementTemplate.objects.select_related("updated_by")


class AgreementTemplateFormView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    permission_required = "grants.manage_agreement_templates"
    template_name = "grants/agreement_template_form.html"
    form_class = AgreementTemplateForm

    def get_template(self) -> AgreementTemplate | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(AgreementTemplate, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_template()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(template=self.get_template(), **kwargs)

    def perform(self, form):
        template = services.agreement_template_save(
            by=self.request.user, template=self.get_template(), **form.cleaned_data
        )
        messages.success(
            self.request,
            f"{template.name} saved. Agreements already offered keep the terms they were "
            "offered with.",
        )
        return redirect("grants:staff-agreement-templates")


# --- The offer and the answer -----------------------------------------------------------


class AwardOfferView(ServiceActionMixin, AwardMixin, FormView):
    """POST only, from the award's page: staff offer the grant agreement."""

    permission_required = "grants.manage_awards"
    http_method_names = ["post"]
    form_class = OfferForm

    def refused_url(self):
        return self.get_award().get_absolute_url()

    def perform(self, form):
        award = services.award_offer(
            award=self.get_award(), by=self.request.user, template=form.cleaned_data["template"]
        )
        messages.success(
            self.request,
            f"Award {award.reference} offered. The agreement is being prepared and signed; "
            f"{award.organisation.name}'s members have been emailed.",
        )
        return redirect(award)


class AgreementMixin(AwardMixin):
    def get_agreement(self):
        agreement = services.latest_agreement(self.get_award())
        if agreement is None:
            raise Http404("No agreement has been offered for this award")
        return agreement


class AgreementView(AgreementMixin, TemplateView):
    """The agreement on offer, readable on the page (and as the signed PDF), with the
    signatory's answer forms while it waits for one."""

    template_name = "grants/agreement_detail.html"

    def get_context_data(self, **kwargs):
        award, agreement = self.get_award(), self.get_agreement()
        user = self.request.user
        offer = services.ready_document(agreement, AgreementDocumentKind.OFFER)
        waiting = (
            award.status == AwardStatus.OFFERED and agreement.outcome == AgreementOutcome.OFFERED
        )
        context = super().get_context_data(**kwargs)
        accept_form = context.setdefault(
            "accept_form",
            AcceptForm(
                initial={"sha256": offer.sha256 if offer else ""},
                organisation_name=award.organisation.name,
            ),
        )
        accept_form.helper.form_action = reverse("grants:agreement-accept", args=[award.reference])
        return_form = context.setdefault("return_form", AgreementReturnForm())
        return_form.helper.form_action = reverse("grants:agreement-return", args=[award.reference])
        context.update(
            award=award,
            agreement=agreement,
            offer=offer,
            accepted=services.ready_document(agreement, AgreementDocumentKind.ACCEPTED),
            preparing=agreement.documents.exclude(status=PdfStatus.READY).exists(),
            waiting=waiting,
            may_answer=waiting and user.has_perm("grants.answer_agreement", award),
            signatories=[m.user for m in award.organisation.signatories],
            is_staff_view=user.has_perm("grants.view_money"),
        )
        return context


class AgreementAcceptView(ServiceFormOnPageMixin, AgreementView):
    """The signatory accepts, from the agreement's page (shown there again on a 400)."""

    permission_required = "grants.answer_agreement"
    form_context_name = "accept_form"

    def get_form(self):
        return AcceptForm(self.request.POST, organisation_name=self.get_award().organisation.name)

    def perform(self, form):
        data = form.cleaned_data
        agreement = services.agreement_accept(
            agreement=self.get_agreement(),
            by=self.request.user,
            signatory_name=data["signatory_name"],
            signatory_position=data["signatory_position"],
            sha256=data["sha256"],
            address=_address(self.request),
        )
        award = agreement.award
        messages.success(
            self.request,
            f"You accepted the grant agreement for {award.reference}. The signed copy with "
            "your acceptance will be ready here in a minute.",
        )
        return redirect("grants:agreement", award.reference)


class AgreementReturnView(ServiceFormOnPageMixin, AgreementView):
    """The signatory declines or asks for changes, from the agreement's page."""

    permission_required = "grants.answer_agreement"
    form_context_name = "return_form"

    def get_form(self):
        return AgreementReturnForm(self.request.POST)

    def perform(self, form):
        agreement = services.agreement_return(
            agreement=self.get_agreement(),
            by=self.request.user,
            address=_address(self.request),
            **form.cleaned_data,
        )
        messages.success(
            self.request,
            f"Your message has been sent to the OPCC, who will be in touch about "
            f"{agreement.award.reference}.",
        )
        return redirect(agreement.award)


class AgreementDownloadView(AwardMixin, View):
    """An agreement's signed PDF: as offered, or with the acceptance added."""

    def get(self, request, *args, **kwargs):
        award = self.get_award()
        agreement = get_object_or_404(award.agreements.all(), version=kwargs["version"])
        document = services.ready_document(agreement, kwargs["kind"])
        if document is None:
            raise Http404("This PDF is not ready")
        suffix = "-accepted" if document.kind == AgreementDocumentKind.ACCEPTED else ""
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=f"{award.reference}-agreement-v{agreement.version}{suffix}.pdf",
            content_type="application/pdf",
        )
        return confidential(response)

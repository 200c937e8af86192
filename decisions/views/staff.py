"""The OPCC's pages for decision records: the list, drafting and editing a record, a
record's page with its forms, and its documents."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from rules.contrib.views import PermissionRequiredMixin

from grants import selectors as grant_selectors
from grants.enums import ApplicationStatus
from grants.models import FundingRound
from svd_portal.downloads import confidential
from svd_portal.mixins import FilteredListMixin, ServiceFormMixin
from svd_portal.uploads import UploadLimitMixin

from .. import selectors, services
from ..enums import DecisionStatus
from ..forms import ApproveForm, DecisionRecordForm, FromRoundForm, ReturnForm, SignForm
from ..models import DecisionRecord
from .public import pdf_response, section_b_response

UNDER_WAY = (DecisionStatus.AWAITING_APPROVAL, DecisionStatus.AWAITING_SIGNATURE)


class StaffListView(PermissionRequiredMixin, FilteredListMixin, ListView):
    permission_required = "decisions.view_records"
    template_name = "decisions/record_staff_list.html"
    context_object_name = "records"
    paginate_by = 50

    def filter_list(self):
        return selectors.records_for_staff(params=self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            waiting=selectors.waiting_for(user=self.request.user),
            decidable_rounds=FundingRound.objects.filter(
                applications__status=ApplicationStatus.RECOMMENDED
            ).distinct(),
        )
        return context


class RecordMixin(PermissionRequiredMixin):
    def get_record(self) -> DecisionRecord:
        if not hasattr(self, "_record"):
            self._record = get_object_or_404(
                DecisionRecord.objects.select_related("funding_round", "corrects").prefetch_related(
                    "scheduled_awards"
                ),
                pk=self.kwargs["pk"],
            )
        return self._record

    def get_permission_object(self):
        return self.get_record()


class RecordCreateView(ServiceFormMixin, UploadLimitMixin, PermissionRequiredMixin, FormView):
    permission_required = "decisions.create_record"
    template_name = "decisions/record_form.html"
    form_class = DecisionRecordForm

    def perform(self, form):
        record = services.decision_create(
            by=self.request.user,
            section_b=form.cleaned_data["section_b"],
            section_b_redacted=form.cleaned_data["section_b_redacted"],
            **form.record_fields(),
        )
        messages.success(self.request, "Draft saved.")
        return redirect("decisions:staff-detail", pk=record.pk)


class RecordFromRoundView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    permission_required = "decisions.create_record"
    template_name = "decisions/record_from_round.html"
    form_class = FromRoundForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["rounds"] = FundingRound.objects.filter(
            applications__status=ApplicationStatus.RECOMMENDED
        ).distinct()
        return kwargs

    def perform(self, form):
        record = services.decision_create_from_round(
            funding_round=form.cleaned_data["funding_round"], by=self.request.user
        )
        messages.success(
            self.request, "Draft saved, with Section A filled in from the panel's recommendations."
        )
        return redirect("decisions:staff-detail", pk=record.pk)


class RecordEditView(ServiceFormMixin, UploadLimitMixin, RecordMixin, FormView):
    permission_required = "decisions.edit_record"
    template_name = "decisions/record_form.html"
    form_class = DecisionRecordForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "is_correction": self.get_record().corrects_id is not None,
        }

    def get_initial(self):
        record = self.get_record()
        return {name: getattr(record, name) for name in services.EDITABLE_FIELDS}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["record"] = self.get_record()
        return context

    def perform(self, form):
        record = services.decision_update(
            record=self.get_record(),
            by=self.request.user,
            fields=form.record_fields(),
            section_b=form.cleaned_data["section_b"],
            section_b_redacted=form.cleaned_data["section_b_redacted"],
        )
        messages.success(self.request, "Draft saved.")
        return redirect("decisions:staff-detail", pk=record.pk)


class RecordStaffDetailView(RecordMixin, DetailView):
    permission_required = "decisions.view_records"
    template_name = "decisions/record_staff_detail.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return self.get_record()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        user = self.request.user
        forms = {
            "approve_form": ApproveForm(initial={"name": user.full_name}),
            "return_form": ReturnForm(),
            "sign_form": SignForm(),
        }
        forms.update({k: v for k, v in kwargs.items() if k.endswith("_form")})
        for name, url in (
            ("approve_form", "decisions:staff-approve"),
            ("return_form", "decisions:staff-return"),
            ("sign_form", "decisions:staff-sign"),
        ):
            forms[name].helper.form_action = reverse(url, args=[record.pk])
        schedule, schedule_stale, schedule_money = None, [], []
        if record.funding_round_id and record.status == DecisionStatus.DRAFT:
            schedule = grant_selectors.round_schedule_of_awards(funding_round=record.funding_round)
        elif record.funding_round_id and record.status in UNDER_WAY:
            # An application withdrawn since the schedule was fixed, or a stream that cannot
            # hold the awards, stops the signing: say so before the PCC tries.
            rows = list(record.scheduled_awards.all())
            schedule_stale = grant_selectors.applications_moved_since_scheduled(
                ids=[row.application_id for row in rows]
            )
            schedule_money = grant_selectors.schedule_money_problems(
                funding_round=record.funding_round,
                awards={row.application_id: row.amount for row in rows if row.recommended},
            )
        context.update(
            forms,
            history=record.status_changes.select_related("changed_by"),
            schedule=schedule,
            schedule_stale=schedule_stale,
            schedule_money=schedule_money,
            can_edit=user.has_perm("decisions.edit_record", record),
            can_submit=user.has_perm("decisions.submit_record", record),
            can_approve=user.has_perm("decisions.approve_record", record),
            can_sign=user.has_perm("decisions.sign_record", record),
            can_correct=user.has_perm("decisions.correct_record", record),
            **document_context(user, record),
        )
        return context


class StaffSectionBView(RecordMixin, View):
    """The Section B report of any record, drafts included, for the OPCC."""

    permission_required = "decisions.view_records"

    redacted = False

    def get(self, request, pk):
        record = self.get_record()
        if not (record.section_b_redacted if self.redacted else record.section_b):
            raise Http404("This record has no such Section B report")
        return section_b_response(record, redacted=self.redacted)


class DocumentStatusView(RecordMixin, DetailView):
    """The versions of the record's PDF: a fragment the staff page polls while one is pending."""

    permission_required = "decisions.view_records"
    template_name = "decisions/_documents.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return self.get_record()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(document_context(self.request.user, self.object))
        return context


def document_context(user, record) -> dict:
    versions = list(record.documents.select_related("requested_by").order_by("-version"))
    return {
        "documents": versions,
        "documents_pending": any(d.status in ("queued", "rendering") for d in versions),
        "can_regenerate": user.has_perm("decisions.regenerate_document", record),
    }


class DocumentDownloadView(RecordMixin, View):
    """Any version of the PDF, for the OPCC."""

    permission_required = "decisions.view_records"

    def get(self, request, pk, version):
        record = self.get_record()
        document = get_object_or_404(record.documents, version=version, status="ready")
        return confidential(pdf_response(document, filename=f"{record.reference}-v{version}.pdf"))

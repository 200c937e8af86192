"""Decision records: the public register, and the OPCC's pages for drafting, approving,
signing and correcting records."""

import base64
from urllib.parse import urljoin

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from rules.contrib.views import PermissionRequiredMixin

from grants import selectors as grant_selectors
from grants.enums import ApplicationStatus
from grants.models import FundingRound
from partners.rules import is_opcc
from svd_portal.downloads import confidential
from svd_portal.forms import add_service_errors
from svd_portal.uploads import UploadLimitMixin

from . import selectors, services
from .enums import DecisionStatus
from .forms import (
    ApproveForm,
    DecisionRecordForm,
    FromRoundForm,
    ReturnForm,
    SignForm,
)
from .models import DecisionRecord

UNDER_WAY = (DecisionStatus.AWAITING_APPROVAL, DecisionStatus.AWAITING_SIGNATURE)

# --- The public register -----------------------------------------------------------------


class RegisterListView(ListView):
    """Published records, newest first; searched and filtered by year. Anyone may read it."""

    template_name = "decisions/register_list.html"
    context_object_name = "records"
    paginate_by = 25

    def get_queryset(self):
        self.filters = selectors.register_search(params=self.request.GET)
        return self.filters.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.filters.form, query=self.filters.query, **kwargs)


def record_for_page(*, user, reference: str) -> DecisionRecord:
    try:
        return selectors.record_for_page(user=user, reference=reference)
    except DecisionRecord.DoesNotExist:
        raise Http404("No decision record has this reference") from None


class RegisterDetailView(DetailView):
    template_name = "decisions/register_detail.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return record_for_page(user=self.request.user, reference=self.kwargs["reference"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = services.latest_ready_document(self.object)
        return context


class SectionBView(View):
    """The Section B report: public only when the record says so, and once published. A
    commercially sensitive report is never public, whatever else the record says."""

    redacted = False

    def get(self, request, reference):
        record = record_for_page(user=request.user, reference=reference)
        file = record.section_b_redacted if self.redacted else record.section_b
        published = record.status == DecisionStatus.PUBLISHED
        public = published and (self.redacted or record.publishes_full_section_b)
        if not file or not (public or (request.user.is_authenticated and is_opcc(request.user))):
            raise Http404("No Section B report is published for this record")
        return section_b_response(record, redacted=self.redacted)


def section_b_response(record, *, redacted: bool = False) -> FileResponse:
    file = record.section_b_redacted if redacted else record.section_b
    extension = file.name.rsplit(".", 1)[-1]
    kind = "section-b-redacted" if redacted else "section-b"
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"{record.reference or 'draft'}-{kind}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Confidential even when published: the same view serves staff any record's report.
    return confidential(response)


class RecordPdfView(View):
    """The latest ready signed PDF of a published record, named by its reference."""

    def get(self, request, reference):
        record = record_for_page(user=request.user, reference=reference)
        document = services.latest_ready_document(record)
        if document is None:
            raise Http404("The signed PDF of this record is not ready yet")
        response = pdf_response(document, filename=f"{record.reference}.pdf")
        # The OPCC also gets here the PDF of a record signed but not yet published.
        return response if record.status == DecisionStatus.PUBLISHED else confidential(response)


def pdf_response(document, *, filename: str) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    # RFC 3230 digests are base64; the page shows the same value in hex.
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(document.sha256)).decode()
    return response


class _TextSummaries:
    """Passes a feed's XML writer through, declaring every summary and content plain text."""

    def __init__(self, handler):
        self._handler = handler

    def addQuickElement(self, name, contents=None, attrs=None):
        if name in ("summary", "content"):
            attrs = {**(attrs or {}), "type": "text"}
        self._handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name):
        return getattr(self._handler, name)


class PlainTextAtom1Feed(Atom1Feed):
    """Atom with the decision text as text: Django's Atom1Feed declares the summary
    type="html", so a reader would render whatever markup a record's text holds. The text
    is written as it is; the XML writer escapes it once."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(_TextSummaries(handler), item)
        # The signed PDF is the record itself; "related" needs no length, which an
        # enclosure would (and knowing it costs a query per entry).
        handler.addQuickElement(
            "link",
            "",
            {
                "rel": "related",
                "type": "application/pdf",
                "href": urljoin(self.feed["link"], item["pdf_path"]),
                "title": f"{item['title']} (signed PDF)",
            },
        )


class RegisterFeed(Feed):
    """An Atom feed of the newest published records."""

    feed_type = PlainTextAtom1Feed
    title = "Decision records"
    subtitle = "Decisions of the Police and Crime Commissioner, as published"

    def link(self):
        return reverse("decisions:register")

    def author_name(self):
        return settings.PORTAL_ORGANISATION_NAME

    def items(self):
        return selectors.published_records()[:50]

    def item_extra_kwargs(self, item):
        return {"pdf_path": reverse("decisions:pdf", args=[item.reference])}

    def item_title(self, item):
        return f"{item.reference}: {item.title}"

    def item_description(self, item):
        return f"{item.get_outcome_display()}. {item.decision_text}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


# --- The OPCC's pages ---------------------------------------------------------------------


class StaffListView(PermissionRequiredMixin, ListView):
    permission_required = "decisions.view_records"
    template_name = "decisions/record_staff_list.html"
    context_object_name = "records"
    paginate_by = 50

    def get_queryset(self):
        self.filters = selectors.records_for_staff(params=self.request.GET)
        return self.filters.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filters.form,
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


class RecordCreateView(UploadLimitMixin, PermissionRequiredMixin, FormView):
    permission_required = "decisions.create_record"
    template_name = "decisions/record_form.html"
    form_class = DecisionRecordForm

    def form_valid(self, form):
        try:
            record = services.decision_create(
                by=self.request.user,
                section_b=form.cleaned_data["section_b"],
                section_b_redacted=form.cleaned_data["section_b_redacted"],
                **form.record_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Draft saved.")
        return redirect("decisions:staff-detail", pk=record.pk)


class RecordFromRoundView(PermissionRequiredMixin, FormView):
    permission_required = "decisions.create_record"
    template_name = "decisions/record_from_round.html"
    form_class = FromRoundForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["rounds"] = FundingRound.objects.filter(
            applications__status=ApplicationStatus.RECOMMENDED
        ).distinct()
        return kwargs

    def form_valid(self, form):
        try:
            record = services.decision_create_from_round(
                funding_round=form.cleaned_data["funding_round"], by=self.request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, "Draft saved, with Section A filled in from the panel's recommendations."
        )
        return redirect("decisions:staff-detail", pk=record.pk)


class RecordEditView(UploadLimitMixin, RecordMixin, FormView):
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

    def form_valid(self, form):
        try:
            record = services.decision_update(
                record=self.get_record(),
                by=self.request.user,
                fields=form.record_fields(),
                section_b=form.cleaned_data["section_b"],
                section_b_redacted=form.cleaned_data["section_b_redacted"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
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
        schedule, schedule_stale = None, []
        if record.funding_round_id and record.status == DecisionStatus.DRAFT:
            schedule = grant_selectors.round_schedule_of_awards(funding_round=record.funding_round)
        elif record.funding_round_id and record.status in UNDER_WAY:
            # An application withdrawn since the schedule was fixed stops the signing: say so
            # before the PCC tries.
            schedule_stale = grant_selectors.applications_moved_since_scheduled(
                ids=[row.application_id for row in record.scheduled_awards.all()]
            )
        context.update(
            forms,
            history=record.status_changes.select_related("changed_by"),
            schedule=schedule,
            schedule_stale=schedule_stale,
            can_edit=user.has_perm("decisions.edit_record", record),
            can_submit=user.has_perm("decisions.submit_record", record),
            can_approve=user.has_perm("decisions.approve_record", record),
            can_sign=user.has_perm("decisions.sign_record", record),
            can_correct=user.has_perm("decisions.correct_record", record),
            **document_context(user, record),
        )
        return context


class RecordActionView(RecordMixin, View):
    """POST only. Subclasses name the permission and the service call."""

    http_method_names = ["post"]
    form_class = None
    form_name = ""
    success = ""

    def act(self, record, form):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        form = self.form_class(request.POST) if self.form_class else None
        if form is None or form.is_valid():
            try:
                result = self.act(record, form)
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                    return redirect("decisions:staff-detail", pk=record.pk)
                add_service_errors(form, exc)
            else:
                messages.success(request, self.success)
                return redirect("decisions:staff-detail", pk=(result or record).pk)
        view = RecordStaffDetailView()
        view.setup(request, *args, **kwargs)
        view.object = view._record = record
        return view.render_to_response(view.get_context_data(**{self.form_name: form}), status=400)


class RecordSubmitView(RecordActionView):
    permission_required = "decisions.submit_record"
    success = "Sent for officer approval."

    def act(self, record, form):
        return services.decision_submit(record=record, by=self.request.user)


class RecordApproveView(RecordActionView):
    permission_required = "decisions.approve_record"
    form_class = ApproveForm
    form_name = "approve_form"
    success = "Approved and sent to the PCC for signature."

    def act(self, record, form):
        return services.decision_approve(record=record, by=self.request.user, **form.cleaned_data)


class RecordReturnView(RecordActionView):
    form_class = ReturnForm
    form_name = "return_form"
    success = "Returned to draft with your comments."

    def has_permission(self):
        user, record = self.request.user, self.get_record()
        return user.has_perm("decisions.approve_record", record) or user.has_perm(
            "decisions.sign_record", record
        )

    def act(self, record, form):
        return services.decision_return(
            record=record, by=self.request.user, comments=form.cleaned_data["comments"]
        )


class RecordSignView(RecordActionView):
    permission_required = "decisions.sign_record"
    form_class = SignForm
    form_name = "sign_form"
    success = "Signed."

    def act(self, record, form):
        return services.decision_sign(
            record=record, by=self.request.user, request=self.request, **form.cleaned_data
        )


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


class DocumentRegenerateView(RecordActionView):
    permission_required = "decisions.regenerate_document"
    success = "A new version of the PDF is being made."

    def act(self, record, form):
        services.document_queue(record=record, by=self.request.user, reason="Regenerated by staff")
        return record


class DocumentRetryView(RecordActionView):
    permission_required = "decisions.regenerate_document"
    success = "The PDF is being made again."

    def act(self, record, form):
        document = get_object_or_404(record.documents, version=self.kwargs["version"])
        services.document_retry(document=document, by=self.request.user)
        return record


class RecordCorrectView(RecordActionView):
    permission_required = "decisions.correct_record"
    success = "A correction has been drafted. Edit it, then submit it for approval."

    def act(self, record, form):
        return services.decision_correct(record=record, by=self.request.user)

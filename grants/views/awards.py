"""The money after the signature: funding streams and their years for OPCC staff, the awards
list and its export, an award's page, and an organisation's "Your grants"."""

from collections import defaultdict
from decimal import Decimal
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from svd_portal.exports import Column, cells, csv_response, filters_refused, headings, xlsx_response
from svd_portal.formatting import money
from svd_portal.mixins import FilteredListMixin, ServiceFormMixin, ServiceFormOnPageMixin

from .. import selectors, services
from ..diligence import offer_problems
from ..enums import FINAL_AWARD_STATUSES, AwardStatus, CostKind, DiligenceItem
from ..forms import (
    AllocationForm,
    AwardWithdrawForm,
    BankVerifyForm,
    OfferForm,
    RegisterDetailsForm,
    StreamForm,
)
from ..models import Award, FundingStream
from ..selectors.register import REGISTER_STATUSES
from ..services.variations import VARIABLE_STATUSES

# --- Streams ----------------------------------------------------------------------------


class StreamListView(PermissionRequiredMixin, ListView):
    permission_required = "grants.view_money"
    template_name = "grants/stream_list.html"
    context_object_name = "streams"

    def get_queryset(self):
        return selectors.streams_for_staff()


class StreamMixin(PermissionRequiredMixin):
    permission_required = "grants.manage_streams"

    def get_stream(self) -> FundingStream:
        if not hasattr(self, "_stream"):
            self._stream = get_object_or_404(FundingStream, pk=self.kwargs["pk"])
        return self._stream


class StreamCreateView(ServiceFormMixin, StreamMixin, FormView):
    template_name = "grants/stream_form.html"
    form_class = StreamForm

    def perform(self, form):
        stream = services.stream_save(by=self.request.user, **form.cleaned_data)
        messages.success(self.request, f"{stream.name} added. Now set what it holds each year.")
        return redirect(stream)


class StreamEditView(ServiceFormMixin, StreamMixin, FormView):
    template_name = "grants/stream_form.html"
    form_class = StreamForm

    def get_initial(self):
        stream = self.get_stream()
        return {"name": stream.name, "funder": stream.funder, "notes": stream.notes}

    def get_context_data(self, **kwargs):
        return super().get_context_data(stream=self.get_stream(), **kwargs)

    def perform(self, form):
        stream = services.stream_save(
            by=self.request.user, stream=self.get_stream(), **form.cleaned_data
        )
        messages.success(self.request, "Stream saved.")
        return redirect(stream)


class StreamDetailView(StreamMixin, TemplateView):
    """The money page: per financial year, what the stream holds, what awards commit and
    what is left, labour and non-labour; and the form that sets a year's allocation."""

    permission_required = "grants.view_money"
    template_name = "grants/stream_detail.html"

    def get_permission_object(self):
        return None

    def get_context_data(self, **kwargs):
        stream = self.get_stream()
        context = super().get_context_data(**kwargs)
        context.update(
            stream=stream,
            years=selectors.stream_years(stream=stream),
            rounds=stream.rounds.order_by("-opens_at"),
            may_manage=self.request.user.has_perm("grants.manage_streams"),
        )
        form = context.setdefault("allocation_form", AllocationForm())
        form.helper.form_action = reverse("grants:staff-stream-allocation", args=[stream.pk])
        return context


class AllocationSetView(ServiceFormOnPageMixin, StreamDetailView):
    permission_required = "grants.manage_streams"
    form_class = AllocationForm
    form_context_name = "allocation_form"
    service_error_field = "financial_year"

    def perform(self, form):
        allocation = services.allocation_set(
            stream=self.get_stream(), by=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            f"{allocation.financial_year}'s allocation is now {money(allocation.total)}.",
        )
        return redirect(self.get_stream())


# --- Awards -----------------------------------------------------------------------------


def _award_years(award: Award) -> list[tuple[str, Decimal, Decimal]]:
    """(year, labour, non-labour) for each financial year the award has money in."""
    years: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {kind: Decimal("0.00") for kind in CostKind.values}
    )
    for split in award.splits.all():
        years[split.financial_year][split.cost_kind] += split.amount
    return [
        (year, kinds[CostKind.LABOUR], kinds[CostKind.NON_LABOUR])
        for year, kinds in sorted(years.items())
    ]


class AwardStaffListView(PermissionRequiredMixin, FilteredListMixin, ListView):
    permission_required = "grants.view_money"
    template_name = "grants/award_staff_list.html"
    context_object_name = "awards"
    paginate_by = 50

    def filter_list(self):
        return selectors.awards_for_staff(params=self.request.GET)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query_string=self.request.GET.urlencode(), **kwargs)


EXPORT_COLUMNS = [
    Column("Reference", attrgetter("reference")),
    Column("Organisation", attrgetter("organisation")),
    Column("Org-id", attrgetter("org_id")),
    Column("Title", attrgetter("title")),
    Column("Funding stream", attrgetter("stream")),
    Column("Financial year", attrgetter("financial_year")),
    Column("Labour (£)", attrgetter("labour")),
    Column("Non-labour (£)", attrgetter("non_labour")),
    Column("Year total (£)", attrgetter("year_total")),
    Column("Award amount (£)", attrgetter("amount")),
    Column("Status", attrgetter("status")),
    Column("Decision", attrgetter("decision_reference")),
]


class AwardExportView(AwardStaffListView):
    """The filtered awards as CSV or XLSX: a row for each award and financial year, with
    its labour and non-labour money (only the year filtered on, when there is one)."""

    paginate_by = None

    def get(self, request, *args, **kwargs):
        awards = self.get_queryset()
        if self.filters.errors:
            return filters_refused("the list of awards")
        year = (self.filters.is_bound and self.filters.form.cleaned_data["financial_year"]) or ""
        rows = selectors.award_year_rows(awards, financial_year=year)
        name = f"awards-{year + '-' if year else ''}{timezone.localdate():%Y-%m-%d}"
        if kwargs["format"] == "csv":
            return csv_response(name, headings(EXPORT_COLUMNS), cells(EXPORT_COLUMNS, rows))
        return xlsx_response(name, "Awards", headings(EXPORT_COLUMNS), cells(EXPORT_COLUMNS, rows))


class AwardMixin(PermissionRequiredMixin):
    """An award by its reference: 404 alike for one that does not exist and one the person
    may not see (another organisation's)."""

    permission_required = "grants.view_award"

    def get_award(self) -> Award:
        if not hasattr(self, "_award"):
            try:
                self._award = selectors.award_for_page(reference=self.kwargs["reference"])
            except Award.DoesNotExist:
                raise Http404("No award has this reference") from None
        return self._award

    def get_permission_object(self):
        return self.get_award()

    def handle_no_permission(self):
        user = self.request.user
        if user.is_authenticated and not user.has_perm("grants.view_award", self.get_award()):
            raise Http404("No award has this reference")
        return super().handle_no_permission()


class AwardDetailView(AwardMixin, TemplateView):
    """An award's page: its money, its due diligence and bank details, its agreement, and
    for staff the offer and withdrawal; the organisation sees what it has to do."""

    template_name = "grants/award_detail.html"

    def get_context_data(self, **kwargs):
        award = self.get_award()
        context = super().get_context_data(**kwargs)
        user = self.request.user
        may_manage = user.has_perm("grants.manage_awards", award)
        in_diligence = award.status == AwardStatus.DUE_DILIGENCE
        account = getattr(award.organisation, "bank_account", None)
        agreements = list(award.agreements.all())
        checklist = selectors.diligence_checklist(award)
        context.update(
            award=award,
            years=_award_years(award),
            is_staff_view=user.has_perm("grants.view_money"),
            may_manage=may_manage,
            may_withdraw=may_manage and services.AWARD.allows(award.status, AwardStatus.WITHDRAWN),
            in_diligence=in_diligence,
            checklist=checklist,
            # What the organisation is told it must put right: never the fraud-risk rating.
            refused_items=[
                row
                for row in checklist
                if row.check and not row.check.satisfactory and row.item != DiligenceItem.FRAUD_RISK
            ],
            account=account,
            may_enter_bank_details=user.has_perm("grants.enter_bank_details", award.organisation)
            and award.status not in FINAL_AWARD_STATUSES,
            may_verify=account is not None
            and not account.is_verified
            and account.changed_by_id != user.pk
            and user.has_perm("grants.verify_bank_details", award.organisation),
            agreement=agreements[0] if agreements else None,
            signatories=[m.user for m in award.organisation.signatories],
            on_register=award.status in REGISTER_STATUSES
            and award.decision_published_on is not None,
        )
        if award.plan_set_at:
            actuals = selectors.latest_actuals(award)
            context.update(
                target_rows=[(t, actuals.get(t.pk)) for t in award.targets.all()],
                delivery=selectors.delivery_rows(award),
                hold_reasons=services.hold_reasons(award),
                paid=services.paid_so_far(award),
                may_manage_payments=user.has_perm("grants.manage_payments", award),
                ledger=list(award.ledger.all()),
                may_end=award.status == AwardStatus.ACTIVE
                and user.has_perm("grants.manage_payments", award),
                variations=list(award.variations.all()),
                may_propose=award.status in VARIABLE_STATUSES
                and user.has_perm("grants.propose_variation", award),
                may_reallocate=award.status in VARIABLE_STATUSES
                and award.stream_id is not None
                and may_manage,
            )
        if may_manage and in_diligence:
            context["offer_problems"] = offer_problems(award)
            offer_form = context.setdefault("offer_form", OfferForm())
            offer_form.helper.form_action = reverse("grants:award-offer", args=[award.reference])
        verify_form = context.setdefault("verify_form", BankVerifyForm())
        verify_form.helper.form_action = reverse("grants:award-bank-verify", args=[award.reference])
        form = context.setdefault("withdraw_form", AwardWithdrawForm())
        form.helper.form_action = reverse("grants:award-withdraw", args=[award.reference])
        return context


class AwardWithdrawView(ServiceFormOnPageMixin, AwardDetailView):
    permission_required = "grants.manage_awards"
    form_class = AwardWithdrawForm
    form_context_name = "withdraw_form"
    service_error_field = "reason"

    def perform(self, form):
        award = services.award_withdraw(
            award=self.get_award(), by=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, f"Award {award.reference} withdrawn.")
        return redirect(award)


class AwardsMineView(LoginRequiredMixin, TemplateView):
    """Your grants: the awards made to the organisations the person belongs to."""

    template_name = "grants/award_mine.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            awards=list(selectors.awards_for_organisations(user=self.request.user)),
            today=timezone.localdate(),
            **kwargs,
        )


class AwardRegisterView(ServiceFormMixin, AwardMixin, FormView):
    """Staff set what the grants register says of an award: why it is expected to reduce
    crime and disorder, and where it is delivered."""

    permission_required = "grants.manage_awards"
    template_name = "grants/award_register_form.html"
    form_class = RegisterDetailsForm

    def get_initial(self):
        award = self.get_award()
        return {"rationale": award.rationale, "areas": list(award.areas.all())}

    def get_context_data(self, **kwargs):
        return super().get_context_data(award=self.get_award(), **kwargs)

    def perform(self, form):
        award = services.award_register_save(
            award=self.get_award(),
            by=self.request.user,
            rationale=form.cleaned_data["rationale"],
            areas=form.cleaned_data["areas"],
        )
        messages.success(self.request, "Saved: the grants register says this of the grant.")
        return redirect(award)

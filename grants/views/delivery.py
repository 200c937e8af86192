"""Delivery of an award: the plan staff set before the offer, the grant holder's monitoring
returns and staff's decision on each, and the payments staff raise, approve, export to
finance and mark paid."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from partners.mixins import RecentSecondFactorMixin
from svd_portal.exports import csv_response
from svd_portal.formatting import file_size, money
from svd_portal.mixins import ServiceActionMixin, ServiceFormMixin, ServiceFormOnPageMixin

from .. import selectors, services
from ..enums import OPEN_RETURN_STATUSES, AwardStatus, PaymentStatus, ReturnFrequency
from ..forms import (
    AttachmentForm,
    ClawBackForm,
    CloseOutForm,
    DeliveryPlanForm,
    PaidForm,
    ReturnAcceptForm,
    ReturnForm,
    ReturnSendBackForm,
)
from ..models import MonitoringReturn, Payment
from .awards import AwardMixin

# --- The plan -------------------------------------------------------------------------------


class DeliveryPlanView(ServiceFormMixin, AwardMixin, FormView):
    """Staff set the award's targets, how often it reports and its payments, before the
    offer. The frequency is chosen first (a link), as the payments follow from it."""

    permission_required = "grants.manage_awards"
    template_name = "grants/delivery_plan_form.html"

    def get_frequency(self) -> str:
        asked = self.request.POST.get("frequency") or self.request.GET.get("frequency")
        if asked in ReturnFrequency.values:
            return asked
        return self.get_award().return_frequency

    def get_form(self, form_class=None):
        award = self.get_award()
        return DeliveryPlanForm(
            measures=services.outcome_measures(award),
            returns=services.planned_returns(award, self.get_frequency()),
            **self.get_form_kwargs(),
        )

    def get_initial(self):
        award = self.get_award()
        frequency = self.get_frequency()
        initial = {"frequency": frequency}
        for target in award.targets.all():
            if target.success_measure_id:
                initial[f"outcome_{target.success_measure_id}"] = target.description
                initial[f"outcome_target_{target.success_measure_id}"] = target.target
            else:
                initial[target.kind] = target.target
        for number, amount in enumerate(services.plan_tranches(award, frequency), start=1):
            initial[f"tranche_{number}"] = amount
        return initial

    def get_context_data(self, **kwargs):
        award = self.get_award()
        frequency = self.get_frequency()
        return super().get_context_data(
            award=award,
            frequency=frequency,
            frequency_label=ReturnFrequency(frequency).label.lower(),
            other_frequencies=[
                (value, label.lower())
                for value, label in ReturnFrequency.choices
                if value != frequency
            ],
            planned=services.planned_returns(award, frequency),
            editable=award.status == AwardStatus.DUE_DILIGENCE,
            **kwargs,
        )

    def perform(self, form):
        award = services.award_plan_save(
            award=self.get_award(),
            by=self.request.user,
            frequency=form.cleaned_data["frequency"],
            outputs=form.outputs(),
            outcomes=form.outcomes(),
            tranches=form.tranches(),
        )
        messages.success(self.request, f"The delivery plan of {award.reference} is saved.")
        return redirect(f"{award.get_absolute_url()}#delivery")


# --- Returns ----------------------------------------------------------------------------


class ReturnListView(PermissionRequiredMixin, ListView):
    """The returns staff work through: waiting for a decision (the default), overdue, or all."""

    permission_required = "grants.view_money"
    template_name = "grants/return_list.html"
    context_object_name = "returns"
    paginate_by = 100

    def get_view(self) -> str:
        view = self.request.GET.get("show", "")
        return view if view in selectors.RETURN_VIEWS else "submitted"

    def get_queryset(self):
        return selectors.returns_for_staff(view=self.get_view())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            show=self.get_view(),
            views=selectors.RETURN_VIEWS.items(),
            today=timezone.localdate(),
            **kwargs,
        )


class ReturnMixin(AwardMixin):
    """A return of an award the person may see: 404 alike for one that does not exist."""

    def get_return(self) -> MonitoringReturn:
        if not hasattr(self, "_return"):
            award = self.get_award()
            try:
                self._return = selectors.return_for_page(
                    reference=award.reference, number=self.kwargs["number"]
                )
            except MonitoringReturn.DoesNotExist:
                raise Http404("This grant has no return of this number") from None
        return self._return


class ReturnView(ReturnMixin, TemplateView):
    """A return: what was reported against each target and budget line, what happened, and
    for staff the decision on it."""

    template_name = "grants/return_detail.html"

    def get_context_data(self, **kwargs):
        award, monitoring_return = self.get_award(), self.get_return()
        user = self.request.user
        context = super().get_context_data(**kwargs)
        actuals = {a.target_id: a.actual for a in monitoring_return.actuals.all()}
        spend = {s.budget_line_id: s.amount for s in monitoring_return.spend.all()}
        lines = list(award.application.budget_lines.all())
        may_decide = (
            user.has_perm("grants.manage_awards", award) and monitoring_return.status == "submitted"
        )
        context.update(
            award=award,
            monitoring_return=monitoring_return,
            targets=[(t, actuals.get(t.pk)) for t in award.targets.all()],
            spend_rows=[(line, spend.get(line.pk)) for line in lines],
            spend_total=sum(spend.values()) if spend else None,
            may_edit=user.has_perm("grants.report_on_award", award)
            and award.status == AwardStatus.ACTIVE
            and monitoring_return.status in OPEN_RETURN_STATUSES,
            may_decide=may_decide,
            overdue=monitoring_return.is_overdue(timezone.localdate()),
            # The grant holder is not told which member of staff did what.
            is_staff_view=user.has_perm("grants.view_money"),
            history=monitoring_return.status_changes.all(),
        )
        if may_decide:
            accept = context.setdefault("accept_form", ReturnAcceptForm())
            accept.helper.form_action = reverse(
                "grants:return-accept", args=[award.reference, monitoring_return.number]
            )
            send_back = context.setdefault("send_back_form", ReturnSendBackForm())
            send_back.helper.form_action = reverse(
                "grants:return-send-back", args=[award.reference, monitoring_return.number]
            )
        return context


class ReturnEditView(ServiceFormMixin, ReturnMixin, FormView):
    """The grant holder fills in the return: saved as a draft, or saved and submitted (the
    page then lists whatever stops the submission)."""

    permission_required = "grants.report_on_award"
    template_name = "grants/return_form.html"

    def get(self, request, *args, **kwargs):
        monitoring_return = self.get_return()
        if (
            monitoring_return.status not in OPEN_RETURN_STATUSES
            or self.get_award().status != AwardStatus.ACTIVE
        ):
            return redirect(monitoring_return)  # its page says where it stands
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class=None):
        award = self.get_award()
        form = ReturnForm(
            targets=list(award.targets.all()),
            budget_lines=list(award.application.budget_lines.all()),
            **self.get_form_kwargs(),
        )
        # The page is also shown at the upload's address, after a refused upload.
        form.helper.form_action = reverse(
            "grants:return-edit", args=[award.reference, self.kwargs["number"]]
        )
        return form

    def get_initial(self):
        monitoring_return = self.get_return()
        initial = {
            "narrative": monitoring_return.narrative,
            "case_study": monitoring_return.case_study,
            "risks": monitoring_return.risks,
        }
        for actual in monitoring_return.actuals.all():
            initial[f"actual_{actual.target_id}"] = actual.actual
        for spent in monitoring_return.spend.all():
            initial[f"spend_{spent.budget_line_id}"] = spent.amount
        return initial

    def get_attachment_form(self, data=None, files=None) -> AttachmentForm:
        """The upload below the return's form: a form of its own, posted to its own URL."""
        form = AttachmentForm(data, files, max_size=file_size(settings.ATTACHMENT_MAX_BYTES))
        form.helper.form_action = reverse(
            "grants:return-attachments", args=[self.get_award().reference, self.kwargs["number"]]
        )
        return form

    def get_context_data(self, **kwargs):
        monitoring_return = self.get_return()
        kwargs.setdefault("attachment_form", self.get_attachment_form())
        return super().get_context_data(
            award=self.get_award(),
            monitoring_return=monitoring_return,
            attachments=monitoring_return.attachments.all(),
            attachments_max=settings.RETURN_ATTACHMENTS_MAX,
            paid=services.paid_so_far(self.get_award()),
            # Once something is saved, what still stops the submission, as a checklist.
            problems=services.return_problems(monitoring_return)
            if monitoring_return.saved_at
            else [],
            **kwargs,
        )

    def perform(self, form):
        monitoring_return = services.return_save(
            monitoring_return=self.get_return(),
            by=self.request.user,
            actuals=form.actuals(),
            spend=form.spend(),
            narrative=form.cleaned_data["narrative"],
            case_study=form.cleaned_data["case_study"],
            risks=form.cleaned_data["risks"],
        )
        if "save_draft" in self.request.POST:
            messages.success(
                self.request, f"Return {monitoring_return.reference} saved as a draft."
            )
            return redirect(monitoring_return)
        try:
            services.return_submit(monitoring_return=monitoring_return, by=self.request.user)
        except ValidationError:
            # What was entered is kept: the page lists what still stops the submission.
            # Saved, not refused: a warning, and the draft is kept.
            messages.warning(
                self.request,
                "Your answers are saved as a draft, but the return is not submitted yet: "
                "the page says what is missing.",
            )
            return redirect(
                "grants:return-edit", monitoring_return.award.reference, monitoring_return.number
            )
        messages.success(
            self.request,
            f"Return {monitoring_return.reference} submitted. The OPCC will accept it or tell "
            "you what to change.",
        )
        return redirect(monitoring_return)


class ReturnAcceptView(ServiceFormOnPageMixin, ReturnView):
    permission_required = "grants.manage_awards"
    form_class = ReturnAcceptForm
    form_context_name = "accept_form"

    def perform(self, form):
        monitoring_return = services.return_accept(
            monitoring_return=self.get_return(),
            by=self.request.user,
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            self.request,
            f"Return {monitoring_return.reference} accepted; the payment after it is due.",
        )
        return redirect(monitoring_return)


class ReturnSendBackView(ServiceFormOnPageMixin, ReturnView):
    permission_required = "grants.manage_awards"
    form_class = ReturnSendBackForm
    form_context_name = "send_back_form"
    service_error_field = "comment"

    def perform(self, form):
        monitoring_return = services.return_send_back(
            monitoring_return=self.get_return(),
            by=self.request.user,
            comment=form.cleaned_data["comment"],
        )
        messages.success(
            self.request,
            f"Return {monitoring_return.reference} returned to "
            f"{monitoring_return.award.organisation.name} for changes.",
        )
        return redirect(monitoring_return)


# --- The end of an award ------------------------------------------------------------------


class ClawBackView(ServiceFormMixin, AwardMixin, FormView):
    """Staff record money recovered from the grant holder, and whether the grant ends."""

    permission_required = "grants.manage_payments"
    template_name = "grants/claw_back_form.html"
    form_class = ClawBackForm

    def get_initial(self):
        return {"recovered_on": timezone.localdate(), "end_award": "no"}

    def get_context_data(self, **kwargs):
        award = self.get_award()
        return super().get_context_data(award=award, paid=services.paid_so_far(award), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        award = self.get_award()
        entry = services.award_claw_back(
            award=award,
            by=self.request.user,
            amount=data["amount"],
            reason=data["reason"],
            recovered_on=data["recovered_on"],
            end_award=data["end_award"],
        )
        message = f"{money(-entry.amount)} recovered from {award.reference} is in the ledger."
        if data["end_award"]:
            message += (
                " The award is clawed back and its unpaid payments cancelled: if one was "
                "approved, tell finance not to pay it."
            )
        messages.success(self.request, message)
        return redirect(f"{award.get_absolute_url()}#ledger")


class CloseOutView(ServiceFormMixin, AwardMixin, FormView):
    """Staff close the award: what the portal checks, then what they confirm."""

    permission_required = "grants.manage_awards"
    template_name = "grants/close_out_form.html"
    form_class = CloseOutForm

    def get_context_data(self, **kwargs):
        award = self.get_award()
        return super().get_context_data(
            award=award, problems=services.close_out_problems(award), **kwargs
        )

    def perform(self, form):
        award = services.award_close(
            award=self.get_award(),
            by=self.request.user,
            confirmed=form.cleaned_data["confirmed"],
            note=form.cleaned_data["note"],
        )
        messages.success(self.request, f"Award {award.reference} is closed.")
        return redirect(award)


# --- Payments ---------------------------------------------------------------------------


class PaymentActionMixin(ServiceActionMixin, AwardMixin):
    """POST only, from the award's page: a step of one of its payments."""

    permission_required = "grants.manage_payments"
    http_method_names = ["post"]

    def get_payment(self) -> Payment:
        payment = self.get_award().payments.filter(number=self.kwargs["number"]).first()
        if payment is None:
            raise Http404("This grant has no payment of this number")
        return payment

    def refused_url(self):
        return f"{self.get_award().get_absolute_url()}#payments"


class PaymentRaiseView(PaymentActionMixin, FormView):
    def perform(self, form):
        payment = services.payment_raise(payment=self.get_payment(), by=self.request.user)
        messages.success(
            self.request,
            f"Payment {payment.reference} raised. Another member of staff must approve it.",
        )
        return redirect(self.refused_url())


class PaymentApproveView(RecentSecondFactorMixin, PaymentActionMixin, FormView):
    def perform(self, form):
        payment = services.payment_approve(payment=self.get_payment(), by=self.request.user)
        messages.success(
            self.request,
            f"Payment {payment.reference} approved: it is in the export for finance.",
        )
        return redirect(self.refused_url())


class PaymentPaidView(PaymentActionMixin, FormView):
    form_class = PaidForm

    def perform(self, form):
        payment = services.payment_mark_paid(
            payment=self.get_payment(), by=self.request.user, paid_on=form.cleaned_data["paid_on"]
        )
        messages.success(
            self.request, f"Payment {payment.reference} marked paid on {payment.paid_on:%-d %B %Y}."
        )
        return redirect(self.refused_url())


FINANCE_HEADER = [
    "Payment reference",
    "Award reference",
    "Payee",
    "Account name",
    "Sort code",
    "Account number (last four digits)",
    "Bank details verified on",
    "Amount (£)",
    "Decision reference",
    "Raised by",
    "Approved by",
    "Approved on",
]


def finance_rows(payments):
    for payment in payments:
        award = payment.award
        account = getattr(award.organisation, "bank_account", None)
        yield [
            payment.reference,
            award.reference,
            award.organisation.name,
            account.account_name if account else "",
            account.sort_code_display if account else "",
            account.account_number[-4:] if account else "",
            timezone.localtime(account.verified_at).date().isoformat()
            if account and account.verified_at
            else "",
            f"{payment.amount:.2f}",
            award.decision_reference,
            payment.raised_by.full_name if payment.raised_by else "",
            payment.approved_by.full_name if payment.approved_by else "",
            timezone.localtime(payment.approved_at).date().isoformat()
            if payment.approved_at
            else "",
        ]


class PaymentListView(PermissionRequiredMixin, ListView):
    """Every payment, by status: what is due to raise, raised to approve, approved and with
    finance to mark paid."""

    permission_required = "grants.view_money"
    template_name = "grants/payment_list.html"
    context_object_name = "payments"
    paginate_by = 100

    def get_status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in PaymentStatus.values else ""

    def get_queryset(self):
        return selectors.payments_for_staff(status=self.get_status())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            status=self.get_status(), statuses=PaymentStatus.choices, **kwargs
        )


class PaymentExportView(RecentSecondFactorMixin, PermissionRequiredMixin, ListView):
    """The approved payments as CSV, for the finance system to pay."""

    permission_required = "grants.manage_payments"

    def get_queryset(self):
        return selectors.payments_for_staff(status=PaymentStatus.APPROVED)

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        return csv_response(
            f"payments-approved-{today:%Y-%m-%d}.csv",
            FINANCE_HEADER,
            finance_rows(self.get_queryset()),
        )

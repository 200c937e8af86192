"""Variations of an award: the grant holder or staff propose one; staff approve or refuse it,
or draft the PCC's decision record when it is above the threshold; staff move underspend
from one award to another of its stream."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from svd_portal.formatting import money
from svd_portal.mixins import ServiceActionMixin, ServiceFormMixin, ServiceFormOnPageMixin

from .. import selectors, services
from ..enums import AwardStatus, VariationStatus
from ..forms import ReallocationForm, VariationDecideForm, VariationForm
from ..models import Award, Variation
from .awards import AwardMixin


class VariationCreateView(ServiceFormMixin, AwardMixin, FormView):
    permission_required = "grants.propose_variation"
    template_name = "grants/variation_form.html"

    def get_form(self, form_class=None):
        return VariationForm(**self.get_form_kwargs(), award=self.get_award())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            award=self.get_award(), threshold=settings.VARIATION_PCC_THRESHOLD, **kwargs
        )

    def perform(self, form):
        variation = services.variation_propose(
            award=self.get_award(), by=self.request.user, **form.changes()
        )
        messages.success(self.request, f"Variation {variation.reference} proposed.")
        return redirect(variation)


class VariationMixin(AwardMixin):
    def get_variation(self) -> Variation:
        if not hasattr(self, "_variation"):
            variation = (
                self.get_award()
                .variations.select_related("proposed_by", "decided_by", "paired_with__award")
                .filter(number=self.kwargs["number"])
                .first()
            )
            if variation is None:
                raise Http404("This grant has no variation of this number")
            self._variation = variation
        return self._variation


class VariationView(VariationMixin, TemplateView):
    """A variation: what it changes and why, and what can be done with it now."""

    template_name = "grants/variation_detail.html"

    def get_context_data(self, **kwargs):
        award, variation = self.get_award(), self.get_variation()
        user = self.request.user
        is_open = variation.status == VariationStatus.PROPOSED
        may_decide = is_open and user.has_perm("grants.manage_awards", award)
        needs_pcc = services.needs_pcc_decision(variation)
        context = super().get_context_data(**kwargs)
        context.update(
            award=award,
            variation=variation,
            changes=selectors.variation_changes(variation),
            may_decide=may_decide and not needs_pcc,
            may_refer=may_decide and needs_pcc and user.has_perm("decisions.create_record"),
            needs_pcc=needs_pcc,
            may_withdraw=is_open
            and (user.pk == variation.proposed_by_id or user.has_perm("grants.manage_awards")),
            is_staff_view=user.has_perm("grants.view_money"),
            history=variation.status_changes.all(),
        )
        if context["may_decide"]:
            form = context.setdefault("decide_form", VariationDecideForm())
            form.helper.form_action = reverse(
                "grants:variation-decide", args=[award.reference, variation.number]
            )
        return context


class VariationDecideView(ServiceFormOnPageMixin, VariationView):
    permission_required = "grants.manage_awards"
    form_class = VariationDecideForm
    form_context_name = "decide_form"
    service_error_field = "note"

    def perform(self, form):
        variation = services.variation_decide(
            variation=self.get_variation(),
            by=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
        if variation.status == VariationStatus.APPROVED:
            message = f"Variation {variation.reference} approved: the award now stands as it says."
        else:
            message = f"Variation {variation.reference} refused; the grant holder is told why."
        messages.success(self.request, message)
        return redirect(variation)


class VariationWithdrawView(ServiceActionMixin, VariationMixin, FormView):
    """POST only, from the variation's page."""

    permission_required = "grants.propose_variation"
    http_method_names = ["post"]

    def refused_url(self):
        return self.get_variation().get_absolute_url()

    def perform(self, form):
        variation = services.variation_withdraw(
            variation=self.get_variation(), by=self.request.user
        )
        messages.success(self.request, f"Variation {variation.reference} withdrawn.")
        return redirect(variation)


class ReallocateView(ServiceFormMixin, AwardMixin, FormView):
    """Staff move underspend from this award to another of its stream."""

    permission_required = "grants.manage_awards"
    template_name = "grants/reallocate_form.html"

    def others(self) -> list[Award]:
        award = self.get_award()
        if award.stream_id is None:
            return []
        return list(
            Award.objects.filter(
                stream_id=award.stream_id,
                status__in=[AwardStatus.ACCEPTED, AwardStatus.ACTIVE],
            )
            .exclude(pk=award.pk)
            .select_related("organisation")
            .order_by("reference")
        )

    def get_form(self, form_class=None):
        return ReallocationForm(
            **self.get_form_kwargs(), award=self.get_award(), others=self.others()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(award=self.get_award(), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        variation = services.reallocation_propose(
            from_award=self.get_award(),
            to_award=form.others[data["to_award"]],
            by=self.request.user,
            amount=data["amount"],
            financial_year=data["financial_year"],
            cost_kind=data["cost_kind"],
            reason=data["reason"],
        )
        messages.success(
            self.request,
            f"Variations {variation.reference} and {variation.paired_with.reference} proposed: "
            f"{money(data['amount'])} would move to {data['to_award']}. They are decided together.",
        )
        return redirect(variation)

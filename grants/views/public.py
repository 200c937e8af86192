from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView

from .. import selectors


class RoundListView(ListView):
    """Open rounds first, then past ones. Anyone may read it."""

    template_name = "grants/round_list.html"
    context_object_name = "rounds"

    def get_queryset(self):
        return selectors.rounds_public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rounds = list(context["rounds"])
        context["open_rounds"] = [r for r in rounds if r.is_accepting(stage=r.first_stage, at=now)]
        context["past_rounds"] = [r for r in rounds if r not in context["open_rounds"]]
        return context


class RoundDetailView(DetailView):
    template_name = "grants/round_detail.html"
    context_object_name = "round"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.rounds_public(in_full=True), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        funding_round = self.object
        context["accepting"] = funding_round.is_accepting(stage=funding_round.first_stage)
        context["caps"] = sorted(funding_round.caps.all(), key=lambda cap: cap.maximum)
        context["waiting_organisations"] = selectors.organisations_waiting_for_verification(
            user=self.request.user
        )
        context["verification_working_days"] = settings.VERIFICATION_WORKING_DAYS
        return context

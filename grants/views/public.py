from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView

from svd_portal.caching import PublicPageMixin, keep_until

from .. import selectors
from ..cached_pages import PRIORITIES, ROUNDS, round_scope


def next_date_change(rounds, *, now):
    """The next moment one of these rounds opens or closes by its dates alone."""
    moments = [
        moment
        for r in rounds
        for moment in (r.opens_at, r.closes_at, r.full_stage_closes_at)
        if moment is not None and moment > now
    ]
    return min(moments, default=None)


class RoundListView(PublicPageMixin, ListView):
    """Open rounds first, then past ones. Anyone may read it."""

    template_name = "grants/round_list.html"
    context_object_name = "rounds"

    def page_scopes(self):
        return [ROUNDS]

    def get_queryset(self):
        return selectors.rounds_public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rounds = list(context["rounds"])
        context["open_rounds"] = [r for r in rounds if r.is_accepting(stage=r.first_stage, at=now)]
        context["past_rounds"] = [r for r in rounds if r not in context["open_rounds"]]
        keep_until(self.request, next_date_change(rounds, now=now))
        return context


class RoundDetailView(PublicPageMixin, DetailView):
    template_name = "grants/round_detail.html"
    context_object_name = "round"

    def page_scopes(self):
        return [PRIORITIES, round_scope(self.kwargs["slug"])]

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.rounds_public(in_full=True), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        funding_round = self.object
        now = timezone.now()
        context["accepting"] = funding_round.is_accepting(stage=funding_round.first_stage, at=now)
        keep_until(self.request, next_date_change([funding_round], now=now))
        context["caps"] = sorted(funding_round.caps.all(), key=lambda cap: cap.maximum)
        context["waiting_organisations"] = selectors.organisations_waiting_for_verification(
            user=self.request.user
        )
        context["verification_working_days"] = settings.VERIFICATION_WORKING_DAYS
        return context

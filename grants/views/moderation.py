"""The chair's and staff's panel pages: reopening a scorecard, moderation, the ranking,
and the panel report with its downloads (built in `grants.exports`).

Each loads the round through `RoundPermissionMixin`, so a draft round is a 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from partners.mixins import RecentSecondFactorMixin
from svd_portal.mixins import ServiceActionMixin, ServiceFormMixin

from .. import exports, panel_tables, selectors, services
from ..enums import SCORABLE_STATUSES, ApplicationStatus
from ..forms import ModerationForm, ReopenForm
from ..models import Application, Scorecard
from .panels import RoundPermissionMixin


class ScorecardReopenView(ServiceActionMixin, RoundPermissionMixin, FormView):
    """POST only, from the moderation page, which every outcome goes back to."""

    permission_required = "grants.reopen_scorecard"
    http_method_names = ["post"]
    form_class = ReopenForm
    invalid_message = "Give the reason for reopening the scorecard."

    def get_scorecard(self) -> Scorecard:
        if not hasattr(self, "_scorecard"):
            self._scorecard = get_object_or_404(
                Scorecard.objects.select_related("application"),
                pk=self.kwargs["pk"],
                application__round=self.get_round(),
            )
        return self._scorecard

    def moderation_url(self) -> str:
        return reverse(
            "grants:panel-moderate",
            args=[self.get_round().slug, self.get_scorecard().application.reference],
        )

    def refused_url(self) -> str:
        return self.moderation_url()

    def perform(self, form):
        services.scorecard_reopen(
            scorecard=self.get_scorecard(), by=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, "Scorecard reopened.")
        return redirect(self.moderation_url())


class ModerateView(ServiceFormMixin, RoundPermissionMixin, FormView):
    permission_required = "grants.moderate_round"
    template_name = "grants/panel_moderate.html"

    def get_application(self) -> Application:
        if not hasattr(self, "_application"):
            application = get_object_or_404(
                Application.objects.select_related("organisation"),
                round=self.get_round(),
                reference=self.kwargs["reference"],
                status__in=sorted(
                    SCORABLE_STATUSES | {ApplicationStatus.AWARDED, ApplicationStatus.DECLINED}
                ),
            )
            # Whoever is conflicted on it (a chair, usually) learns nothing of it, not even
            # that it can be moderated here: the deputy chair or staff moderate it.
            if not self.request.user.has_perm("grants.moderate_application", application):
                raise Http404("You cannot moderate this application")
            self._application = application
        return self._application

    def get_outstanding(self):
        if not hasattr(self, "_outstanding"):
            self._outstanding = selectors.outstanding_scorers(application=self.get_application())
        return self._outstanding

    def get_form(self, form_class=None):
        return ModerationForm(
            criteria=list(self.get_round().criteria.all()),
            outstanding=len(self.get_outstanding()),
            **self.get_form_kwargs(),
        )

    def get_initial(self):
        moderation = getattr(self.get_application(), "moderation", None)
        if moderation is None:
            return {}
        initial = {
            "rationale": moderation.rationale,
            "recommendation": moderation.recommendation,
            "conditions": moderation.conditions,
            "recommended_amount": moderation.recommended_amount,
        }
        for score in moderation.scores.all():
            initial[f"score_{score.criterion_id}"] = score.score
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_application()
        context.update(
            round=self.get_round(),
            application=application,
            scorecards=selectors.scorecards_for_application(application=application),
            declarations=application.conflict_declarations.select_related(
                "member__user", "member__organisation"
            ),
            cap=services.cap_for(
                funding_round=self.get_round(), organisation=application.organisation
            ),
            is_chair=self.request.user.has_perm("grants.reopen_scorecard", self.get_round()),
            outstanding=self.get_outstanding(),
        )
        return context

    def perform(self, form):
        services.moderation_record(
            application=self.get_application(),
            by=self.request.user,
            scores=form.scores(),
            rationale=form.cleaned_data["rationale"],
            recommendation=form.cleaned_data["recommendation"],
            conditions=form.cleaned_data["conditions"],
            recommended_amount=form.cleaned_data["recommended_amount"],
        )
        messages.success(self.request, "Moderation recorded.")
        return redirect("grants:panel-ranking", slug=self.kwargs["slug"])


class RankingView(RoundPermissionMixin, TemplateView):
    permission_required = "grants.view_panel_results"
    template_name = "grants/panel_ranking.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        funding_round = self.get_round()
        user = self.request.user
        page = selectors.ranking_page(funding_round=funding_round, viewer=user)
        ranking = page["ranking"]
        context["ranking_table"] = panel_tables.ranking_table(
            ranking, funding_round=funding_round, detailed=False
        )
        # The running total of the last funded row is the total recommended.
        total = next((r.cumulative for r in reversed(ranking) if r.cumulative is not None), 0)
        context.update(
            page,
            round=funding_round,
            total_recommended=total,
            remaining=funding_round.budget - total,
        )
        return context


class PanelReportView(RoundPermissionMixin, TemplateView):
    permission_required = "grants.view_panel_results"
    template_name = "grants/panel_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        funding_round = self.get_round()
        report = selectors.panel_report(
            funding_round=funding_round, viewer=self.request.user, for_download=False
        )
        context.update(
            round=funding_round,
            generated_at=timezone.now(),
            ranking_table=panel_tables.ranking_table(
                report["ranking"], funding_round=funding_round, detailed=True
            ),
            score_tables=panel_tables.score_tables(report),
            **report,
        )
        return context


class PanelReportExportView(RecentSecondFactorMixin, RoundPermissionMixin, View):
    """The panel report as CSV or XLSX, as the viewer may see it."""

    permission_required = "grants.view_panel_results"

    def get(self, request, *args, **kwargs):
        funding_round = self.get_round()
        report = selectors.panel_report(funding_round=funding_round, viewer=request.user)
        return exports.panel_report_response(
            report,
            filename=f"{funding_round.slug}-panel-report-{timezone.localdate():%Y-%m-%d}",
            kind=kwargs["format"],
        )

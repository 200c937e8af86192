"""Scoring panels: staff set them up; members declare and score. The chair's and staff's
pages (moderation, ranking, report) are in `moderation`.

A member reaches an application only through `applications_for_member`, so an
application outside their work, or one they are conflicted on, is a 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from partners.enums import MembershipStatus
from svd_portal.mixins import ServiceFormMixin

from .. import selectors, services
from ..enums import SCORABLE_STATUSES, RoundStatus, ScorecardStatus
from ..forms import (
    AssignmentForm,
    DeclarationForm,
    PanelForm,
    ScorecardForm,
)
from ..models import Application, Attachment, FundingRound
from .applications import attachment_response


class RoundPermissionMixin(PermissionRequiredMixin):
    """Permission checks against the round named in the URL.

    A draft round is not there, for anyone, before any permission is asked: its slug gives
    the same 404 as a round that does not exist, so an unannounced round cannot be probed.
    Only staff's set-up pages (under /staff/) load one, to name its panel in advance.
    """

    draft_rounds = False

    def get_round(self) -> FundingRound:
        if not hasattr(self, "_round"):
            rounds = FundingRound.objects.select_related("panel")
            if not self.draft_rounds:
                rounds = rounds.exclude(status=RoundStatus.DRAFT)
            self._round = get_object_or_404(rounds, slug=self.kwargs["slug"])
        return self._round

    def get_permission_object(self):
        return self.get_round()


# --- Staff: set-up and assignments ----------------------------------------------------


class PanelSetupView(ServiceFormMixin, RoundPermissionMixin, FormView):
    permission_required = "grants.setup_panel"
    draft_rounds = True
    template_name = "grants/panel_setup.html"
    form_class = PanelForm

    def get_initial(self):
        panel = getattr(self.get_round(), "panel", None)
        if panel is None:
            return {}
        return {
            "members": [m.user for m in panel.members.select_related("user")],
            "chair": panel.chair,
            "deputy_chair": panel.deputy_chair,
            "assignment_mode": panel.assignment_mode,
            "hide_applicant_identity": panel.hide_applicant_identity,
            "spread_threshold": panel.spread_threshold,
            "scoring_deadline": panel.scoring_deadline,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["round"] = self.get_round()
        panel = getattr(self.get_round(), "panel", None)
        context["workload"] = selectors.panel_workload(panel=panel) if panel else []
        return context

    def perform(self, form):
        members = []
        for user in form.cleaned_data["members"]:
            # A member represents the partner organisation they belong to.
            membership = user.memberships.filter(status=MembershipStatus.ACTIVE).select_related(
                "organisation"
            )
            organisation = next((m.organisation for m in membership), None)
            if organisation is None:
                form.add_error("members", f"{user.full_name} belongs to no organisation")
                return self.form_invalid(form)
            members.append((user, organisation))
        services.panel_save(
            funding_round=self.get_round(),
            by=self.request.user,
            chair=form.cleaned_data["chair"],
            deputy_chair=form.cleaned_data["deputy_chair"],
            members=members,
            assignment_mode=form.cleaned_data["assignment_mode"],
            hide_applicant_identity=form.cleaned_data["hide_applicant_identity"],
            spread_threshold=form.cleaned_data["spread_threshold"],
            scoring_deadline=form.cleaned_data["scoring_deadline"],
        )
        messages.success(self.request, "Panel saved.")
        return redirect("grants:panel-setup", slug=self.get_round().slug)


class PanelAssignView(RoundPermissionMixin, FormView):
    """Staff give one member the applications they are to score."""

    permission_required = "grants.setup_panel"
    draft_rounds = True
    template_name = "grants/panel_assign.html"
    form_class = AssignmentForm

    def get_member(self):
        panel = getattr(self.get_round(), "panel", None)
        if panel is None:
            raise Http404("This round has no panel")
        return get_object_or_404(panel.members.select_related("user"), pk=self.kwargs["member"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["applications"] = Application.objects.filter(
            round=self.get_round(), status__in=sorted(SCORABLE_STATUSES)
        ).order_by("reference")
        return kwargs

    def get_initial(self):
        return {
            "applications": [
                a.application for a in self.get_member().assignments.select_related("application")
            ]
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(round=self.get_round(), member=self.get_member())
        return context

    def form_valid(self, form):
        services.assignments_set(
            member=self.get_member(),
            applications=list(form.cleaned_data["applications"]),
            by=self.request.user,
        )
        messages.success(self.request, "Assignments saved.")
        return redirect("grants:panel-setup", slug=self.get_round().slug)


# --- Members -------------------------------------------------------------------------------


class PanelsMineView(LoginRequiredMixin, TemplateView):
    template_name = "grants/panel_mine.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["work"] = selectors.work_of(user=self.request.user)
        return context


class MemberMixin(RoundPermissionMixin):
    permission_required = "grants.score_round"

    def get_member(self):
        if not hasattr(self, "_member"):
            self._member = selectors.panel_member_for(
                user=self.request.user, funding_round=self.get_round()
            )
        return self._member


class PanelRoundView(MemberMixin, TemplateView):
    """A member's work in one round: declare, score, submit."""

    template_name = "grants/panel_round.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.get_member()
        context.update(
            round=self.get_round(),
            member=member,
            panel=member.panel,
            applications=selectors.applications_for_member(member=member),
            is_chair=member.panel.chair_id == self.request.user.pk,
            is_deputy_chair=member.panel.deputy_chair_id == self.request.user.pk,
        )
        return context


class MemberApplicationMixin(MemberMixin):
    """The application in the URL, if it is in this member's work; else 404."""

    def get_application(self) -> Application:
        if not hasattr(self, "_application"):
            match = selectors.applications_for_member(
                member=self.get_member(), reference=self.kwargs["reference"]
            )
            if not match:
                raise Http404("No such application in your work")
            self._application = match[0]
        return self._application


class DeclareView(ServiceFormMixin, MemberApplicationMixin, FormView):
    template_name = "grants/panel_declare.html"
    form_class = DeclarationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            application = self.get_application()
            if application.declaration is not None:
                if application.declaration.is_conflict:
                    raise Http404("You declared a conflict of interest on this application")
                return redirect(
                    "grants:panel-score", slug=kwargs["slug"], reference=application.reference
                )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(round=self.get_round(), application=self.get_application())
        return context

    def perform(self, form):
        application = self.get_application()
        declaration = services.declaration_make(
            member=self.get_member(),
            application=application,
            has_interest=form.cleaned_data["has_interest"],
            interest=form.cleaned_data["interest"],
            is_conflict=form.cleaned_data["is_conflict"],
        )
        if declaration.automatic:
            messages.success(
                self.request,
                "You belong to or represent the applicant organisation, so the portal has "
                "recorded a conflict: you cannot see or score this application.",
            )
            return redirect("grants:panel-round", slug=self.kwargs["slug"])
        if declaration.is_conflict:
            messages.success(
                self.request, "Conflict recorded. You will not see or score this application."
            )
            return redirect("grants:panel-round", slug=self.kwargs["slug"])
        return redirect(
            "grants:panel-score", slug=self.kwargs["slug"], reference=application.reference
        )


class ScoreView(ServiceFormMixin, MemberApplicationMixin, FormView):
    """The application's content beside the member's scorecard; others' scores once theirs is in."""

    template_name = "grants/panel_score.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            application = self.get_application()
            if application.declaration is None:
                return redirect(
                    "grants:panel-declare", slug=kwargs["slug"], reference=application.reference
                )
            if application.declaration.is_conflict:
                raise Http404("You declared a conflict of interest on this application")
        return super().dispatch(request, *args, **kwargs)

    def get_application(self) -> Application:
        try:
            return super().get_application()
        except Http404:
            # Decided since: the member may still read (not edit) what they submitted.
            application = selectors.decided_application_for_member(
                member=self.get_member(), reference=self.kwargs["reference"]
            )
            if application is None:
                raise
            self._application = application
            self.read_only = True
            return application

    def post(self, request, *args, **kwargs):
        if getattr(self, "read_only", False):
            raise Http404("This application has been decided: its scorecards are closed")
        return super().post(request, *args, **kwargs)

    def get_criteria(self):
        return list(self.get_round().criteria.all())

    def get_form(self, form_class=None):
        return ScorecardForm(criteria=self.get_criteria(), **self.get_form_kwargs())

    def get_initial(self):
        scorecard = self.get_application().scorecard
        if scorecard is None:
            return {}
        initial = {}
        for score in scorecard.scores.all():
            initial[f"score_{score.criterion_id}"] = score.score
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_application()
        member = self.get_member()
        scorecard = application.scorecard
        submitted = scorecard is not None and scorecard.status == ScorecardStatus.SUBMITTED
        full = (
            Application.objects.prefetch_related(
                "budget_lines", "attachments", "priorities", "success_measures"
            )
            .select_related("organisation", "evidence_strand")
            .get(pk=application.pk)
        )
        context.update(
            round=self.get_round(),
            application=full,
            scorecard=scorecard,
            submitted=submitted,
            hide_identity=member.panel.hide_applicant_identity,
            panel_slug=self.get_round().slug,
            is_chair=member.panel.chair_id == self.request.user.pk,
            my_scores=list(scorecard.scores.select_related("criterion")) if scorecard else [],
            read_only=getattr(self, "read_only", False),
            next_application=(
                selectors.next_application_for_member(member=member, after=application)
                if submitted
                else None
            ),
            # Independence: others' scores only once this member has submitted their own.
            other_scorecards=(
                selectors.scorecards_for_application(application=application, exclude_member=member)
                if submitted
                else None
            ),
        )
        return context

    def perform(self, form):
        submit = "save_draft" not in self.request.POST
        services.scorecard_save(
            member=self.get_member(),
            application=self.get_application(),
            marks=form.marks(),
            submit=submit,
        )
        messages.success(self.request, "Scorecard submitted." if submit else "Draft saved.")
        return redirect(
            "grants:panel-score", slug=self.kwargs["slug"], reference=self.kwargs["reference"]
        )


class PanelAttachmentView(MemberApplicationMixin, View):
    """A supporting document, for a member who has declared no conflict on the application."""

    def get(self, request, *args, **kwargs):
        application = self.get_application()
        if application.declaration is None or application.declaration.is_conflict:
            raise Http404("Declare before you open the application's documents")
        attachment = get_object_or_404(Attachment, application=application, pk=kwargs["pk"])
        return attachment_response(attachment)

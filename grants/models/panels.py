"""Scoring panels: members, conflicts of interest, scorecards and moderation."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.models import Organisation

from ..enums import AssignmentMode, Recommendation, ScorecardStatus
from .applications import Application
from .rounds import MONEY, AssessmentCriterion, FundingRound


class Panel(models.Model):
    """A round's multi-agency scoring panel."""

    round = models.OneToOneField(FundingRound, on_delete=models.CASCADE, related_name="panel")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Moderates the applications on which the chair declared a conflict (staff can too).
    deputy_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Moderates the applications on which the chair declared a conflict",
    )
    assignment_mode = models.CharField(
        max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.ALL
    )
    hide_applicant_identity = models.BooleanField(
        "hide applicants' identities from members",
        default=False,
        help_text="Members score the content without the organisation's name",
    )
    spread_threshold = models.DecimalField(
        "spread that flags an application for discussion (percentage points)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # The day members are asked to have declared and scored by (told on their pages and in
    # the email that adds them); nothing is refused after it.
    scoring_deadline = models.DateField("score by", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(spread_threshold__gte=0) & Q(spread_threshold__lte=100),
                name="panel_spread_threshold_percent",
            ),
            models.CheckConstraint(
                condition=~Q(deputy_chair=models.F("chair")), name="panel_deputy_not_chair"
            ),
        ]

    def __str__(self):
        return f"Panel for {self.round}"


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The partner they represent",
    )

    class Meta:
        ordering = ["panel", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="panel_member_unique")
        ]

    def __str__(self):
        return f"{self.user.full_name} ({self.organisation.name})"


class Assignment(models.Model):
    """An application given to a member when the panel assigns work rather than sharing it all."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="assignments")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "application"], name="assignment_unique")
        ]

    def __str__(self):
        return f"{self.application.reference} to {self.member}"


class ConflictDeclaration(models.Model):
    """A member's declaration about one application, made before they see its content."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="declarations")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    has_interest = models.BooleanField(default=False)
    interest = models.TextField("the interest declared", blank=True)
    is_conflict = models.BooleanField(default=False)
    # Made by the portal, not the member: they belong to the applicant organisation or
    # represent it on the panel. `interest` says which; the member cannot undo it.
    automatic = models.BooleanField(default=False)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "application"], name="declaration_unique"),
            models.CheckConstraint(
                condition=Q(has_interest=True) | Q(is_conflict=False),
                name="declaration_conflict_needs_interest",
            ),
            models.CheckConstraint(
                condition=Q(automatic=False) | Q(is_conflict=True),
                name="declaration_automatic_is_conflict",
            ),
        ]

    def __str__(self):
        if self.is_conflict:
            return "Conflict of interest"
        return "Interest declared, not a conflict" if self.has_interest else "No interest"


class Scorecard(models.Model):
    """One member's scores for one application: a draft until submitted, then locked."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scorecards")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="scorecards"
    )
    status = models.CharField(
        max_length=16, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Weighted total as a percentage, stored when the scorecard is submitted.
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # The scores again, {criterion id: score}, so that a report reads one row a scorecard
    # rather than one a score (5,000 rather than 40,000 in a large round). Score rows,
    # with their comments, stay the record; scorecard_save writes both.
    marks = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "application"], name="scorecard_unique"),
            models.CheckConstraint(
                condition=Q(status=ScorecardStatus.DRAFT)
                | (Q(submitted_at__isnull=False) & Q(total__isnull=False)),
                name="scorecard_submitted_has_total",
            ),
        ]

    def __str__(self):
        return f"{self.member} on {self.application.reference}"


class Score(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AssessmentCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["scorecard", "criterion__number"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_unique")
        ]

    def __str__(self):
        return f"{self.criterion.title}: {self.score}"


class ScorecardReopening(models.Model):
    """The chair reopened a submitted scorecard: who, when and why."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="reopenings")
    reason = models.TextField()
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reopened_at", "-pk"]

    def __str__(self):
        return f"{self.scorecard} reopened"


class Moderation(models.Model):
    """The panel's consensus on one application, recorded by the chair."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="moderation"
    )
    rationale = models.TextField()
    recommendation = models.CharField(max_length=24, choices=Recommendation.choices)
    conditions = models.TextField(blank=True)
    recommended_amount = models.DecimalField(**MONEY, default=Decimal("0"))
    total = models.DecimalField("moderated score (%)", max_digits=5, decimal_places=2)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-total", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recommended_amount__gte=0), name="moderation_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(recommendation=Recommendation.DO_NOT_FUND) | Q(recommended_amount=0),
                name="moderation_do_not_fund_is_zero",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference}: {self.get_recommendation_display()}"


class ModeratedScore(models.Model):
    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AssessmentCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["moderation", "criterion__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["moderation", "criterion"], name="moderated_score_unique"
            )
        ]

    def __str__(self):
        return f"{self.criterion.title}: {self.score}"

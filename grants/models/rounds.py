"""Funding rounds: money, dates, caps, criteria, and the evidence strands applicants choose from."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from partners.models import StrategicPriority
from svd_portal.workflow import StatusChange

from ..enums import CapCategory, RoundStages, RoundStatus, Stage, Toolkit

MONEY = {"max_digits": 12, "decimal_places": 2}


class FundingRound(models.Model):
    """A call for bids: its money, dates, caps, priorities and assessment criteria."""

    slug = models.SlugField(max_length=80, unique=True)
    fund_name = models.CharField(max_length=200, help_text="e.g. Violence Prevention Fund")
    title = models.CharField(max_length=200)
    reference_prefix = models.CharField(
        max_length=12,
        unique=True,
        help_text="Starts every application reference in this round, e.g. VPF24",
    )
    description = models.TextField()
    eligibility = models.TextField("who can apply")
    how_to_apply = models.TextField("how to apply")
    budget = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    # Where the money comes from: the awards its decision makes are committed there.
    stream = models.ForeignKey(
        "grants.FundingStream",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name="funding stream",
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    full_stage_closes_at = models.DateTimeField(
        "full applications close at",
        null=True,
        blank=True,
        help_text="Two-stage rounds only: the deadline for invited full applications",
    )
    delivery_starts_on = models.DateField()
    delivery_ends_on = models.DateField()
    stages = models.CharField(
        max_length=16, choices=RoundStages.choices, default=RoundStages.SINGLE
    )
    allow_multiple_applications = models.BooleanField(
        default=False,
        help_text="Let an organisation have more than one live application per stage",
    )
    priorities = models.ManyToManyField(StrategicPriority, related_name="rounds")
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    next_application_number = models.PositiveIntegerField(default=1, editable=False)
    # The decision record whose frozen schedule of awards holds the round's moderation
    # (its reference), set and cleared by the decisions app through grants' services.
    decision_hold = models.CharField(max_length=24, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opening",
                violation_error_message="The closing time must be after the opening time",
            ),
            models.CheckConstraint(
                condition=Q(delivery_ends_on__gte=models.F("delivery_starts_on")),
                name="round_delivery_ends_after_start",
                violation_error_message="Delivery must end after it starts",
            ),
            models.CheckConstraint(condition=Q(budget__gt=0), name="round_budget_positive"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self):
        return f"{self.fund_name}: {self.title}"

    def get_absolute_url(self):
        return reverse("grants:round-detail", args=[self.slug])

    @property
    def is_two_stage(self) -> bool:
        return self.stages == RoundStages.TWO_STAGE

    def within_dates(self, *, stage: str, at) -> bool:
        """Whether `at` falls between the opening time and the stage's closing time."""
        if at < self.opens_at:
            return False
        if stage == Stage.FULL and self.is_two_stage:
            return self.full_stage_closes_at is not None and at < self.full_stage_closes_at
        return at < self.closes_at

    def is_accepting(self, *, stage: str = Stage.FULL, at=None) -> bool:
        """Open for submissions at this moment: the status and the dates both say so."""
        return self.status == RoundStatus.OPEN and self.within_dates(
            stage=stage, at=at or timezone.now()
        )

    @property
    def first_stage(self) -> str:
        return Stage.EOI if self.is_two_stage else Stage.FULL

    @cached_property
    def early_close(self) -> "RoundStatusChange | None":
        """The status change by which OPCC staff closed the round before its last closing
        time, if that is how its last open period ended (not reopened since); else None.

        Reads `status_changes`, so a list of rounds prefetches them (the selectors do) and
        costs one query rather than one a row.
        """
        if self.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
            return None
        # Newest first (RoundStatusChange's ordering); an open round only ever moves to closed.
        closing = next(
            (c for c in self.status_changes.all() if c.from_status == RoundStatus.OPEN), None
        )
        deadline = self.full_stage_closes_at or self.closes_at
        if closing is None or closing.changed_by_id is None or closing.changed_at >= deadline:
            return None
        return closing


class AwardCap(models.Model):
    """The least and most an organisation of a category may ask for in a round."""

    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="caps")
    category = models.CharField(max_length=16, choices=CapCategory.choices)
    minimum = models.DecimalField(**MONEY, default=Decimal("0"))
    maximum = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["round", "maximum"]
        constraints = [
            models.UniqueConstraint(fields=["round", "category"], name="cap_round_category_unique"),
            models.CheckConstraint(
                condition=Q(minimum__gte=0) & Q(maximum__gte=models.F("minimum")),
                name="cap_minimum_within_maximum",
                violation_error_message="The minimum must be between zero and the maximum",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: £{self.minimum:,} to £{self.maximum:,}"


class AssessmentCriterion(models.Model):
    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField("scoring guidance")
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    scale_max = models.PositiveSmallIntegerField("highest score", default=5)

    class Meta:
        ordering = ["round", "number"]
        verbose_name_plural = "assessment criteria"
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="criterion_number_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="criterion_weight_not_negative"
            ),
            models.CheckConstraint(condition=Q(scale_max__gte=1), name="criterion_scale_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class RoundStatusChange(StatusChange):
    subject = "round"
    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="status_changes")


class EvidenceStrand(models.Model):
    """A strand of the YEF or College of Policing toolkit, kept up to date by OPCC staff."""

    toolkit = models.CharField(max_length=8, choices=Toolkit.choices)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["toolkit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["toolkit", "name"], name="evidence_strand_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_toolkit_display()})"

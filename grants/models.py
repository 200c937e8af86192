from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation, StrategicPriority, SuccessMeasure

from .enums import (
    ApplicationStatus,
    CapCategory,
    Channel,
    RoundStages,
    RoundStatus,
    Stage,
    Toolkit,
)
from .storage import private_storage

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

    def is_accepting(self, *, stage: str = Stage.FULL, at=None) -> bool:
        """Open for submissions at this moment: the status and the dates both say so."""
        at = at or timezone.now()
        if self.status != RoundStatus.OPEN or at < self.opens_at:
            return False
        if stage == Stage.FULL and self.is_two_stage:
            return self.full_stage_closes_at is not None and at < self.full_stage_closes_at
        return at < self.closes_at

    @property
    def first_stage(self) -> str:
        return Stage.EOI if self.is_two_stage else Stage.FULL


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


class RoundStatusChange(models.Model):
    round = models.ForeignKey(FundingRound, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=RoundStatus.choices)
    to_status = models.CharField(max_length=16, choices=RoundStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.round}: {self.from_status} → {self.to_status}"


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


class Application(models.Model):
    """An application to a round; an expression of interest is one at the EOI stage."""

    round = models.ForeignKey(FundingRound, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications"
    )
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.FULL)
    parent = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="full_application",
        help_text="The expression of interest this full application follows",
    )
    reference = models.CharField(max_length=24, unique=True)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PORTAL)

    # The project.
    title = models.CharField("project title", max_length=200)
    summary = models.TextField(blank=True)
    description = models.TextField("what you will do", blank=True)
    amount_requested = models.DecimalField(**MONEY, null=True, blank=True)
    # Priorities and evidence.
    priorities = models.ManyToManyField(StrategicPriority, blank=True, related_name="applications")
    evidence_strand = models.ForeignKey(
        EvidenceStrand, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_other = models.CharField("other evidence base", max_length=300, blank=True)
    evidence_description = models.TextField("how the evidence supports the project", blank=True)
    # Who, where, with whom, to what end.
    target_cohort = models.TextField(blank=True)
    delivery_area = models.TextField(blank=True)
    partners_involved = models.TextField(blank=True)
    outcomes = models.TextField("intended outcomes", blank=True)
    success_measures = models.ManyToManyField(SuccessMeasure, blank=True, related_name="+")
    # Declarations.
    declare_accurate = models.BooleanField(default=False)
    declare_safeguarding = models.BooleanField(default=False)
    declare_data_protection = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gt=0),
                name="application_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status", "-created_at"]),
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["round", "amount_requested"]),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def evidence_base(self) -> str:
        return str(self.evidence_strand) if self.evidence_strand_id else self.evidence_other


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    item = models.CharField(max_length=200)
    financial_year = models.CharField(max_length=7, help_text="e.g. 2024-25")
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["application", "financial_year", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive")
        ]

    def __str__(self):
        return f"{self.item} ({self.financial_year}): £{self.amount:,}"


def attachment_path(instance, filename):
    # The stored name is not the uploaded one: it cannot collide or be guessed.
    return f"applications/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Attachment(models.Model):
    """A supporting document, stored privately and served only after a permission check."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ApplicationStatusChange(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.application.reference}: {self.from_status} → {self.to_status}"

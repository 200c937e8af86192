"""Applications (an expression of interest is one at the EOI stage), their budgets and files."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partners.models import Organisation, StrategicPriority, SuccessMeasure
from svd_portal.workflow import StatusChange

from ..enums import ApplicationStatus, Channel, CostKind, Stage, status_for_applicant
from ..storage import private_storage
from .rounds import MONEY, EvidenceStrand, FundingRound


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
    # Who sent a bid logged from email or paper (blank for portal bids): the applicant may
    # not use the portal, so news of the bid goes to them (services.applicant_mail).
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_address = models.TextField("contact's postal address", max_length=500, blank=True)

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
    awarded_amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Set when the PCC's signed decision awards it"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the retention schedule removed its contact details, answers and files
    # (grants/retention.py).
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gt=0),
                name="application_amount_positive",
            ),
            # A draft can be withdrawn before it is ever submitted.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False),
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
    def status_for_applicant(self) -> str:
        """The status as the applicant sees it: the panel's advice stays internal."""
        return status_for_applicant(self.status)

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
    cost_kind = models.CharField(
        "kind of cost", max_length=16, choices=CostKind.choices, default=CostKind.NON_LABOUR
    )
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


class ApplicationStatusChange(StatusChange):
    subject = "application"
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )

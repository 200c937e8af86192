"""PCC decision records: every field of a published decision record (source 000)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, FundingRound, Variation
from grants.storage import private_storage
from svd_portal.workflow import StatusChange

from .enums import DecisionStatus, DocumentStatus, Outcome


def section_b_path(instance, filename):
    return f"decisions/section-b/{instance.pk or 'new'}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


def section_b_redacted_path(instance, filename):
    return f"decisions/section-b-redacted/{instance.pk or 'new'}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class DecisionRecord(models.Model):
    """A request for a PCC decision, its officer approval, signature and publication."""

    reference = models.CharField(
        max_length=24, blank=True, help_text="Allocated when the record is submitted, e.g. DN50-24"
    )
    title = models.CharField(max_length=300)
    received_on = models.DateField("date received in the OPCC")
    section_a = models.TextField(
        "Section A: background and the request", help_text="Published in full with the record"
    )
    decision_text = models.TextField("the decision requested")
    status = models.CharField(
        max_length=24, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    declaration = models.TextField(
        "PCC's declaration of personal or prejudicial interest", default="None"
    )
    funding_round = models.ForeignKey(
        FundingRound, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    # A variation of an award above VARIATION_PCC_THRESHOLD, which signing decides.
    variation = models.ForeignKey(
        Variation, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    applications = models.ManyToManyField(Application, blank=True, related_name="decisions")
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The signed record this one corrects",
    )
    # Section B and the publication scheme considerations.
    section_b = models.FileField(
        "Section B report",
        storage=private_storage,
        upload_to=section_b_path,
        blank=True,
        max_length=300,
    )
    publish_section_b = models.BooleanField("publish the Section B report", default=False)
    # What OPCCs publish when the full report is withheld: a copy with the sensitive parts
    # taken out. Published with the record whenever there is one.
    section_b_redacted = models.FileField(
        "redacted Section B report, for publication",
        storage=private_storage,
        upload_to=section_b_redacted_path,
        blank=True,
        max_length=300,
    )
    commercially_sensitive = models.BooleanField(default=False)
    sensitivity_reason = models.TextField("why it is commercially sensitive", blank=True)
    exemption_basis = models.CharField(
        "exemption relied on when material is withheld",
        max_length=300,
        blank=True,
        help_text="e.g. Section 43 (commercial interests), Freedom of Information Act 2000",
    )
    publication_deferred = models.BooleanField("defer publication", default=False)
    deferral_reasons = models.TextField(blank=True)
    deferred_until = models.DateField(null=True, blank=True)
    # A correction inherits the deferral of the record it corrects; publishing it earlier
    # needs these reasons.
    deferral_lifted_reasons = models.TextField(
        "reasons for publishing before the corrected record's deferral ends", blank=True
    )
    # Officer approval (the Chief Executive or a nominee).
    officer_approval_name = models.CharField(max_length=150, blank=True)
    officer_approval_role = models.CharField(max_length=150, blank=True, default="Chief Executive")
    officer_approved_on = models.DateField(null=True, blank=True)
    officer_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    advice_confirmed = models.BooleanField(
        "financial, legal and equalities advice taken into account", default=False
    )
    # PCC signature.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_name = models.CharField(max_length=150, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Full-text search of the register (PostgreSQL; filled in when the record is published).
    search_vector = SearchVectorField(null=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="decision_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.DRAFT) | ~Q(reference=""),
                name="decision_reference_once_submitted",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[DecisionStatus.SIGNED, DecisionStatus.PUBLISHED])
                | (~Q(outcome="") & Q(signed_at__isnull=False)),
                name="decision_signed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status=DecisionStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="decision_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(publication_deferred=False) | Q(deferred_until__isnull=False),
                name="decision_deferral_has_date",
            ),
            # Withheld means withheld: a commercially sensitive report is never published in full.
            models.CheckConstraint(
                condition=Q(commercially_sensitive=False) | Q(publish_section_b=False),
                name="decision_sensitive_section_b_not_published",
            ),
        ]
        indexes = [
            # The register's order to the last column, so a page is read off the index
            # without sorting what comes before it.
            models.Index(fields=["status", "-published_at", "-id"], name="decision_register_order"),
            # A reference (DN50-24) and one without its year (DN50-…) are found by `=` and a
            # prefix LIKE; the unique constraint's index serves neither, being partial and
            # in the database's collation.
            models.Index(
                fields=["reference"],
                name="decision_reference_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.reference or 'Draft'}: {self.title}"

    def get_absolute_url(self):
        return reverse("decisions:detail", args=[self.reference])

    @property
    def is_locked(self) -> bool:
        return self.status in (DecisionStatus.SIGNED, DecisionStatus.PUBLISHED)

    @property
    def withholds_material(self) -> bool:
        return (bool(self.section_b) and not self.publish_section_b) or self.commercially_sensitive

    @property
    def schedule_total(self):
        return sum(
            (row.amount for row in self.scheduled_awards.all() if row.recommended),
            start=Decimal("0.00"),
        )

    @property
    def schedule_declined(self) -> list:
        return [row for row in self.scheduled_awards.all() if not row.recommended]

    @property
    def publishes_full_section_b(self) -> bool:
        return bool(self.section_b) and self.publish_section_b and not self.commercially_sensitive


class ScheduledAward(models.Model):
    """One row of a round decision's schedule of awards, frozen when the record is submitted
    for officer approval. Signing awards exactly the rows to fund, with exactly these
    amounts, and declines exactly the others. The names are kept as they were when frozen,
    so the schedule reads as the PCC signed it."""

    record = models.ForeignKey(
        DecisionRecord, on_delete=models.CASCADE, related_name="scheduled_awards"
    )
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=32)
    organisation_name = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    recommended = models.BooleanField(help_text="Recommended for funding; otherwise declined")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    conditions = models.TextField(blank=True)
    moderated_total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["record", "-recommended", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "application"], name="scheduled_award_unique"
            ),
            models.CheckConstraint(
                condition=(Q(recommended=True) & Q(amount__gt=0))
                | (Q(recommended=False) & Q(amount=0)),
                name="scheduled_award_amount",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.amount}"


class DecisionStatusChange(StatusChange):
    subject = "record"
    record = models.ForeignKey(
        DecisionRecord, on_delete=models.CASCADE, related_name="status_changes"
    )


class ReferenceCounter(models.Model):
    """The next number of a reference period (e.g. calendar 2024), taken under a row lock."""

    period = models.CharField(max_length=16, unique=True)
    next_number = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"{self.period}: next {self.next_number}"


def document_path(instance, filename):
    # One name per version: a second render of the same version overwrites, never adds.
    return f"decisions/pdf/{instance.record.reference}-v{instance.version}.pdf"


class DecisionDocument(models.Model):
    """One rendered, signed PDF of a record. Versions are kept; the public gets the latest ready."""

    record = models.ForeignKey(DecisionRecord, on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    file = models.FileField(
        storage=private_storage, upload_to=document_path, blank=True, max_length=300
    )
    sha256 = models.CharField(max_length=64, blank=True)
    certificate_fingerprint = models.CharField(
        "signing certificate SHA-256 fingerprint", max_length=64, blank=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["record", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="document_version_unique"),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.READY) | (~Q(sha256="") & ~Q(file="")),
                name="document_ready_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.record.reference} v{self.version} ({self.get_status_display()})"

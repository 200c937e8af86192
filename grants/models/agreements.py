"""Before and at the offer of a grant: the organisation's bank details, the due diligence
staff record on an award, the agreement templates, and each agreement offered, with the
signatory's answer and its signed PDFs."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from partners.models import Organisation
from svd_portal.pdfs import PdfStatus

from ..enums import AgreementDocumentKind, AgreementOutcome, DiligenceItem, FraudRisk
from ..storage import private_storage
from .awards import Award


class BankAccount(models.Model):
    """The account an organisation's grants are paid into. A member enters it (or staff, from
    a letter); a member of staff other than whoever last entered it verifies it. The account
    number is shown masked everywhere."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="bank_account"
    )
    account_name = models.CharField(max_length=140)
    sort_code = models.CharField(max_length=6)  # six digits
    account_number = models.CharField(max_length=8)  # eight digits
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sort_code__regex=r"^[0-9]{6}$")
                & Q(account_number__regex=r"^[0-9]{8}$"),
                name="bank_account_digits",
            ),
            # The four-eyes rule, kept by the database too.
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("changed_by")),
                name="bank_account_verified_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.account_name}, {self.sort_code_display} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return "****" + self.account_number[-4:]

    @property
    def sort_code_display(self) -> str:
        return "-".join(self.sort_code[i : i + 2] for i in (0, 2, 4))

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


def diligence_path(check: "DiligenceCheck", filename: str) -> str:
    return f"awards/{check.award.reference}/due-diligence/{check.item}-{filename}"


class DiligenceCheck(models.Model):
    """One item of an award's due diligence as a member of staff last recorded it:
    satisfactory, with its evidence, or refused with the reason (which the organisation
    is sent)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(max_length=16, choices=DiligenceItem.choices)
    satisfactory = models.BooleanField()
    # The charity or company number checked (organisation status).
    number = models.CharField(max_length=20, blank=True)
    # Checked on (organisation), last reviewed on (safeguarding), expires on (insurance),
    # year ended on (accounts).
    dated_on = models.DateField(null=True, blank=True)
    file = models.FileField(
        storage=private_storage, upload_to=diligence_path, blank=True, max_length=300
    )
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    rating = models.CharField(max_length=8, choices=FraudRisk.choices, blank=True)
    # Why the rating was given, what was checked, or why the item was refused.
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["award", "item"]
        constraints = [
            models.UniqueConstraint(fields=["award", "item"], name="diligence_one_per_item"),
        ]

    def __str__(self):
        outcome = "satisfactory" if self.satisfactory else "refused"
        return f"{self.award.reference} {self.get_item_display()}: {outcome}"


# The clauses every agreement has, in order: (field, heading).
CLAUSES = [
    ("eligible_expenditure", "Eligible expenditure"),
    ("reporting", "Monitoring and reporting"),
    ("payment", "Payment in arrears"),
    ("clawback", "Clawback"),
    ("safeguarding", "Safeguarding"),
    ("data_protection", "Data protection"),
    ("publicity", "Publicity"),
]


class AgreementTemplate(models.Model):
    """The OPCC's standard terms, clause by clause. An offer copies the clauses: editing a
    template never changes an agreement already offered."""

    name = models.CharField(max_length=200, unique=True)
    eligible_expenditure = models.TextField()
    reporting = models.TextField()
    payment = models.TextField()
    clawback = models.TextField()
    safeguarding = models.TextField()
    data_protection = models.TextField()
    publicity = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clauses(self) -> list[list[str]]:
        return [[heading, getattr(self, field)] for field, heading in CLAUSES]


class Agreement(models.Model):
    """One offer of an award's grant agreement, its terms frozen, and the signatory's answer:
    accepted (who, as what, the SHA-256 of the exact PDF shown, when, from where), or
    declined or sent back for changes with a message."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveIntegerField()
    template_name = models.CharField(max_length=200)
    clauses = models.JSONField()  # [[heading, text], …] as offered
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=16, choices=AgreementOutcome.choices, default=AgreementOutcome.OFFERED
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_from = models.GenericIPAddressField(null=True, blank=True)
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_position = models.CharField(max_length=200, blank=True)
    accepted_sha256 = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["award", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["award", "version"], name="agreement_version_unique"),
            models.CheckConstraint(
                condition=~Q(outcome=AgreementOutcome.ACCEPTED)
                | (
                    Q(answered_by__isnull=False)
                    & ~Q(signatory_name="")
                    & ~Q(signatory_position="")
                    & Q(accepted_sha256__regex=r"^[0-9a-f]{64}$")
                ),
                name="agreement_acceptance_complete",
            ),
        ]

    def __str__(self):
        return f"{self.award.reference} agreement v{self.version} ({self.get_outcome_display()})"


def agreement_document_path(document: "AgreementDocument", filename: str) -> str:
    agreement = document.agreement
    suffix = "-accepted" if document.kind == AgreementDocumentKind.ACCEPTED else ""
    return f"awards/{agreement.award.reference}/agreement-v{agreement.version}{suffix}.pdf"


class AgreementDocument(models.Model):
    """A signed PDF of an agreement, rendered by the worker: the offer, and once accepted the
    same file with the acceptance added as a second signature."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=16, choices=AgreementDocumentKind.choices)
    status = models.CharField(max_length=16, choices=PdfStatus.choices, default=PdfStatus.QUEUED)
    file = models.FileField(
        storage=private_storage, upload_to=agreement_document_path, blank=True, max_length=300
    )
    sha256 = models.CharField(max_length=64, blank=True)
    certificate_fingerprint = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind"], name="agreement_document_once"),
            models.CheckConstraint(
                condition=~Q(status=PdfStatus.READY) | (~Q(sha256="") & ~Q(file="")),
                name="agreement_document_ready_has_file",
            ),
        ]

    def __str__(self):
        return f"{self.agreement} {self.get_kind_display()} ({self.get_status_display()})"

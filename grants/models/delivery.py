"""Delivery of an award: the targets it is counted by, the monitoring returns its holder
submits against them and their documents, the payments made in arrears once a return is
accepted, and the ledger of money paid and clawed back, which is only ever added to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partners.models import SuccessMeasure
from svd_portal.workflow import StatusChange

from ..enums import (
    LedgerKind,
    PaymentStatus,
    ReminderKind,
    ReturnKind,
    ReturnStatus,
    TargetKind,
)
from ..storage import private_storage
from .applications import BudgetLine
from .awards import Award
from .rounds import MONEY


class AwardTarget(models.Model):
    """One figure an award's delivery is counted by: people reached in an age band,
    sessions delivered, or an outcome linked to a success measure."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    success_measure = models.ForeignKey(
        SuccessMeasure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField("what is counted", max_length=300, blank=True)
    target = models.PositiveIntegerField()
    # The actual of the latest return staff accepted (actuals count the whole grant so
    # far), kept by return_accept so that the dashboard adds targets up without a lookup.
    delivered = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["award", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "kind"],
                condition=~Q(kind=TargetKind.OUTCOME),
                name="award_target_output_once",
            ),
            models.UniqueConstraint(
                fields=["award", "success_measure"], name="award_target_measure_once"
            ),
            models.CheckConstraint(
                condition=Q(kind=TargetKind.OUTCOME, success_measure__isnull=False)
                | (~Q(kind=TargetKind.OUTCOME) & Q(success_measure__isnull=True)),
                name="award_target_outcome_has_measure",
            ),
        ]

    def __str__(self):
        return f"{self.award.reference}: {self.label} {self.target}"

    @property
    def label(self) -> str:
        if self.kind == TargetKind.OUTCOME:
            return self.description or str(self.success_measure)
        return self.get_kind_display()


class MonitoringReturn(models.Model):
    """A return the grant holder submits for one period of delivery (the last one is the
    final report): actuals against each target, spend to date by budget line, and a
    narrative. Staff accept it, which makes the payment after it due, or return it."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="returns")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=ReturnKind.choices)
    period_starts_on = models.DateField()
    period_ends_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    narrative = models.TextField("what happened in the period", blank=True)
    case_study = models.TextField(blank=True)
    risks = models.TextField("risks and issues", blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The day it was first submitted (in London), kept when it is sent back and submitted
    # again: whether it came in on time.
    first_submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="return_number_unique"),
            models.CheckConstraint(
                condition=Q(period_starts_on__lte=F("period_ends_on"))
                & Q(due_on__gte=F("period_ends_on")),
                name="return_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.reference}: {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("grants:return", args=[self.award.reference, self.number])

    @property
    def reference(self) -> str:
        return f"{self.award.reference}-R{self.number}"

    def is_overdue(self, today) -> bool:
        return self.status in (ReturnStatus.DRAFT, ReturnStatus.RETURNED) and self.due_on < today


class ReturnActual(models.Model):
    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="actuals"
    )
    target = models.ForeignKey(AwardTarget, on_delete=models.CASCADE, related_name="actuals")
    actual = models.PositiveIntegerField()

    class Meta:
        ordering = ["monitoring_return", "target__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring_return", "target"], name="return_actual_once"
            )
        ]

    def __str__(self):
        return f"{self.monitoring_return_id}: {self.actual} of target {self.target_id}"


class ReturnSpend(models.Model):
    """Spend to date on one line of the award's budget, as the return reports it."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="spend"
    )
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["monitoring_return", "budget_line__financial_year", "budget_line__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring_return", "budget_line"], name="return_spend_once"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="return_spend_not_negative"),
        ]

    def __str__(self):
        return f"{self.monitoring_return_id}: £{self.amount:,} on line {self.budget_line_id}"


def return_attachment_path(instance, filename):
    # As an application's: the stored name is not the uploaded one.
    return f"returns/{instance.monitoring_return_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class ReturnAttachment(models.Model):
    """A document the grant holder adds to a return (a register of attendance, photos, an
    evaluation), stored privately and served only after a permission check."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        storage=private_storage, upload_to=return_attachment_path, max_length=300
    )
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["monitoring_return", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ReturnStatusChange(StatusChange):
    subject = "monitoring_return"
    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="status_changes"
    )


class ReturnReminder(models.Model):
    """A reminder sent about a return: one of each kind, ever."""

    monitoring_return = models.ForeignKey(
        MonitoringReturn, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monitoring_return", "kind"], name="return_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.monitoring_return_id}: {self.kind}"


class Payment(models.Model):
    """A tranche of the award, paid in arrears: due once the return before it is accepted,
    raised by one member of staff, approved by another, exported to finance and then
    marked paid, which writes it to the ledger."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="payments")
    number = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    after_return = models.OneToOneField(
        MonitoringReturn, on_delete=models.PROTECT, related_name="payment"
    )
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.SCHEDULED
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="payment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # Four eyes, kept by the database too.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("raised_by")),
                name="payment_approved_by_another",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.reference}: £{self.amount:,}"

    @property
    def reference(self) -> str:
        return f"{self.award.reference}-P{self.number}"


class PaymentStatusChange(StatusChange):
    subject = "payment"
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="status_changes")


class LedgerEntry(models.Model):
    """Money that moved on an award: a payment made (positive) or an amount clawed back
    (negative), split labour / non-labour and dated in its financial year. Entries are
    only ever added: a mistake is put right by another entry."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    entry_date = models.DateField()
    financial_year = models.CharField(max_length=7)
    amount = models.DecimalField(**MONEY)
    labour = models.DecimalField(**MONEY)
    non_labour = models.DecimalField(**MONEY)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["award", "entry_date", "pk"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=F("labour") + F("non_labour")), name="ledger_split_adds_up"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=LedgerKind.PAYMENT, amount__gt=0, payment__isnull=False)
                    | Q(kind=LedgerKind.CLAWBACK, amount__lt=0, payment__isnull=True)
                ),
                name="ledger_sign_of_kind",
            ),
        ]
        indexes = [models.Index(fields=["financial_year", "kind"])]

    def __str__(self):
        return f"{self.award.reference} {self.entry_date}: £{self.amount:,}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A ledger entry is never changed: add another to correct it")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A ledger entry is never deleted: add another to correct it")


class CloseOut(models.Model):
    """How an award was closed: who confirmed what, and when."""

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="close_out")
    confirmed = models.JSONField(help_text="The CloseOutItem values confirmed")
    note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.award.reference} closed {self.closed_at:%Y-%m-%d}"

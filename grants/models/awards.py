"""The money after the signature: the streams the OPCC gives from, by financial year, and
the awards a signed decision makes, split by year and by labour / non-labour."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partners.models import Area, Organisation
from svd_portal.workflow import StatusChange

from ..enums import DELIVERING_AWARD_STATUSES, AwardStatus, CostKind, ReturnFrequency
from ..fiscal import validate_year
from .applications import Application
from .rounds import MONEY, FundingRound


class FundingStream(models.Model):
    """Money the OPCC holds to give, e.g. the Home Office's Serious Violence Duty grant."""

    name = models.CharField(max_length=200, unique=True)
    funder = models.CharField(max_length=200, help_text="e.g. Home Office")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("grants:staff-stream", args=[self.pk])


class StreamAllocation(models.Model):
    """What a stream holds for one financial year, split as the Home Office grant is."""

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="allocations")
    financial_year = models.CharField(
        max_length=7, validators=[validate_year], help_text="e.g. 2024-25"
    )
    labour = models.DecimalField(**MONEY, default=Decimal("0.00"))
    non_labour = models.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        ordering = ["stream", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "financial_year"], name="allocation_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(labour__gte=0) & Q(non_labour__gte=0),
                name="allocation_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.stream} {self.financial_year}: £{self.total:,}"

    @property
    def total(self) -> Decimal:
        return self.labour + self.non_labour

    def of_kind(self, kind: str) -> Decimal:
        return self.labour if kind == CostKind.LABOUR else self.non_labour


class Award(models.Model):
    """A grant a signed decision made: one for each awarded row of its schedule."""

    reference = models.CharField(max_length=24, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    round = models.ForeignKey(FundingRound, on_delete=models.PROTECT, related_name="awards")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="awards")
    # The stream as it was when the decision was signed: the money is committed there.
    stream = models.ForeignKey(
        FundingStream, null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    title = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)
    conditions = models.TextField(blank=True)
    # For the grants register (SI 2011/3050, Schedule para 3(f)): why the grant is expected
    # to reduce crime and disorder (drafted at award from the application's intended
    # outcomes; staff may put it better), and the areas it is delivered in.
    rationale = models.TextField("why it is expected to reduce crime and disorder", blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="awards")
    # The day the decision that made it was published on the decision register (the
    # decisions app says so): the grant is on the grants register from its acceptance,
    # but never before its decision is public.
    decision_published_on = models.DateField(null=True, blank=True)
    delivery_starts_on = models.DateField()
    delivery_ends_on = models.DateField()
    # The signed decision record that made it (the decisions app, which grants never imports).
    decision_reference = models.CharField(max_length=24)
    status = models.CharField(
        max_length=16, choices=AwardStatus.choices, default=AwardStatus.DUE_DILIGENCE
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The delivery plan (targets, returns, payments: models/delivery.py), which staff set
    # before the offer and the agreement states.
    return_frequency = models.CharField(
        max_length=16, choices=ReturnFrequency.choices, default=ReturnFrequency.QUARTERLY
    )
    plan_set_at = models.DateTimeField(null=True, blank=True)
    plan_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["stream", "status"]),
            models.Index(fields=["organisation", "-created_at"]),
            # The grants register in its order (selectors/register.py): its pages read their
            # keys off it (KeysFirstPaginator) and its downloads stream in it, unsorted.
            models.Index(
                fields=["-created_at", "-reference"],
                include=["id"],
                condition=Q(
                    status__in=sorted(DELIVERING_AWARD_STATUSES),
                    decision_published_on__isnull=False,
                ),
                name="award_register_order",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("grants:award-detail", args=[self.reference])


class AwardSplit(models.Model):
    """The part of an award that falls in one financial year and is of one kind; an
    award's splits add up to its amount to the penny."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="splits")
    financial_year = models.CharField(max_length=7, validators=[validate_year])
    cost_kind = models.CharField(max_length=16, choices=CostKind.choices)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["award", "financial_year", "cost_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "financial_year", "cost_kind"], name="award_split_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_split_positive"),
        ]
        indexes = [models.Index(fields=["financial_year", "cost_kind"])]

    def __str__(self):
        return f"{self.award.reference} {self.financial_year} {self.cost_kind}: £{self.amount:,}"


class AwardStatusChange(StatusChange):
    subject = "award"
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="status_changes")

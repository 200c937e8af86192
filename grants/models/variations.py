"""Variations: a change to an award after it was accepted (its amount, the end of its
delivery, its targets or its budget lines), proposed with a reason by the grant holder or
the OPCC and decided by OPCC staff, or by the PCC on a decision record when the amount
changes by more than VARIATION_PCC_THRESHOLD. Moving underspend from one award of a stream
to another is a pair of variations, one of each, decided together."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from svd_portal.workflow import StatusChange

from ..enums import CostKind, VariationStatus
from .awards import Award
from .rounds import MONEY


class Variation(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="variations")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=24, choices=VariationStatus.choices, default=VariationStatus.PROPOSED
    )
    reason = models.TextField()
    # The changes asked for; nothing (0, empty) where that part stays as it is.
    amount_change = models.DecimalField(**MONEY, default=0)
    # What the award held when the variation was proposed (and, once approved, just before).
    previous_amount = models.DecimalField(**MONEY)
    previous_ends_on = models.DateField()
    change_year = models.CharField("financial year of the change", max_length=7, blank=True)
    change_kind = models.CharField(max_length=16, choices=CostKind.choices, blank=True)
    new_ends_on = models.DateField("new end of delivery", null=True, blank=True)
    # {target pk: [figure before, figure after]} and {budget line pk: ["before", "after"]}
    # (amounts as strings), keyed by the pk as a string, as JSON keeps it.
    target_changes = models.JSONField(default=dict, blank=True)
    budget_changes = models.JSONField(default=dict, blank=True)
    # The other half of a reallocation of underspend between two awards of one stream.
    paired_with = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # The signed PCC decision record that decided it, when one had to.
    decision_reference = models.CharField(max_length=24, blank=True)

    class Meta:
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="variation_number_unique"),
            models.CheckConstraint(
                condition=Q(amount_change=0) | (~Q(change_year="") & ~Q(change_kind="")),
                name="variation_amount_has_year_and_kind",
            ),
            # One open variation at a time on an award, so that no two change it at once.
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(status__in=["proposed", "awaiting_decision"]),
                name="variation_one_open_per_award",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("grants:variation", args=[self.award.reference, self.number])

    @property
    def reference(self) -> str:
        return f"{self.award.reference}-V{self.number}"


class VariationStatusChange(StatusChange):
    subject = "variation"
    variation = models.ForeignKey(
        Variation, on_delete=models.CASCADE, related_name="status_changes"
    )

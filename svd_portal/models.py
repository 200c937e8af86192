"""The audit trail: one table of what people did, for OPCC staff to read (svd_portal/audit.py
records it; /staff/audit/ shows it). Append-only: nothing in the portal edits or deletes a
line of it (the model and its queryset refuse), but for one path: expire_sign_in_records, by
which the retention schedule deletes sign-in lines past their period, itself recorded."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

APPEND_ONLY = "The audit trail is append-only: a line of it is never changed or deleted"


class AuditKind(models.TextChoices):
    SIGN_IN = "sign-in", "Signed in"
    SIGN_IN_REFUSED = "sign-in-refused", "Sign-in refused"
    SIGN_OUT = "sign-out", "Signed out"
    SECOND_FACTOR = "second-factor", "Second factor given"
    STATUS = "status", "Status changed"
    FIELDS = "fields", "Fields changed"
    DOWNLOAD = "download", "Downloaded"
    RETENTION = "retention", "Removed under the retention schedule"
    ACCOUNT_CLOSED = "account-closed", "Account closed"


# The lines that are sign-in records, which the retention schedule deletes after their period.
SIGN_IN_KINDS = (
    AuditKind.SIGN_IN,
    AuditKind.SIGN_IN_REFUSED,
    AuditKind.SIGN_OUT,
    AuditKind.SECOND_FACTOR,
)


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(APPEND_ONLY)

    def delete(self):
        raise PermissionDenied(APPEND_ONLY)

    def bulk_update(self, *args, **kwargs):
        raise PermissionDenied(APPEND_ONLY)


class AuditEvent(models.Model):
    """Who did what, when, from where, to which record."""

    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=AuditKind.choices)
    # The person, while their account exists; `actor` keeps the address they used (on a
    # refused sign-in, the one typed, which may be nobody's).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(max_length=254, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    # The record it was done to, if any.
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    path = models.CharField(max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_order"),
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object"),
            models.Index(fields=["user", "-at"], name="audit_user"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or '–'}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(APPEND_ONLY)


def expire_sign_in_records(events: AuditQuerySet) -> int:
    """Deletes the sign-in lines among `events`: the only way a line leaves the trail, used by
    the retention schedule alone (svd_portal/retention.py writes a line saying so). State
    changes, field edits, downloads and the schedule's own lines are never deleted."""
    expiring = events.filter(kind__in=SIGN_IN_KINDS)
    return models.QuerySet.delete(expiring)[0]

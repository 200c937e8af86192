"""Closing an account (UK GDPR, Article 17, within what the law lets the OPCC erase).

A closed account is anonymised, not deleted: the records a person's work is part of (an
application's status changes, a scorecard, a line of the audit trail) keep pointing at it,
and they now say "Closed account". The name, email address, password, second factor, roles,
memberships and the account's own field history go, and every session ends.

A person closes their own account unless something the law requires the OPCC to keep
depends on it. Each app names such things through `register(reasons)`: a function of the
person returning the reasons, in words for them (partners: a role in the OPCC or on a panel;
grants: being the only member of an organisation whose application or grant is in
progress). The retention schedule closes sign-ups never confirmed the same way."""

from collections.abc import Callable

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from svd_portal import audit
from svd_portal.models import AuditKind

from . import two_factor
from .auth import password_confirmed
from .enums import Role
from .models import Membership, User

CLOSED_NAME = "Closed account"

REASONS: dict[str, Callable[[User], list[str]]] = {}


def register(name: str, reasons: Callable[[User], list[str]]) -> None:
    REASONS[name] = reasons


def _staff_side(person: User) -> list[str]:
    if person.is_staff or two_factor.staff_side(person):
        return [
            "Your account has a role in the OPCC or on a scoring panel, and the records of "
            f"that work must say who did it. Ask the OPCC to close it: {settings.PORTAL_CONTACT_EMAIL}"
        ]
    return []


register("partners", _staff_side)


def refusals(person: User) -> list[str]:
    """Why `person` may not close their account themselves: none if they may."""
    return [reason for name in sorted(REASONS) for reason in REASONS[name](person)]


def close_own(person: User, *, password: str, request=None) -> None:
    """The signed-in person closes their account, re-entering their password (counted with
    wrong sign-in passwords, as the PCC's signature is)."""
    if not password_confirmed(person, password, request):
        raise ValidationError({"password": "The password is not right"})
    reasons = refusals(person)
    if reasons:
        raise ValidationError(reasons)
    close(person, why="Closed the account themselves")


def close(person: User, *, why: str = "", by: User | None = None) -> None:
    """Anonymises `person`'s account, with a line of the audit trail saying `why`, by `by`
    (a superuser; the person themselves if None); no line when the caller writes its own
    (the retention schedule)."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied("Only a superuser can close someone else's account")
    with transaction.atomic(), disable_auditlog():
        person = User.objects.select_for_update().get(pk=person.pk)
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_pk=str(person.pk)
        ).delete()
        Membership.objects.filter(user=person).delete()
        two_factor.forget_devices(person)
        person.groups.clear()
        person.user_permissions.clear()
        User.objects.filter(pk=person.pk).update(
            email=f"closed-{person.pk}@closed.invalid",
            full_name=CLOSED_NAME,
            password=make_password(None),
            is_active=False,
            is_staff=False,
            is_superuser=False,
            closed_at=timezone.now(),
            session_epoch=F("session_epoch") + 1,
        )
        if why:
            person.refresh_from_db()
            audit.record(AuditKind.ACCOUNT_CLOSED, user=by or person, obj=person, summary=why)


def unconfirmed(until):
    """Sign-ups whose email address was never confirmed, made by `until` (for the retention
    schedule): providers only, never signed in, not closed."""
    return (
        User.objects.filter(
            is_active=False,
            last_login__isnull=True,
            closed_at__isnull=True,
            is_staff=False,
            is_superuser=False,
        )
        .exclude(groups__name__in=[role for role in Role if role != Role.PROVIDER])
        .annotate(retention_from=F("date_joined"))
        .filter(retention_from__lte=until)
    )


def close_unconfirmed(people) -> int:
    closed = 0
    for person in people:
        close(person)
        closed += 1
    return closed


def connect() -> None:
    from svd_portal.retention import Schedule
    from svd_portal.retention import register as keep

    keep(
        Schedule(
            key="unconfirmed_accounts",
            label="Sign-ups never confirmed",
            starts="the sign-up",
            action="Closed: name, email address and password removed",
            due=unconfirmed,
            apply=close_unconfirmed,
        )
    )

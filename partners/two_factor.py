"""Two-factor sign-in (django-otp): a code from an authenticator app (TOTP), or one of ten
single-use recovery codes, after the password.

It is required of everyone on the staff side (OPCC staff, the Chief Executive, the PCC,
panel members) and of superusers, and of anyone else who has set an app up (providers may:
it is offered, not required). A wrong code is counted by sign-in throttling (django-axes)
as a wrong password is, and the device itself slows guesses (django-otp's throttling).

Some acts also need the second factor given recently (SECOND_FACTOR_RECENT_MINUTES):
signing a decision, approving a payment, verifying bank details, changing roles and
downloading panel or payment exports (partners.mixins.RecentSecondFactorMixin)."""

import base64

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from svd_portal import audit
from svd_portal.models import AuditKind

from .enums import Role
from .models import User

STAFF_SIDE_ROLES = frozenset({Role.OPCC_STAFF, Role.CHIEF_EXECUTIVE, Role.PCC, Role.PANEL_MEMBER})
APP = "Authenticator app"
RECOVERY = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# When the second factor was last given in this session (seconds since the epoch).
GIVEN_AT = "second_factor_given_at"


def staff_side(user: User) -> bool:
    """Whether `user` works on the OPCC's side (or is a superuser): the second factor is
    required of them."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=sorted(STAFF_SIDE_ROLES)).exists()


def app_device(user: User) -> TOTPDevice | None:
    """The authenticator app `user` set up, if they did."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def required(user: User) -> bool:
    """Whether `user` must give a second factor to use the portal once signed in."""
    return staff_side(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user: User) -> TOTPDevice:
    """The app `user` is setting up: its secret stays the same until they confirm it (or
    the demo made it, so that testers can add it to their app before signing in)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP, confirmed=False)


def secret(device: TOTPDevice) -> str:
    """The device's secret as an app asks for it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code(device: TOTPDevice) -> str:
    """The app's set-up address as a QR code: an SVG data URI drawn here, with no request
    to anyone else."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4)


def _count_wrong_code(request: HttpRequest, user: User) -> None:
    """A wrong code counts as a wrong password would: sign-in throttling holds both."""
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)


def _mark_given(request: HttpRequest, device) -> None:
    django_otp.login(request, device)
    request.session[GIVEN_AT] = timezone.now().timestamp()
    kind = "a recovery code" if isinstance(device, StaticDevice) else "a code from the app"
    audit.record(AuditKind.SECOND_FACTOR, request=request, summary=f"Gave {kind}")


def given_within(request: HttpRequest, minutes: int) -> bool:
    """Whether the signed-in person gave their second factor in the last `minutes`."""
    user = request.user
    if not (user.is_authenticated and user.is_verified()):
        return False
    given = request.session.get(GIVEN_AT)
    return given is not None and timezone.now().timestamp() - given <= minutes * 60


def given_recently(request: HttpRequest) -> bool:
    return given_within(request, settings.SECOND_FACTOR_RECENT_MINUTES)


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def enrol(request: HttpRequest, *, code: str) -> list[str]:
    """The signed-in person confirms the app they set up with a code from it: the app
    becomes their second factor (replacing any before it), this session counts as having
    given it, and ten new recovery codes are returned, to be shown once."""
    user = request.user
    device = enrolment_device(user)
    if not device.verify_token(_digits(code)):
        _count_wrong_code(request, user)
        raise ValidationError({"code": _wrong_code_message(device)})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_new(user)
    _mark_given(request, device)
    return codes


def verify(request: HttpRequest, *, code: str) -> None:
    """The signed-in person gives their second factor: a code from their app, or one of
    their recovery codes (used up by this). ValidationError with why if it is not right."""
    user = request.user
    app = app_device(user)
    if app is None:
        raise PermissionDenied("Set up an authenticator app first")
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        if app.verify_token(digits):
            _mark_given(request, app)
            return
        _count_wrong_code(request, user)
        raise ValidationError({"code": _wrong_code_message(app)})
    recovery = digits.lower()
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(recovery):
            _mark_given(request, device)
            return
    _count_wrong_code(request, user)
    raise ValidationError(
        {
            "code": "The code is not right: enter the 6 digits your app shows now, or one of "
            "your recovery codes"
        }
    )


def recovery_codes_renew(request: HttpRequest) -> list[str]:
    """New recovery codes for the signed-in person (the old ones stop working)."""
    if not given_recently(request):
        raise PermissionDenied("Give your second factor again first")
    return _recovery_codes_new(request.user)


def reset(*, user: User, by: User) -> None:
    """A superuser removes `user`'s app and recovery codes (a lost phone): `user` sets up a
    new app the next time they sign in, and every session of theirs ends."""
    if not by.is_superuser:
        raise PermissionDenied("Only a superuser can reset someone's second factor")
    with transaction.atomic():
        forget_devices(user)
        end_sessions(user)


def forget_devices(user: User) -> None:
    """Removes `user`'s app and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def end_sessions(user: User) -> None:
    """Ends every session of `user`'s: the session epoch is part of each one's check."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def end_other_sessions(request: HttpRequest) -> None:
    """Signs the signed-in person out everywhere but in this session."""
    end_sessions(request.user)
    update_session_auth_hash(request, request.user)


def _digits(code: str) -> str:
    return code.replace(" ", "").replace("-", "").strip()


def _wrong_code_message(device) -> str:
    allowed, details = device.verify_is_allowed()
    if not allowed and details and details.get("locked_until"):
        wait = max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)
        return (
            f"The code is not right. Wait {wait} second{'s' if wait != 1 else ''} before you "
            "try again, then enter the 6 digits your app shows"
        )
    return "The code is not right: enter the 6 digits your app shows now"

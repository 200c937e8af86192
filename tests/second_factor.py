"""Signing in with the second factor in tests: a client signed in by force_login has given
it too (tests/conftest.py), as a person fully signed in has; these help the tests that sign
in through the pages, or that need a session with the password alone."""

import base64

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import two_factor

# Client.force_login as Django has it (tests/conftest.py wraps it).
force_login_password_only = Client.force_login


def app_of(user) -> TOTPDevice:
    """The person's authenticator app, set up if they had none."""
    device = two_factor.app_device(user)
    return device or TOTPDevice.objects.create(user=user, name=two_factor.APP, confirmed=True)


def code_for(device: TOTPDevice) -> str:
    """The code the app shows now. A code is taken once (the device keeps the last one
    used), so the last one is forgotten first: as if the next 30 seconds had come."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return code_now(device)


def code_now(device: TOTPDevice) -> str:
    """The code the device's app shows now (the device itself left as it is)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def code_from_secret(secret: str) -> str:
    """The code an app set up with this secret (as the set-up page shows it) shows now."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key):06d}"


def give_second_factor(client: Client, user, *, at=None) -> None:
    """Marks the client's session as having given the second factor (at `at`, or now)."""
    device = app_of(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[two_factor.GIVEN_AT] = (at or timezone.now()).timestamp()
    session.save()


def sign_in(client: Client, email: str, password: str):
    """Signs in through the pages, as a person does: the password, then setting up the app
    (with the key the set-up page shows, the one seed_demo prints for a demo account) or a
    code from the app set up. Returns the answer to the password."""
    from partners.models import User

    answer = client.post("/accounts/login/", {"username": email, "password": password})
    if answer.status_code != 302:
        return answer
    asked = client.get(answer["Location"])
    location = asked.get("Location", "") if asked.status_code == 302 else ""
    person = User.objects.get(email__iexact=email)
    if location.startswith("/accounts/two-factor/setup/"):
        device = two_factor.enrolment_device(person)
        done = client.post(location, {"code": code_now(device)})
        assert done["Location"] == "/accounts/two-factor/recovery-codes/", done
        assert client.get(done["Location"]).status_code == 200  # the codes, shown once
    elif location.startswith("/accounts/two-factor/"):
        done = client.post(location, {"code": code_for(app_of(person))})
        assert done.status_code == 302, done.content.decode()[:300]
    return answer

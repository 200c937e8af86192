"""Two-factor sign-in over HTTP: staff-side people set up an app at their first sign-in and
give a code at each; a recovery code works once; wrong codes are counted with wrong
passwords; providers may set an app up; a superuser resets a lost one; the account page
signs out every other session."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import two_factor
from partners.models import User
from tests.second_factor import (
    app_of,
    code_for,
    code_from_secret,
    code_now,
    force_login_password_only,
    give_second_factor,
)


def sign_in_with_password(client, user, password):
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": password}, follow=False
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"])


# --- Staff set up an app at their first sign-in ---------------------------------------------


def test_staff_first_sign_in_sets_up_an_app_and_shows_ten_recovery_codes_once(
    client, staff_user, password
):
    response = sign_in_with_password(client, staff_user, password)
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/two-factor/setup/?next=%2F",
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<img src="data:image/svg+xml' in html
    secret = re.search(r'<code class="portal-secret" id="secret">([A-Z2-7 ]+)</code>', html)[1]
    device = TOTPDevice.objects.get(user=staff_user)
    assert (device.confirmed, secret) == (False, two_factor.secret(device))

    wrong = client.post("/accounts/two-factor/setup/?next=/", {"code": "000000", "next": "/"})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    done = client.post(
        "/accounts/two-factor/setup/?next=/", {"code": code_from_secret(secret), "next": "/"}
    )
    assert (done.status_code, done["Location"]) == (302, "/accounts/two-factor/recovery-codes/")
    shown = client.get(done["Location"])
    html = shown.content.decode()
    assert shown.status_code == 200
    assert "Your authenticator app is set up" in html
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)
    assert len(codes) == 10 == len(set(codes))
    assert sorted(
        StaticToken.objects.filter(device__user=staff_user).values_list("token", flat=True)
    ) == sorted(codes)
    device.refresh_from_db()
    assert device.confirmed is True
    # Signed in fully now: the staff pages open.
    assert client.get("/staff/decisions/").status_code == 200
    # Shown once: not again at the same address, and the account page gives their number.
    assert client.get("/accounts/two-factor/recovery-codes/")["Location"] == "/accounts/"
    account = client.get("/accounts/").content.decode()
    assert "You have 10 recovery codes left." in account
    assert codes[0] not in account


def test_password_alone_reaches_nothing_but_the_second_factor(client, staff_user, password):
    sign_in_with_password(client, staff_user, password)
    for url in ("/", "/staff/decisions/", "/admin/", "/grants/", "/api/v1/decisions/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/two-factor/setup/?next="), url
    # A form posted with the password alone does nothing and is sent to the same place.
    response = client.post("/staff/decisions/new/", {"title": "Not with a password alone"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/two-factor/setup/")
    # Signing out still works.
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_with_an_app_give_a_code_at_each_sign_in(client, staff_user, password):
    device = app_of(staff_user)
    response = sign_in_with_password(client, staff_user, password)
    assert response["Location"] == "/accounts/two-factor/?next=%2F"
    page = client.get(response["Location"])
    assert "Enter a code from your authenticator app" in page.content.decode()
    done = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": "/staff/decisions/"}
    )
    assert (done.status_code, done["Location"]) == (302, "/staff/decisions/")
    assert client.get("/staff/decisions/").status_code == 200


def test_a_code_is_taken_once(client, staff_user, password):
    device = app_of(staff_user)
    code = code_for(device)
    sign_in_with_password(client, staff_user, password)
    assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302
    other = Client()
    sign_in_with_password(other, staff_user, password)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    again = other.post("/accounts/two-factor/", {"code": code})
    assert again.status_code == 200
    assert "The code is not right" in again.content.decode()


def test_next_elsewhere_is_not_followed(client, staff_user, password):
    device = app_of(staff_user)
    sign_in_with_password(client, staff_user, password)
    done = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert done["Location"] == "/"


def test_a_recovery_code_works_once(client, staff_user, password):
    app_of(staff_user)
    factory = Client()
    give_second_factor(factory, staff_user)
    codes = two_factor._recovery_codes_new(staff_user)
    sign_in_with_password(client, staff_user, password)
    assert client.post("/accounts/two-factor/", {"code": codes[3].upper()}).status_code == 302
    assert two_factor.recovery_codes_left(staff_user) == 9
    other = Client()
    sign_in_with_password(other, staff_user, password)
    again = other.post("/accounts/two-factor/", {"code": codes[3]})
    assert again.status_code == 200
    assert "or one of your recovery codes" in again.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_codes_are_counted_like_wrong_passwords(client, staff_user, password):
    device = app_of(staff_user)
    sign_in_with_password(client, staff_user, password)
    for _ in range(2):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        assert client.post("/accounts/two-factor/", {"code": "123456"}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    third = client.post("/accounts/two-factor/", {"code": "123456"})
    assert third.status_code == 429
    # Locked: even the right code is refused now, unchecked.
    locked = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert locked.status_code == 429
    assert not client.session.get("otp_device_id")


def test_the_app_itself_slows_guesses(client, staff_user, password):
    device = app_of(staff_user)
    sign_in_with_password(client, staff_user, password)
    assert client.post("/accounts/two-factor/", {"code": "123456"}).status_code == 200
    # Straight after a wrong code, even the right one waits: the page says how long.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    response = client.post("/accounts/two-factor/", {"code": code_now(device)})
    assert response.status_code == 200
    assert re.search(r"Wait \d+ seconds? before you try again", response.content.decode())


# --- Providers may set one up ---------------------------------------------------------------


def test_provider_signs_in_with_a_password_until_they_set_up_an_app(
    client, provider_user, password
):
    response = sign_in_with_password(client, provider_user, password)
    assert response.status_code == 200  # home, no second factor asked
    account = client.get("/accounts/").content.decode()
    assert "You sign in with your password alone." in account
    page = client.get("/accounts/two-factor/setup/")
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page.content.decode())[1]
    done = client.post(
        "/accounts/two-factor/setup/", {"code": code_from_secret(secret)}, follow=True
    )
    assert "Your authenticator app is set up" in done.content.decode()
    # The next sign-in asks for a code.
    other = Client()
    response = sign_in_with_password(other, provider_user, password)
    assert response["Location"].startswith("/accounts/two-factor/?next=")


# --- Replacing the app and renewing codes need a recent code ------------------------------


def test_new_recovery_codes_need_a_recent_code_and_end_the_old(client, staff_user):
    force_login_password_only(client, staff_user)
    give_second_factor(client, staff_user, at=timezone.now() - datetime.timedelta(minutes=16))
    old = two_factor._recovery_codes_new(staff_user)
    stale = client.post("/accounts/two-factor/recovery-codes/")
    assert stale["Location"] == "/accounts/two-factor/?next=/accounts/"
    assert two_factor.recovery_codes_left(staff_user) == 10
    give_second_factor(client, staff_user)
    fresh = client.post("/accounts/two-factor/recovery-codes/", follow=True)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", fresh.content.decode())
    assert len(codes) == 10 and not set(codes) & set(old)
    assert sorted(
        StaticToken.objects.filter(device__user=staff_user).values_list("token", flat=True)
    ) == sorted(codes)


def test_replacing_the_app_needs_a_recent_code(client, staff_user):
    force_login_password_only(client, staff_user)
    give_second_factor(client, staff_user, at=timezone.now() - datetime.timedelta(minutes=16))
    response = client.get("/accounts/two-factor/setup/")
    assert response["Location"] == "/accounts/two-factor/?next=/accounts/two-factor/setup/"
    give_second_factor(client, staff_user)
    assert client.get("/accounts/two-factor/setup/").status_code == 200


# --- A superuser resets a lost app -----------------------------------------------------------


def test_superuser_resets_a_lost_app_and_ends_its_sessions(client, superuser, staff_user, password):
    app_of(staff_user)
    two_factor._recovery_codes_new(staff_user)
    theirs = Client()
    theirs.force_login(staff_user)
    assert theirs.get("/staff/decisions/").status_code == 200
    client.force_login(superuser)
    response = client.post(
        "/admin/partners/user/",
        {"action": "reset_second_factor", "_selected_action": [staff_user.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert two_factor.recovery_codes_left(staff_user) == 0
    # Their session has ended; at the next sign-in they set up a new app.
    assert theirs.get("/staff/decisions/")["Location"].startswith("/accounts/login/")
    again = sign_in_with_password(Client(), staff_user, password)
    assert again["Location"].startswith("/accounts/two-factor/setup/")


def test_staff_cannot_reset_anyone_elses_second_factor(client, staff_user, ceo_user):
    app_of(ceo_user)
    client.force_login(staff_user)
    client.post(
        "/admin/partners/user/",
        {"action": "reset_second_factor", "_selected_action": [ceo_user.pk]},
    )
    assert TOTPDevice.objects.filter(user=ceo_user, confirmed=True).count() == 1


# --- Sessions ---------------------------------------------------------------------------------


def test_sign_out_of_all_other_sessions(client, staff_user):
    phone, office = Client(), Client()
    phone.force_login(staff_user)
    office.force_login(staff_user)
    client.force_login(staff_user)
    response = client.post("/accounts/sessions/end-others/", follow=True)
    assert "You are signed out of every other session" in response.content.decode()
    assert client.get("/staff/decisions/").status_code == 200
    for other in (phone, office):
        assert other.get("/staff/decisions/")["Location"].startswith("/accounts/login/")
    assert User.objects.get(pk=staff_user.pk).session_epoch == 1


@override_settings(SESSION_IDLE_MINUTES=30)
def test_staff_session_ends_after_30_minutes_unused(
    client, staff_user, provider_user, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client.force_login(staff_user)
    time_machine.move_to(start + datetime.timedelta(minutes=29), tick=False)
    assert client.get("/staff/decisions/").status_code == 200
    # 29 minutes on from that use: still signed in.
    time_machine.move_to(start + datetime.timedelta(minutes=58), tick=False)
    assert client.get("/staff/decisions/").status_code == 200
    time_machine.move_to(start + datetime.timedelta(minutes=89), tick=False)
    response = client.get("/staff/decisions/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/signed-out/?idle=1")
    page = client.get(response["Location"]).content.decode()
    assert "We signed you out because you had not used the portal for 30 minutes" in page
    assert "_auth_user_id" not in client.session
    # A provider's session does not end so.
    provider = Client()
    provider.force_login(provider_user)
    time_machine.move_to(start + datetime.timedelta(hours=5), tick=False)
    assert provider.get("/applications/").status_code == 200


def test_staff_pages_carry_the_idle_warning_and_providers_not(client, staff_user, provider_user):
    client.force_login(staff_user)
    html = client.get("/staff/decisions/").content.decode()
    assert 'id="idle-warning"' in html
    assert f'data-idle-seconds="{settings.SESSION_IDLE_MINUTES * 60}"' in html
    assert "/static/js/idle-warning.js" in html
    provider = Client()
    provider.force_login(provider_user)
    assert 'id="idle-warning"' not in provider.get("/applications/").content.decode()


def test_keep_alive_needs_a_session(client, staff_user):
    assert client.post("/accounts/sessions/keep-alive/")["Location"].startswith("/accounts/login/")
    client.force_login(staff_user)
    assert client.post("/accounts/sessions/keep-alive/").status_code == 204
    assert client.get("/accounts/sessions/keep-alive/").status_code == 405


@pytest.mark.parametrize(
    "url", ["/accounts/", "/accounts/two-factor/", "/accounts/two-factor/setup/"]
)
def test_account_pages_need_a_sign_in(client, db, url):
    assert client.get(url)["Location"].startswith("/accounts/login/")

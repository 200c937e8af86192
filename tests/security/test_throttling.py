"""Sign-in throttling (django-axes): wrong passwords are counted per email address and IP
address, and the fifth in a row pauses signing in with that address from there."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from partners.enums import Role
from tests.factories import UserFactory
from tests.factories.partners import PASSWORD

LOGIN = "/accounts/login/"
EMAIL = "ann.provider@example.org"
LOCKED = "Too many attempts to sign in"


@pytest.fixture
def user(db):
    return UserFactory(email=EMAIL, full_name="Ann Provider", roles=[Role.PROVIDER])


def sign_in(client, password, *, email=EMAIL, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def fail(client, times, *, email=EMAIL, **extra):
    for _ in range(times):
        response = sign_in(client, "not-the-password", email=email, **extra)
        assert response.status_code == 200
        assert "Please enter a correct email address and password." in response.content.decode()


def is_signed_in(client):
    return "_auth_user_id" in client.session


def test_four_wrong_passwords_still_let_the_right_one_in(client, user):
    fail(client, 4)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert response.url == "/"
    assert is_signed_in(client)


def test_fifth_wrong_password_locks_the_address_out_with_a_429_page(client, user):
    fail(client, 4)
    response = sign_in(client, "not-the-password")

    assert response.status_code == 429
    page = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{LOCKED}</h1>' in page
    assert "The password was wrong 5 times in a row" in page
    assert "paused for 15 minutes" in page
    assert 'href="/accounts/password-reset/"' in page


def test_while_locked_out_even_the_right_password_is_refused(client, user):
    fail(client, 5 - 1)
    sign_in(client, "not-the-password")

    response = sign_in(client, PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_signed_in(client)


def test_attempts_are_kept_for_audit(client, user):
    fail(client, 3)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        EMAIL,
        "127.0.0.1",
        3,
    )
    assert "not-the-password" not in attempt.post_data


def test_case_and_spaces_in_the_email_do_not_buy_extra_guesses(client, user):
    for email in ("ANN.PROVIDER@example.org", " ann.provider@EXAMPLE.ORG ", EMAIL, EMAIL):
        sign_in(client, "not-the-password", email=email)

    response = sign_in(client, "not-the-password", email="Ann.Provider@Example.org")

    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == EMAIL


def test_lockout_is_for_that_address_and_ip_only(user):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    fail(attacker, 4)
    assert sign_in(attacker, "not-the-password").status_code == 429

    # The owner, from another address, still signs in.
    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(owner, PASSWORD).status_code == 302
    assert is_signed_in(owner)

    # Another person at the attacker's address is not locked out either.
    UserFactory(email="bob@example.org", roles=[Role.PROVIDER])
    assert sign_in(attacker, PASSWORD, email="bob@example.org").status_code == 302


def test_a_forged_forwarded_for_header_does_not_reset_the_count(user):
    # With no trusted proxy the header is ignored: anyone can send it.
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(4):
        sign_in(client, "not-the-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = sign_in(client, "not-the-password", HTTP_X_FORWARDED_FOR="10.0.0.99")

    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(user):
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    # The client put a made-up address first; the proxy appended the one it saw.
    fail(proxy, 2, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    fail(proxy, 2, HTTP_X_FORWARDED_FOR="5.6.7.8, 203.0.113.7")

    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    response = sign_in(client=proxy, password=PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302


def test_signing_in_resets_the_count(client, user):
    fail(client, 4)
    assert sign_in(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    fail(client, 4)

    assert sign_in(client, PASSWORD).status_code == 302


def test_after_the_cool_off_the_right_password_works_again(client, user):
    fail(client, 5 - 1)
    assert sign_in(client, "not-the-password").status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(minutes=16)
    )

    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_admin_sign_in_is_throttled_too(client, user):
    for _ in range(4):
        client.post("/admin/login/", {"username": EMAIL, "password": "not-the-password"})

    response = client.post("/admin/login/", {"username": EMAIL, "password": "not-the-password"})

    assert response.status_code == 429
    assert LOCKED in response.content.decode()

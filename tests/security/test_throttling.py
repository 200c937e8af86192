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


@pytest.fixture(autouse=True)
def _lockout_emails_sent_eagerly(eager_celery):
    """Every test here: the lockout email task runs in the thread that queues it."""


@pytest.fixture
def user(db):
    return UserFactory(email=EMAIL, full_name="Ann Provider", roles=[Role.PROVIDER])


def sign_in(client, password, *, email=EMAIL, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def fail(client, times, *, email=EMAIL, **extra):
    for _ in range(times):
        response = sign_in(client, "not-the-password", email=email, **extra)
        assert response.status_code == 200
        assert "The email address or password is not right" in response.content.decode()


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


# --- Per account: wrong passwords from many addresses -------------------------------------------


def spread(count, *, email=EMAIL, password="not-the-password", start=1):
    """`count` sign-ins for one email address, each from an address of its own."""
    return [
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), password, email=email)
        for n in range(start, start + count)
    ]


def test_wrong_passwords_from_many_addresses_lock_the_account(user, settings, mailoutbox):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    # One wrong password from each address: no address comes near its own limit.
    responses = spread(limit - 1)
    assert [r.status_code for r in responses] == [200] * (limit - 1)

    assert spread(1, start=limit)[0].status_code == 429

    # Now even the right password, from an address never seen, is refused.
    owner = Client(REMOTE_ADDR="192.0.2.50")
    response = sign_in(owner, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{LOCKED}</h1>' in page
    assert f"The password was wrong {limit} times for this email address" in page
    assert "signing in with it is paused for 15 minutes, from any device" in page
    assert not is_signed_in(owner)


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_each_forwarded_address_counts_towards_the_account(user, settings):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(limit - 1):
        response = sign_in(proxy, "not-the-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 200
    assert AccessAttempt.objects.count() == limit - 1

    response = sign_in(proxy, "not-the-password", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429
    response = sign_in(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert response.status_code == 429
    assert not is_signed_in(proxy)


def test_the_holder_is_emailed_once_when_the_account_locks(user, settings, mailoutbox):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    spread(limit - 1)
    assert mailoutbox == []

    spread(1, start=limit)
    # Further attempts while locked, wrong and right, from old and new addresses.
    spread(3, start=1)
    spread(3, start=100, password=PASSWORD)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [EMAIL]
    assert email.subject == "Signing in to your account is paused"
    assert f"the password was wrong {limit} times" in email.body
    assert "http://testserver/accounts/password-reset/" in email.body
    assert "not-the-password" not in email.body


def test_an_address_with_no_account_locks_the_same_but_no_one_is_emailed(db, settings, mailoutbox):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    spread(limit - 1, email="nobody@example.org")
    response = spread(1, email="nobody@example.org", start=limit)[0]

    assert response.status_code == 429
    assert f"The password was wrong {limit} times for this email address" in (
        response.content.decode()
    )
    assert mailoutbox == []


def test_a_locked_out_address_does_not_count_towards_the_account(user, settings):
    # Past the fifth wrong password an address is refused before any password is checked, so
    # hammering from one place does not lock the holder out everywhere else.
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    fail(attacker, 4)
    for _ in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
        assert sign_in(attacker, "not-the-password").status_code == 429

    owner = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(owner, PASSWORD).status_code == 302


def test_after_the_cool_off_a_locked_account_signs_in_again(user, settings, mailoutbox):
    spread(settings.AXES_ACCOUNT_FAILURE_LIMIT)
    assert sign_in(Client(REMOTE_ADDR="192.0.2.50"), PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.latest("attempt_time").attempt_time
        - datetime.timedelta(minutes=16)
    )

    owner = Client(REMOTE_ADDR="192.0.2.50")
    assert sign_in(owner, PASSWORD).status_code == 302
    assert is_signed_in(owner)


@override_settings(AXES_ACCOUNT_FAILURE_LIMIT=6)
def test_the_account_limit_is_a_setting(user, mailoutbox):
    assert [r.status_code for r in spread(6)] == [200] * 5 + [429]
    assert len(mailoutbox) == 1


# --- Staff unlock a locked account ---------------------------------------------------------------

USERS = "/admin/partners/user/"


def unlock(client, *users):
    return client.post(
        USERS, {"action": "unlock_sign_in", "_selected_action": [u.pk for u in users]}
    )


def test_opcc_staff_unlock_a_locked_account_in_the_admin(user, staff_client, settings):
    spread(settings.AXES_ACCOUNT_FAILURE_LIMIT)
    other = UserFactory(email="bob@example.org", roles=[Role.PROVIDER])
    spread(3, email=other.email)

    response = unlock(staff_client, user)

    assert response.status_code == 302
    assert response.url == USERS
    page = staff_client.get(response.url).content.decode()
    assert "Signing in is unlocked for ann.provider@example.org." in page
    # Only that account's attempts are cleared.
    assert list(AccessAttempt.objects.values_list("username", flat=True).distinct()) == [
        other.email
    ]
    owner = Client(REMOTE_ADDR="192.0.2.50")
    assert sign_in(owner, PASSWORD).status_code == 302


def test_a_provider_cannot_unlock_an_account(user, provider_client, settings):
    spread(settings.AXES_ACCOUNT_FAILURE_LIMIT)
    count = AccessAttempt.objects.count()

    response = unlock(provider_client, user)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert AccessAttempt.objects.count() == count
    assert sign_in(Client(REMOTE_ADDR="192.0.2.50"), PASSWORD).status_code == 429


def test_staff_cannot_unlock_the_pcc_but_a_superuser_can(staff_client, settings):
    # Unlocking lets guessing start again: for the OPCC's own accounts that is a superuser's call.
    pcc = UserFactory(email="pcc@example.org", roles=[Role.PCC])
    spread(settings.AXES_ACCOUNT_FAILURE_LIMIT, email=pcc.email)
    count = AccessAttempt.objects.count()

    response = unlock(staff_client, pcc)
    page = staff_client.get(response.url).content.decode()
    assert "Not unlocked: pcc@example.org. Only a superuser may unlock" in page
    assert AccessAttempt.objects.count() == count

    superuser = Client()
    superuser.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert unlock(superuser, pcc).status_code == 302
    assert AccessAttempt.objects.count() == 0
    assert sign_in(Client(REMOTE_ADDR="192.0.2.50"), PASSWORD, email=pcc.email).status_code == 302


def test_after_an_unlock_a_new_lock_emails_again(user, staff_client, settings, mailoutbox):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    spread(limit)
    unlock(staff_client, user)
    spread(limit, start=100)

    assert len(mailoutbox) == 2

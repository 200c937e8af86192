"""The PCC's signature is a password re-entered: it is throttled like a sign-in, so a stolen
session cannot be used to guess the password and sign."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord, DecisionStatusChange
from tests.factories.partners import PASSWORD

# The lockout email is a task: run it here, into the test mailbox.
pytestmark = pytest.mark.usefixtures("eager_celery")

WRONG = {"outcome": "approved", "declaration": "None", "password": "not-the-password"}
RIGHT = {**WRONG, "password": PASSWORD}


def test_five_wrong_signing_passwords_lock_signing_and_sign_in(client_as, pcc_user, make_record):
    record = make_record(DecisionStatus.AWAITING_SIGNATURE)
    client = client_as(pcc_user)
    url = f"/staff/decisions/{record.pk}/sign/"

    for _ in range(4):
        response = client.post(url, WRONG)
        assert response.status_code == 400
        assert "The password is not right" in response.content.decode()
    assert AccessAttempt.objects.get().failures_since_start == 4

    assert client.post(url, WRONG).status_code == 429
    # Locked out: the right password no longer signs, and nothing moved.
    response = client.post(url, RIGHT)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.signed_at) == (DecisionStatus.AWAITING_SIGNATURE, None)
    assert not DecisionStatusChange.objects.filter(to_status=DecisionStatus.SIGNED).exists()

    # Signing in afresh with the PCC's address is paused too.
    response = Client().post("/accounts/login/", {"username": pcc_user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_the_right_signing_password_after_a_wrong_one_signs(client_as, pcc_user, make_record):
    record = make_record(DecisionStatus.AWAITING_SIGNATURE)
    client = client_as(pcc_user)
    url = f"/staff/decisions/{record.pk}/sign/"

    assert client.post(url, WRONG).status_code == 400
    response = client.post(url, RIGHT)

    assert response.status_code == 302
    record = DecisionRecord.objects.get(pk=record.pk)
    assert record.status == DecisionStatus.PUBLISHED
    assert record.signed_by == pcc_user


def test_five_wrong_signing_passwords_from_five_addresses_lock_signing(
    client_as, pcc_user, make_record, mailoutbox
):
    # A stolen session is not tied to an address: the count is the account's, wherever the
    # guesses come from.
    record = make_record(DecisionStatus.AWAITING_SIGNATURE)
    client = client_as(pcc_user)
    url = f"/staff/decisions/{record.pk}/sign/"

    for n in range(1, 5):
        response = client.post(url, WRONG, REMOTE_ADDR=f"203.0.113.{n}")
        assert response.status_code == 400
        assert "The password is not right" in response.content.decode()
    assert client.post(url, WRONG, REMOTE_ADDR="203.0.113.5").status_code == 429

    response = client.post(url, RIGHT, REMOTE_ADDR="203.0.113.6")

    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.signed_at) == (DecisionStatus.AWAITING_SIGNATURE, None)
    assert not DecisionStatusChange.objects.filter(to_status=DecisionStatus.SIGNED).exists()
    # The PCC hears of it, once.
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([pcc_user.email], "Confirming with your password is paused")
    ]


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_signing_lock_counts_forwarded_addresses_behind_a_proxy(client_as, pcc_user, make_record):
    record = make_record(DecisionStatus.AWAITING_SIGNATURE)
    client = client_as(pcc_user)
    url = f"/staff/decisions/{record.pk}/sign/"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    for n in range(1, 5):
        response = client.post(url, WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", **proxy)
        assert response.status_code == 400
    response = client.post(url, WRONG, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert response.status_code == 429
    assert AccessAttempt.objects.count() == 5

    response = client.post(url, RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert response.status_code == 429
    assert DecisionRecord.objects.get(pk=record.pk).status == DecisionStatus.AWAITING_SIGNATURE

"""Sign-up does not reveal who has an account: a new and an existing address get the same
answer, and what differs goes to the address itself, by email. A new account is usable only
once the link sent to its address is followed, so signing in afterwards tells nothing either."""

import re

import pytest
from django.test import Client

from partners.enums import Role
from partners.models import User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

SIGNUP = "/accounts/signup/"
SENT = "/accounts/signup/sent/"
NEW_PASSWORD = "lantern-orchard-quietly-9"
EXISTING = "ann.provider@example.org"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
LINK = re.compile(r"http://testserver(/accounts/signup/confirm/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def existing(db):
    user = UserFactory(email=EXISTING, full_name="Ann Provider", roles=[Role.PROVIDER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name="Seaham Street Sport"))
    return user


def sign_up(client, email, *, full_name="Alice Smith", password=NEW_PASSWORD):
    data = {"full_name": full_name, "email": email, "password1": password, "password2": password}
    return client.post(SIGNUP, data)


@pytest.fixture
def signed_up(django_capture_on_commit_callbacks):
    """signed_up(client, email, …): posts the sign-up form; mail is sent once it commits."""

    def post(client, email, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return sign_up(client, email, **kwargs)

    return post


def confirm_link(message):
    return LINK.search(message.body).group(1)


def test_a_new_and_an_existing_address_get_the_same_answer(existing, signed_up):
    answers = {}
    for email in ("new.person@example.org", "Ann.Provider@EXAMPLE.org"):
        client = Client()
        response = signed_up(client, email)
        page = client.get(response["Location"])
        answers[email] = (
            response.status_code,
            response["Location"],
            sorted(response.cookies),
            page.status_code,
            CSRF.sub("", page.content.decode()),
            "_auth_user_id" in client.session,
        )

    new, old = answers.values()
    assert new == old
    assert new[:2] == (302, SENT)
    assert new[5] is False
    assert "Check your email" in new[4]


def test_an_existing_address_is_emailed_and_its_account_left_alone(existing, signed_up, mailoutbox):
    before = User.objects.values().get(pk=existing.pk)
    groups = list(existing.groups.values_list("name", flat=True))

    signed_up(Client(), "Ann.Provider@EXAMPLE.org", full_name="Mallory", password="taken-over-99")

    assert User.objects.count() == 1
    assert User.objects.values().get(pk=existing.pk) == before  # password hash, name, active…
    assert list(existing.groups.values_list("name", flat=True)) == groups
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [EXISTING]
    assert email.subject == "You already have an account"
    assert "http://testserver/accounts/login/" in email.body
    assert "http://testserver/accounts/password-reset/" in email.body
    assert "/accounts/signup/confirm/" not in email.body
    assert "taken-over-99" not in email.body


def test_a_new_address_gets_an_account_once_the_emailed_link_is_followed(db, signed_up, mailoutbox):
    client = Client()
    signed_up(client, "Alice@Example.ORG")

    user = User.objects.get()
    assert (user.email, user.full_name, user.is_active) == (
        "alice@example.org",
        "Alice Smith",
        False,
    )
    assert user.check_password(NEW_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [Role.PROVIDER]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["alice@example.org"], "Confirm your email address")
    ]
    link = confirm_link(mailoutbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm and continue" in page.content.decode()
    response = client.post(link)

    assert response.status_code == 302
    assert response.url == "/organisations/register/"
    user.refresh_from_db()
    assert user.is_active
    follow = client.get(response.url)
    assert follow.wsgi_request.user == user
    assert "Your account is ready. Now tell us about your organisation." in follow.content.decode()
    # The link works once.
    client.post("/accounts/logout/")
    again = Client().post(link)
    assert again.status_code == 400
    assert "This link has expired or has already been used" in again.content.decode()


def test_before_the_link_is_followed_signing_in_fails_like_a_wrong_password(db, signed_up):
    # Otherwise signing up and then signing in would tell a new address from an existing one.
    signed_up(Client(), "alice@example.org")

    response = Client().post(
        "/accounts/login/", {"username": "alice@example.org", "password": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert "The email address or password is not right" in response.content.decode()


def test_signing_up_again_before_confirming_replaces_the_details_and_the_link(
    db, signed_up, mailoutbox
):
    # Whoever signed up first (perhaps not the address's owner) cannot keep their password.
    signed_up(Client(), "alice@example.org", full_name="Mallory", password="mallory-knows-it-1")
    signed_up(Client(), "alice@example.org")

    user = User.objects.get()
    assert user.full_name == "Alice Smith"
    assert user.check_password(NEW_PASSWORD)
    first, second = (confirm_link(m) for m in mailoutbox)
    assert Client().post(first).status_code == 400
    assert Client().post(second).status_code == 302
    user.refresh_from_db()
    assert user.is_active


def test_a_deactivated_account_is_not_reopened_by_signing_up(db, signed_up, mailoutbox):
    user = UserFactory(email="pat@example.org", is_active=False, roles=[Role.PANEL_MEMBER])
    before = User.objects.values().get(pk=user.pk)

    signed_up(Client(), "pat@example.org")

    assert User.objects.values().get(pk=user.pk) == before
    assert [m.subject for m in mailoutbox] == ["You already have an account"]


def test_a_confirm_link_with_a_wrong_token_changes_nothing(db, signed_up, mailoutbox):
    signed_up(Client(), "alice@example.org")
    link = confirm_link(mailoutbox[0])
    forged = link.rsplit("/", 2)[0] + "/not-the-token/"

    assert "This link has expired" in Client().get(forged).content.decode()
    assert Client().post(forged).status_code == 400
    assert User.objects.get().is_active is False

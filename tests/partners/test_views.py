"""partners.views through HTTP: signing up, registering an organisation and joining one."""

import pytest
from django.urls import reverse

from partners.enums import MembershipStatus, OrganisationKind, Role, VerificationStatus
from partners.models import Membership, Organisation, User
from tests.factories import OrganisationFactory, UserFactory

NEW_PASSWORD = "lantern-orchard-quietly-9"
ERROR_SUMMARY = "There is a problem"


def _signup_data(**overrides):
    data = {
        "full_name": "Alice Smith",
        "email": "Alice@Example.ORG",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def _organisation_data(**overrides):
    data = {
        "name": "Easington Youth Boxing",
        "kind": OrganisationKind.COMMUNITY_GROUP.value,
        "charity_number": "",
        "company_number": "",
        "address_line_1": "1 Church Street",
        "address_line_2": "",
        "town": "Easington",
        "postcode": " sr8  3aa ",
        "email": "",
        "website": "",
    }
    data.update(overrides)
    return data


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- sign-up ------------------------------------------------------------------------


def test_signup_makes_an_account_waiting_for_its_link_and_says_check_your_email(client, db):
    response = client.post(reverse("partners:signup"), _signup_data())
    assert response.status_code == 302
    assert response.url == reverse("partners:signup-sent")
    user = User.objects.get()
    assert user.email == "alice@example.org"
    assert user.full_name == "Alice Smith"
    assert user.check_password(NEW_PASSWORD)
    assert user.is_active is False
    assert list(user.groups.values_list("name", flat=True)) == [Role.PROVIDER]
    assert _signed_in_user_id(client) is None
    follow = client.get(response.url)
    assert follow.status_code == 200
    assert "Check your email" in follow.content.decode()


def test_signup_page_redirects_a_signed_in_person_home(provider_client):
    response = provider_client.get(reverse("partners:signup"))
    assert response.status_code == 302
    assert response.url == reverse("home")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"email": "not-an-email"},
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"email": ""}, "Enter your email address"),
        ({"password1": "password123", "password2": "password123"}, "This password is too common."),
        (
            {"password1": "12345678901", "password2": "12345678901"},
            "This password is entirely numeric.",
        ),
        (
            {"password1": "short-9", "password2": "short-9"},
            "This password is too short. It must contain at least 10 characters.",
        ),
        ({"password2": NEW_PASSWORD + "x"}, "The two passwords do not match"),
    ],
)
def test_signup_invalid_shows_error_and_saves_nothing(client, db, overrides, message):
    users_before = User.objects.count()
    response = client.post(reverse("partners:signup"), _signup_data(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert ERROR_SUMMARY in html
    assert message in html
    assert User.objects.count() == users_before
    assert _signed_in_user_id(client) is None


def test_signup_with_an_existing_email_in_other_case_answers_as_for_a_new_one(client, db):
    # tests/partners/test_signup_privacy.py has the rest: the same page, and an email.
    UserFactory(email="alice@example.org")
    response = client.post(reverse("partners:signup"), _signup_data(email="ALICE@EXAMPLE.ORG"))
    assert response.status_code == 302
    assert response.url == reverse("partners:signup-sent")
    page = client.get(response.url).content.decode()
    assert "An account with this email address already exists" not in page
    assert User.objects.count() == 1
    assert _signed_in_user_id(client) is None


# --- organisation registration ---------------------------------------------------------


def test_organisation_register_valid_community_group(provider_client, provider_user):
    response = provider_client.post(reverse("partners:organisation-register"), _organisation_data())
    assert response.status_code == 302
    assert response.url == reverse("partners:organisations-mine")
    organisation = Organisation.objects.get(name="Easington Youth Boxing")
    assert organisation.kind == OrganisationKind.COMMUNITY_GROUP
    assert organisation.verification_status == VerificationStatus.PENDING
    assert organisation.postcode == "SR8 3AA"
    assert organisation.created_by == provider_user
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.status) == (provider_user, MembershipStatus.ACTIVE)


def test_organisation_register_valid_charity_normalises_number(provider_client):
    response = provider_client.post(
        reverse("partners:organisation-register"),
        _organisation_data(
            name="Darlington Youth Mentoring Trust",
            kind=OrganisationKind.REGISTERED_CHARITY.value,
            charity_number="1123 456",
        ),
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Darlington Youth Mentoring Trust")
    assert organisation.charity_number == "1123456"
    assert organisation.org_id == "GB-CHC-1123456"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"kind": OrganisationKind.REGISTERED_CHARITY.value, "charity_number": "12AB"},
            "Enter a charity number of 6 or 7 digits, like 1123456",
        ),
        (
            {"kind": OrganisationKind.COMPANY.value, "company_number": "ABC123"},
            "Enter a company number of 8 characters, like 01234567 or SC123456",
        ),
        (
            {"kind": OrganisationKind.COMPANY.value, "company_number": "000"},
            "Enter a company number of 8 characters, like 01234567 or SC123456",
        ),
        (
            {"kind": OrganisationKind.REGISTERED_CHARITY.value},
            "Enter the charity number of a registered charity or CIO",
        ),
        (
            {"kind": OrganisationKind.COMMUNITY_GROUP.value, "charity_number": "1123456"},
            "An organisation with a charity or company number is registered: "
            "choose its registered kind",
        ),
        ({"kind": OrganisationKind.POLICE.value}, "Select a valid choice."),
    ],
)
def test_organisation_register_invalid_shows_error_and_saves_nothing(
    provider_client, overrides, message
):
    organisations_before = Organisation.objects.count()
    response = provider_client.post(
        reverse("partners:organisation-register"), _organisation_data(**overrides)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert ERROR_SUMMARY in html
    assert message in html
    assert Organisation.objects.count() == organisations_before


def test_organisation_register_duplicate_charity_number_refused(provider_client):
    OrganisationFactory(charity=True, charity_number="1123456")
    organisations_before = Organisation.objects.count()
    response = provider_client.post(
        reverse("partners:organisation-register"),
        _organisation_data(
            kind=OrganisationKind.REGISTERED_CHARITY.value, charity_number="1123456"
        ),
    )
    assert response.status_code == 200
    assert (
        "An organisation with this charity number is already registered: ask to join it instead"
        in response.content.decode()
    )
    assert Organisation.objects.count() == organisations_before


def test_organisation_register_anonymous_redirected_to_login(client, db):
    path = reverse("partners:organisation-register")
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={path}"
    response = client.post(path, _organisation_data())
    assert response.status_code == 302
    assert Organisation.objects.count() == 0


# Regression: partners/validators.py accepts non-ASCII digits (\d is Unicode-aware), so a
# charity number typed with a full-width digit registers a second organisation under a
# charity number that is already registered (and gives it a broken org-id).
def test_organisation_register_refuses_duplicate_charity_number_in_full_width_digits(
    provider_client,
):
    OrganisationFactory(charity=True, charity_number="1123456")
    organisations_before = Organisation.objects.count()
    response = provider_client.post(
        reverse("partners:organisation-register"),
        _organisation_data(
            name="Impostor Trust",
            kind=OrganisationKind.REGISTERED_CHARITY.value,
            charity_number="1\uff11\uff12\uff13\uff14\uff15\uff16",
        ),
    )
    assert response.status_code == 200
    assert Organisation.objects.count() == organisations_before


# --- joining ---------------------------------------------------------------------------


def test_organisation_join_by_charity_number_requests_membership(db, make_client):
    user = UserFactory()
    organisation = OrganisationFactory(
        name="Darlington Youth Mentoring Trust", charity=True, charity_number="1123456"
    )
    client = make_client(user)
    response = client.post(reverse("partners:organisation-join"), {"identifier": " 1123 456 "})
    assert response.status_code == 302
    assert response.url == reverse("partners:organisations-mine")
    membership = Membership.objects.get(user=user)
    assert membership.organisation == organisation
    assert membership.status == MembershipStatus.REQUESTED
    page = client.get(response.url).content.decode()
    assert "You have asked to join Darlington Youth Mentoring Trust" in page


def test_organisation_join_by_exact_name_ignoring_case(db, make_client):
    user = UserFactory()
    organisation = OrganisationFactory(name="Seaham Street Sport")
    response = make_client(user).post(
        reverse("partners:organisation-join"), {"identifier": "seaham street sport"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=user).organisation == organisation


def test_organisation_join_unknown_identifier_shows_error(db, make_client):
    user = UserFactory()
    OrganisationFactory(charity=True, charity_number="1123456")
    response = make_client(user).post(
        reverse("partners:organisation-join"), {"identifier": "7654321"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert ERROR_SUMMARY in html
    assert "No registered organisation matches. Check the number or name, or register it" in html
    assert Membership.objects.filter(user=user).count() == 0


def test_organisation_join_twice_shows_service_error(db, make_client):
    user = UserFactory()
    OrganisationFactory(name="Seaham Street Sport")
    client = make_client(user)
    client.post(reverse("partners:organisation-join"), {"identifier": "Seaham Street Sport"})
    response = client.post(
        reverse("partners:organisation-join"), {"identifier": "Seaham Street Sport"}
    )
    assert response.status_code == 200
    assert (
        "You have already asked to join Seaham Street Sport (asked to join)"
        in response.content.decode()
    )
    assert Membership.objects.filter(user=user).count() == 1


def test_organisation_join_rejected_organisation_not_found(db, make_client):
    user = UserFactory()
    OrganisationFactory(name="Closed Club", verification_status=VerificationStatus.REJECTED)
    response = make_client(user).post(
        reverse("partners:organisation-join"), {"identifier": "Closed Club"}
    )
    assert response.status_code == 200
    assert "No registered organisation matches" in response.content.decode()
    assert Membership.objects.filter(user=user).count() == 0


def test_organisations_mine_lists_only_own_memberships(provider_client, pending_organisation):
    html = provider_client.get(reverse("partners:organisations-mine")).content.decode()
    assert "Seaham Street Sport" in html
    assert pending_organisation.name not in html

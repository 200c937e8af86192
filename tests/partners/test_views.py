import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.enums import MembershipStatus, OrganisationKind, Role, VerificationStatus
from partners.models import Membership, Organisation, OrganisationStatusChange, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

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


# --- staff verification ------------------------------------------------------------------


def test_staff_verify_pending_organisation(staff_client, staff_user, pending_organisation):
    response = staff_client.post(
        reverse("partners:organisation-verify", args=[pending_organisation.pk]),
        {"to_status": VerificationStatus.VERIFIED.value, "reason": ""},
    )
    assert response.status_code == 302
    assert response.url == reverse("partners:organisation-detail", args=[pending_organisation.pk])
    pending_organisation.refresh_from_db()
    assert pending_organisation.verification_status == VerificationStatus.VERIFIED
    assert pending_organisation.verified_by == staff_user
    change = OrganisationStatusChange.objects.get()
    assert (change.organisation, change.from_status, change.to_status, change.changed_by) == (
        pending_organisation,
        VerificationStatus.PENDING,
        VerificationStatus.VERIFIED,
        staff_user,
    )


def test_staff_reject_without_reason_is_400(staff_client, pending_organisation):
    response = staff_client.post(
        reverse("partners:organisation-verify", args=[pending_organisation.pk]),
        {"to_status": VerificationStatus.REJECTED.value, "reason": "  "},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert ERROR_SUMMARY in html
    assert "Give the reason the organisation is not verified" in html
    pending_organisation.refresh_from_db()
    assert pending_organisation.verification_status == VerificationStatus.PENDING
    assert OrganisationStatusChange.objects.count() == 0


def test_staff_reject_with_reason_records_it(staff_client, pending_organisation):
    response = staff_client.post(
        reverse("partners:organisation-verify", args=[pending_organisation.pk]),
        {"to_status": VerificationStatus.REJECTED.value, "reason": "Not on the register"},
    )
    assert response.status_code == 302
    pending_organisation.refresh_from_db()
    assert pending_organisation.verification_status == VerificationStatus.REJECTED
    assert OrganisationStatusChange.objects.get().reason == "Not on the register"
    detail = staff_client.get(response.url).content.decode()
    assert "“Not on the register”" in detail


def test_staff_verify_twice_is_400_with_message(staff_client, pending_organisation):
    url = reverse("partners:organisation-verify", args=[pending_organisation.pk])
    staff_client.post(url, {"to_status": VerificationStatus.VERIFIED.value})
    response = staff_client.post(url, {"to_status": VerificationStatus.VERIFIED.value})
    assert response.status_code == 400
    assert (
        "An organisation that is verified cannot move to verified" in response.content.decode()
    )
    assert OrganisationStatusChange.objects.count() == 1


def test_staff_verify_get_not_allowed(staff_client, pending_organisation):
    response = staff_client.get(
        reverse("partners:organisation-verify", args=[pending_organisation.pk])
    )
    assert response.status_code == 405


def test_staff_membership_decide_accepts(staff_client, staff_user, requested_membership):
    response = staff_client.post(
        reverse("partners:membership-decide", args=[requested_membership.pk]), {"accept": "yes"}
    )
    assert response.status_code == 302
    assert response.url == reverse(
        "partners:organisation-detail", args=[requested_membership.organisation_id]
    )
    requested_membership.refresh_from_db()
    assert requested_membership.status == MembershipStatus.ACTIVE
    assert requested_membership.decided_by == staff_user


def test_staff_membership_decide_refuses(staff_client, requested_membership):
    staff_client.post(
        reverse("partners:membership-decide", args=[requested_membership.pk]), {"accept": "no"}
    )
    requested_membership.refresh_from_db()
    assert requested_membership.status == MembershipStatus.REFUSED


def test_staff_list_shows_organisations_and_filters(staff_client, pending_organisation):
    OrganisationFactory(name="Seaham Street Sport")
    url = reverse("partners:organisations")
    html = staff_client.get(url).content.decode()
    assert pending_organisation.name in html
    assert "Seaham Street Sport" in html
    pending_only = staff_client.get(url, {"status": "pending"}).content.decode()
    assert pending_organisation.name in pending_only
    assert "Seaham Street Sport" not in pending_only
    by_number = staff_client.get(url, {"q": "1099887"}).content.decode()
    assert pending_organisation.name in by_number
    assert "Seaham Street Sport" not in by_number


def test_staff_detail_shows_members_and_decide_buttons(staff_client, requested_membership):
    response = staff_client.get(
        reverse("partners:organisation-detail", args=[requested_membership.organisation_id])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "applicant@example.org" in html
    assert reverse("partners:membership-decide", args=[requested_membership.pk]) in html


# Regression: partners/selectors.py organisations_for_staff matches company_number against
# query.upper() only, without normalise_company_number, so staff searching the number
# people usually type ("1234567" or "SC 123456") do not find company 01234567 / SC123456.
def test_staff_list_search_finds_company_number_without_leading_zero(staff_client):
    OrganisationFactory(name="Safer Nights North East CIC", company=True, company_number="01234567")
    html = staff_client.get(reverse("partners:organisations"), {"q": "1234567"}).content.decode()
    assert "Safer Nights North East CIC" in html


# --- permissions over HTTP -----------------------------------------------------------------


@pytest.fixture(params=["provider", "panel member"])
def outsider(request, provider_user, panel_user):
    """A signed-in person who is not OPCC staff."""
    return {"provider": provider_user, "panel member": panel_user}[request.param]


def test_outsider_gets_403_on_staff_list_without_leaking(
    outsider, make_client, pending_organisation, requested_membership
):
    response = make_client(outsider).get(reverse("partners:organisations"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html
    assert pending_organisation.name not in html
    assert "applicant@example.org" not in html
    assert "1099887" not in html


def test_outsider_gets_403_on_staff_detail(
    outsider, make_client, pending_organisation, requested_membership
):
    response = make_client(outsider).get(
        reverse("partners:organisation-detail", args=[pending_organisation.pk])
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert pending_organisation.name not in html
    assert "applicant@example.org" not in html


@pytest.mark.parametrize("to_status", ["verified", "rejected"])
def test_outsider_cannot_verify(outsider, make_client, pending_organisation, to_status):
    response = make_client(outsider).post(
        reverse("partners:organisation-verify", args=[pending_organisation.pk]),
        {"to_status": to_status, "reason": "Because I can"},
    )
    assert response.status_code == 403
    pending_organisation.refresh_from_db()
    assert pending_organisation.verification_status == VerificationStatus.PENDING
    assert pending_organisation.verified_by is None
    assert OrganisationStatusChange.objects.count() == 0


def test_outsider_cannot_decide_membership(outsider, make_client, requested_membership):
    response = make_client(outsider).post(
        reverse("partners:membership-decide", args=[requested_membership.pk]), {"accept": "yes"}
    )
    assert response.status_code == 403
    requested_membership.refresh_from_db()
    assert requested_membership.status == MembershipStatus.REQUESTED
    assert requested_membership.decided_by is None


def test_provider_cannot_accept_own_request_to_join(db, make_client, pending_organisation):
    # A person asking to join must not be able to let themselves in.
    user = UserFactory(roles=[Role.PROVIDER])
    client = make_client(user)
    client.post(reverse("partners:organisation-join"), {"identifier": "1099887"})
    membership = Membership.objects.get(user=user)
    response = client.post(
        reverse("partners:membership-decide", args=[membership.pk]), {"accept": "yes"}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REQUESTED


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.PCC])
def test_other_opcc_roles_cannot_verify(db, make_client, pending_organisation, role):
    response = make_client(UserFactory(roles=[role])).post(
        reverse("partners:organisation-verify", args=[pending_organisation.pk]),
        {"to_status": "verified"},
    )
    assert response.status_code == 403
    pending_organisation.refresh_from_db()
    assert pending_organisation.verification_status == VerificationStatus.PENDING


def test_anonymous_redirected_to_login_from_staff_pages(
    client, pending_organisation, requested_membership
):
    list_path = reverse("partners:organisations")
    detail_path = reverse("partners:organisation-detail", args=[pending_organisation.pk])
    verify_path = reverse("partners:organisation-verify", args=[pending_organisation.pk])
    decide_path = reverse("partners:membership-decide", args=[requested_membership.pk])
    for method, path in [
        (client.get, list_path),
        (client.get, detail_path),
        (client.post, verify_path),
        (client.post, decide_path),
    ]:
        response = method(path, {"to_status": "verified", "accept": "yes"})
        assert response.status_code == 302, path
        assert response.url.startswith(f"/accounts/login/?next={path}"), path
    pending_organisation.refresh_from_db()
    requested_membership.refresh_from_db()
    assert pending_organisation.verification_status == VerificationStatus.PENDING
    assert requested_membership.status == MembershipStatus.REQUESTED


@pytest.mark.parametrize("name", ["organisations-mine", "organisation-join"])
def test_anonymous_redirected_to_login_from_provider_pages(client, db, name):
    path = reverse(f"partners:{name}")
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={path}"


# --- sign-in and sign-out --------------------------------------------------------------------


def test_sign_in_with_upper_case_email(client, provider_user, password):
    response = client.post(
        "/accounts/login/", {"username": "PROVIDER@EXAMPLE.ORG", "password": password}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _signed_in_user_id(client) == str(provider_user.pk)


def test_sign_in_wrong_password_refused(client, provider_user):
    response = client.post(
        "/accounts/login/", {"username": "provider@example.org", "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert ERROR_SUMMARY in html
    assert "The email address or password is not right" in html
    assert "case-sensitive" not in html
    assert _signed_in_user_id(client) is None


def test_sign_in_inactive_user_refused(client, db, password):
    UserFactory(email="gone@example.org", is_active=False)
    response = client.post(
        "/accounts/login/", {"username": "gone@example.org", "password": password}
    )
    assert response.status_code == 200
    assert _signed_in_user_id(client) is None


def test_sign_out_is_a_post(provider_client):
    assert provider_client.get("/accounts/logout/").status_code == 405
    assert _signed_in_user_id(provider_client) is not None
    response = provider_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _signed_in_user_id(provider_client) is None


# --- password reset ----------------------------------------------------------------------------


def test_password_reset_sends_one_link_that_sets_a_new_password(
    client, provider_user, password, mailoutbox
):
    response = client.post(reverse("password_reset"), {"email": "Provider@Example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["provider@example.org"]
    match = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match is not None, message.body

    link = client.get(match.group(1))
    assert link.status_code == 302
    set_password_url = link.url
    assert set_password_url.endswith("/set-password/")
    page = client.get(set_password_url)
    assert "Set a new password" in page.content.decode()
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")

    provider_user.refresh_from_db()
    assert provider_user.check_password(NEW_PASSWORD)
    old = client.post("/accounts/login/", {"username": provider_user.email, "password": password})
    assert old.status_code == 200
    new = client.post(
        "/accounts/login/", {"username": provider_user.email, "password": NEW_PASSWORD}
    )
    assert new.status_code == 302
    assert _signed_in_user_id(client) == str(provider_user.pk)

    # The link works once.
    again = client.get(match.group(1), follow=True)
    assert "The link has expired" in again.content.decode()


def test_password_reset_unknown_email_sends_nothing_but_same_page(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert "Check your email" in response.content.decode()
    assert mailoutbox == []


def test_password_reset_subject_names_the_service_not_the_host(client, provider_user, mailoutbox):
    client.post(reverse("password_reset"), {"email": "provider@example.org"})
    assert [message.subject for message in mailoutbox] == [
        "Reset your password for the Serious Violence Duty grants portal"
    ]


# --- admin -------------------------------------------------------------------------------------


def test_admin_open_to_opcc_staff_without_is_staff(staff_client, staff_user, pending_organisation):
    assert staff_user.is_staff is False
    assert staff_user.is_superuser is False
    assert staff_client.get("/admin/").status_code == 200
    response = staff_client.get("/admin/partners/organisation/")
    assert response.status_code == 200
    assert pending_organisation.name in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/partners/organisation/", "/admin/partners/user/"]
)
def test_admin_closed_to_provider(provider_client, path):
    response = provider_client.get(path)
    assert response.status_code == 302
    assert response.url == f"/admin/login/?next={path}"


def test_admin_closed_to_panel_member(make_client, panel_user):
    response = make_client(panel_user).get("/admin/partners/organisation/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_admin_staff_cannot_delete_organisation(staff_client, pending_organisation):
    url = f"/admin/partners/organisation/{pending_organisation.pk}/delete/"
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Organisation.objects.filter(pk=pending_organisation.pk).exists()


def test_admin_staff_user_form_has_no_superuser_fields(staff_client, provider_user):
    response = staff_client.get(f"/admin/partners/user/{provider_user.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'name="is_superuser"' not in html
    assert 'name="is_staff"' not in html
    assert 'name="user_permissions"' not in html


def test_admin_superuser_user_form_has_superuser_fields(make_client, superuser, provider_user):
    response = make_client(superuser).get(f"/admin/partners/user/{provider_user.pk}/change/")
    assert response.status_code == 200
    assert 'name="is_superuser"' in response.content.decode()


def test_admin_staff_cannot_make_themselves_superuser(staff_client, staff_user):
    groups = [str(pk) for pk in staff_user.groups.values_list("pk", flat=True)]
    response = staff_client.post(
        f"/admin/partners/user/{staff_user.pk}/change/",
        {
            "email": staff_user.email,
            "full_name": staff_user.full_name,
            "is_active": "on",
            "groups": groups,
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    # A staff account is changed by a superuser only, their own included.
    assert response.status_code == 403
    staff_user.refresh_from_db()
    assert (staff_user.is_superuser, staff_user.is_staff) == (False, False)


@pytest.mark.parametrize("role", [Role.PCC, Role.CHIEF_EXECUTIVE, Role.OPCC_STAFF])
def test_admin_staff_cannot_change_the_account_of_a_privileged_role(staff_client, password, role):
    holder = UserFactory(email="holder@example.org", full_name="Morgan Reid", roles=[role])
    base = f"/admin/partners/user/{holder.pk}"

    # Staff may still look at the account, read-only.
    response = staff_client.get(f"{base}/change/")
    assert response.status_code == 200
    assert 'name="email"' not in response.content.decode()
    response = staff_client.post(
        f"{base}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 403
    response = staff_client.post(
        f"{base}/change/",
        {"email": "staff@example.org", "full_name": "Taken Over", "is_active": "on"},
    )
    assert response.status_code == 403

    holder.refresh_from_db()
    assert holder.check_password(password)
    assert (holder.email, holder.full_name) == ("holder@example.org", "Morgan Reid")
    assert list(holder.groups.values_list("name", flat=True)) == [role]


def test_admin_staff_cannot_grant_the_pcc_role(staff_client, provider_user):
    pcc = Group.objects.get(name=Role.PCC)
    response = staff_client.get(f"/admin/partners/user/{provider_user.pk}/change/")
    assert f'<option value="{pcc.pk}"' not in response.content.decode()

    response = staff_client.post(
        f"/admin/partners/user/{provider_user.pk}/change/",
        {
            "email": provider_user.email,
            "full_name": provider_user.full_name,
            "is_active": "on",
            "groups": [str(pcc.pk)],
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(provider_user.groups.values_list("name", flat=True)) == [Role.PROVIDER]


def test_admin_staff_can_make_a_provider_a_panel_member(staff_client, provider_user):
    groups = Group.objects.filter(name__in=[Role.PROVIDER, Role.PANEL_MEMBER])
    response = staff_client.post(
        f"/admin/partners/user/{provider_user.pk}/change/",
        {
            "email": provider_user.email,
            "full_name": provider_user.full_name,
            "is_active": "on",
            "groups": [str(group.pk) for group in groups],
        },
    )
    assert response.status_code == 302
    assert sorted(provider_user.groups.values_list("name", flat=True)) == sorted(
        [Role.PANEL_MEMBER, Role.PROVIDER]
    )


def test_admin_superuser_can_grant_the_pcc_role(make_client, superuser, provider_user):
    pcc = Group.objects.get(name=Role.PCC)
    response = make_client(superuser).post(
        f"/admin/partners/user/{provider_user.pk}/change/",
        {
            "email": provider_user.email,
            "full_name": provider_user.full_name,
            "is_active": "on",
            "groups": [str(pcc.pk)],
        },
    )
    assert response.status_code == 302
    assert list(provider_user.groups.values_list("name", flat=True)) == [Role.PCC]


def test_admin_staff_can_add_a_user(staff_client):
    response = staff_client.post(
        "/admin/partners/user/add/",
        {
            "email": "new.officer@example.org",
            "full_name": "New Officer",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.officer@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert (user.is_staff, user.is_superuser) == (False, False)


# Regression: partners/admin.py UserAdmin (with partners/rules.py "partners.change_user") lets any
# OPCC staff user change *every* user, superusers included: the password view
# /admin/partners/user/<superuser>/password/ sets a superuser's password, so staff can
# take over a superuser account despite the "only a superuser can make a superuser" rule.
def test_admin_staff_cannot_change_a_superusers_password(staff_client, superuser, password):
    url = f"/admin/partners/user/{superuser.pk}/password/"
    response = staff_client.post(
        url,
        {
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "set-password": "Change password",
        },
    )
    superuser.refresh_from_db()
    assert superuser.check_password(password)
    assert response.status_code == 403


# --- query count -------------------------------------------------------------------------------


def test_staff_list_query_count_does_not_grow_with_rows(staff_client, django_assert_num_queries):
    url = reverse("partners:organisations")
    MembershipFactory(
        organisation=OrganisationFactory(charity=True), status=MembershipStatus.REQUESTED
    )
    staff_client.get(url)  # warm up: session and content types
    with CaptureQueriesContext(connection) as one_row:
        response = staff_client.get(url)
    assert "1 organisation<" in response.content.decode()

    for index in range(29):
        organisation = OrganisationFactory(company=True) if index % 2 else OrganisationFactory()
        MembershipFactory(organisation=organisation, status=MembershipStatus.REQUESTED)
    with django_assert_num_queries(len(one_row)):
        response = staff_client.get(url)
    assert "30 organisations<" in response.content.decode()
    assert len(response.context["organisations"]) == 30

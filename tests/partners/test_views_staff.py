"""The partners pages for OPCC staff through HTTP: verifying organisations and memberships,
the admin, and the query count of the lists."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.enums import MembershipStatus, Role, VerificationStatus
from partners.models import Organisation, OrganisationStatusChange, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

NEW_PASSWORD = "lantern-orchard-quietly-9"
ERROR_SUMMARY = "There is a problem"


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
    assert "An organisation that is verified cannot move to verified" in response.content.decode()
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

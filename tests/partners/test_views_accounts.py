"""Who reaches the partners pages (providers and panel members on staff pages), signing in
and out, and resetting a password, through HTTP."""

import re

import pytest
from django.urls import reverse

from partners.enums import MembershipStatus, Role, VerificationStatus
from partners.models import Membership, OrganisationStatusChange
from tests.factories import UserFactory

NEW_PASSWORD = "lantern-orchard-quietly-9"
ERROR_SUMMARY = "There is a problem"


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


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

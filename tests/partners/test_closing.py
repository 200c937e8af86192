"""Closing one's own account over HTTP (/accounts/close/): the password again and a tick;
what goes and what stays; who may not (staff-side roles, the only member of an organisation
whose work is in progress), each refusal read on the page and nothing changed."""

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.enums import ApplicationStatus
from grants.models import Application
from partners import two_factor
from partners.closing import CLOSED_NAME
from partners.enums import Role
from partners.models import Membership, User
from svd_portal.models import AuditEvent, AuditKind
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.factories.partners import PASSWORD

URL = "/accounts/close/"
CLOSE = {"password": PASSWORD, "understood": "on"}


def snapshot(person):
    person = User.objects.get(pk=person.pk)
    return (
        person.email,
        person.full_name,
        person.is_active,
        person.password,
        person.closed_at,
        sorted(person.groups.values_list("name", flat=True)),
        Membership.objects.filter(user=person).count(),
    )


def test_a_provider_closes_their_account(client, provider_user):
    organisation = provider_user.memberships.get().organisation
    draft = ApplicationFactory(organisation=organisation, created_by=provider_user, title="Kept")
    two_factor.enrolment_device(provider_user)  # an app being set up: it goes too
    client.force_login(provider_user)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Close my account" in page.content.decode()

    answer = client.post(URL, CLOSE)

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/closed/"
    person = User.objects.get(pk=provider_user.pk)
    assert (
        person.email,
        person.full_name,
        person.is_active,
        person.is_staff,
        person.has_usable_password(),
        list(person.groups.all()),
        Membership.objects.filter(user=person).count(),
        TOTPDevice.objects.filter(user=person).count(),
        StaticDevice.objects.filter(user=person).count(),
        LogEntry.objects.get_for_object(person).count(),
    ) == (f"closed-{person.pk}@closed.invalid", CLOSED_NAME, False, False, False, [], 0, 0, 0, 0)
    assert person.closed_at is not None
    # Signed out, and out for good.
    assert client.get("/accounts/")["Location"].startswith("/accounts/login/")
    refused = client.post(
        "/accounts/login/", {"username": "provider@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 200
    # The organisation's application stays, no longer with a name on it.
    assert Application.objects.get(pk=draft.pk).created_by.full_name == CLOSED_NAME
    line = AuditEvent.objects.get(kind=AuditKind.ACCOUNT_CLOSED)
    assert (line.user_id, line.actor, line.summary, line.object_label) == (
        person.pk,
        person.email,
        "Closed the account themselves",
        f"{CLOSED_NAME} <{person.email}>",
    )
    assert client.get("/accounts/closed/").status_code == 200


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"password": "wrong-password", "understood": "on"}, "The password is not right"),
        ({"password": PASSWORD}, "Tick the box to say you understand it cannot be undone"),
        ({"understood": "on"}, "Enter your password to close your account"),
    ],
)
def test_a_wrong_password_or_no_tick_changes_nothing(client, provider_user, posted, message):
    before = snapshot(provider_user)
    client.force_login(provider_user)
    answer = client.post(URL, posted)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert snapshot(provider_user) == before
    assert client.get("/accounts/").status_code == 200


@pytest.mark.parametrize(
    "role", [Role.OPCC_STAFF, Role.CHIEF_EXECUTIVE, Role.PCC, Role.PANEL_MEMBER]
)
def test_staff_side_accounts_are_closed_by_the_opcc(client, role_groups, role):
    person = UserFactory(roles=[role])
    before = snapshot(person)
    client.force_login(person)
    page = client.get(URL)
    reason = "Your account has a role in the OPCC or on a scoring panel"
    assert reason in page.content.decode()
    assert "Close my account" not in page.content.decode()

    answer = client.post(URL, CLOSE)
    assert answer.status_code == 400
    assert reason in answer.content.decode()
    assert snapshot(person) == before


def test_the_only_member_of_an_organisation_with_work_in_progress_may_not(client, provider_user):
    organisation = provider_user.memberships.get().organisation
    ApplicationFactory(
        organisation=organisation,
        status=ApplicationStatus.SUBMITTED,
        submitted_at="2026-11-01T10:00Z",
    )
    before = snapshot(provider_user)
    client.force_login(provider_user)
    answer = client.post(URL, CLOSE)
    assert answer.status_code == 400
    assert (
        f"You are the only member of {organisation.name}, whose application or grant is in "
        "progress" in answer.content.decode()
    )
    assert snapshot(provider_user) == before

    # Once someone else there has joined, they may.
    MembershipFactory(organisation=organisation, user=UserFactory(roles=[Role.PROVIDER]))
    assert client.post(URL, CLOSE)["Location"] == "/accounts/closed/"


def test_a_member_of_an_organisation_without_work_in_progress_may(client, provider_user):
    organisation = provider_user.memberships.get().organisation
    ApplicationFactory(
        organisation=organisation,
        status=ApplicationStatus.DECLINED,
        submitted_at="2026-11-01T10:00Z",
    )
    client.force_login(provider_user)
    assert client.post(URL, CLOSE)["Location"] == "/accounts/closed/"


def test_signing_in_is_required(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    assert client.post(URL, CLOSE)["Location"].startswith("/accounts/login/")


# --- The OPCC closes what a person may not close themselves ------------------------------------


def test_a_superuser_closes_a_staff_account_in_the_admin(client, superuser, staff_user):
    theirs = Client()
    theirs.force_login(staff_user)
    client.force_login(superuser)
    answer = client.post(
        "/admin/partners/user/",
        {"action": "close_accounts", "_selected_action": [staff_user.pk, superuser.pk]},
    )
    assert answer.status_code == 302
    person = User.objects.get(pk=staff_user.pk)
    assert (person.email, person.is_active, list(person.groups.all())) == (
        f"closed-{person.pk}@closed.invalid",
        False,
        [],
    )
    assert User.objects.get(pk=superuser.pk).closed_at is None
    assert theirs.get("/staff/decisions/")["Location"].startswith("/accounts/login/")
    line = AuditEvent.objects.get(kind=AuditKind.ACCOUNT_CLOSED)
    assert (line.user_id, line.summary, line.object_id) == (
        superuser.pk,
        "Closed by a superuser",
        str(person.pk),
    )
    messages = [str(m) for m in get_messages(answer.wsgi_request)]
    assert messages == ["Your own account is not closed here.", "1 account closed."]


def test_staff_cannot_close_accounts_in_the_admin(client, staff_user, ceo_user):
    before = snapshot(ceo_user)
    client.force_login(staff_user)
    client.post(
        "/admin/partners/user/",
        {"action": "close_accounts", "_selected_action": [ceo_user.pk]},
    )
    assert snapshot(ceo_user) == before


def test_an_invited_expression_of_interest_does_not_hold_an_account_open(client, provider_user):
    organisation = provider_user.memberships.get().organisation
    ApplicationFactory(
        organisation=organisation,
        status=ApplicationStatus.INVITED,
        submitted_at="2026-11-01T10:00Z",
    )
    client.force_login(provider_user)
    assert client.post(URL, CLOSE)["Location"] == "/accounts/closed/"


def test_the_service_closes_someone_elses_account_only_for_a_superuser(staff_user, ceo_user):
    from django.core.exceptions import PermissionDenied

    from partners import closing

    before = snapshot(ceo_user)
    with pytest.raises(PermissionDenied):
        closing.close(ceo_user, why="Closed by staff", by=staff_user)
    assert snapshot(ceo_user) == before

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from partners import services
from partners.enums import MembershipStatus, OrganisationKind, Role, VerificationStatus
from partners.models import Membership, Organisation, OrganisationStatusChange, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

ADDRESS = {"address_line_1": "1 Church Street", "town": "Seaham", "postcode": "SR7 7AA"}


def _register(user, **overrides):
    fields = {"name": "Seaham Street Sport", "kind": OrganisationKind.COMMUNITY_GROUP, **ADDRESS}
    fields.update(overrides)
    return services.organisation_register(user=user, **fields)


# --- user_sign_up -------------------------------------------------------------


def test_user_sign_up_lowercases_email_and_grants_provider_inactive(db, password):
    services.user_sign_up(
        email="  Alice@Example.ORG ",
        full_name="  Alice Smith ",
        password=password,
        base_url="https://grants.example/",
    )
    user = User.objects.get()
    assert user.email == "alice@example.org"
    assert user.full_name == "Alice Smith"
    assert user.check_password(password)
    assert user.is_active is False
    assert list(user.groups.values_list("name", flat=True)) == [Role.PROVIDER]


def test_user_sign_up_leaves_an_existing_email_in_other_case_alone(
    db, password, django_capture_on_commit_callbacks, mailoutbox
):
    existing = UserFactory(email="alice@example.org", full_name="Alice Smith")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.user_sign_up(
            email="ALICE@example.org",
            full_name="Alice",
            password="another-password-7",
            base_url="https://grants.example/",
        )
    assert result is None
    user = User.objects.get()
    assert (user.full_name, user.password) == ("Alice Smith", existing.password)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["alice@example.org"], "You already have an account")
    ]
    assert "https://grants.example/accounts/password-reset/" in mailoutbox[0].body


def test_user_sign_up_confirm_activates_only_an_account_waiting_for_it(db, password):
    services.user_sign_up(
        email="alice@example.org", full_name="Alice", password=password, base_url="http://x/"
    )
    user = services.user_sign_up_confirm(user=User.objects.get())
    assert user.is_active is True
    with pytest.raises(ValidationError):
        services.user_sign_up_confirm(user=user)


# --- organisation_register ------------------------------------------------------


def test_organisation_register_creates_pending_org_with_active_member(db):
    user = UserFactory()
    organisation = _register(user, email="hello@seaham.example")
    organisation.refresh_from_db()
    assert organisation.name == "Seaham Street Sport"
    assert organisation.kind == OrganisationKind.COMMUNITY_GROUP
    assert organisation.verification_status == VerificationStatus.PENDING
    assert organisation.created_by == user
    assert organisation.email == "hello@seaham.example"
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user == user
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.decided_by == user
    assert membership.decided_at is not None
    assert user.groups.filter(name=Role.PROVIDER).exists()


def test_organisation_register_normalises_numbers(db):
    organisation = _register(
        UserFactory(),
        name="Darlington Youth Mentoring Trust",
        kind=OrganisationKind.REGISTERED_CHARITY,
        charity_number=" 1123 456 ",
        company_number="1234567",
    )
    organisation.refresh_from_db()
    assert organisation.charity_number == "1123456"
    assert organisation.company_number == "01234567"
    assert organisation.org_id == "GB-CHC-1123456"


@pytest.mark.parametrize("kind", [OrganisationKind.POLICE, OrganisationKind.OPCC, "nonsense"])
def test_organisation_register_refuses_non_provider_kind(db, kind):
    with pytest.raises(ValidationError) as excinfo:
        _register(UserFactory(), kind=kind)
    assert excinfo.value.message_dict == {
        "kind": ["Choose the kind of organisation you are registering"]
    }
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("kind", [OrganisationKind.REGISTERED_CHARITY, OrganisationKind.CIO])
def test_organisation_register_refuses_charity_kind_without_number(db, kind):
    with pytest.raises(ValidationError) as excinfo:
        _register(UserFactory(), kind=kind, charity_number="  ")
    assert excinfo.value.message_dict == {
        "charity_number": ["Enter the charity number of a registered charity or CIO"]
    }
    assert Organisation.objects.count() == 0


def test_organisation_register_refuses_company_kind_without_number(db):
    with pytest.raises(ValidationError) as excinfo:
        _register(UserFactory(), kind=OrganisationKind.COMPANY)
    assert excinfo.value.message_dict == {
        "company_number": ["Enter the company number of a company or CIC"]
    }
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("numbers", [{"charity_number": "1123456"}, {"company_number": "01234567"}])
def test_organisation_register_refuses_community_group_with_a_number(db, numbers):
    with pytest.raises(ValidationError) as excinfo:
        _register(UserFactory(), kind=OrganisationKind.COMMUNITY_GROUP, **numbers)
    assert excinfo.value.message_dict == {
        "kind": [
            "An organisation with a charity or company number is registered: "
            "choose its registered kind"
        ]
    }
    assert Organisation.objects.count() == 0


def test_organisation_register_refuses_duplicate_charity_number(db):
    OrganisationFactory(charity=True, charity_number="1123456")
    organisations_before = Organisation.objects.count()
    memberships_before = Membership.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        _register(
            UserFactory(),
            name="Copycat Trust",
            kind=OrganisationKind.REGISTERED_CHARITY,
            charity_number="1123 456",
        )
    assert excinfo.value.message_dict == {
        "charity_number": [
            "An organisation with this charity number is already registered: ask to join it instead"
        ]
    }
    assert Organisation.objects.count() == organisations_before
    assert Membership.objects.count() == memberships_before


def test_organisation_register_refuses_duplicate_company_number(db):
    OrganisationFactory(company=True, company_number="01234567")
    organisations_before = Organisation.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        _register(
            UserFactory(), name="Copycat Ltd", kind=OrganisationKind.CIC, company_number="1234567"
        )
    assert list(excinfo.value.message_dict) == ["company_number"]
    assert Organisation.objects.count() == organisations_before


def test_organisation_register_refuses_malformed_charity_number(db):
    with pytest.raises(ValidationError) as excinfo:
        _register(UserFactory(), kind=OrganisationKind.REGISTERED_CHARITY, charity_number="12AB")
    assert excinfo.value.message_dict["charity_number"] == [
        "Enter a charity number of 6 or 7 digits, like 1123456"
    ]
    assert Organisation.objects.count() == 0


# --- organisation_set_verification ------------------------------------------------


def test_organisation_set_verification_verifies_pending_and_records_it(db, staff_user):
    organisation = OrganisationFactory(pending=True)
    result = services.organisation_set_verification(
        organisation=organisation,
        to_status=VerificationStatus.VERIFIED,
        by=staff_user,
        reason="  Checked the address  ",
    )
    organisation.refresh_from_db()
    assert result.pk == organisation.pk
    assert organisation.verification_status == VerificationStatus.VERIFIED
    assert organisation.verified_by == staff_user
    assert organisation.verified_at is not None
    change = OrganisationStatusChange.objects.get()
    assert (change.organisation, change.from_status, change.to_status) == (
        organisation,
        VerificationStatus.PENDING,
        VerificationStatus.VERIFIED,
    )
    assert change.reason == "Checked the address"
    assert change.changed_by == staff_user


@pytest.mark.parametrize("verified_first", [False, True], ids=["pending", "verified"])
def test_organisation_set_verification_rejects_with_reason_and_clears_the_verifier(
    db, staff_user, verified_first
):
    organisation = OrganisationFactory(pending=True)
    if verified_first:
        services.organisation_set_verification(
            organisation=organisation, to_status=VerificationStatus.VERIFIED, by=staff_user
        )
    services.organisation_set_verification(
        organisation=organisation,
        to_status=VerificationStatus.REJECTED,
        by=staff_user,
        reason="Not on the charity register",
    )
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.REJECTED
    assert (organisation.verified_by, organisation.verified_at) == (None, None)
    *_, change = OrganisationStatusChange.objects.order_by("pk")
    assert (change.from_status, change.to_status, change.reason) == (
        VerificationStatus.VERIFIED if verified_first else VerificationStatus.PENDING,
        VerificationStatus.REJECTED,
        "Not on the charity register",
    )
    assert OrganisationStatusChange.objects.count() == (2 if verified_first else 1)


@pytest.mark.parametrize("reason", ["", "   "])
def test_organisation_set_verification_refuses_rejection_without_reason(db, staff_user, reason):
    organisation = OrganisationFactory(pending=True)
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_set_verification(
            organisation=organisation,
            to_status=VerificationStatus.REJECTED,
            by=staff_user,
            reason=reason,
        )
    assert excinfo.value.message_dict == {
        "reason": ["Give the reason the organisation is not verified"]
    }
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.PENDING
    assert OrganisationStatusChange.objects.count() == 0


@pytest.mark.parametrize(
    ("to_status", "message"),
    [
        (VerificationStatus.VERIFIED, "An organisation that is verified cannot move to verified"),
        (
            VerificationStatus.PENDING,
            "An organisation that is verified cannot move to waiting for verification",
        ),
    ],
)
def test_organisation_set_verification_refuses_a_move_from_verified(
    db, staff_user, to_status, message
):
    organisation = OrganisationFactory(verification_status=VerificationStatus.VERIFIED)
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_set_verification(
            organisation=organisation, to_status=to_status, by=staff_user
        )
    assert excinfo.value.messages == [message]
    assert OrganisationStatusChange.objects.count() == 0


def test_organisation_set_verification_allows_rejected_to_verified(db, staff_user):
    organisation = OrganisationFactory(verification_status=VerificationStatus.REJECTED)
    services.organisation_set_verification(
        organisation=organisation, to_status=VerificationStatus.VERIFIED, by=staff_user
    )
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.VERIFIED
    assert organisation.verified_by == staff_user
    change = OrganisationStatusChange.objects.get()
    assert (change.from_status, change.to_status) == (
        VerificationStatus.REJECTED,
        VerificationStatus.VERIFIED,
    )


# Regression: partners/services.py organisation_set_verification builds its error message with
# VerificationStatus(to_status), which raises ValueError for a status that does not
# exist, so an unknown status escapes as a 500-style ValueError, not a domain error.
def test_organisation_set_verification_refuses_unknown_status_with_domain_error(db, staff_user):
    organisation = OrganisationFactory(pending=True)
    with pytest.raises(ValidationError):
        services.organisation_set_verification(
            organisation=organisation, to_status="approved", by=staff_user
        )


# --- membership_request / membership_decide ---------------------------------------


def test_membership_request_creates_requested_membership_and_grants_provider(db):
    user = UserFactory()
    organisation = OrganisationFactory(name="Seaham Street Sport")
    membership = services.membership_request(user=user, organisation=organisation)
    membership.refresh_from_db()
    assert (membership.user, membership.organisation) == (user, organisation)
    assert membership.status == MembershipStatus.REQUESTED
    assert membership.decided_by is None
    assert list(user.groups.values_list("name", flat=True)) == [Role.PROVIDER]


def test_membership_request_refuses_second_request(db):
    user = UserFactory()
    organisation = OrganisationFactory(name="Seaham Street Sport")
    services.membership_request(user=user, organisation=organisation)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_request(user=user, organisation=organisation)
    assert excinfo.value.messages == [
        "You have already asked to join Seaham Street Sport (asked to join)"
    ]
    assert Membership.objects.filter(user=user).count() == 1


def test_membership_request_refuses_existing_member(db):
    membership = MembershipFactory(organisation=OrganisationFactory(name="Seaham Street Sport"))
    with pytest.raises(ValidationError) as excinfo:
        services.membership_request(user=membership.user, organisation=membership.organisation)
    assert excinfo.value.messages == ["You have already asked to join Seaham Street Sport (member)"]


def test_membership_request_refuses_rejected_organisation(db):
    user = UserFactory()
    organisation = OrganisationFactory(verification_status=VerificationStatus.REJECTED)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_request(user=user, organisation=organisation)
    assert excinfo.value.messages == ["This organisation cannot take new members"]
    assert Membership.objects.count() == 0
    assert user.groups.count() == 0


def test_membership_decide_accept_makes_active(db, staff_user):
    membership = MembershipFactory(status=MembershipStatus.REQUESTED)
    result = services.membership_decide(membership=membership, accept=True, by=staff_user)
    membership.refresh_from_db()
    assert result.status == MembershipStatus.ACTIVE
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.decided_by == staff_user
    assert membership.decided_at is not None


def test_membership_decide_refuse_makes_refused(db, staff_user):
    membership = MembershipFactory(status=MembershipStatus.REQUESTED)
    services.membership_decide(membership=membership, accept=False, by=staff_user)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REFUSED
    assert membership.decided_by == staff_user


def test_membership_decide_twice_raises(db, staff_user):
    membership = MembershipFactory(status=MembershipStatus.REQUESTED)
    services.membership_decide(membership=membership, accept=True, by=staff_user)
    other_staff = UserFactory(roles=[Role.OPCC_STAFF])
    with pytest.raises(ValidationError) as excinfo:
        services.membership_decide(membership=membership, accept=False, by=other_staff)
    assert excinfo.value.messages == ["This request has already been decided"]
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.decided_by == staff_user


def test_user_grant_role_is_idempotent(db):
    user = UserFactory()
    services.user_grant_role(user=user, role=Role.PANEL_MEMBER)
    services.user_grant_role(user=user, role=Role.PANEL_MEMBER)
    assert list(user.groups.all()) == [Group.objects.get(name=Role.PANEL_MEMBER)]

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from partners.enums import OrganisationKind
from partners.models import Organisation, SuccessMeasure, User
from tests.factories import OrganisationFactory, UserFactory


@pytest.mark.parametrize(
    ("kind", "registered"),
    [
        (OrganisationKind.REGISTERED_CHARITY, True),
        (OrganisationKind.CIO, True),
        (OrganisationKind.CIC, True),
        (OrganisationKind.COMPANY, True),
        (OrganisationKind.COMMUNITY_GROUP, False),
        (OrganisationKind.OTHER, False),
        (OrganisationKind.POLICE, False),
        (OrganisationKind.OPCC, False),
    ],
)
def test_organisation_is_registered_per_kind(kind, registered):
    assert Organisation(kind=kind).is_registered is registered


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        (OrganisationKind.POLICE, "Specified authority"),
        (OrganisationKind.PROBATION, "Specified authority"),
        (OrganisationKind.YOUTH_JUSTICE, "Specified authority"),
        (OrganisationKind.FIRE_RESCUE, "Specified authority"),
        (OrganisationKind.INTEGRATED_CARE_BOARD, "Specified authority"),
        (OrganisationKind.LOCAL_AUTHORITY, "Specified authority"),
        (OrganisationKind.EDUCATIONAL, "Relevant authority"),
        (OrganisationKind.PRISON, "Relevant authority"),
        (OrganisationKind.YOUTH_CUSTODY, "Relevant authority"),
        (OrganisationKind.OPCC, "OPCC"),
        (OrganisationKind.REGISTERED_CHARITY, "Registered provider"),
        (OrganisationKind.CIO, "Registered provider"),
        (OrganisationKind.CIC, "Registered provider"),
        (OrganisationKind.COMPANY, "Registered provider"),
        (OrganisationKind.COMMUNITY_GROUP, "Unregistered provider"),
        (OrganisationKind.OTHER, "Unregistered provider"),
    ],
)
def test_organisation_category_per_kind(kind, category):
    assert Organisation(kind=kind).category == category


def test_organisation_org_id_prefers_the_charity_number():
    organisation = Organisation(
        kind=OrganisationKind.REGISTERED_CHARITY,
        charity_number="1123456",
        company_number="01234567",
    )
    assert organisation.org_id == "GB-CHC-1123456"


def test_organisation_org_id_of_a_company():
    organisation = Organisation(kind=OrganisationKind.COMPANY, company_number="SC123456")
    assert organisation.org_id == "GB-COH-SC123456"


def test_organisation_org_id_empty_for_a_community_group():
    assert Organisation(kind=OrganisationKind.COMMUNITY_GROUP).org_id == ""


def test_organisation_address_joins_the_parts_it_has():
    organisation = Organisation(address_line_1="1 Market Place", town="Durham", postcode="DH1 3NJ")
    assert organisation.address == "1 Market Place, Durham, DH1 3NJ"


@pytest.mark.parametrize(
    ("kind", "number", "constraint"),
    [
        (OrganisationKind.REGISTERED_CHARITY, "charity_number", "charity_kinds_have_number"),
        (OrganisationKind.CIO, "charity_number", "charity_kinds_have_number"),
        (OrganisationKind.COMPANY, "company_number", "company_kinds_have_number"),
        (OrganisationKind.CIC, "company_number", "company_kinds_have_number"),
    ],
)
def test_organisation_kind_without_its_number_violates_check(db, kind, number, constraint):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        Organisation.objects.create(name="No Number Trust", kind=kind, **{number: ""})
    assert f"organisation_{constraint}" in str(excinfo.value)
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "number", "value"),
    [("charity", "charity_number", "1123456"), ("company", "company_number", "01234567")],
)
def test_organisation_duplicate_number_violates_unique(db, kind, number, value):
    OrganisationFactory(**{kind: True, number: value})
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        OrganisationFactory(**{kind: True, number: value})
    assert f"organisation_{number}_unique" in str(excinfo.value)
    assert Organisation.objects.count() == 1


def test_organisation_blank_numbers_may_repeat(db):
    OrganisationFactory(name="Group A", charity_number="", company_number="")
    OrganisationFactory(name="Group B", charity_number="", company_number="")
    assert Organisation.objects.filter(charity_number="", company_number="").count() == 2


def test_user_email_unique_ignoring_case_in_the_database(db):
    # Bypass create_user, which lowercases: the constraint is the last line of defence.
    User.objects.create(email="alice@example.org", full_name="Alice")
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        User.objects.create(email="Alice@Example.ORG", full_name="Alice Again")
    assert "user_email_ci_unique" in str(excinfo.value)
    assert User.objects.count() == 1


def test_user_manager_create_user_lowercases_and_strips_email(db, password):
    user = User.objects.create_user("  Alice@Example.ORG ", password, full_name="Alice Smith")
    user.refresh_from_db()
    assert user.email == "alice@example.org"
    assert user.check_password(password)
    assert user.is_staff is False
    assert user.is_superuser is False


def test_user_manager_create_user_needs_an_email(db):
    with pytest.raises(ValueError, match="A user needs an email address"):
        User.objects.create_user("", "whatever-password")


def test_user_manager_get_by_natural_key_ignores_case(db):
    user = UserFactory(email="alice@example.org")
    assert User.objects.get_by_natural_key("ALICE@Example.Org") == user


def test_user_manager_create_superuser_sets_both_flags(db, password):
    user = User.objects.create_superuser("root@example.org", password, full_name="Root")
    assert (user.is_staff, user.is_superuser) == (True, True)


def test_user_names(db):
    user = UserFactory(email="alice@example.org", full_name="Alice Mary Smith")
    assert str(user) == "Alice Mary Smith <alice@example.org>"
    assert user.get_full_name() == "Alice Mary Smith"
    assert user.get_short_name() == "Alice"


def test_migration_created_exactly_the_five_role_groups(db):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(
        ["OPCC staff", "Chief Executive", "PCC", "Panel member", "Provider"]
    )


def test_migration_created_the_three_home_office_success_measures(db):
    measures = SuccessMeasure.objects.filter(is_home_office=True)
    assert sorted(measures.values_list("code", flat=True)) == [
        "hospital-admissions-knife-assault",
        "police-recorded-homicides",
        "police-recorded-knife-serious-violence",
    ]
    assert all(measure.partnership_id is None for measure in measures)
    assert SuccessMeasure.objects.count() == 3

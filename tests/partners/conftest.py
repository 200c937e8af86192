import pytest
from django.test import Client

from partners.enums import MembershipStatus, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def panel_user(db):
    return UserFactory(email="panel@example.org", full_name="Pat Panel", roles=[Role.PANEL_MEMBER])


@pytest.fixture
def pending_organisation(db):
    """A charity waiting for verification, whose details must not reach non-staff."""
    return OrganisationFactory(
        name="Hidden Harbour Trust", charity=True, charity_number="1099887", pending=True
    )


@pytest.fixture
def requested_membership(db, pending_organisation):
    """Someone asking to join the pending charity."""
    return MembershipFactory(
        user=UserFactory(email="applicant@example.org", full_name="Alex Applicant"),
        organisation=pending_organisation,
        status=MembershipStatus.REQUESTED,
    )


@pytest.fixture
def make_client():
    """A fresh test client signed in as the given user, or anonymous for None."""

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make

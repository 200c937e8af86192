"""'Your applications' lists the applications of the organisations a person actively belongs
to: not those of an organisation they have only asked to join, staff included."""

import pytest

from partners.enums import MembershipStatus
from tests.factories import MembershipFactory


@pytest.mark.parametrize("status", [MembershipStatus.REQUESTED, MembershipStatus.REFUSED])
def test_staff_with_a_membership_that_is_not_active_see_none_of_its_applications(
    staff_client, staff_user, draft, status
):
    MembershipFactory(user=staff_user, organisation=draft.organisation, status=status)

    response = staff_client.get("/applications/")

    assert response.status_code == 200
    assert list(response.context["applications"]) == []
    assert draft.reference not in response.content.decode()


def test_staff_active_in_an_organisation_see_its_applications(staff_client, staff_user, draft):
    MembershipFactory(user=staff_user, organisation=draft.organisation)

    response = staff_client.get("/applications/")

    assert [a.reference for a in response.context["applications"]] == [draft.reference]


def test_a_provider_asking_to_join_sees_none_of_its_applications(other_client, other_user, draft):
    MembershipFactory(
        user=other_user, organisation=draft.organisation, status=MembershipStatus.REQUESTED
    )

    response = other_client.get("/applications/")

    assert draft.reference not in response.content.decode()
    assert draft.title not in response.content.decode()

"""A panel member cannot score their own organisation: a member of the applicant, or its
representative on the panel, is conflicted whatever they declare; the declaration records
why, and the member cannot undo it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grants import selectors, services
from grants.models import ConflictDeclaration, Scorecard
from tests.factories import MembershipFactory

from .conftest import organisation_of

NO_INTEREST = {"has_interest": "no", "interest": ""}


def url(name, funding_round, reference):
    return reverse(f"grants:{name}", args=[funding_round.slug, reference])


def test_member_representing_the_applicant_declaring_no_interest_is_conflicted_over_http(
    client_as, funding_round, member_user, member, make_application
):
    own = make_application(organisation=organisation_of(member_user), amount=Decimal("3000"))
    client = client_as(member_user)

    response = client.post(url("panel-declare", funding_round, own.reference), NO_INTEREST)

    assert response.status_code == 302
    assert response["Location"] == reverse("grants:panel-round", args=[funding_round.slug])
    declaration = ConflictDeclaration.objects.get(member=member, application=own)
    assert (
        declaration.has_interest,
        declaration.is_conflict,
        declaration.automatic,
        declaration.interest,
    ) == (True, True, True, "Represents the applicant, Durham County Council, on the panel.")
    assert client.get(url("panel-score", funding_round, own.reference)).status_code == 404
    assert client.get(url("panel-declare", funding_round, own.reference)).status_code == 404
    # Declaring again, to undo it, is not possible either.
    client.post(url("panel-declare", funding_round, own.reference), NO_INTEREST)
    assert ConflictDeclaration.objects.filter(member=member, application=own).count() == 1
    assert ConflictDeclaration.objects.get(member=member, application=own).is_conflict is True


def test_member_of_the_applicant_is_conflicted_whatever_they_declare(
    funding_round, third_user, third, applicant_org, application
):
    MembershipFactory(user=third_user, organisation=applicant_org)
    declaration = services.declaration_make(
        member=third, application=application, has_interest=True, interest="I volunteer there"
    )
    assert (declaration.is_conflict, declaration.automatic, declaration.interest) == (
        True,
        True,
        "A member of the applicant, Darlington Youth Mentoring Trust. I volunteer there",
    )


def test_joining_the_applicant_after_declaring_stops_the_scoring_and_is_recorded(
    member_user, member, applicant_org, application, declare, criteria
):
    declare(member, application)  # no interest, while not yet a member
    MembershipFactory(user=member_user, organisation=applicant_org)

    with pytest.raises(ValidationError) as caught:
        services.scorecard_save(
            member=member,
            application=application,
            marks={c.pk: (4, "") for c in criteria},
            submit=True,
        )

    assert caught.value.messages == [
        "You belong to or represent the applicant organisation: you cannot score this application"
    ]
    assert not Scorecard.objects.filter(member=member, application=application).exists()
    declaration = ConflictDeclaration.objects.get(member=member, application=application)
    assert (declaration.is_conflict, declaration.automatic, declaration.interest) == (
        True,
        True,
        "A member of the applicant, Darlington Youth Mentoring Trust.",
    )


def test_a_chair_of_the_applicant_sees_nothing_of_it_without_declaring(
    funding_round, chair_user, panel, applicant_org, application, second_application, moderate
):
    # The chair has not declared at all: membership alone withholds it from the ranking.
    MembershipFactory(user=chair_user, organisation=applicant_org)
    assert selectors.conflicted_application_ids(user=chair_user, funding_round=funding_round) == {
        application.pk,
        second_application.pk,
    }
    assert selectors.round_ranking(funding_round=funding_round, viewer=chair_user) == []
    assert not chair_user.has_perm("grants.moderate_application", application)

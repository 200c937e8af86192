"""The OPCC's list of organisations: its filters (partners.filters), over HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.enums import MembershipStatus
from tests.factories import MembershipFactory, OrganisationFactory
from tests.filtering import field_error, summary_links, text, title

URL = reverse("partners:organisations")
TITLE = "Organisations – Office of the Police and Crime Commissioner"


@pytest.fixture
def listed(pending_organisation):
    return {
        "pending": pending_organisation,  # Hidden Harbour Trust, charity 1099887
        "company": OrganisationFactory(
            name="Safer Nights North East CIC", company=True, company_number="01234567"
        ),
        "group": OrganisationFactory(name="Seaham Street Sport"),
    }


def names(response) -> list[str]:
    return [organisation.name for organisation in response.context["organisations"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["pending", "company", "group"]),
        ({"status": "pending"}, ["pending"]),
        ({"status": "verified"}, ["company", "group"]),
        ({"status": "rejected"}, []),
        ({"q": "seaham"}, ["group"]),
        ({"q": " 1099887 "}, ["pending"]),
        ({"q": "1234567"}, ["company"]),  # a company number without its leading zero
        ({"q": "street", "status": "pending"}, []),
        ({"q": "", "status": ""}, ["pending", "company", "group"]),
    ],
)
def test_organisation_filter_valid_finds_exactly(staff_client, listed, params, expected):
    response = staff_client.get(URL, params)

    assert response.status_code == 200
    assert names(response) == sorted(listed[key].name for key in expected)
    assert summary_links(response) == []
    assert title(response) == TITLE


def test_organisation_filter_keeps_its_labels_and_parameters(staff_client, listed):
    html = staff_client.get(URL, {"status": "pending", "q": "Trust"}).content.decode()

    assert (
        '<label for="id_q" class="govuk-label">\n          Name, charity or company number' in html
    )
    assert '<label for="id_status" class="govuk-label">\n          Verification' in html
    assert 'name="q" value="Trust"' in html
    assert '<option value="pending" selected>Waiting for verification</option>' in html
    assert 'name="submit"' not in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "Hidden\x00"}, "q", "Remove the null character from the search"),
        ({"q": "\x00"}, "q", "Remove the null character from the search"),
        ({"q": "x" * 201}, "q", "The search must be 200 characters or fewer"),
        ({"status": "NaN"}, "status", "Select a verification status from the list"),
        ({"status": "Infinity"}, "status", "Select a verification status from the list"),
        ({"status": "pending\x00"}, "status", "Select a verification status from the list"),
    ],
)
def test_organisation_filter_value_that_cannot_be_used_is_told(
    staff_client, listed, params, field, message
):
    response = staff_client.get(URL, params)

    assert response.status_code == 200
    assert summary_links(response) == [(f"id_{field}", message)]
    assert field_error(response, field) == f"Error: {message}"
    assert title(response) == f"Error: {TITLE}"
    assert names(response) == sorted(o.name for o in listed.values())
    label = {"q": "Name, charity or company number", "status": "Verification"}[field]
    assert f"Not used until corrected: {label}." in text(response)


def test_organisation_filter_others_still_used_beside_a_bad_one(staff_client, listed):
    response = staff_client.get(URL, {"status": "sunk", "q": "1099887"})

    assert names(response) == ["Hidden Harbour Trust"]
    assert summary_links(response) == [("id_status", "Select a verification status from the list")]


@pytest.mark.parametrize(
    ("params", "most"),
    [
        ({}, 6),  # session, user, the second factor's device, groups, the count, the page
        ({"status": "verified", "q": "a"}, 5),  # no row matches: no page
        ({"status": "NaN"}, 6),
    ],
)
def test_organisation_list_queries_same_for_1_and_many_rows(
    staff_client, params, most, django_assert_max_num_queries
):
    MembershipFactory(organisation=OrganisationFactory(), status=MembershipStatus.REQUESTED)
    staff_client.get(URL)  # warm up: session and content types
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(URL, params).status_code == 200

    for index in range(29):
        organisation = OrganisationFactory(company=True) if index % 2 else OrganisationFactory()
        MembershipFactory(organisation=organisation, status=MembershipStatus.REQUESTED)
    with django_assert_max_num_queries(len(one)):
        assert staff_client.get(URL, params).status_code == 200
    assert len(one) <= most

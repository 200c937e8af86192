"""The staff list of a round's applications: its filters (grants.filters), over HTTP."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.enums import ApplicationStatus
from tests.factories import ApplicationFactory, OrganisationFactory
from tests.filtering import field_error, summary_links, text, title

ORGANISATION = "Office of the Police and Crime Commissioner"
AMOUNT = "Enter an amount in pounds and pence, like 4500 or 4500.50"


@pytest.fixture
def listed(open_round, priorities):
    """Three applications: a charity's submitted one for £12,000 (priority 1), a community
    group's draft for £4,500.50 (priority 2) and a company's draft with no amount."""
    first, second = priorities
    return {
        "charity": ApplicationFactory(
            round=open_round,
            reference="VPF-0001",
            title="Knife crime workshops",
            organisation=OrganisationFactory(name="Durham Youth Trust", charity=True),
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
            amount_requested=Decimal("12000.00"),
            priorities=[first],
        ),
        "group": ApplicationFactory(
            round=open_round,
            reference="VPF-0002",
            title="Street sport on the seafront",
            organisation=OrganisationFactory(name="Seaham Street Sport"),
            amount_requested=Decimal("4500.50"),
            priorities=[second],
        ),
        "company": ApplicationFactory(
            round=open_round,
            reference="VPF-0003",
            title="Night bus marshals",
            organisation=OrganisationFactory(name="Safer Nights CIC", company=True),
        ),
    }


@pytest.fixture
def url(open_round):
    return reverse("grants:staff-round-applications", args=[open_round.slug])


def references(response) -> list[str]:
    return [application.reference for application in response.context["applications"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["company", "group", "charity"]),
        ({"status": "submitted"}, ["charity"]),
        ({"status": "draft"}, ["company", "group"]),
        ({"category": "registered"}, ["company", "charity"]),
        ({"category": "unregistered"}, ["group"]),
        ({"min_amount": "4500.50"}, ["group", "charity"]),
        ({"min_amount": "£4,500.51"}, ["charity"]),
        ({"max_amount": "4500.5"}, ["group"]),
        ({"min_amount": "0", "max_amount": "12,000"}, ["group", "charity"]),
        ({"q": "vpf-0002"}, ["group"]),
        ({"q": "  workshops "}, ["charity"]),
        ({"q": "safer nights"}, ["company"]),
        ({"q": "VPF-000"}, []),  # a reference matches whole, not in part
        ({"q": "", "status": "", "priority": "", "category": ""}, ["company", "group", "charity"]),
    ],
)
def test_application_filter_valid_finds_exactly(staff_client, url, listed, params, expected):
    response = staff_client.get(url, params)

    assert response.status_code == 200
    assert references(response) == [listed[key].reference for key in expected]
    assert summary_links(response) == []
    assert not title(response).startswith("Error: ")


def test_application_filter_by_priority(staff_client, url, listed, priorities):
    first, second = priorities

    assert references(staff_client.get(url, {"priority": first.pk})) == ["VPF-0001"]
    assert references(staff_client.get(url, {"priority": second.pk})) == ["VPF-0002"]


def test_application_filter_keeps_its_labels_and_parameters(staff_client, url, listed, priorities):
    html = staff_client.get(url, {"status": "submitted", "min_amount": "10"}).content.decode()

    for name, label in [
        ("q", "Reference, title or organisation"),
        ("status", "Status"),
        ("priority", "Priority"),
        ("category", "Organisation"),
        ("min_amount", "Least amount (£)"),
        ("max_amount", "Most amount (£)"),
    ]:
        assert re.search(
            rf'<label for="id_{name}" class="govuk-label">\s*{re.escape(label)}\s*</label>', html
        )
    assert '<option value="submitted" selected>Submitted</option>' in html
    assert 'name="min_amount" value="10"' in html
    assert f'<option value="{priorities[0].pk}">1. Young people at risk</option>' in html
    assert 'name="submit"' not in html  # the address holds only the filters
    assert 'method="get"' in html
    assert "csrfmiddlewaretoken" not in html.split('method="get"')[1].split("</form>")[0]


BAD = [
    ({"min_amount": "NaN"}, "min_amount", AMOUNT),
    ({"min_amount": "sNaN"}, "min_amount", AMOUNT),
    ({"max_amount": "Infinity"}, "max_amount", AMOUNT),
    ({"max_amount": "-Infinity"}, "max_amount", AMOUNT),
    ({"max_amount": "ten pounds"}, "max_amount", AMOUNT),
    ({"max_amount": "1e999999999"}, "max_amount", "Enter an amount less than £1,000,000,000,000"),
    ({"min_amount": "-5"}, "min_amount", "Enter an amount of £0 or more"),
    ({"q": "\x00"}, "q", "Remove the null character from the search"),
    ({"q": "Knife\x00"}, "q", "Remove the null character from the search"),
    ({"q": "x" * 201}, "q", "The search must be 200 characters or fewer"),
    ({"status": "sunk"}, "status", "Select a status from the list"),
    ({"priority": "²"}, "priority", "Select a priority from the list"),
    ({"priority": "999999"}, "priority", "Select a priority from the list"),
    ({"category": "charity"}, "category", "Select registered or unregistered from the list"),
]


@pytest.mark.parametrize(("params", "field", "message"), BAD)
def test_application_filter_value_that_cannot_be_used_is_told(
    staff_client, url, open_round, listed, params, field, message
):
    response = staff_client.get(url, params)

    assert response.status_code == 200
    assert summary_links(response) == [(f"id_{field}", message)]
    assert field_error(response, field) == f"Error: {message}"
    assert title(response) == f"Error: {open_round.title}: applications – {ORGANISATION}"
    assert references(response) == ["VPF-0003", "VPF-0002", "VPF-0001"]
    label = str(response.context["filter_form"].fields[field].label)
    assert f"Not used until corrected: {label}. The list shows what the other filters find." in (
        text(response)
    )


def test_application_filter_others_still_used_beside_a_bad_one(staff_client, url, listed):
    response = staff_client.get(url, {"status": "draft", "min_amount": "NaN", "q": "sea"})

    assert references(response) == ["VPF-0002"]
    assert summary_links(response) == [("id_min_amount", AMOUNT)]


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_application_export_with_a_bad_filter_is_400(staff_client, open_round, listed, export):
    url = reverse("grants:staff-round-export", args=[open_round.slug, export])

    response = staff_client.get(url, {"min_amount": "NaN"})

    assert response.status_code == 400
    assert response.content.decode() == (
        "Correct the filters on the list of applications, then download it again."
    )
    assert staff_client.get(url, {"min_amount": "5000"}).status_code == 200


def test_application_list_page_with_errors_offers_no_download(staff_client, url, listed):
    html = staff_client.get(url, {"max_amount": "NaN"}).content.decode()

    assert "/export/" not in html
    assert "Correct the filters to download these applications." in html


def queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("params", "most"),
    [
        # session, user, the second factor's device, groups, round, priorities, field
        # history, count, page, their priorities
        ({}, 10),
        ({"status": "draft", "priority": "", "min_amount": "1", "q": "a"}, 8),  # no rows match
        ({"min_amount": "NaN"}, 10),
    ],
)
def test_application_list_queries_same_for_1_and_many_rows(
    staff_client, url, open_round, priorities, params, most, django_assert_max_num_queries
):
    ApplicationFactory(round=open_round, priorities=priorities, amount_requested=5)
    staff_client.get(url)  # warm up: session and content types
    one = queries(staff_client, url, params)

    for _ in range(30):
        ApplicationFactory(round=open_round, priorities=priorities, amount_requested=5)
    with django_assert_max_num_queries(one):
        queries(staff_client, url, params)
    assert one <= most

"""The filters of the public register and of the OPCC's list of records
(decisions.filters), over HTTP."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions import cached_pages
from decisions.enums import DecisionStatus as D
from decisions.models import DecisionRecord
from svd_portal.caching import pages_changed
from tests.filtering import field_error, summary_links, text, title

from .conftest import bulk_published

ORGANISATION = "Office of the Police and Crime Commissioner"
REGISTER = f"Decision records – {ORGANISATION}"
STAFF = f"Decision records (OPCC) – {ORGANISATION}"
SEARCH = "Remove the null character from the search"


def references(response) -> list[str]:
    return [record.reference for record in response.context["records"]]


@pytest.fixture
def register(staff_user):
    """DN1-24 and DN2-24 published in 2024, DN3-24 in 2025."""
    records = bulk_published(3, by=staff_user)
    DecisionRecord.objects.filter(pk=records[2].pk).update(
        published_at=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC),
        title="Street lighting improvements",
    )
    return records


# --- The public register -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["DN3-24", "DN2-24", "DN1-24"]),
        ({"year": "2024"}, ["DN2-24", "DN1-24"]),
        ({"year": "2025"}, ["DN3-24"]),
        ({"year": ""}, ["DN3-24", "DN2-24", "DN1-24"]),
        ({"q": "dn2"}, ["DN2-24"]),
        ({"q": " DN1-24 "}, ["DN1-24"]),
        ({"q": "DN1", "year": "2025"}, []),  # the reference is asked of that year's records
        ({"q": "DN3", "year": "2025"}, ["DN3-24"]),
    ],
)
def test_register_filter_valid_finds_exactly(client, register, params, expected):
    response = client.get("/decisions/", params)

    assert response.status_code == 200
    assert references(response) == expected
    assert summary_links(response) == []
    assert title(response) == REGISTER


def test_register_filter_keeps_its_labels_hint_and_parameters(client, register):
    html = client.get("/decisions/", {"q": "lighting", "year": "2025"}).content.decode()

    assert '<label for="id_q" class="govuk-label">\n          Search decisions' in html
    assert '<label for="id_year" class="govuk-label">\n          Year published' in html
    assert "A reference such as DN50-24, or words from the title or text" in html
    assert 'name="q" value="lighting"' in html
    assert '<option value="2025" selected>2025</option>' in html
    assert 'action="/decisions/"' in html
    assert 'role="search"' in html
    assert 'name="submit"' not in html


@pytest.mark.parametrize(
    ("params", "field", "message", "expected"),
    [
        ({"q": "\x00"}, "q", SEARCH, ["DN3-24", "DN2-24", "DN1-24"]),
        ({"q": "DN1\x00", "year": "2024"}, "q", SEARCH, ["DN2-24", "DN1-24"]),
        (
            {"q": "x" * 201},
            "q",
            "The search must be 200 characters or fewer",
            ["DN3-24", "DN2-24", "DN1-24"],
        ),
        ({"year": "NaN"}, "year", "Select a year from the list", ["DN3-24", "DN2-24", "DN1-24"]),
        (
            {"year": "Infinity"},
            "year",
            "Select a year from the list",
            ["DN3-24", "DN2-24", "DN1-24"],
        ),
        (
            {"year": "1e999999999"},
            "year",
            "Select a year from the list",
            ["DN3-24", "DN2-24", "DN1-24"],
        ),
        ({"year": "1999", "q": "DN2"}, "year", "Select a year from the list", ["DN2-24"]),
        (
            {"year": "2024\x00"},
            "year",
            "Select a year from the list",
            ["DN3-24", "DN2-24", "DN1-24"],
        ),
    ],
)
def test_register_filter_value_that_cannot_be_used_is_told(
    client, register, params, field, message, expected
):
    response = client.get("/decisions/", params)

    assert response.status_code == 200
    assert summary_links(response) == [(f"id_{field}", message)]
    assert field_error(response, field) == f"Error: {message}"
    assert title(response) == f"Error: {REGISTER}"
    assert references(response) == expected
    label = {"q": "Search decisions", "year": "Year published"}[field]
    assert f"Not used until corrected: {label}." in text(response)


def queries(client, url) -> int:
    cache.clear()  # the years of the filter are cached: count the uncached request
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/decisions/?year=NaN", 3),  # the years, the count, the page
        ("/decisions/?q=%00&year=2024", 3),
        ("/decisions/?q=DN1&year=1999", 4),  # and whether the words are a reference
    ],
)
def test_register_with_a_bad_filter_queries_same_for_1_and_100_records(
    client, staff_user, django_assert_max_num_queries, url, most
):
    bulk_published(1, by=staff_user)
    one = queries(client, url)

    bulk_published(99, by=staff_user, first=2)
    with django_assert_max_num_queries(most):
        assert queries(client, url) == one


# --- The OPCC's list -----------------------------------------------------------------------


@pytest.fixture
def records(staff_user):
    """DN1-24 a draft, DN2-24 awaiting approval, DN3-24 published; DN3-24 changed last."""
    made = bulk_published(3, by=staff_user)
    moment = datetime.datetime(2025, 1, 1, 9, tzinfo=datetime.UTC)
    for n, (record, status) in enumerate(
        zip(made, [D.DRAFT, D.AWAITING_APPROVAL, D.PUBLISHED], strict=True)
    ):
        DecisionRecord.objects.filter(pk=record.pk).update(
            status=status, updated_at=moment + datetime.timedelta(hours=n)
        )
    return made


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["DN3-24", "DN2-24", "DN1-24"]),
        ({"status": ""}, ["DN3-24", "DN2-24", "DN1-24"]),
        ({"status": "draft"}, ["DN1-24"]),
        ({"status": "awaiting_approval"}, ["DN2-24"]),
        ({"status": "signed"}, []),
    ],
)
def test_staff_record_filter_valid_finds_exactly(staff_client, records, params, expected):
    response = staff_client.get("/staff/decisions/", params)

    assert response.status_code == 200
    assert references(response) == expected
    assert summary_links(response) == []
    assert title(response) == STAFF
    assert '<label for="id_status" class="govuk-label">\n          Status' in (
        response.content.decode()
    )


@pytest.mark.parametrize("status", ["NaN", "Infinity", "1e999999999", "draft\x00", "sunk"])
def test_staff_record_filter_unknown_status_is_told(staff_client, records, status):
    response = staff_client.get("/staff/decisions/", {"status": status})

    assert response.status_code == 200
    assert summary_links(response) == [("id_status", "Select a status from the list")]
    assert field_error(response, "status") == "Error: Select a status from the list"
    assert title(response) == f"Error: {STAFF}"
    assert references(response) == ["DN3-24", "DN2-24", "DN1-24"]
    assert "Not used until corrected: Status." in text(response)


@pytest.mark.parametrize("params", [{}, {"status": "published"}, {"status": "NaN"}])
def test_staff_record_list_queries_same_for_1_and_many_rows(
    staff_client, staff_user, params, django_assert_max_num_queries
):
    """Session, user, the second factor's device, groups, the count, the page, and the
    records waiting for the user."""
    bulk_published(1, by=staff_user)
    staff_client.get("/staff/decisions/")  # warm up: session and content types
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get("/staff/decisions/", params).status_code == 200

    assert len(one) <= 7
    bulk_published(30, by=staff_user, first=2)
    with django_assert_max_num_queries(len(one)):
        assert staff_client.get("/staff/decisions/", params).status_code == 200


def test_register_page_number_alone_is_the_unfiltered_list(client, staff_user):
    bulk_published(30, by=staff_user)

    response = client.get("/decisions/", {"page": "2"})

    assert response.context["filter_form"].is_bound is False
    assert references(response) == ["DN5-24", "DN4-24", "DN3-24", "DN2-24", "DN1-24"]
    assert title(response) == REGISTER


def test_register_unfiltered_form_cached_until_the_years_change(client, staff_user):
    records = bulk_published(1, by=staff_user)
    first = client.get("/decisions/").content.decode()
    assert '<option value="2024">2024</option>' in first
    assert '<option value="2025">' not in first

    DecisionRecord.objects.filter(pk=records[0].pk).update(
        published_at=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    )
    pages_changed(cached_pages.REGISTER)  # as publishing a record does
    again = client.get("/decisions/").content.decode()

    assert '<option value="2025">2025</option>' in again
    assert '<option value="2024">' not in again

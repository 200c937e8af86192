"""The public register makes the same queries for one record as for a hundred."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions.enums import DecisionStatus
from decisions.services import decision_publish, index_for_search

from .conftest import bulk_published


def queries_for(client, url) -> int:
    cache.clear()  # the years of the filter are cached: count the uncached request
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/decisions/", 3),  # the years for the filter, the count, the page
        ("/decisions/?page=2&year=2024", 3),
        ("/decisions/?q=request", 4),  # and whether the words are a reference
        ("/decisions/?q=DN1-24", 4),
        ("/decisions/feed/", 1),
        ("/decisions/DN1-24/", 5),  # the record, corrections, schedule, signed PDF, its grants
    ],
)
def test_register_queries_same_for_1_and_100_records(
    client, staff_user, django_assert_max_num_queries, url, most
):
    for record in bulk_published(1, by=staff_user):
        index_for_search(record)
    if "page=2" in url:
        bulk_published(25, by=staff_user, first=101)  # so that there is a second page
    one = queries_for(client, url)

    for record in bulk_published(99, by=staff_user, first=2):
        index_for_search(record)
    with django_assert_max_num_queries(most):
        hundred = queries_for(client, url)
    assert hundred == one


def test_register_list_100_records_25_on_the_page(client, staff_user):
    bulk_published(100, by=staff_user)
    response = client.get("/decisions/")
    assert len(response.context["records"]) == 25
    assert response.context["paginator"].count == 100


def year_choices(client) -> list[str]:
    response = client.get("/decisions/")
    return [value for value, _ in response.context["filter_form"].fields["year"].choices if value]


def test_register_years_are_cached_until_a_record_is_published(
    client, staff_user, record_in, django_assert_num_queries
):
    old = bulk_published(1, by=staff_user)[0]
    old.published_at = old.published_at.replace(year=2019)
    old.save(update_fields=["published_at"])
    assert year_choices(client) == ["2019"]

    # Another address, so the page is made, not read whole from the shared cache.
    with django_assert_num_queries(2):  # the count and the page: the years are cached
        client.get("/decisions/?page=1")

    deferred = record_in(DecisionStatus.SIGNED)
    record = decision_publish(record=deferred, by=None, today=deferred.deferred_until)

    this_year = timezone.localtime(record.published_at).year
    assert year_choices(client) == [str(this_year), "2019"]

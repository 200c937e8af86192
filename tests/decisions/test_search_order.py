"""Searching the register: newest first unless relevance is asked for; counting stops at
REGISTER_SEARCH_LIMIT, the pages hold that many and say there are more (decisions.filters,
svd_portal.pagination.KeysFirstPaginator), over HTTP on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.models import DecisionRecord
from decisions.services.approval import index_for_search
from tests.filtering import field_error, summary_links, text

from .conftest import bulk_published

pytestmark = pytest.mark.django_db


def references(response) -> list[str]:
    return [record.reference for record in response.context["records"]]


@pytest.fixture
def knife_records(staff_user):
    """DN1-24 (oldest) is about knife crime through and through; DN2-24 mentions a knife
    once in Section A; DN3-24 once in its title; DN4-24 (newest) not at all."""
    records = bulk_published(4, by=staff_user)
    texts = {
        "DN1-24": ("Knife crime: knife arches", "Knife crime, knife amnesty bins, knife arches."),
        "DN2-24": ("Youth diversion", "A knife was found once in the town centre."),
        "DN3-24": ("Knife awareness", "Lessons in schools."),
        "DN4-24": ("Street lighting", "Brighter streets."),
    }
    for record in records:
        record.title, record.section_a = texts[record.reference]
        record.save()
        index_for_search(record)
    return records


def test_a_search_is_newest_first_by_default(client, knife_records):
    response = client.get("/decisions/", {"q": "knife"})

    assert references(response) == ["DN3-24", "DN2-24", "DN1-24"]
    assert "3 decisions matching “knife”" in text(response)


def test_a_search_by_relevance_puts_the_most_relevant_first(client, knife_records):
    response = client.get("/decisions/", {"q": "knife", "order": "relevance"})

    # Four mentions in title and text, then one in the title (weighted above Section A),
    # then one in Section A.
    assert references(response) == ["DN1-24", "DN3-24", "DN2-24"]
    assert summary_links(response) == []
    assert '<option value="relevance" selected>Most relevant first</option>' in (
        response.content.decode()
    )


def test_relevance_without_words_is_the_register_newest_first(client, knife_records):
    response = client.get("/decisions/", {"order": "relevance"})

    assert references(response) == ["DN4-24", "DN3-24", "DN2-24", "DN1-24"]


def test_an_order_that_does_not_exist_is_told_and_not_used(client, knife_records):
    response = client.get("/decisions/", {"q": "knife", "order": "random"})

    assert summary_links(response) == [("id_order", "Select an order from the list")]
    assert field_error(response, "order") == "Error: Select an order from the list"
    assert references(response) == ["DN3-24", "DN2-24", "DN1-24"]


def test_a_search_counts_no_further_than_the_limit(client, knife_records, settings):
    settings.REGISTER_SEARCH_LIMIT = 2

    newest = client.get("/decisions/", {"q": "knife"})
    relevant = client.get("/decisions/", {"q": "knife", "order": "relevance"})
    register = client.get("/decisions/")

    assert references(newest) == ["DN3-24", "DN2-24"]
    assert "More than 2 decisions matching “knife”" in text(newest)
    assert "These are the newest 2. Add words or choose a year to find older ones." in text(newest)
    # Relevance ranks the newest two matches: DN1-24 is beyond them.
    assert references(relevant) == ["DN3-24", "DN2-24"]
    # The register itself is counted exactly.
    assert "4 decisions" in text(register)
    assert "More than" not in text(register)


def test_a_search_count_asks_the_database_for_no_more_than_the_limit(
    client, knife_records, settings
):
    settings.REGISTER_SEARCH_LIMIT = 2
    with CaptureQueriesContext(connection) as context:
        client.get("/decisions/", {"q": "knife"})

    counts = [q["sql"] for q in context.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 3" in counts[0]


def test_a_search_by_relevance_costs_the_same_queries_for_3_and_300_matches(
    client, knife_records, staff_user
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert (
                client.get("/decisions/", {"q": "knife", "order": "relevance"}).status_code == 200
            )
        return len(context.captured_queries)

    few = queries()
    more = bulk_published(297, by=staff_user, first=5)
    DecisionRecord.objects.filter(pk__in=[r.pk for r in more]).update(title="Knife crime")
    for record in DecisionRecord.objects.filter(pk__in=[r.pk for r in more]):
        index_for_search(record)
    from svd_portal.caching import pages_changed

    pages_changed("register")
    assert queries() == few


def test_a_page_beyond_the_limit_of_a_search_is_not_found(client, knife_records, settings):
    settings.REGISTER_SEARCH_LIMIT = 2
    assert client.get("/decisions/", {"q": "knife", "page": "1"}).status_code == 200
    assert client.get("/decisions/", {"q": "knife", "page": "2"}).status_code == 404

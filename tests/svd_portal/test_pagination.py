"""The keys-first paginator gives the very pages Django's own gives, in one query a page."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.models import DecisionRecord
from decisions.selectors import published_records
from svd_portal.pagination import KeysFirstPaginator
from tests.decisions.conftest import bulk_published


def references(page) -> list[str]:
    return [record.reference for record in page.object_list]


@pytest.fixture
def sixty_published(staff_user):
    records = bulk_published(60, by=staff_user)
    # Ties in the first ordering column: the list breaks them by key, and so must the page.
    DecisionRecord.objects.filter(reference__in=["DN20-24", "DN21-24", "DN22-24"]).update(
        published_at=records[20].published_at
    )
    return records


@pytest.mark.parametrize("orphans", [0, 10])
def test_every_page_is_the_same_as_djangos(sixty_published, orphans):
    ours = KeysFirstPaginator(published_records(), 25, orphans=orphans)
    theirs = Paginator(published_records(), 25, orphans=orphans)

    assert ours.num_pages == theirs.num_pages == (2 if orphans else 3)
    for number in theirs.page_range:
        assert references(ours.page(number)) == references(theirs.page(number))


def test_the_register_pages_newest_first_to_the_oldest(client, sixty_published):
    response = client.get("/decisions/?page=3")

    assert response.status_code == 200
    assert [r.reference for r in response.context["records"]] == [
        f"DN{n}-24" for n in range(10, 0, -1)
    ]
    assert response.context["page_obj"].start_index() == 51


def test_a_page_is_one_query(sixty_published):
    page = KeysFirstPaginator(published_records(), 25).page(2)
    with CaptureQueriesContext(connection) as queries:
        found = references(page)

    assert len(queries) == 1
    assert found == [f"DN{n}-24" for n in range(35, 10, -1)]

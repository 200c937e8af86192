"""The public pages kept in the shared cache (svd_portal.caching.public_page, Redis here):
a visitor's second request reads no database; publishing, correcting or deferring a record
and changing a round make exactly their pages fresh; a signed-in person always gets a fresh
page; conditional GETs get 304; the signed PDF's ETag is its SHA-256."""

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus
from decisions.models import DecisionDocument
from grants.enums import RoundStatus
from grants.models import AwardCap
from svd_portal import caching
from tests.factories import FundingRoundFactory

from .conftest import bulk_published

pytestmark = pytest.mark.usefixtures("document_signing", "document_storage")

PUBLIC = "public, max-age=60"


@pytest.fixture
def visitor():
    return Client()


def from_cache(client, url, django_assert_num_queries, **headers):
    """The page, asserting it was served without a query: from the shared cache."""
    with django_assert_num_queries(0):
        return client.get(url, headers=headers)


def made_again(client, url, queries) -> bool:
    """Whether asking for the page read the database (it was made, not read from the cache)."""
    with queries() as captured:
        client.get(url)
    return len(captured) > 0


@pytest.fixture
def queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    return lambda: CaptureQueriesContext(connection)


def test_a_visitors_second_request_reads_no_database(
    visitor, staff_user, django_assert_num_queries
):
    bulk_published(3, by=staff_user)
    first = visitor.get("/decisions/")
    assert first.status_code == 200
    assert first["Cache-Control"] == PUBLIC
    assert first["Vary"] == "Cookie"

    second = from_cache(visitor, "/decisions/", django_assert_num_queries)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["ETag"] == f'"{hashlib.sha256(first.content).hexdigest()[:32]}"'
    assert second["Cache-Control"] == PUBLIC
    assert second["Content-Type"] == "text/html; charset=utf-8"
    # Each address is a page of its own: a search is not the list.
    assert b"Decision number 1" in visitor.get("/decisions/?q=DN1-24").content
    assert b"Decision number 2" not in visitor.get("/decisions/?q=DN1-24").content


def test_publishing_a_record_makes_the_register_and_its_page_fresh_and_nothing_else(
    visitor, staff_user, record_in, django_assert_num_queries
):
    other = bulk_published(1, by=staff_user)[0]
    signed = record_in(DecisionStatus.SIGNED)  # deferred: not public yet
    open_round = FundingRoundFactory(status=RoundStatus.OPEN, slug="open-round")
    pages = ["/decisions/", "/decisions/feed/", f"/decisions/{other.reference}/", "/funding/"]
    for url in pages + ["/funding/open-round/"]:
        assert visitor.get(url).status_code == 200
    assert visitor.get(f"/decisions/{signed.reference}/").status_code == 404
    assert signed.title.encode() not in visitor.get("/decisions/").content

    services.decisions_publish_due(today=signed.deferred_until)

    assert signed.title.encode() in visitor.get("/decisions/").content
    assert signed.title.encode() in visitor.get("/decisions/feed/").content
    assert visitor.get(f"/decisions/{signed.reference}/").status_code == 200
    # The other record's page and the rounds are still served from the cache.
    for url in [f"/decisions/{other.reference}/", "/funding/", f"/funding/{open_round.slug}/"]:
        assert from_cache(visitor, url, django_assert_num_queries).status_code == 200


def test_a_correction_published_makes_the_corrected_records_page_fresh(
    visitor, staff_user, ceo_user, published_record, sign, django_assert_num_queries
):
    other = bulk_published(1, by=staff_user)[0]
    page = f"/decisions/{published_record.reference}/"
    assert b"Corrected by" not in visitor.get(page).content
    visitor.get(f"/decisions/{other.reference}/")

    correction = services.decision_correct(record=published_record, by=staff_user)
    # A draft correction is not public: the corrected record's page is unchanged.
    assert from_cache(visitor, page, django_assert_num_queries).status_code == 200
    correction = services.decision_submit(record=correction, by=staff_user)
    correction = services.decision_approve(
        record=correction,
        by=ceo_user,
        advice_confirmed=True,
        name="Helen Carter",
    )
    correction = sign(correction)

    assert correction.status == DecisionStatus.PUBLISHED
    assert correction.reference.encode() in visitor.get(page).content
    assert from_cache(visitor, f"/decisions/{other.reference}/", django_assert_num_queries)


def test_a_new_signed_pdf_makes_the_records_page_fresh(visitor, published_record):
    page = f"/decisions/{published_record.reference}/"
    assert b"Download the signed decision record" not in visitor.get(page).content

    services.document_render(document_id=published_record.documents.get().pk)

    document = DecisionDocument.objects.get(record=published_record)
    assert document.sha256.encode() in visitor.get(page).content


def test_changing_a_round_makes_the_rounds_fresh_and_not_the_register(
    visitor, staff_user, django_assert_num_queries
):
    record = bulk_published(1, by=staff_user)[0]
    funding_round = FundingRoundFactory(status=RoundStatus.OPEN, slug="open-round")
    other = FundingRoundFactory(status=RoundStatus.OPEN, slug="other-round")
    for url in ["/funding/", "/funding/open-round/", "/funding/other-round/", "/decisions/"]:
        visitor.get(url)
    visitor.get(f"/decisions/{record.reference}/")

    funding_round.title = "Knife crime in the summer holidays"
    funding_round.save()

    assert b"Knife crime in the summer holidays" in visitor.get("/funding/").content
    assert b"Knife crime in the summer holidays" in visitor.get("/funding/open-round/").content
    for url in [f"/funding/{other.slug}/", "/decisions/", f"/decisions/{record.reference}/"]:
        assert from_cache(visitor, url, django_assert_num_queries).status_code == 200

    # A cap is part of its round's page.
    AwardCap.objects.filter(round=funding_round).update(maximum=5)  # no signal: still kept
    assert from_cache(visitor, "/funding/open-round/", django_assert_num_queries)
    cap = AwardCap.objects.filter(round=funding_round).first()
    cap.maximum = 7777
    cap.save()
    assert b"7,777" in visitor.get("/funding/open-round/").content


def test_a_round_page_is_kept_no_longer_than_its_closing_time(db, visitor, queries):
    import time

    closes = timezone.now() + datetime.timedelta(seconds=3)
    funding_round = FundingRoundFactory(
        status=RoundStatus.OPEN,
        slug="closing-soon",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=closes,
    )
    assert b"Open for applications" in visitor.get(f"/funding/{funding_round.slug}/").content
    assert not made_again(visitor, f"/funding/{funding_round.slug}/", queries)

    time.sleep(max(0, (closes - timezone.now()).total_seconds()) + 1.1)

    assert made_again(visitor, f"/funding/{funding_round.slug}/", queries)
    assert b"Open for applications" not in visitor.get(f"/funding/{funding_round.slug}/").content


def test_a_signed_in_person_always_gets_a_fresh_private_page(
    visitor, staff_client, staff_user, queries
):
    bulk_published(1, by=staff_user)
    visitor.get("/decisions/")

    response = staff_client.get("/decisions/")

    assert response["Cache-Control"] == "private"
    assert "ETag" not in response
    assert staff_user.full_name.encode() in response.content
    assert made_again(staff_client, "/decisions/", queries)
    # …and the visitor's kept page never shows who was signed in.
    assert staff_user.full_name.encode() not in visitor.get("/decisions/").content


def test_a_visitor_with_a_message_waiting_gets_the_page_made_for_them(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    made = []

    def respond():
        made.append(1)
        return HttpResponse(f"page {len(made)}")

    def view(request):
        return caching.public_page(request, scopes=["test"], respond=respond)

    def ask(messages):
        # A visitor's messages wait in the "messages" cookie (or the session, with its own).
        request = rf.get("/", headers={"Cookie": "messages=waiting"} if messages else {})
        request.user = AnonymousUser()
        request._messages = messages
        return caching.PublicPageCacheMiddleware(view)(request)

    assert ask(["You have signed out"]).content == b"page 1"
    assert ask(["You have signed out"]).content == b"page 2"
    assert ask([]).content == b"page 3"  # kept now…
    assert ask([]).content == b"page 3"  # …and read from the cache
    assert ask(["Another message"]).content == b"page 4"
    assert len(made) == 4


def test_a_conditional_get_that_matches_gets_304_until_the_page_changes(
    visitor, staff_user, record_in
):
    bulk_published(1, by=staff_user)
    first = visitor.get("/decisions/")

    by_etag = visitor.get("/decisions/", headers={"If-None-Match": first["ETag"]})
    by_date = visitor.get("/decisions/", headers={"If-Modified-Since": first["Last-Modified"]})

    assert (by_etag.status_code, by_etag.content, by_etag["ETag"]) == (304, b"", first["ETag"])
    assert (by_date.status_code, by_date.content) == (304, b"")
    signed = record_in(DecisionStatus.SIGNED)
    services.decisions_publish_due(today=signed.deferred_until)
    changed = visitor.get("/decisions/", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_new_release_never_reads_the_last_ones_pages(visitor, staff_user, queries, monkeypatch):
    bulk_published(1, by=staff_user)
    visitor.get("/decisions/")
    assert not made_again(visitor, "/decisions/", queries)
    monkeypatch.setattr(caching, "release", lambda: "the-next-release")

    assert made_again(visitor, "/decisions/", queries)


def test_a_version_lost_from_the_cache_never_comes_back_to_an_old_page(
    visitor, staff_user, queries
):
    from django.core.cache import cache

    bulk_published(1, by=staff_user)
    visitor.get("/decisions/")
    cache.delete(caching.PAGE_VERSION_PREFIX + "register")  # evicted

    assert made_again(visitor, "/decisions/", queries)
    assert not made_again(visitor, "/decisions/", queries)


# --- The signed PDF ----------------------------------------------------------------------------


def test_the_signed_pdf_has_its_sha256_as_etag_and_answers_304(
    visitor, published_record, staff_client
):
    services.document_render(document_id=published_record.documents.get().pk)
    document = DecisionDocument.objects.get(record=published_record)
    url = f"/decisions/{published_record.reference}/pdf/"

    response = visitor.get(url)
    again = visitor.get(url, headers={"If-None-Match": f'"{document.sha256}"'})
    since = visitor.get(url, headers={"If-Modified-Since": response["Last-Modified"]})
    other = visitor.get(url, headers={"If-None-Match": '"something-else"'})

    assert response.status_code == 200
    assert response["ETag"] == f'"{document.sha256}"'
    assert response["Cache-Control"] == PUBLIC
    assert hashlib.sha256(response.getvalue()).hexdigest() == document.sha256
    assert (again.status_code, again.content) == (304, b"")
    assert since.status_code == 304
    assert other.status_code == 200
    assert staff_client.get(url)["Cache-Control"] == "private"


def test_an_unpublished_records_pdf_is_never_public_or_conditional(record_in, staff_client):
    record = record_in(DecisionStatus.SIGNED)
    services.document_render(document_id=record.documents.get().pk)
    document = DecisionDocument.objects.get(record=record)
    url = f"/decisions/{record.reference}/pdf/"

    response = staff_client.get(url, headers={"If-None-Match": f'"{document.sha256}"'})

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
    assert Client().get(url).status_code == 404


def test_a_kept_page_answered_early_keeps_every_header_and_has_its_own_request_id(
    visitor, staff_user
):
    bulk_published(1, by=staff_user)
    first = visitor.get("/decisions/")
    second = visitor.get("/decisions/")

    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Content-Type",
        "Vary",
        "ETag",
        "Last-Modified",
    ):
        assert second[header] == first[header], header
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert second["Content-Length"] == str(len(second.content)) == first["Content-Length"]
    assert second.cookies == {} and first.cookies == {}
    # Answered before the view: Django's test client saw no template rendered.
    assert first.templates != [] and second.templates == []


def test_a_published_pdf_is_kept_and_a_new_version_replaces_it(
    visitor, published_record, staff_user
):
    services.document_render(document_id=published_record.documents.get().pk)
    url = f"/decisions/{published_record.reference}/pdf/"
    first = visitor.get(url)
    kept = visitor.get(url)
    assert kept.templates == [] and kept.getvalue() == first.getvalue()
    assert kept["Content-Disposition"] == f'inline; filename="{published_record.reference}.pdf"'
    assert kept["Content-Type"] == "application/pdf"

    second = services.document_queue(record=published_record, by=staff_user)
    services.document_render(document_id=second.pk)
    second.refresh_from_db()

    fresh = visitor.get(url)
    assert fresh["ETag"] == f'"{second.sha256}"' != first["ETag"]
    assert hashlib.sha256(fresh.getvalue()).hexdigest() == second.sha256

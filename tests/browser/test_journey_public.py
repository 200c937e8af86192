"""Journey 5: an anonymous visitor finds a published decision, follows the feed, gets the PDF."""

import datetime
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from decisions import services
from decisions.enums import Outcome
from partners.enums import Role
from tests.factories import UserFactory
from tests.factories.partners import PASSWORD

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"


def _render(document_id: int) -> None:
    try:
        services.document_render(document_id=document_id)
    finally:
        connection.close()  # the thread's own connection would outlive the test database


def _published_record():
    """A record taken through approval and signature, its signed PDF rendered here and now."""
    staff = UserFactory(roles=[Role.OPCC_STAFF])
    ceo = UserFactory(full_name="Helen Carter", roles=[Role.CHIEF_EXECUTIVE])
    pcc = UserFactory(full_name="Morgan Reid", roles=[Role.PCC])
    record = services.decision_create(
        by=staff,
        title="Knife crime awareness campaign in schools",
        received_on=datetime.date(2024, 3, 1),
        section_a="A request to fund a knife crime awareness campaign in secondary schools.",
        decision_text="To approve the campaign.",
    )
    services.decision_create(
        by=staff,
        title="Street lighting in Chester-le-Street",
        received_on=datetime.date(2024, 3, 2),
        section_a="A request to improve lighting on two footpaths.",
        decision_text="To approve the lighting.",
    )
    record = services.decision_submit(record=record, by=staff)
    record = services.decision_approve(
        record=record, by=ceo, advice_confirmed=True, name="Helen Carter"
    )
    record = services.decision_sign(
        record=record, by=pcc, outcome=Outcome.APPROVED, declaration="None", password=PASSWORD
    )
    document = record.documents.get()
    # Signing runs its own event loop, which cannot nest in Playwright's: use another thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_render, document.pk).result()
    record.refresh_from_db()
    return record


@pytest.mark.django_db(transaction=True)
def test_visitor_finds_record_follows_feed_and_downloads_pdf(roles, live_server, page, check):
    record = _published_record()
    url = live_server.url

    page.goto(url + "/decisions/")
    check(page, "register")
    page.get_by_label("Search decisions").fill("knife crime schools")
    page.get_by_role("button", name="Search").click()
    check(page, "search results")
    results = page.locator("table tbody tr")
    expect(results).to_have_count(1)
    # A reference without its year, in lower case, finds it; a search that finds nothing
    # says so in words.
    number = record.reference.split("-")[0].lower()
    page.get_by_label("Search decisions").fill(number)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=record.reference)).to_be_visible()
    page.get_by_label("Search decisions").fill("zeppelin")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No published decision matches ‘zeppelin’.")).to_be_visible()
    check(page, "search finding nothing")
    page.get_by_label("Search decisions").fill("knife crime schools")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=record.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(record.title)
    check(page, "record")
    record_url = page.url

    # The feed link: the response is Atom, and the record is in it.
    with page.expect_response(lambda r: "/decisions/feed/" in r.url) as feed_info:
        page.get_by_role("link", name="Follow new decisions (Atom feed)").click()
    feed = feed_info.value
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(feed.body())
    assert root.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert len(titles) == 1 and record.reference in titles[0]
    [entry] = root.iter(f"{ATOM}entry")
    assert root.find(f"{ATOM}author/{ATOM}name").text == settings.PORTAL_ORGANISATION_NAME
    assert (
        entry.find(f"{ATOM}link[@type='application/pdf']")
        .get("href")
        .endswith(f"/decisions/{record.reference}/pdf/")
    )
    page.go_back()
    assert page.url == record_url
    # The page names its feed for readers that discover it, and the site its icon.
    assert page.locator("link[rel=alternate][type='application/atom+xml']").count() == 1
    assert page.locator("link[rel=icon]").count() == 1

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the signed decision record").click()
    download = download_info.value
    assert download.suggested_filename == f"{record.reference}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    # The response itself names the reference in its Content-Disposition.
    response = page.request.get(url + f"/decisions/{record.reference}/pdf/")
    assert response.ok
    assert record.reference in response.headers["content-disposition"]
    assert response.body().startswith(b"%PDF")

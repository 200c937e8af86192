"""The Atom feed (/decisions/feed/) carries decision text as plain text, never as HTML."""

import xml.etree.ElementTree as ET

from decisions.enums import DecisionStatus

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
TITLE = "Boxing <script>alert('title')</script> & fitness"
DECISION = 'To fund <img src=x onerror="alert(1)"> & <b>nothing</b> else &amp; more'


def test_register_feed_entry_text_is_plain_text_with_the_literal_characters(client, make_record):
    record = make_record(
        DecisionStatus.PUBLISHED,
        title=TITLE,
        section_a="<script>alert('section A')</script> & friends",
        decision_text=DECISION,
    )

    response = client.get("/decisions/feed/")

    assert response.status_code == 200
    entry = ET.fromstring(response.content).find("atom:entry", ATOM)
    title, summary = entry.find("atom:title", ATOM), entry.find("atom:summary", ATOM)
    # Atom's default for a text construct is "text"; the summary says so itself.
    assert title.get("type", "text") == "text"
    assert title.text == f"{record.reference}: {TITLE}"
    assert summary.get("type") == "text"
    assert summary.text == f"Approved. {DECISION}"
    # No element in the feed is declared HTML or XHTML for a reader to render.
    assert b'type="html"' not in response.content
    assert b'type="xhtml"' not in response.content


def test_register_feed_names_its_author_and_links_each_entry_to_its_pdf(client, make_record):
    record = make_record(DecisionStatus.PUBLISHED, title="Mobile CCTV")

    feed = ET.fromstring(client.get("/decisions/feed/").content)

    assert [name.text for name in feed.findall("atom:author/atom:name", ATOM)] == [
        "Office of the Police and Crime Commissioner"
    ]
    entry = feed.find("atom:entry", ATOM)
    links = [
        (link.get("rel"), link.get("type"), link.get("href"))
        for link in entry.findall("atom:link", ATOM)
    ]
    assert links == [
        ("alternate", None, f"http://testserver/decisions/{record.reference}/"),
        ("related", "application/pdf", f"http://testserver/decisions/{record.reference}/pdf/"),
    ]


def test_register_pages_let_readers_discover_the_feed(client, make_record):
    record = make_record(DecisionStatus.PUBLISHED)
    autodiscovery = (
        '<link rel="alternate" type="application/atom+xml" href="/decisions/feed/" '
        'title="Decision records (Atom feed)">'
    )
    for path in ("/decisions/", f"/decisions/{record.reference}/"):
        html = client.get(path).content.decode()
        assert html.count(autodiscovery) == 1, path

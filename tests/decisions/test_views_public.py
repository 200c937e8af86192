"""decisions.views.public through HTTP: what the public cannot see and what it sees, the
register and the Atom feed."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord
from decisions.services import decision_return

from .conftest import RECORD, bulk_published

D = DecisionStatus
ATOM = {"atom": "http://www.w3.org/2005/Atom"}
SECTION_B = b"Section B: the bidders' prices (confidential).\n"
FOI_S43 = "Section 43 (commercial interests), Freedom of Information Act 2000"
# Unpublished records, each with a Section B flagged for publication: only the status
# keeps them from the public.
HIDDEN = [D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.SIGNED]


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def text(response) -> str:
    return response.content.decode()


def references(response) -> list[str]:
    return [record.reference for record in response.context["records"]]


@pytest.fixture(params=["anonymous", "provider", "panel member"])
def outsider(request, provider_user, panel_member_user):
    """A visitor outside the OPCC: not signed in, a provider, or a partner on a panel."""
    client = Client()
    if request.param != "anonymous":
        client.force_login(provider_user if request.param == "provider" else panel_member_user)
    return client


# --- What the public cannot see ------------------------------------------------------------


@pytest.mark.parametrize("status", HIDDEN)
def test_register_detail_unpublished_record_is_404_to_outsiders(outsider, record_in, status):
    record = record_in(status, section_b=SECTION_B, publish_section_b=True)
    response = outsider.get(f"/decisions/{record.reference}/")
    assert response.status_code == 404
    assert RECORD["title"] not in text(response)


@pytest.mark.parametrize("status", HIDDEN)
def test_section_b_of_unpublished_record_is_404_to_outsiders(outsider, record_in, status):
    record = record_in(status, section_b=SECTION_B, publish_section_b=True)
    response = outsider.get(f"/decisions/{record.reference}/section-b/")
    assert response.status_code == 404
    assert b"bidders" not in response.content


def test_register_detail_returned_draft_with_a_reference_is_404_to_outsiders(
    outsider, make_record, ceo_user
):
    # A record returned to draft keeps the reference it was given when first submitted.
    record = make_record(D.AWAITING_APPROVAL, section_b=SECTION_B, publish_section_b=True)
    record = decision_return(record=record, by=ceo_user, comments="Add the costs.")
    assert (record.status, record.reference) == (D.DRAFT, f"DN1-{timezone.localdate():%y}")
    assert outsider.get(f"/decisions/{record.reference}/").status_code == 404
    assert outsider.get(f"/decisions/{record.reference}/section-b/").status_code == 404


def test_register_list_draft_is_not_listed(outsider, make_record):
    make_record(D.DRAFT)
    response = outsider.get("/decisions/")
    assert response.status_code == 200
    assert references(response) == []
    assert "No published decision matches." in text(response)


def test_section_b_of_published_record_not_flagged_is_404_to_outsiders(outsider, make_record):
    record = make_record(D.PUBLISHED, section_b=SECTION_B, publish_section_b=False)
    response = outsider.get(f"/decisions/{record.reference}/section-b/")
    assert response.status_code == 404
    assert b"bidders" not in response.content
    assert "download the Section B report" not in text(
        outsider.get(f"/decisions/{record.reference}/")
    )


def test_section_b_of_published_record_flagged_is_the_file(outsider, make_record):
    record = make_record(D.PUBLISHED, section_b=SECTION_B, publish_section_b=True)
    response = outsider.get(f"/decisions/{record.reference}/section-b/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECTION_B
    assert response["Content-Disposition"] == (
        f'attachment; filename="{record.reference}-section-b.txt"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_section_b_flagged_without_a_file_is_404(outsider, make_record):
    record = make_record(D.PUBLISHED, publish_section_b=True)
    assert outsider.get(f"/decisions/{record.reference}/section-b/").status_code == 404


# --- What the public sees ------------------------------------------------------------------


def test_register_detail_published_record_shows_every_field(outsider, make_record):
    record = make_record(
        D.PUBLISHED,
        outcome=Outcome.NOT_APPROVED,
        declaration="I am a trustee of a charity in the area.",
        commercially_sensitive=True,
        sensitivity_reason="The Section B report sets out the prices bid.",
        exemption_basis=FOI_S43,
        section_b=SECTION_B,
    )
    today = long_date(timezone.localdate())
    response = outsider.get(f"/decisions/{record.reference}/")
    assert response.status_code == 200
    page = text(response)
    for expected in [
        f"Decision record {record.reference} · published {today}",
        '<h1 class="govuk-heading-l">Knife crime awareness campaign in schools</h1>',
        f'<dd class="govuk-summary-list__value">{record.reference}</dd>',
        "1 March 2024",
        RECORD["section_a"],
        RECORD["decision_text"],
        "<strong>Not approved</strong>",
        "<strong>I am a trustee of a charity in the area.</strong>",
        f"Signed by Morgan Reid, Police and Crime Commissioner, on {today}.",
        "Publication scheme considerations",
        "Yes. The Section B report sets out the prices bid.",
        f'Material withheld under</dt><dd class="govuk-summary-list__value">{FOI_S43}</dd>',
        f"Name: <strong>Helen Carter</strong>. Date: {today}.",
    ]:
        assert expected in page, expected
    assert "Not published" not in page
    assert "bidders" not in page


def test_register_detail_nothing_withheld_shows_no_exemption(outsider, make_record):
    record = make_record(D.PUBLISHED, section_b=SECTION_B, publish_section_b=True)
    page = text(outsider.get(f"/decisions/{record.reference}/"))
    assert "Material withheld under" not in page
    assert "<strong>Approved</strong>" in page
    assert "<strong>None</strong>" in page
    assert f'href="/decisions/{record.reference}/section-b/"' in page


@pytest.mark.parametrize("who", ["staff", "ceo", "pcc"])
@pytest.mark.parametrize(
    ("status", "reads"),
    [(D.AWAITING_APPROVAL, "awaiting officer approval"), (D.SIGNED, "signed")],
)
def test_register_detail_unpublished_record_is_shown_to_the_opcc_with_a_warning(
    who, status, reads, record_in, client_as, staff_user, ceo_user, pcc_user
):
    user = {"staff": staff_user, "ceo": ceo_user, "pcc": pcc_user}[who]
    record = record_in(status)
    response = client_as(user).get(f"/decisions/{record.reference}/")
    assert response.status_code == 200
    assert f"Not published: only the OPCC can see this page ({reads})." in text(response)


def test_register_detail_awaiting_signature_warning_keeps_pcc_in_capitals(
    record_in, client_as, pcc_user
):
    record = record_in(D.AWAITING_SIGNATURE)
    response = client_as(pcc_user).get(f"/decisions/{record.reference}/")
    assert response.status_code == 200
    assert "Not published: only the OPCC can see this page (awaiting PCC signature)." in text(
        response
    )


def test_section_b_of_unpublished_record_is_served_to_opcc_staff(staff_client, record_in):
    record = record_in(D.AWAITING_APPROVAL, section_b=SECTION_B, publish_section_b=False)
    response = staff_client.get(f"/decisions/{record.reference}/section-b/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECTION_B


def test_staff_detail_section_b_link_of_a_draft_downloads_it(staff_client, make_record):
    record = make_record(D.DRAFT, section_b=SECTION_B)
    page = staff_client.get(f"/staff/decisions/{record.pk}/")
    link = text(page).split('Section B report: <a class="govuk-link" href="')[1].split('"')[0]
    response = staff_client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECTION_B


def test_register_detail_published_correction_is_linked_from_the_original(
    outsider, make_record, staff_client
):
    original = make_record(D.PUBLISHED)
    response = staff_client.post(f"/staff/decisions/{original.pk}/correct/")
    correction = DecisionRecord.objects.get(corrects=original)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/decisions/{correction.pk}/"
    assert correction.title == f"Correction to {original.reference}: {RECORD['title']}"
    assert correction.status == D.DRAFT
    # Not until the correction is published does the public see it.
    assert "Corrected by" not in text(outsider.get(f"/decisions/{original.reference}/"))
    correction.reference = "DN99-24"
    correction.status = D.PUBLISHED
    correction.outcome = Outcome.APPROVED
    correction.signed_at = correction.published_at = timezone.now()
    correction.save()  # as publishing does: the original's kept page is stale
    assert 'Corrected by <a class="govuk-link" href="/decisions/DN99-24/">DN99-24</a>.' in text(
        outsider.get(f"/decisions/{original.reference}/")
    )


# --- The register --------------------------------------------------------------------------


def test_register_list_published_only_newest_first(outsider, record_in, staff_user):
    for status in [D.DRAFT, *HIDDEN]:
        record_in(status)
    bulk_published(3, by=staff_user)
    response = outsider.get("/decisions/")
    assert response.status_code == 200
    assert references(response) == ["DN3-24", "DN2-24", "DN1-24"]
    assert "3 decisions" in text(response)


def test_register_list_25_a_page(client, staff_user):
    bulk_published(30, by=staff_user)
    first = client.get("/decisions/")
    assert references(first) == [f"DN{n}-24" for n in range(30, 5, -1)]
    assert "Page 1 of 2" in text(first)
    second = client.get("/decisions/?page=2")
    assert references(second) == ["DN5-24", "DN4-24", "DN3-24", "DN2-24", "DN1-24"]
    assert client.get("/decisions/?page=3").status_code == 404


@pytest.fixture
def searchable(make_record):
    """Three published records (through the workflow, so indexed) and one awaiting approval
    with the same words, which no search may find."""
    knife = make_record(D.PUBLISHED)
    camera = make_record(
        D.PUBLISHED,
        title="Mobile CCTV for the town centre",
        section_a="A request to buy a mobile camera unit for the night-time economy.",
    )
    lighting = make_record(
        D.PUBLISHED,
        title="Street lighting improvements",
        section_a="Brighter lighting on the routes from the bus station.",
    )
    make_record(
        D.AWAITING_APPROVAL,
        title="A second mobile camera",
        section_a="Another mobile camera unit.",
    )
    return {"knife": knife, "camera": camera, "lighting": lighting}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("camera", ["camera"]),  # a word in Section A only
        ("cameras", ["camera"]),  # stemmed
        ("knife crime", ["knife"]),  # title words
        ("schools", ["knife"]),
        ("bus station", ["lighting"]),
        ("request", ["camera", "knife"]),  # newest first
        ("helicopter", []),
    ],
)
def test_register_list_search_by_words(outsider, searchable, query, expected):
    response = outsider.get("/decisions/", {"q": query})
    assert response.status_code == 200
    assert references(response) == [searchable[key].reference for key in expected]


@pytest.mark.parametrize("case", [str, str.lower])
def test_register_list_search_by_reference(outsider, searchable, case):
    wanted = searchable["camera"].reference
    response = outsider.get("/decisions/", {"q": case(wanted)})
    assert references(response) == [wanted]


@pytest.mark.parametrize("query", ["DN50", "dn50", " dn50 ", "DN50-24", "dn50-24"])
def test_register_list_finds_a_reference_without_its_year_in_any_case(outsider, staff_user, query):
    bulk_published(3, by=staff_user, first=49)
    published = outsider.get("/decisions/", {"q": query})
    assert references(published) == ["DN50-24"]
    assert "No published decision matches" not in text(published)


def test_register_list_reference_prefix_does_not_find_longer_numbers(outsider, staff_user):
    bulk_published(1, by=staff_user, first=500)
    response = outsider.get("/decisions/", {"q": "DN50"})
    assert references(response) == []
    assert "No published decision matches ‘DN50’." in text(response)


def test_register_list_says_when_nothing_matches(outsider, searchable):
    response = outsider.get("/decisions/", {"q": "helicopter"})
    assert references(response) == []
    assert "No published decision matches ‘helicopter’." in text(response)


def test_register_list_filter_by_year(outsider, staff_user):
    records = bulk_published(3, by=staff_user)
    DecisionRecord.objects.filter(pk=records[2].pk).update(
        published_at=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    )
    assert references(outsider.get("/decisions/", {"year": "2024"})) == ["DN2-24", "DN1-24"]
    assert references(outsider.get("/decisions/", {"year": "2025"})) == ["DN3-24"]
    response = outsider.get("/decisions/", {"year": ""})
    assert references(response) == ["DN3-24", "DN2-24", "DN1-24"]
    assert response.context["filter_form"].fields["year"].choices == [
        ("", "Any year"),
        ("2025", "2025"),
        ("2024", "2024"),
    ]


def test_register_list_year_and_words_together(outsider, searchable, staff_user):
    DecisionRecord.objects.filter(pk=searchable["camera"].pk).update(
        published_at=datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC)
    )
    this_year = str(timezone.now().year)
    assert references(outsider.get("/decisions/", {"q": "camera", "year": this_year})) == []
    assert references(outsider.get("/decisions/", {"q": "camera", "year": "2024"})) == [
        searchable["camera"].reference
    ]


# --- The Atom feed -------------------------------------------------------------------------


def test_register_feed_lists_the_published_records(outsider, record_in, staff_user):
    for status in [D.DRAFT, *HIDDEN]:
        record_in(status)
    bulk_published(3, by=staff_user)
    response = outsider.get("/decisions/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.find("atom:title", ATOM).text == "Decision records"
    entries = feed.findall("atom:entry", ATOM)
    assert [e.find("atom:title", ATOM).text for e in entries] == [
        "DN3-24: Decision number 3",
        "DN2-24: Decision number 2",
        "DN1-24: Decision number 1",
    ]
    assert entries[0].find("atom:link", ATOM).get("href") == "http://testserver/decisions/DN3-24/"
    assert entries[0].find("atom:updated", ATOM).text == "2024-01-01T12:00:00+00:00"


def test_register_feed_empty_register_parses(db, client):
    feed = ET.fromstring(client.get("/decisions/feed/").content)
    assert feed.findall("atom:entry", ATOM) == []

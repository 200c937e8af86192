"""The public register and the OPCC's pages, through HTTP."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord, DecisionStatusChange
from decisions.services import decision_return, decision_submit, decisions_publish_due
from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, FundingRound
from partners.models import User
from svd_portal.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from tests.factories.partners import PASSWORD

from .conftest import DEFERRAL, RECORD, bulk_published

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


@pytest.fixture
def snapshot():
    """snapshot(): every record's status and the number of rows, to compare before and after."""

    def take():
        return (
            list(DecisionRecord.objects.order_by("pk").values_list("pk", "status", "title")),
            DecisionStatusChange.objects.count(),
        )

    return take


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
    DecisionRecord.objects.filter(pk=correction.pk).update(
        reference="DN99-24",
        status=D.PUBLISHED,
        outcome=Outcome.APPROVED,
        signed_at=timezone.now(),
        published_at=timezone.now(),
    )
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
    assert response.context["form"].fields["year"].choices == [
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


# --- The OPCC's pages: who may do what -----------------------------------------------------


@pytest.fixture
def one_of_each(record_in):
    """A record in each status a move is made from."""
    return {status: record_in(status) for status in [D.DRAFT, *HIDDEN, D.PUBLISHED]}


ACTIONS = [
    ("submit", D.DRAFT, {}),
    ("approve", D.AWAITING_APPROVAL, {"advice_confirmed": "on", "name": "X", "role": "Y"}),
    ("return", D.AWAITING_APPROVAL, {"comments": "Change it."}),
    ("return", D.AWAITING_SIGNATURE, {"comments": "Change it."}),
    ("sign", D.AWAITING_SIGNATURE, {"outcome": "approved", "declaration": "None"}),
    ("correct", D.PUBLISHED, {}),
    ("correct", D.SIGNED, {}),
]


@pytest.mark.parametrize("who", ["provider", "panel member"])
def test_staff_list_is_403_outside_the_opcc(who, client_as, provider_user, panel_member_user):
    user = provider_user if who == "provider" else panel_member_user
    response = client_as(user).get("/staff/decisions/")
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["provider", "panel member"])
@pytest.mark.parametrize(("action", "status", "data"), ACTIONS)
def test_staff_action_is_403_outside_the_opcc(
    who, action, status, data, client_as, provider_user, panel_member_user, one_of_each, snapshot
):
    user = provider_user if who == "provider" else panel_member_user
    record = one_of_each[status]
    before = snapshot()
    response = client_as(user).post(
        f"/staff/decisions/{record.pk}/{action}/", {**data, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["provider", "panel member"])
@pytest.mark.parametrize("status", [D.DRAFT, *HIDDEN])
def test_staff_detail_is_403_outside_the_opcc(
    who, status, client_as, provider_user, panel_member_user, record_in
):
    user = provider_user if who == "provider" else panel_member_user
    record = record_in(status)
    response = client_as(user).get(f"/staff/decisions/{record.pk}/")
    assert response.status_code == 403
    assert RECORD["section_a"] not in text(response)


def test_staff_create_and_edit_are_403_outside_the_opcc(provider_client, make_record, snapshot):
    record = make_record(D.DRAFT)
    before = snapshot()
    form = {**RECORD, "received_on": "2024-03-01"}
    assert provider_client.post("/staff/decisions/new/", form).status_code == 403
    assert provider_client.post(f"/staff/decisions/{record.pk}/edit/", form).status_code == 403
    assert provider_client.post("/staff/decisions/from-round/", {}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("action", "status", "data"), ACTIONS)
def test_staff_action_anonymous_is_sent_to_sign_in(client, action, status, data, one_of_each):
    record = one_of_each[status]
    response = client.post(f"/staff/decisions/{record.pk}/{action}/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert DecisionRecord.objects.get(pk=record.pk).status == status


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("ceo", "sign", D.AWAITING_SIGNATURE),
        ("staff", "sign", D.AWAITING_SIGNATURE),
        ("pcc", "approve", D.AWAITING_APPROVAL),
        ("staff", "approve", D.AWAITING_APPROVAL),
        ("ceo", "return", D.AWAITING_SIGNATURE),
        ("pcc", "return", D.AWAITING_APPROVAL),
        ("ceo", "submit", D.DRAFT),
        ("pcc", "submit", D.DRAFT),
        ("ceo", "correct", D.PUBLISHED),
        ("pcc", "correct", D.PUBLISHED),
        # The right person, at the wrong step.
        ("ceo", "approve", D.AWAITING_SIGNATURE),
        ("pcc", "sign", D.AWAITING_APPROVAL),
        ("staff", "submit", D.AWAITING_APPROVAL),
        ("staff", "correct", D.AWAITING_SIGNATURE),
    ],
)
def test_staff_action_by_the_wrong_role_is_403(
    who, action, status, client_as, staff_user, ceo_user, pcc_user, one_of_each, snapshot
):
    user = {"staff": staff_user, "ceo": ceo_user, "pcc": pcc_user}[who]
    # Each signs with their own password: the role, not the password, is what is refused.
    data = {
        "advice_confirmed": "on",
        "name": user.full_name,
        "role": "Chief Executive",
        "outcome": "approved",
        "declaration": "None",
        "password": PASSWORD,
        "comments": "Change it.",
    }
    record = one_of_each[status]
    before = snapshot()
    response = client_as(user).post(f"/staff/decisions/{record.pk}/{action}/", data)
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_action_get_is_not_allowed(client_as, pcc_user, one_of_each):
    record = one_of_each[D.AWAITING_SIGNATURE]
    response = client_as(pcc_user).get(f"/staff/decisions/{record.pk}/sign/")
    assert response.status_code == 405


# --- The OPCC's pages: the moves -----------------------------------------------------------


def test_staff_sign_wrong_password_is_400_and_changes_nothing(
    client_as, pcc_user, make_record, snapshot
):
    record = make_record(D.AWAITING_SIGNATURE)
    before = snapshot()
    response = client_as(pcc_user).post(
        f"/staff/decisions/{record.pk}/sign/",
        {"outcome": "approved", "declaration": "None", "password": "not-the-password"},
    )
    assert response.status_code == 400
    assert "The password is not right" in text(response)
    assert snapshot() == before
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.outcome, record.signed_at) == (D.AWAITING_SIGNATURE, "", None)


def test_staff_approve_without_the_confirmation_is_400(client_as, ceo_user, make_record, snapshot):
    record = make_record(D.AWAITING_APPROVAL)
    before = snapshot()
    response = client_as(ceo_user).post(
        f"/staff/decisions/{record.pk}/approve/", {"name": "Helen Carter", "role": "CEO"}
    )
    assert response.status_code == 400
    assert "Confirm that financial, legal and equalities advice was taken into account" in text(
        response
    )
    assert snapshot() == before


def test_staff_return_without_comments_is_400(client_as, pcc_user, make_record, snapshot):
    record = make_record(D.AWAITING_SIGNATURE)
    before = snapshot()
    response = client_as(pcc_user).post(f"/staff/decisions/{record.pk}/return/", {"comments": ""})
    assert response.status_code == 400
    assert snapshot() == before


def test_staff_return_by_the_pcc_sends_it_back_to_draft(client_as, pcc_user, make_record):
    record = make_record(D.AWAITING_SIGNATURE)
    response = client_as(pcc_user).post(
        f"/staff/decisions/{record.pk}/return/", {"comments": "Name the schools."}
    )
    assert response.status_code == 302
    assert DecisionRecord.objects.get(pk=record.pk).status == D.DRAFT
    assert record.status_changes.first().reason == "Name the schools."


def test_staff_create_saves_a_draft_with_its_section_b(staff_client):
    response = staff_client.post(
        "/staff/decisions/new/",
        {
            **RECORD,
            "received_on": "2024-03-01",
            "section_b": SimpleUploadedFile("report.txt", SECTION_B),
        },
    )
    record = DecisionRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/decisions/{record.pk}/"
    assert (record.status, record.title, record.reference) == (D.DRAFT, RECORD["title"], "")
    assert record.section_b.read() == SECTION_B


def test_staff_create_deferred_without_a_date_asks_for_the_date(staff_client):
    response = staff_client.post(
        "/staff/decisions/new/",
        {
            **RECORD,
            "received_on": "2024-03-01",
            "publication_deferred": "on",
            "deferral_reasons": "Staff to be consulted.",
        },
    )
    assert response.status_code == 200
    assert "Give the date publication is deferred to" in text(response)
    assert "Constraint" not in text(response)
    assert not DecisionRecord.objects.exists()


def test_staff_edit_of_a_signed_record_is_403(staff_client, record_in, snapshot):
    record = record_in(D.SIGNED)
    before = snapshot()
    response = staff_client.post(
        f"/staff/decisions/{record.pk}/edit/",
        {**RECORD, "title": "Changed", "received_on": "2024-03-01"},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_list_by_status_and_whose_move(staff_client, one_of_each):
    response = staff_client.get("/staff/decisions/", {"status": D.AWAITING_SIGNATURE})
    assert response.status_code == 200
    assert list(response.context["records"]) == [one_of_each[D.AWAITING_SIGNATURE]]
    assert '<td class="govuk-table__cell">PCC</td>' in text(response)
    everything = staff_client.get("/staff/decisions/")
    assert {r.pk for r in everything.context["records"]} == {r.pk for r in one_of_each.values()}


def test_staff_list_shows_what_waits_for_the_ceo(client_as, ceo_user, one_of_each):
    response = client_as(ceo_user).get("/staff/decisions/")
    assert list(response.context["waiting"]) == [one_of_each[D.AWAITING_APPROVAL]]


# --- Home page: waiting for you ------------------------------------------------------------


@pytest.fixture
def waiting_records(make_record):
    return {
        "approval": make_record(D.AWAITING_APPROVAL, title="Mobile CCTV for the town centre"),
        "signature": make_record(D.AWAITING_SIGNATURE, title="Street lighting improvements"),
        "draft": make_record(D.DRAFT, title="A draft nobody waits for"),
    }


def test_home_ceo_sees_the_records_waiting_for_approval(client_as, ceo_user, waiting_records):
    record = waiting_records["approval"]
    response = client_as(ceo_user).get("/")
    page = text(response)
    assert response.context["waiting"] == [record]
    assert "Decision records waiting for your officer approval: 1." in page
    assert (
        f'<a class="govuk-link" href="/staff/decisions/{record.pk}/">'
        f"{record.reference}: Mobile CCTV for the town centre</a>" in page
    )
    assert "Street lighting improvements" not in page


def test_home_pcc_sees_the_records_waiting_for_signature(client_as, pcc_user, waiting_records):
    record = waiting_records["signature"]
    response = client_as(pcc_user).get("/")
    page = text(response)
    assert response.context["waiting"] == [record]
    assert "Decision records waiting for your signature: 1." in page
    assert (
        f'<a class="govuk-link" href="/staff/decisions/{record.pk}/">'
        f"{record.reference}: Street lighting improvements</a>" in page
    )
    assert "Mobile CCTV for the town centre" not in page


@pytest.mark.parametrize("who", ["staff", "provider"])
def test_home_others_see_nothing_waiting(
    who, client_as, staff_user, provider_user, waiting_records
):
    user = staff_user if who == "staff" else provider_user
    response = client_as(user).get("/")
    assert "waiting" not in response.context
    assert "Waiting for you" not in text(response)


# --- The whole path, with the demo data ----------------------------------------------------


def test_whole_path_from_the_demo_round_to_the_register(db, settings):
    settings.DEMO_PASSWORD = ""  # the command's default password, whatever the environment says
    call_command("seed_demo", verbosity=0)
    vpf = FundingRound.objects.get(slug="violence-prevention-fund-2024")
    staff, ceo, pcc = (
        User.objects.get(email=f"{who}@demo.example") for who in ("staff", "ceo", "pcc")
    )
    staff_client, ceo_client, pcc_client = Client(), Client(), Client()
    for client, user in ((staff_client, staff), (ceo_client, ceo), (pcc_client, pcc)):
        assert (
            client.post(
                "/accounts/login/", {"username": user.email, "password": DEFAULT_DEMO_PASSWORD}
            ).status_code
            == 302
        )

    # OPCC staff draft the decision from the round's recommendations.
    assert staff_client.get("/staff/decisions/from-round/").status_code == 200
    response = staff_client.post("/staff/decisions/from-round/", {"funding_round": vpf.pk})
    record = DecisionRecord.objects.get(funding_round=vpf)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/decisions/{record.pk}/"
    # The draft shows the schedule as the moderation stands; nothing is fixed yet.
    draft_page = text(staff_client.get(f"/staff/decisions/{record.pk}/"))
    assert "VPF24-0002: Bishop Auckland Boxing Club, £4,800 with conditions:" in draft_page
    assert record.scheduled_awards.count() == 0

    # ... and submit it for officer approval: the schedule of awards is fixed now.
    assert staff_client.post(f"/staff/decisions/{record.pk}/submit/").status_code == 302
    record.refresh_from_db()
    reference = f"DN1-{timezone.localdate():%y}"
    assert (record.status, record.reference) == (D.AWAITING_APPROVAL, reference)
    assert list(
        record.scheduled_awards.order_by("position").values_list(
            "reference", "recommended", "amount"
        )
    ) == [
        ("VPF24-0003", True, Decimal("35955.00")),
        ("VPF24-0001", True, Decimal("38500.00")),
        ("VPF24-0004", True, Decimal("27000.00")),
        ("VPF24-0002", True, Decimal("4800.00")),
        ("VPF24-0005", False, Decimal("0.00")),
    ]
    assert record.schedule_total == Decimal("106255.00")
    assert Client().get(f"/decisions/{reference}/").status_code == 404

    # The Chief Executive sees it waiting, and approves it with the confirmation.
    assert reference in text(ceo_client.get("/"))
    response = ceo_client.post(
        f"/staff/decisions/{record.pk}/approve/",
        {"advice_confirmed": "on", "name": "Helen Carter", "role": "Chief Executive"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.officer_approval_name) == (D.AWAITING_SIGNATURE, "Helen Carter")
    assert Client().get(f"/decisions/{reference}/").status_code == 404

    # The PCC sees it waiting, and signs with their password.
    assert reference in text(pcc_client.get("/"))
    response = pcc_client.post(
        f"/staff/decisions/{record.pk}/sign/",
        {"outcome": "approved", "declaration": "None", "password": DEFAULT_DEMO_PASSWORD},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.outcome, record.signed_by) == (
        D.PUBLISHED,
        Outcome.APPROVED,
        pcc,
    )

    # Published: anyone can read it, and the round is decided.
    response = Client().get(f"/decisions/{reference}/")
    assert response.status_code == 200
    assert record.title in text(response)
    assert references(Client().get("/decisions/", {"q": reference})) == [reference]
    vpf.refresh_from_db()
    assert vpf.status == RoundStatus.DECIDED
    assert list(
        Application.objects.filter(decisions=record)
        .order_by("reference")
        .values_list("reference", "status", "awarded_amount")
    ) == [
        ("VPF24-0001", ApplicationStatus.AWARDED, Decimal("38500.00")),
        ("VPF24-0002", ApplicationStatus.AWARDED, Decimal("4800.00")),
        ("VPF24-0003", ApplicationStatus.AWARDED, Decimal("35955.00")),
        ("VPF24-0004", ApplicationStatus.AWARDED, Decimal("27000.00")),
        ("VPF24-0005", ApplicationStatus.DECLINED, None),
    ]


def test_whole_path_deferred_record_appears_on_its_date(client, make_record, future_day):
    record = make_record(D.SIGNED, **DEFERRAL, deferred_until=future_day)
    assert client.get(f"/decisions/{record.reference}/").status_code == 404
    assert references(client.get("/decisions/")) == []
    decisions_publish_due(today=future_day)
    assert client.get(f"/decisions/{record.reference}/").status_code == 200
    assert references(client.get("/decisions/")) == [record.reference]


def test_staff_submit_of_a_returned_draft_keeps_its_reference(
    staff_client, make_record, staff_user, ceo_user
):
    record = make_record(D.AWAITING_APPROVAL)
    first = record.reference
    decision_return(record=record, by=ceo_user, comments="Add the costs.")
    assert staff_client.post(f"/staff/decisions/{record.pk}/submit/").status_code == 302
    record.refresh_from_db()
    assert (record.status, record.reference) == (D.AWAITING_APPROVAL, first)
    other = decision_submit(record=make_record(), by=staff_user)
    assert other.reference == f"DN2-{timezone.localdate():%y}"


@pytest.mark.parametrize(
    ("status", "who", "form_heading"),
    [
        (D.AWAITING_APPROVAL, "ceo_user", "Officer approval</h2>"),
        (D.AWAITING_SIGNATURE, "pcc_user", "Your decision</h2>"),
    ],
)
def test_the_officer_and_the_pcc_read_the_record_before_its_form(
    request, client_as, make_record, status, who, form_heading
):
    record = make_record(status)
    page = text(client_as(request.getfixturevalue(who)).get(f"/staff/decisions/{record.pk}/"))
    # Section A and the decision requested come first; the form after them, with a link down.
    assert (
        page.index(record.section_a)
        < page.index("The decision requested")
        < page.index(form_heading)
    )
    assert 'href="#your-part"' in page

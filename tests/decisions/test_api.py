"""The public API's decision records (decisions/api.py): published records only, newest
first, in pages of 50; each record as its page shows it, with its PDF once made and the
grants it made; filters by the day published, outcome and round, refusing what cannot be
used with why; the same for a signed-in member of staff as for anyone; queries fixed."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, DocumentStatus, Outcome
from decisions.models import DecisionDocument, DecisionRecord
from grants.enums import AwardStatus
from grants.models import Award
from tests.factories.partners import PASSWORD

from .conftest import RECORD, bulk_published

D = DecisionStatus
BASE = "http://localhost:8000"
SECTION_B = b"Section B: the bidders' prices (confidential).\n"


def references(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


def moment(response_value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(response_value)


@pytest.fixture
def staff_api(client_as, staff_user):
    return client_as(staff_user)


# --- The list ------------------------------------------------------------------------------


def test_list_published_only_newest_first(client, record_in, staff_user):
    for status in [D.DRAFT, D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.SIGNED]:
        record_in(status)
    bulk_published(3, by=staff_user)
    response = client.get("/api/v1/decisions/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert references(response) == ["DN3-24", "DN2-24", "DN1-24"]
    assert body["results"][2] == {
        "reference": "DN1-24",
        "title": "Decision number 1",
        "outcome": "approved",
        "published_at": "2024-01-01T10:00:00Z",
        "signed_on": "2024-01-01",
        "round": None,
        "corrects": None,
        "url": f"{BASE}/decisions/DN1-24/",
        "pdf_url": None,
        "api_url": f"{BASE}/api/v1/decisions/DN1-24/",
    }


def test_list_the_same_for_signed_in_staff(client, staff_api, record_in, staff_user):
    """No session is read: what the OPCC may see on its own pages is never in the API."""
    record_in(D.SIGNED)
    record_in(D.DRAFT)
    bulk_published(2, by=staff_user)
    anonymous = client.get("/api/v1/decisions/")
    signed_in = staff_api.get("/api/v1/decisions/")
    assert signed_in.content == anonymous.content
    assert references(signed_in) == ["DN2-24", "DN1-24"]


def test_list_pages_of_fifty_and_up_to_two_hundred(client, staff_user):
    bulk_published(60, by=staff_user)
    first = client.get("/api/v1/decisions/")
    assert references(first) == [f"DN{n}-24" for n in range(60, 10, -1)]
    assert first.json()["next"] == "http://testserver/api/v1/decisions/?page=2"
    second = client.get("/api/v1/decisions/?page=2")
    assert references(second) == [f"DN{n}-24" for n in range(10, 0, -1)]
    assert second.json()["next"] is None
    assert len(client.get("/api/v1/decisions/?page_size=500").json()["results"]) == 60
    assert references(client.get("/api/v1/decisions/?page_size=7")) == [
        f"DN{n}-24" for n in range(60, 53, -1)
    ]
    beyond = client.get("/api/v1/decisions/?page=3")
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Invalid page."}


def test_list_page_size_is_at_most_two_hundred(client, staff_user):
    bulk_published(201, by=staff_user)
    assert len(client.get("/api/v1/decisions/?page_size=500").json()["results"]) == 200


def test_list_queries_do_not_grow_with_rows(client, staff_user):
    bulk_published(3, by=staff_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/decisions/").status_code == 200
    bulk_published(47, by=staff_user, first=4)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/decisions/").json()["results"]) == 50
    assert len(few) == len(many) == 2  # the count and the page


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def three_days(staff_user):
    """DN1-24 published on 1 April 2024 (approved), DN2-24 on 2 April (not approved),
    DN3-24 on 3 April, at 00:30 in London (23:30 UTC the day before)."""
    records = bulk_published(3, by=staff_user)
    for day, record in enumerate(records, start=1):
        published = datetime.datetime(2024, 4, day, 0, 30, tzinfo=timezone.get_default_timezone())
        DecisionRecord.objects.filter(pk=record.pk).update(
            published_at=published,
            outcome=Outcome.NOT_APPROVED if day == 2 else Outcome.APPROVED,
        )
    return records


@pytest.mark.parametrize(
    "query, expected",
    [
        ("published_after=2024-04-02", ["DN3-24", "DN2-24"]),
        ("published_before=2024-04-02", ["DN2-24", "DN1-24"]),
        ("published_after=2024-04-02&published_before=2024-04-02", ["DN2-24"]),
        ("published_after=2024-04-04", []),
        ("outcome=not_approved", ["DN2-24"]),
        ("outcome=approved&published_before=2024-04-01", ["DN1-24"]),
    ],
)
def test_filters_by_the_day_in_london_and_the_outcome(client, three_days, query, expected):
    response = client.get(f"/api/v1/decisions/?{query}")
    assert response.status_code == 200
    assert references(response) == expected


def test_filter_by_round(client, three_days, funding_round):
    DecisionRecord.objects.filter(reference="DN2-24").update(funding_round=funding_round)
    response = client.get(f"/api/v1/decisions/?round={funding_round.slug}")
    assert references(response) == ["DN2-24"]
    assert response.json()["results"][0]["round"] == funding_round.slug
    assert references(client.get("/api/v1/decisions/?round=no-such-round")) == []


@pytest.mark.parametrize(
    "query, errors",
    [
        ("published_after=1%20April", {"published_after": ["Enter a valid date."]}),
        ("published_before=2024-02-30", {"published_before": ["Enter a valid date."]}),
        (
            "outcome=maybe",
            {"outcome": ["Select a valid choice. maybe is not one of the available choices."]},
        ),
    ],
)
def test_a_filter_that_cannot_be_used_is_a_400_with_why(client, three_days, query, errors):
    response = client.get(f"/api/v1/decisions/?{query}")
    assert response.status_code == 400
    assert response.json() == errors


# --- One record ----------------------------------------------------------------------------


def test_record_as_its_page_shows_it(client, make_record):
    record = make_record(
        D.PUBLISHED,
        outcome=Outcome.NOT_APPROVED,
        declaration="I am a trustee of a charity in the area.",
        commercially_sensitive=True,
        sensitivity_reason="The Section B report sets out the prices bid.",
        exemption_basis="Section 43 (commercial interests), Freedom of Information Act 2000",
        section_b=SECTION_B,
    )
    today = timezone.localdate().isoformat()
    response = client.get(f"/api/v1/decisions/{record.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert moment(body.pop("published_at")) == record.published_at
    assert body == {
        "reference": record.reference,
        "title": RECORD["title"],
        "outcome": "not_approved",
        "signed_on": today,
        "round": None,
        "corrects": None,
        "url": f"{BASE}/decisions/{record.reference}/",
        "pdf_url": None,
        "api_url": f"{BASE}/api/v1/decisions/{record.reference}/",
        "received_on": "2024-03-01",
        "section_a": RECORD["section_a"],
        "decision_text": RECORD["decision_text"],
        "declaration": "I am a trustee of a charity in the area.",
        "signed_name": "Morgan Reid",
        "officer_approval_name": "Helen Carter",
        "officer_approval_role": "Chief Executive",
        "officer_approved_on": today,
        "commercially_sensitive": True,
        "sensitivity_reason": "The Section B report sets out the prices bid.",
        "exemption_basis": "Section 43 (commercial interests), Freedom of Information Act 2000",
        "publication_deferred": False,
        "deferred_until": None,
        "deferral_reasons": "",
        # Commercially sensitive: never published, whatever else the record says.
        "section_b": {"published": "none", "url": None},
        "document": None,
        "schedule": [],
        "grants": [],
        "corrected_by": [],
    }
    assert b"bidders" not in response.content


def test_published_section_b_and_its_redacted_copy_are_linked(client, make_record):
    full = make_record(D.PUBLISHED, section_b=SECTION_B, publish_section_b=True)
    withheld = make_record(
        D.PUBLISHED,
        section_b=SECTION_B,
        section_b_redacted=ContentFile(b"Section B, redacted.\n", name="redacted.txt"),
    )
    assert client.get(f"/api/v1/decisions/{full.reference}/").json()["section_b"] == {
        "published": "full",
        "url": f"{BASE}/decisions/{full.reference}/section-b/",
    }
    assert client.get(f"/api/v1/decisions/{withheld.reference}/").json()["section_b"] == {
        "published": "redacted",
        "url": f"{BASE}/decisions/{withheld.reference}/section-b/redacted/",
    }


@pytest.mark.parametrize("status", [D.DRAFT, D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.SIGNED])
def test_unpublished_record_is_a_404_with_why_even_to_staff(client, staff_api, record_in, status):
    record = record_in(status)
    reference = record.reference or "DN1-24"
    for who in (client, staff_api):
        response = who.get(f"/api/v1/decisions/{reference}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No published decision record has this reference"}


def test_a_correction_is_listed_once_published(client, make_record):
    original = make_record(D.PUBLISHED)
    correction = make_record(D.DRAFT, corrects=original)
    url = f"/api/v1/decisions/{original.reference}/"
    assert client.get(url).json()["corrected_by"] == []
    DecisionRecord.objects.filter(pk=correction.pk).update(
        reference="DN99-24",
        status=D.PUBLISHED,
        outcome=Outcome.APPROVED,
        signed_at=timezone.now(),
        published_at=timezone.now(),
    )
    assert client.get(url).json()["corrected_by"] == ["DN99-24"]
    assert client.get("/api/v1/decisions/DN99-24/").json()["corrects"] == original.reference


@pytest.mark.usefixtures("document_signing", "document_storage")
def test_the_signed_pdf_once_ready(client, published_record):
    url = f"/api/v1/decisions/{published_record.reference}/"
    assert client.get(url).json()["document"] is None
    services.document_render(document_id=published_record.documents.get().pk)
    document = DecisionDocument.objects.get(record=published_record)
    assert document.status == DocumentStatus.READY
    body = client.get(url).json()
    pdf = f"{BASE}/decisions/{published_record.reference}/pdf/"
    assert body["pdf_url"] == pdf
    assert body["document"] == {
        "version": 1,
        "url": pdf,
        "sha256": document.sha256,
        "certificate_fingerprint": document.certificate_fingerprint,
        "size": document.file.size,
    }
    assert client.get("/api/v1/decisions/").json()["results"][0]["pdf_url"] == pdf


def test_schedule_and_the_grants_it_made(client, recommended_round, staff_user, ceo_user, pcc_user):
    """The schedule as signed (a declined bid named, never its money), and each grant it
    made once on the register."""
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    record = services.decision_submit(record=record, by=staff_user)
    record = services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    record = services.decision_sign(
        record=record, by=pcc_user, outcome=Outcome.APPROVED, declaration="None", password=PASSWORD
    )
    assert record.status == D.PUBLISHED
    url = f"/api/v1/decisions/{record.reference}/"
    body = client.get(url).json()
    assert body["round"] == recommended_round.slug
    assert body["schedule"] == [
        {
            "application": "YV1-0001",
            "title": "Mentoring for young people at risk",
            "organisation": "Darlington Youth Mentoring Trust",
            "recommended": True,
            "amount": "4800.00",
            "conditions": "",
        },
        {
            "application": "YV1-0002",
            "title": "Healthy relationships in schools",
            "organisation": "Darlington Youth Mentoring Trust",
            "recommended": True,
            "amount": "3000.00",
            "conditions": "Safeguarding training first.",
        },
        {
            "application": "YV1-0003",
            "title": "Boxing after school",
            "organisation": "Darlington Youth Mentoring Trust",
            "recommended": False,
            "amount": None,
            "conditions": "",
        },
    ]
    # Made at the signature, but not on the register until accepted.
    assert body["grants"] == []
    award = Award.objects.get(application__reference="YV1-0002")
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    assert client.get(url).json()["grants"] == [
        {
            "reference": award.reference,
            "title": "Healthy relationships in schools",
            "recipient": "Darlington Youth Mentoring Trust",
            "amount": "3000.00",
            "url": f"{BASE}/grants/{award.reference}/",
            "api_url": f"{BASE}/api/v1/grants/{award.reference}/",
        }
    ]

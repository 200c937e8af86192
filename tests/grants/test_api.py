"""The public API's grants and funding rounds (grants/api.py): the grants register (each
award once accepted and its decision published) and every round but a draft, as their
pages show them; filters by date refusing what cannot be used with why; nothing off the
register or in draft, for anyone; queries fixed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import services
from grants.enums import RoundStatus
from grants.models import Application, Award, FundingRound

from .register_data import more_grants

BASE = "http://localhost:8000"


def references(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


# --- Grants --------------------------------------------------------------------------------


def test_grants_on_the_register_newest_first(client, register_grants, funding_round, provider_org):
    response = client.get("/api/v1/grants/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"]) == (3, None)
    # Quiet Decision Ltd's (decision not published) and Not Yet Accepted's (offered) are not.
    assert references(response) == ["OPN-A-0003", "OPN-A-0002", "OPN-A-0001"]
    assert body["results"][2] == {
        "reference": "OPN-A-0001",
        "id_360giving": "360G-svdportal-OPN-A-0001",
        "title": "Street sport",
        "recipient": {
            "name": "Seaham Street Sport",
            "org_id": f"360G-svdportal-ORG-{provider_org.pk}",
            "charity_number": "",
            "company_number": "",
        },
        "amount": "3000.00",
        "paid_to_date": "750.00",
        "awarded_on": "2024-03-18",
        "delivery_starts_on": "2024-04-01",
        "delivery_ends_on": "2025-03-31",
        "decision": "DN1-24",
        "round": funding_round.slug,
        "url": f"{BASE}/grants/OPN-A-0001/",
        "decision_url": f"{BASE}/decisions/DN1-24/",
        "api_url": f"{BASE}/api/v1/grants/OPN-A-0001/",
    }
    assert b"Quiet Decision" not in response.content
    assert b"Not Yet Accepted" not in response.content


def test_grant_as_its_page_shows_it(client, register_grants, areas, priorities):
    charity = register_grants["OPN-A-0002"]
    Application.objects.filter(pk=charity.application_id).update(
        summary="Mentors for young people leaving custody."
    )
    Award.objects.filter(pk=charity.pk).update(conditions="Quarterly safeguarding reports.")
    response = client.get("/api/v1/grants/OPN-A-0002/")
    assert response.status_code == 200
    body = response.json()
    assert body["recipient"] == {
        "name": "Darlington Mentoring Trust",
        "org_id": f"GB-CHC-{charity.organisation.charity_number}",
        "charity_number": charity.organisation.charity_number,
        "company_number": "",
    }
    assert (body["amount"], body["paid_to_date"]) == ("8000.50", "0.00")
    assert {key: body[key] for key in ["purpose", "conditions", "rationale", "accepted_on"]} == {
        "purpose": "Mentors for young people leaving custody.",
        "conditions": "Quarterly safeguarding reports.",
        "rationale": "Fewer young people carry knives.",
        "accepted_on": "2024-05-02",
    }
    assert body["priorities"] == [
        {"number": 2, "theme": priorities[1].theme, "title": priorities[1].title}
    ]
    assert body["areas"] == [
        {"name": "County Durham", "geo_code": "E06000047", "geo_code_type": "UA"},
        {"name": "Darlington", "geo_code": "", "geo_code_type": ""},
    ]


@pytest.mark.parametrize("reference", ["OPN-A-0004", "OPN-A-0005", "OPN-A-9999"])
def test_grant_off_the_register_is_a_404_with_why_even_to_staff(
    client, client_as, staff_user, register_grants, reference
):
    for who in (client, client_as(staff_user)):
        response = who.get(f"/api/v1/grants/{reference}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No grant on the register has this reference"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("awarded_after=2024-04-01", ["OPN-A-0003"]),
        ("awarded_before=2024-03-31", ["OPN-A-0002", "OPN-A-0001"]),
        ("awarded_after=2024-03-18&awarded_before=2024-03-18", ["OPN-A-0002", "OPN-A-0001"]),
        ("decision=DN1-24", ["OPN-A-0003", "OPN-A-0002", "OPN-A-0001"]),
        ("decision=DN2-24", []),
        ("round=youth-violence-2025", ["OPN-A-0003", "OPN-A-0002", "OPN-A-0001"]),
        ("round=another-round", []),
    ],
)
def test_grant_filters(client, register_grants, query, expected):
    response = client.get(f"/api/v1/grants/?{query}")
    assert response.status_code == 200
    assert references(response) == expected


def test_grant_filter_that_cannot_be_used_is_a_400_with_why(client, register_grants):
    response = client.get("/api/v1/grants/?awarded_after=2024-13-01")
    assert response.status_code == 400
    assert response.json() == {"awarded_after": ["Enter a valid date."]}


def test_grant_list_queries_do_not_grow_with_rows(client, register_grants, funding_round, pcc_user):
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/grants/").status_code == 200
    more_grants(
        funding_round=funding_round,
        organisation=register_grants["OPN-A-0002"].organisation,
        created_by=pcc_user,
        numbers=range(6, 16),
    )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/grants/").json()["results"]) == 13
    assert len(few) == len(many) == 2  # the count and the page


# --- Funding rounds ------------------------------------------------------------------------


@pytest.fixture
def rounds(make_round, staff_user):
    """youth-violence-2025 in assessment (opened 60 days ago), a draft, and one open now
    that opened 10 days ago."""
    assessed = make_round()
    draft = make_round(slug="not-yet-announced")
    FundingRound.objects.filter(pk=draft.pk).update(status=RoundStatus.DRAFT)
    now = timezone.now()
    open_now = make_round(slug="open-now")
    FundingRound.objects.filter(pk=open_now.pk).update(
        status=RoundStatus.OPEN,
        opens_at=now - datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=20),
    )
    return {r.slug: FundingRound.objects.get(pk=r.pk) for r in (assessed, draft, open_now)}


def slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


def test_rounds_open_and_past_never_a_draft(client, client_as, staff_user, rounds):
    response = client.get("/api/v1/rounds/")
    assert response.status_code == 200
    assert slugs(response) == ["open-now", "youth-violence-2025"]
    assert client_as(staff_user).get("/api/v1/rounds/").content == response.content
    assessed = rounds["youth-violence-2025"]
    local = timezone.localtime
    assert response.json()["results"][1] == {
        "slug": "youth-violence-2025",
        "reference_prefix": assessed.reference_prefix,
        "fund_name": "Violence Prevention Fund",
        "title": "Grants round youth-violence-2025",
        "status": "assessment",
        "stages": "single",
        "budget": "10000.00",
        "opens_at": local(assessed.opens_at).isoformat().replace("+00:00", "Z"),
        "closes_at": local(assessed.closes_at).isoformat().replace("+00:00", "Z"),
        "full_stage_closes_at": None,
        "closed_early_on": None,
        "delivery_starts_on": assessed.delivery_starts_on.isoformat(),
        "delivery_ends_on": assessed.delivery_ends_on.isoformat(),
        "url": f"{BASE}/funding/youth-violence-2025/",
        "api_url": f"{BASE}/api/v1/rounds/youth-violence-2025/",
    }


def test_round_with_its_priorities_caps_and_criteria(client, rounds):
    body = client.get("/api/v1/rounds/youth-violence-2025/").json()
    assert (body["description"], body["eligibility"], body["how_to_apply"]) == (
        "Grants against serious violence.",
        "Verified voluntary and community organisations.",
        "Apply on this page.",
    )
    assert body["priorities"] == []
    assert body["caps"] == [
        {"category": "unregistered", "minimum": "0.00", "maximum": "5000.00"},
        {"category": "registered", "minimum": "0.00", "maximum": "10000.00"},
    ]
    assert body["criteria"] == [
        {
            "number": 1,
            "title": "Need and the local evidence",
            "guidance": "5: the need is shown with local data",
            "weight": "60.00",
            "scale_max": 5,
        },
        {
            "number": 2,
            "title": "Multi-agency delivery",
            "guidance": "5: named partners with defined roles",
            "weight": "40.00",
            "scale_max": 5,
        },
    ]


def test_a_draft_round_is_a_404_with_why(client, client_as, staff_user, rounds):
    for who in (client, client_as(staff_user)):
        response = who.get("/api/v1/rounds/not-yet-announced/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No funding round open or past has this address"}


def test_a_round_closed_early_says_on_which_day(client, rounds, staff_user):
    services.round_move(
        funding_round=rounds["open-now"],
        to_status=RoundStatus.CLOSED,
        by=staff_user,
        reason="The fund is spent.",
    )
    body = client.get("/api/v1/rounds/open-now/").json()
    assert (body["status"], body["closed_early_on"]) == (
        "closed",
        timezone.localdate().isoformat(),
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=open", ["open-now"]),
        ("status=assessment", ["youth-violence-2025"]),
        ("status=decided", []),
        ("opens_after={days_ago_20}", ["open-now"]),
        ("opens_before={days_ago_20}", ["youth-violence-2025"]),
        ("closes_after={today}", ["open-now"]),
        ("closes_before={today}", ["youth-violence-2025"]),
    ],
)
def test_round_filters(client, rounds, query, expected):
    today = timezone.localdate()
    query = query.format(
        today=today.isoformat(),
        days_ago_20=(today - datetime.timedelta(days=20)).isoformat(),
    )
    response = client.get(f"/api/v1/rounds/?{query}")
    assert response.status_code == 200
    assert slugs(response) == expected


@pytest.mark.parametrize(
    "query, errors",
    [
        (
            "status=draft",
            {"status": ["Select a valid choice. draft is not one of the available choices."]},
        ),
        ("closes_after=soon", {"closes_after": ["Enter a valid date."]}),
    ],
)
def test_round_filter_that_cannot_be_used_is_a_400_with_why(client, rounds, query, errors):
    response = client.get(f"/api/v1/rounds/?{query}")
    assert response.status_code == 400
    assert response.json() == errors


def test_round_list_queries_do_not_grow_with_rows(client, rounds, make_round):
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/rounds/").status_code == 200
    for n in range(5):
        make_round(slug=f"more-{n}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/rounds/").json()["results"]) == 7
    # The count, the page, its caps and its status changes (whether it closed early).
    assert len(few) == len(many) == 4

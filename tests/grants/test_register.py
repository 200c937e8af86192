"""The public grants register: which awards are on it (accepted, their decision published),
what it shows of each and what never (people), its filters, its CSV by month, its feed,
the 360Giving data validated against the standard's own schema, and the decision
register's links to the grants a decision made."""

import csv
import datetime
import io
import json
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import services
from grants.enums import AwardStatus
from grants.models import Award, LedgerEntry
from svd_portal.links import absolute_url

from .opendata_schema import validator
from .register_data import more_grants

LONDON = timezone.get_default_timezone()


@pytest.fixture
def grants(register_grants):
    """The register's test data (tests/grants/register_data.py) by reference."""
    return register_grants


def references(response) -> list[str]:
    return [grant.reference for grant in response.context["grants"]]


def test_register_lists_accepted_grants_whose_decision_is_published(client, grants):
    response = client.get("/grants/")
    assert response.status_code == 200
    # Newest first: OPN-A-0003 was made in April.
    assert references(response) == ["OPN-A-0003", "OPN-A-0002", "OPN-A-0001"]
    group = response.context["grants"][2]
    assert (group.paid_to_date, group.accepted_at.date()) == (
        Decimal("750.00"),
        datetime.date(2024, 5, 2),
    )
    html = response.content.decode()
    assert "Quiet Decision Ltd" not in html and "Not Yet Accepted" not in html
    assert [m.isoformat() for m in response.context["months"]] == ["2024-04-01", "2024-03-01"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "mentoring"}, ["OPN-A-0002"]),
        ({"q": "opn-a-0003"}, ["OPN-A-0003"]),
        ({"year": "2024-25"}, ["OPN-A-0003"]),
        ({"year": "2023-24"}, ["OPN-A-0002", "OPN-A-0001"]),
        ({"area": "darlington"}, ["OPN-A-0002"]),
    ],
)
def test_register_filters(client, grants, areas, params, expected):
    if params.get("area") == "darlington":
        params = {"area": areas[1].pk}
    assert references(client.get("/grants/", params)) == expected


def test_register_filter_by_priority(client, grants, priorities):
    assert references(client.get("/grants/", {"priority": priorities[1].pk})) == ["OPN-A-0002"]


def test_register_filter_that_cannot_be_used_says_so(client, grants):
    response = client.get("/grants/", {"year": "1999-00", "area": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a year from the list" in html
    assert "Select an area from the list" in html


def test_grant_page_for_the_public_names_no_people(client, grants, provider_user):
    response = client.get("/grants/OPN-A-0001/")
    assert response.status_code == 200
    assert response.templates[0].name == "grants/register_detail.html"
    html = response.content.decode()
    for shown in (
        "Street sport",
        "Seaham Street Sport",
        "£3,000",
        "£750",
        "Fewer young people carry knives.",
        "County Durham",
        "decision DN1-24",
        "1 April 2024 to 31 March 2025",
        "2 May 2024",
    ):
        assert shown in html, shown
    assert provider_user.full_name not in html
    assert provider_user.email not in html
    # An unregistered group: its name only.
    assert "Registered charity" not in html and "Company " not in html


def test_grant_page_of_a_charity_gives_its_number(client, grants):
    html = client.get("/grants/OPN-A-0002/").content.decode()
    assert f"Registered charity {grants['OPN-A-0002'].organisation.charity_number}" in html


def test_grant_not_on_the_register_is_not_found(client, grants, other_client):
    for reference in ("OPN-A-0004", "OPN-A-0005", "OPN-A-9999"):
        assert client.get(f"/grants/{reference}/").status_code == 404
        assert other_client.get(f"/grants/{reference}/").status_code == 404


def test_holder_and_staff_get_the_award_page_others_the_register(
    client_as, grants, provider_user, staff_user, other_user
):
    for user in (provider_user, staff_user):
        response = client_as(user).get("/grants/OPN-A-0001/")
        assert response.templates[0].name == "grants/award_detail.html"
    response = client_as(other_user).get("/grants/OPN-A-0001/")
    assert response.templates[0].name == "grants/register_detail.html"


def test_register_csv_all_and_by_month(client, grants):
    response = client.get("/grants/register.csv")
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "Grant",
        "Title",
        "Recipient",
        "Charity number",
        "Company number",
        "Amount (£)",
        "Paid to date (£)",
        "Awarded on",
    ]
    assert [row[0] for row in rows[1:]] == ["OPN-A-0003", "OPN-A-0002", "OPN-A-0001"]
    group = rows[3]
    assert group[2:11] == [
        "Seaham Street Sport",
        "",
        "",
        "3000.00",
        "750.00",
        "2024-03-18",
        "2024-05-02",
        "2024-04-01",
        "2025-03-31",
    ]
    assert group[13:] == [
        "Fewer young people carry knives.",
        "County Durham",
        "DN1-24",
        absolute_url("decisions:detail", "DN1-24"),
        absolute_url("grants:award-detail", "OPN-A-0001"),
    ]
    march = client.get("/grants/register-2024-03.csv")
    assert response["Content-Disposition"] == 'attachment; filename="grants-register.csv"'
    assert march["Content-Disposition"] == 'attachment; filename="grants-register-2024-03.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(march.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["OPN-A-0001", "OPN-A-0002"]
    assert client.get("/grants/register-2024-13.csv").status_code == 404


def test_register_feed(client, grants):
    response = client.get("/grants/feed/")
    assert response.status_code == 200
    feed = ElementTree.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [entry.find(f"{atom}title").text for entry in feed.findall(f"{atom}entry")]
    assert titles == [
        "OPN-A-0003: Night-time safety, £3,000.00 to Safer Nights CIC",
        "OPN-A-0002: Mentoring, £8,000.50 to Darlington Mentoring Trust",
        "OPN-A-0001: Street sport, £3,000.00 to Seaham Street Sport",
    ]


def test_360giving_json_passes_the_official_schema(client, grants):
    response = client.get("/grants/360giving.json")
    assert response.status_code == 200
    data = json.loads(b"".join(response.streaming_content))
    errors = sorted(validator("package").iter_errors(data), key=str)
    assert [error.message for error in errors] == []
    by_id = {grant["id"]: grant for grant in data["grants"]}
    prefix = settings.OPEN_DATA_PREFIX
    assert sorted(by_id) == [f"{prefix}-OPN-A-0001", f"{prefix}-OPN-A-0002", f"{prefix}-OPN-A-0003"]
    group, charity, company = (by_id[f"{prefix}-OPN-A-000{n}"] for n in (1, 2, 3))
    assert group["recipientOrganization"] == [
        {
            "id": f"{prefix}-ORG-{grants['OPN-A-0001'].organisation_id}",
            "name": "Seaham Street Sport",
        }
    ]
    number = grants["OPN-A-0002"].organisation.charity_number
    assert charity["recipientOrganization"] == [
        {"id": f"GB-CHC-{number}", "name": "Darlington Mentoring Trust", "charityNumber": number}
    ]
    company_number = grants["OPN-A-0003"].organisation.company_number
    assert company["recipientOrganization"][0]["id"] == f"GB-COH-{company_number}"
    assert (group["amountAwarded"], group["amountDisbursed"], charity["amountAwarded"]) == (
        3000,
        750,
        8000.5,
    )
    assert (group["awardDate"], group["plannedDates"]) == (
        "2024-03-18",
        [{"startDate": "2024-04-01", "endDate": "2025-03-31"}],
    )
    assert group["fundingOrganization"] == [
        {"id": settings.OPEN_DATA_FUNDER_ID, "name": settings.PORTAL_ORGANISATION_NAME}
    ]
    assert charity["beneficiaryLocation"] == [
        {"name": "Durham", "geoCode": "E23000008", "geoCodeType": "PFA", "countryCode": "GB"},
        {"name": "County Durham", "countryCode": "GB", "geoCode": "E06000047", "geoCodeType": "UA"},
        {"name": "Darlington", "countryCode": "GB"},
    ]
    assert group["fromOpenCall"] == "Yes"
    assert group["grantProgramme"][0]["code"] == grants["OPN-A-0001"].round.reference_prefix


def test_each_grant_passes_the_grant_schema(client, grants):
    data = json.loads(b"".join(client.get("/grants/360giving.json").streaming_content))
    check = validator("grant")
    for grant in data["grants"]:
        assert list(check.iter_errors(grant)) == []
    # And the schema is not a check that passes anything: a grant without its amount fails.
    broken = dict(data["grants"][0])
    del broken["amountAwarded"]

    def messages(errors):
        for error in errors:
            yield error.message
            yield from messages(error.context)

    assert "'amountAwarded' is a required property" in set(messages(check.iter_errors(broken)))


def test_360giving_csv_has_the_standards_columns(client, grants):
    response = client.get("/grants/360giving.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Applied For",
        "Amount Awarded",
    ]
    assert len(rows) == 4
    charity = next(row for row in rows if row[0].endswith("OPN-A-0002"))
    column = dict(zip(rows[0], charity, strict=True))
    assert (column["Amount Awarded"], column["Beneficiary Location:Name"]) == (
        "8000.5",
        "Durham; County Durham; Darlington",
    )


def test_decision_published_puts_its_accepted_awards_on_the_register(award):
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    assert (
        services.awards_decision_published(
            decision_reference="DN1-24", on=datetime.date(2024, 3, 20)
        )
        == 1
    )
    award.refresh_from_db()
    assert award.decision_published_on == datetime.date(2024, 3, 20)
    # Said again, nothing changes: the first day stands.
    assert (
        services.awards_decision_published(
            decision_reference="DN1-24", on=datetime.date(2024, 4, 1)
        )
        == 0
    )


def test_staff_set_what_the_register_says(
    staff_client, grants, areas, provider_user, staff_user, client_as
):
    response = staff_client.post(
        "/grants/OPN-A-0001/register/",
        {
            "rationale": "  Boxing keeps young people off the streets at night.  ",
            "areas": [areas[1].pk],
        },
    )
    assert response.status_code == 302
    award = Award.objects.get(reference="OPN-A-0001")
    assert award.rationale == "Boxing keeps young people off the streets at night."
    assert list(award.areas.values_list("name", flat=True)) == ["Darlington"]
    response = staff_client.post("/grants/OPN-A-0001/register/", {"rationale": " "})
    assert response.status_code == 200
    assert "Say why the grant is expected to reduce crime and disorder" in response.content.decode()
    assert (
        client_as(provider_user)
        .post("/grants/OPN-A-0001/register/", {"rationale": "Mine."})
        .status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.award_register_save(award=award, by=provider_user, rationale="x", areas=[])
    with pytest.raises(ValidationError):
        services.award_register_save(award=award, by=staff_user, rationale="", areas=[])


def test_payments_over_500_and_agreements_over_10000(client, grants):
    Award.objects.filter(reference="OPN-A-0003").update(amount=Decimal("10000.01"))
    Award.objects.filter(reference="OPN-A-0004").update(amount=Decimal("20000.00"))  # not on it
    page = client.get("/grants/spending/")
    assert page.status_code == 200
    assert [(e.award.reference, e.amount) for e in page.context["payments"]] == [
        ("OPN-A-0001", Decimal("750.00"))
    ]
    assert [a.reference for a in page.context["agreements"]] == ["OPN-A-0003"]
    payments = client.get("/grants/spending/payments.csv")
    rows = list(csv.reader(io.StringIO(b"".join(payments.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["Date paid", "Financial year", "Grant", "Title", "Recipient", "Amount (£)"],
        ["2024-07-21", "2024-25", "OPN-A-0001", "Street sport", "Seaham Street Sport", "750.00"],
    ]
    agreements = client.get("/grants/spending/agreements.csv")
    rows = list(csv.reader(io.StringIO(b"".join(agreements.streaming_content).decode("utf-8-sig"))))
    assert [row[:4] for row in rows] == [
        ["Grant", "Title", "Recipient", "Amount (£)"],
        ["OPN-A-0003", "Night-time safety", "Safer Nights CIC", "10000.01"],
    ]


def test_a_payment_of_500_exactly_is_not_listed(client, grants):
    LedgerEntry.objects.update(amount=Decimal("500.00"), labour=Decimal("500.00"))
    assert list(client.get("/grants/spending/").context["payments"]) == []


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the rounds, the areas, the grants (their paid to date and acceptance in the same
        # query), in a transaction of their own (here a savepoint and its release); the
        # register's CSV of a month as well
        ("/grants/register.csv", 5),
        ("/grants/register-2024-03.csv", 5),
        ("/grants/360giving.csv", 5),
        ("/grants/360giving.json", 5),
    ],
)
def test_downloads_read_the_same_queries_however_many_grants(
    client, grants, funding_round, pcc_user, areas, url, queries
):
    def download():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert response.status_code == 200
        return len(captured), body

    few, before = download()
    more_grants(
        funding_round=funding_round,
        organisation=grants["OPN-A-0002"].organisation,
        created_by=pcc_user,
        numbers=range(6, 31),
        areas=areas,
        made=lambda n: datetime.datetime(2024, 3, 19, 9, n, tzinfo=LONDON),
    )
    many, after = download()
    assert (few, many) == (queries, queries)
    assert "OPN-A-0030" not in before
    assert after.count("OPN-A-0030") >= 1


def test_a_decisions_page_names_the_organisation_as_it_is_now(client, grants, pcc_user):
    """A record's page, kept for visitors, lists the grants it made by organisation: a new
    name makes the page fresh (decisions.cached_pages)."""
    from decisions.enums import DecisionStatus, Outcome
    from decisions.models import DecisionRecord

    DecisionRecord.objects.create(
        reference="DN1-24",
        title="Open round awards",
        received_on=datetime.date(2024, 3, 1),
        section_a="Awards.",
        decision_text="To award the grants.",
        status=DecisionStatus.PUBLISHED,
        outcome=Outcome.APPROVED,
        signed_name="Morgan Reid",
        signed_on=datetime.date(2024, 3, 20),
        signed_at=timezone.now(),
        published_at=timezone.now(),
        created_by=pcc_user,
    )
    assert "to Darlington Mentoring Trust" in client.get("/decisions/DN1-24/").content.decode()
    charity = grants["OPN-A-0002"].organisation
    charity.name = "Darlington Mentoring and Sport Trust"
    charity.save()

    page = client.get("/decisions/DN1-24/").content.decode()

    assert "to Darlington Mentoring and Sport Trust" in page
    assert "to Darlington Mentoring Trust<" not in page

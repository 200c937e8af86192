"""seed_demo's money after the signature: the Serious Violence Duty grant stream, the awards
DN38-23 made from it in three states, and the providers' signatories."""

import json
from decimal import Decimal

from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from grants.enums import AgreementDocumentKind, AgreementOutcome, AwardStatus
from grants.models import Award, AwardSplit, FundingStream
from partners.models import Membership, User
from svd_portal.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from tests.grants.opendata_schema import validator
from tests.second_factor import sign_in as sign_in_with_second_factor


def _client(email: str) -> Client:
    client = Client()
    response = sign_in_with_second_factor(client, email, DEFAULT_DEMO_PASSWORD)
    assert response.status_code == 302
    return client


def test_seed_demo_awards_in_three_states(demo):
    awards = Award.objects.order_by("reference")
    assert [(a.reference, a.organisation.name, a.amount, a.status) for a in awards] == [
        (
            "EIP23-A-0001",
            "Darlington Youth Mentoring Trust",
            Decimal("18000.00"),
            AwardStatus.OFFERED,
        ),
        ("EIP23-A-0002", "Bishop Auckland Boxing Club", Decimal("4500.00"), AwardStatus.ACTIVE),
        (
            "EIP23-A-0003",
            "Safer Nights North East CIC",
            Decimal("12000.00"),
            AwardStatus.DUE_DILIGENCE,
        ),
    ]
    assert {a.decision_reference for a in awards} == {"DN38-23"}


def test_seed_demo_signatories_on_the_demo_providers(demo):
    signatories = Membership.objects.filter(is_signatory=True).order_by("user__email")
    assert [(m.user.email, m.organisation.name) for m in signatories] == [
        ("provider2@demo.example", "Bishop Auckland Boxing Club"),
        ("provider@demo.example", "Darlington Youth Mentoring Trust"),
    ]


def test_seed_demo_agreements_offered_and_accepted(demo):
    offered = Award.objects.get(reference="EIP23-A-0001").agreements.get()
    accepted = Award.objects.get(reference="EIP23-A-0002").agreements.get()
    assert offered.outcome == AgreementOutcome.OFFERED
    assert (accepted.outcome, accepted.signatory_name, accepted.signatory_position) == (
        AgreementOutcome.ACCEPTED,
        "Jo Hartley",
        "Club secretary",
    )
    offer = accepted.documents.get(kind=AgreementDocumentKind.OFFER)
    assert accepted.accepted_sha256 == offer.sha256
    assert accepted.documents.get(kind=AgreementDocumentKind.ACCEPTED).status == "ready"


def test_seed_demo_incomplete_award_says_what_stops_its_offer(demo):
    page = _client("staff@demo.example").get("/grants/EIP23-A-0003/")
    assert page.context["offer_problems"] == [
        "Safeguarding policy: not checked yet",
        "Insurance: refused (The certificate sent expired on 31 August: send the current one.)",
        "Annual accounts: not checked yet",
        "Fraud-risk rating: not checked yet",
        "Delivery plan: set the targets, the returns and the payments",
        "Bank details: Safer Nights North East CIC has not entered them yet",
        "Authorised signatory: Safer Nights North East CIC has none; mark one of its members "
        "on the organisation's page",
    ]


def test_seed_demo_money_page_adds_up_to_the_penny(demo):
    stream = FundingStream.objects.get(name="Serious Violence Duty grant")
    response = _client("staff@demo.example").get(f"/staff/streams/{stream.pk}/")
    assert response.status_code == 200
    years = {
        year.financial_year: (
            year.allocated.labour,
            year.allocated.non_labour,
            year.committed.labour,
            year.committed.non_labour,
            year.remaining.labour,
            year.remaining.non_labour,
        )
        for year in response.context["years"]
    }
    assert years == {
        "2023-24": (
            Decimal("50000.00"),
            Decimal("100000.00"),
            Decimal("17000.00"),
            Decimal("4500.00"),
            Decimal("33000.00"),
            Decimal("95500.00"),
        ),
        "2024-25": (
            Decimal("200000.00"),
            Decimal("350000.00"),
            Decimal("13000.00"),
            Decimal("0.00"),
            Decimal("187000.00"),
            Decimal("350000.00"),
        ),
    }
    committed = sum(y.committed.total for y in response.context["years"])
    assert committed == Award.objects.aggregate(total=Sum("amount"))["total"]
    assert committed == AwardSplit.objects.aggregate(total=Sum("amount"))["total"]
    assert committed == Decimal("34500.00")
    html = response.content.decode()
    for figure in ("£21,500", "£128,500", "£13,000", "£537,000"):
        assert figure in html, figure


def test_seed_demo_provider_sees_its_grants_only(demo):
    client = _client("provider@demo.example")
    assert [a.reference for a in client.get("/grants/mine/").context["awards"]] == ["EIP23-A-0001"]
    # Another organisation's grant: the public register's page of it, nothing more.
    other = client.get("/grants/EIP23-A-0002/")
    assert other.templates[0].name == "grants/register_detail.html"
    assert "hold_reasons" not in other.context
    page = client.get("/grants/EIP23-A-0001/agreement/")
    assert page.context["may_answer"] is True
    assert User.objects.get(email="provider@demo.example").full_name == "Chris Bell"


def test_seed_demo_active_award_has_a_year_of_returns_and_payments(demo):
    award = Award.objects.get(reference="EIP23-A-0002")
    assert [(r.number, r.kind, r.status, r.due_on.isoformat()) for r in award.returns.all()] == [
        (1, "progress", "accepted", "2024-01-14"),
        (2, "progress", "accepted", "2024-04-14"),
        (3, "progress", "returned", "2024-07-14"),
        (4, "final", "draft", "2024-10-28"),
    ]
    assert [
        (r.number, a.original_name, a.content_type)
        for r in award.returns.all()
        for a in r.attachments.all()
    ] == [(1, "attendance-register.pdf", "application/pdf")]
    assert [(p.number, p.amount, p.status) for p in award.payments.all()] == [
        (1, Decimal("1125.00"), "paid"),
        (2, Decimal("1125.00"), "approved"),
        (3, Decimal("1125.00"), "scheduled"),
        (4, Decimal("1125.00"), "scheduled"),
    ]
    (entry,) = award.ledger.all()
    # Paid on 21 January 2024: 2023-24's money of the award is £2,000 labour, £1,000 not.
    assert (entry.entry_date.isoformat(), entry.labour, entry.non_labour) == (
        "2024-01-21",
        Decimal("750.00"),
        Decimal("375.00"),
    )
    page = _client("staff@demo.example").get("/grants/EIP23-A-0002/")
    assert page.context["hold_reasons"] == [
        "Return EIP23-A-0002-R3 was due on 14 July 2024 and has not been submitted",
        "Return EIP23-A-0002-R4 was due on 28 October 2024 and has not been submitted",
    ]


def test_seed_demo_money_page_shows_what_was_paid(demo):
    stream = FundingStream.objects.get(name="Serious Violence Duty grant")
    response = _client("staff@demo.example").get(f"/staff/streams/{stream.pk}/")
    paid = {year.financial_year: year.paid for year in response.context["years"]}
    assert (paid["2023-24"].labour, paid["2023-24"].non_labour) == (
        Decimal("750.00"),
        Decimal("375.00"),
    )
    assert paid["2024-25"].total == Decimal("0.00")


def test_seed_demo_finance_export_lists_the_approved_payment(demo):
    response = _client("staff2@demo.example").get("/staff/payments/export.csv")
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert rows[1].startswith("EIP23-A-0002-P2,EIP23-A-0002,Bishop Auckland Boxing Club,")
    assert ",1125.00,DN38-23,Priya Shah,Tom Fairley,2024-04-14" in rows[1]


def test_seed_demo_dashboard_has_real_shapes_for_the_pcc(demo):
    response = _client("pcc@demo.example").get("/staff/dashboard/")
    assert response.status_code == 200
    money = [
        (row.label, row.allocated, row.committed, row.paid)
        for row in response.context["money_rows"]
    ]
    returns = [
        (row.quarter, row.on_time, row.late, row.overdue, row.not_yet_due)
        for row in response.context["returns_rows"]
    ]
    delivery = [
        (row.group, row.label, row.target, row.actual) for row in response.context["delivery_rows"]
    ]
    assert money == [
        (
            "Serious Violence Duty grant, 2023-24, labour",
            Decimal("50000.00"),
            Decimal("17000.00"),
            Decimal("750.00"),
        ),
        (
            "Serious Violence Duty grant, 2023-24, non-labour",
            Decimal("100000.00"),
            Decimal("4500.00"),
            Decimal("375.00"),
        ),
        (
            "Serious Violence Duty grant, 2024-25, labour",
            Decimal("200000.00"),
            Decimal("13000.00"),
            Decimal("0.00"),
        ),
        (
            "Serious Violence Duty grant, 2024-25, non-labour",
            Decimal("350000.00"),
            Decimal("0.00"),
            Decimal("0.00"),
        ),
    ]
    # Returns 1 and 2 came in on time, 3 three days late, and the final report is overdue.
    assert returns == [
        ("2023-24 Q4", 1, 0, 0, 0),
        ("2024-25 Q1", 1, 0, 0, 0),
        ("2024-25 Q2", 0, 1, 0, 0),
        ("2024-25 Q3", 0, 0, 1, 0),
    ]
    # EIP23-A-0002 alone delivers; its latest accepted return is the second.
    priority = (
        "Priority 1. Support for those aged 18 and under involved or at risk of being drawn "
        "into serious violence"
    )
    assert delivery == [
        ("People reached", "aged under 18", 60, 31),
        ("People reached", "aged 18 to 24", 15, 7),
        ("People reached", "aged 25 to 35", 0, 0),
        ("People reached", "aged over 35", 0, 0),
        ("People reached", "All ages", 75, 38),
        ("Sessions", "Sessions delivered", 96, 47),
        (
            "Outcomes by success measure",
            "Knife or sharp-object-enabled serious violence recorded by the police",
            30,
            11,
        ),
        (priority, "People reached", 75, 38),
        (priority, "Sessions delivered", 96, 47),
    ]
    # The PCC reads it: nothing on the page posts, but for signing out in the header.
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in main


def test_seed_demo_grants_register_and_its_360giving_data(demo):
    client = Client()
    # EIP23-A-0002 alone is accepted: 0001 is offered, 0003 in due diligence.
    response = client.get("/grants/")
    assert [grant.reference for grant in response.context["grants"]] == ["EIP23-A-0002"]
    data = json.loads(b"".join(client.get("/grants/360giving.json").streaming_content))
    assert list(validator("package").iter_errors(data)) == []
    (grant,) = data["grants"]
    assert (grant["amountAwarded"], grant["amountDisbursed"], grant["awardDate"]) == (
        4500,
        1125,
        "2023-09-14",
    )
    assert grant["beneficiaryLocation"][1] == {
        "name": "County Durham",
        "countryCode": "GB",
        "geoCode": "E06000047",
        "geoCodeType": "UA",
    }
    # The decision that made it links to it.
    page = client.get("/decisions/DN38-23/")
    assert [g.reference for g in page.context["grants"]] == ["EIP23-A-0002"]
    # Accepted in September 2023, before its delivery began in October; the agreement says so.
    api = client.get("/api/v1/grants/EIP23-A-0002/").json()
    assert (api["awarded_on"], api["accepted_on"], api["delivery_starts_on"]) == (
        "2023-09-14",
        "2023-09-27",
        "2023-10-01",
    )
    agreement = Award.objects.get(reference="EIP23-A-0002").agreements.get()
    assert (
        timezone.localtime(agreement.offered_at).isoformat(),
        timezone.localtime(agreement.answered_at).isoformat(),
    ) == ("2023-09-19T10:00:00+01:00", "2023-09-27T14:30:00+01:00")

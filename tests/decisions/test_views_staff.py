"""decisions.views.staff through HTTP: the home page's list of what waits for you, and the
whole path from a round to a published decision with the demo data."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord
from decisions.services import decision_return, decision_submit, decisions_publish_due
from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, FundingRound
from partners.models import User
from svd_portal.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from tests.second_factor import sign_in as sign_in_with_second_factor

from .conftest import DEFERRAL

D = DecisionStatus


def text(response) -> str:
    return response.content.decode()


def references(response) -> list[str]:
    return [record.reference for record in response.context["records"]]


# --- Home page: waiting for you ------------------------------------------------------------


@pytest.fixture
def waiting_records(make_record):
    return {
        "approval": make_record(D.AWAITING_APPROVAL, title="Mobile CCTV for the town centre"),
        "signature": make_record(D.AWAITING_SIGNATURE, title="Street lighting improvements"),
        "draft": make_record(D.DRAFT, title="A draft nobody waits for"),
    }


@pytest.mark.parametrize(
    "who, waiting, heading, title, other_title",
    [
        (
            "ceo_user",
            "approval",
            "Decision records waiting for your officer approval: 1.",
            "Mobile CCTV for the town centre",
            "Street lighting improvements",
        ),
        (
            "pcc_user",
            "signature",
            "Decision records waiting for your signature: 1.",
            "Street lighting improvements",
            "Mobile CCTV for the town centre",
        ),
    ],
)
def test_home_ceo_and_pcc_see_the_records_waiting_for_them(
    client_as, actor, waiting_records, who, waiting, heading, title, other_title
):
    record = waiting_records[waiting]
    response = client_as(actor(who)).get("/")
    page = text(response)
    assert response.context["waiting"] == [record]
    assert heading in page
    assert (
        f'<a class="govuk-link" href="/staff/decisions/{record.pk}/">'
        f"{record.reference}: {title}</a>" in page
    )
    assert other_title not in page


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
        answer = sign_in_with_second_factor(client, user.email, DEFAULT_DEMO_PASSWORD)
        assert answer.status_code == 302

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

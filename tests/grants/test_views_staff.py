"""grants.views.staff through HTTP: the applications list, its filters, search and export;
eligibility, history, invitations and rounds; and the query counts of the lists."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, FundingRound
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    OrganisationFactory,
)
from tests.factories.grants import EvidenceStrandFactory
from tests.grants.helpers import last_change, on_page, page_text, round_form_data, submitted

S = ApplicationStatus


# --- Staff: list, filter, search, export -------------------------------------------------------


@pytest.fixture
def staff_round(priorities):
    """A round with four applications that differ in every filter, and one in another round."""
    funding_round = FundingRoundFactory(slug="vpf", reference_prefix="VPF", priorities=priorities)
    p1, p2 = priorities
    charity = OrganisationFactory(
        name="Darlington Youth Mentoring Trust", charity=True, charity_number="1123456"
    )
    boxing = OrganisationFactory(name="Bishop Auckland Boxing Club")
    seaham = OrganisationFactory(name="Seaham Street Sport")
    strand = EvidenceStrandFactory(name="Mentoring")
    submitted_at = datetime.datetime(2025, 6, 2, 13, 30, tzinfo=datetime.UTC)
    rows = [
        ("VPF-0001", charity, "Mentoring for young people", "38500", S.SUBMITTED, [p1]),
        ("VPF-0002", boxing, "Friday night boxing", "4800", S.UNDER_ASSESSMENT, [p1, p2]),
        ("VPF-0003", seaham, "Street sport", "5000", S.SUBMITTED, [p2]),
        ("VPF-0004", charity, "A&E navigators", "12000", S.DRAFT, []),
    ]
    for reference, organisation, title, amount, status, linked in rows:
        ApplicationFactory(
            round=funding_round,
            reference=reference,
            organisation=organisation,
            title=title,
            amount_requested=Decimal(amount),
            status=status,
            submitted_at=None if status == S.DRAFT else submitted_at,
            evidence_strand=strand if reference == "VPF-0001" else None,
            evidence_other="" if reference == "VPF-0001" else "Own evaluation",
            priorities=linked,
        )
    ApplicationFactory(
        reference="OTH-0001",
        organisation=charity,
        title="Mentoring elsewhere",
        amount_requested=Decimal("5000"),
        status=S.SUBMITTED,
        submitted_at=submitted_at,
        priorities=[p1],
    )
    return funding_round


@pytest.mark.parametrize(
    ("query", "references"),
    [
        ({}, ["VPF-0004", "VPF-0003", "VPF-0002", "VPF-0001"]),
        ({"status": "submitted"}, ["VPF-0003", "VPF-0001"]),
        ({"status": "draft"}, ["VPF-0004"]),
        ({"priority": "P1"}, ["VPF-0002", "VPF-0001"]),
        ({"priority": "P2"}, ["VPF-0003", "VPF-0002"]),
        ({"category": "registered"}, ["VPF-0004", "VPF-0001"]),
        ({"category": "unregistered"}, ["VPF-0003", "VPF-0002"]),
        ({"min_amount": "5000"}, ["VPF-0004", "VPF-0003", "VPF-0001"]),
        ({"max_amount": "£5,000"}, ["VPF-0003", "VPF-0002"]),
        ({"min_amount": "4900", "max_amount": "12000"}, ["VPF-0004", "VPF-0003"]),
        ({"min_amount": "not money"}, ["VPF-0004", "VPF-0003", "VPF-0002", "VPF-0001"]),
        ({"q": "vpf-0002"}, ["VPF-0002"]),
        ({"q": "VPF-000"}, []),
        ({"q": "boxing"}, ["VPF-0002"]),
        ({"q": "mentoring"}, ["VPF-0004", "VPF-0001"]),
        ({"q": "young"}, ["VPF-0001"]),
        ({"q": "Darlington"}, ["VPF-0004", "VPF-0001"]),
        ({"status": "submitted", "category": "unregistered"}, ["VPF-0003"]),
        ({"priority": "P1", "category": "registered", "q": "young"}, ["VPF-0001"]),
    ],
)
def test_staff_round_applications_filter_and_search(
    query, references, staff_client, staff_round, priorities
):
    ids = {"P1": str(priorities[0].pk), "P2": str(priorities[1].pk)}
    params = {key: ids.get(value, value) for key, value in query.items()}

    response = staff_client.get(f"/staff/rounds/{staff_round.slug}/", params)

    assert response.status_code == 200
    assert [a.reference for a in response.context["applications"]] == references


# The first line of both downloads, as the CSV file has it.
EXPORT_HEADER = (
    "Reference,Stage,Status,Channel,Organisation,Org-id,Registered,Title,"
    "Amount requested (£),Priorities,Evidence base,Submitted at"
)


@pytest.fixture
def formula_in_a_title(staff_round):
    """VPF-0003's title is a spreadsheet formula: the downloads must write it as text."""
    Application.objects.filter(reference="VPF-0003").update(
        title='=HYPERLINK("http://evil.example")'
    )


def _export_rows():
    return [
        [
            "VPF-0004",
            "Full application",
            "Draft",
            "Portal",
            "Darlington Youth Mentoring Trust",
            "GB-CHC-1123456",
            "Yes",
            "A&E navigators",
            "12000.00",
            "",
            "Own evaluation",
            "",
        ],
        [
            "VPF-0003",
            "Full application",
            "Submitted",
            "Portal",
            "Seaham Street Sport",
            "",
            "No",
            '\'=HYPERLINK("http://evil.example")',
            "5000.00",
            "2",
            "Own evaluation",
            "2025-06-02 14:30",
        ],
        [
            "VPF-0002",
            "Full application",
            "Under assessment",
            "Portal",
            "Bishop Auckland Boxing Club",
            "",
            "No",
            "Friday night boxing",
            "4800.00",
            "1, 2",
            "Own evaluation",
            "2025-06-02 14:30",
        ],
        [
            "VPF-0001",
            "Full application",
            "Submitted",
            "Portal",
            "Darlington Youth Mentoring Trust",
            "GB-CHC-1123456",
            "Yes",
            "Mentoring for young people",
            "38500.00",
            "1",
            "Mentoring (Youth Endowment Fund Toolkit)",
            "2025-06-02 14:30",
        ],
    ]


@pytest.mark.usefixtures("formula_in_a_title")
def test_staff_export_csv_has_the_header_and_one_row_per_application(staff_client, staff_round):
    response = staff_client.get(f"/staff/rounds/{staff_round.slug}/applications.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="vpf-applications-{today}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(f"\ufeff{EXPORT_HEADER}\r\n")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1:] == _export_rows()


def test_staff_export_csv_follows_the_filters(staff_client, staff_round):
    response = staff_client.get(
        f"/staff/rounds/{staff_round.slug}/applications.csv", {"category": "registered"}
    )

    text = b"".join(response.streaming_content).decode("utf-8")
    assert [row[0] for row in csv.reader(io.StringIO(text[1:]))] == [
        "Reference",
        "VPF-0004",
        "VPF-0001",
    ]


@pytest.mark.usefixtures("formula_in_a_title")
def test_staff_export_xlsx_has_the_same_header_and_rows(staff_client, staff_round):
    from openpyxl import load_workbook

    response = staff_client.get(f"/staff/rounds/{staff_round.slug}/applications.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Applications"]
    rows = [
        ["" if value is None else value for value in row]
        for row in workbook["Applications"].iter_rows(values_only=True)
    ]
    assert ",".join(rows[0]) == EXPORT_HEADER
    # Amounts are numbers in the workbook, so that staff can add them up.
    assert [row[8] for row in rows[1:]] == [12000, 5000, 4800, 38500]
    assert [row[:8] + row[9:] for row in rows[1:]] == [row[:8] + row[9:] for row in _export_rows()]


# --- Staff: eligibility, history, invitations, rounds --------------------------------------------


def test_staff_eligibility_not_eligible_without_reason_400_and_unchanged(staff_client, draft):
    application = submitted(draft)

    response = staff_client.post(
        f"/staff/applications/{application.reference}/eligibility/",
        {"eligible": "no", "reason": "  "},
    )

    assert response.status_code == 400
    assert response.context["eligibility_form"].errors == {
        "reason": ["Give the reason the application is not eligible"]
    }
    assert on_page(response, "Give the reason the application is not eligible")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.status_changes.count() == 1


def test_staff_eligibility_not_eligible_recorded_and_shown_in_the_history(
    staff_client, staff_user, draft
):
    application = submitted(draft)

    response = staff_client.post(
        f"/staff/applications/{application.reference}/eligibility/",
        {"eligible": "no", "reason": "Delivered outside County Durham"},
    )

    assert response.status_code == 302
    assert response.url == f"/staff/applications/{application.reference}/"
    application.refresh_from_db()
    assert application.status == S.INELIGIBLE
    assert last_change(application) == (
        S.SUBMITTED,
        S.INELIGIBLE,
        staff_user,
        "Delivered outside County Durham",
    )
    page = staff_client.get(response.url)
    assert "Submitted → Not eligible" in page_text(page)
    assert "Draft → Submitted" in page_text(page)
    assert "Delivered outside County Durham" in page_text(page)
    assert "Olive Staff" in page_text(page)


def test_staff_eligibility_eligible_moves_to_assessment(staff_client, draft):
    application = submitted(draft)

    response = staff_client.post(
        f"/staff/applications/{application.reference}/eligibility/", {"eligible": "yes"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.UNDER_ASSESSMENT


def test_staff_eligibility_for_a_draft_refused(staff_client, draft):
    response = staff_client.post(
        f"/staff/applications/{draft.reference}/eligibility/",
        {"eligible": "no", "reason": "Too early"},
    )

    assert response.status_code == 400
    assert response.context["eligibility_form"].non_field_errors() == [
        "An application that is draft cannot move to not eligible"
    ]
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT


def test_staff_application_detail_sees_any_organisation(staff_client, draft):
    response = staff_client.get(f"/staff/applications/{draft.reference}/")

    assert response.status_code == 200
    assert "Street sport on the seafront" in page_text(response)
    assert "Seaham Street Sport" in page_text(response)


def test_staff_round_create_through_the_form(staff_client, staff_user, priorities):
    response = staff_client.post("/staff/rounds/new/", round_form_data(priorities))

    funding_round = FundingRound.objects.get()
    assert response.status_code == 302
    assert response.url == "/staff/rounds/summer-grants/"
    assert (
        funding_round.reference_prefix,
        funding_round.budget,
        funding_round.status,
        funding_round.created_by,
    ) == ("SG25", Decimal("100000.00"), RoundStatus.DRAFT, staff_user)
    assert timezone.localtime(funding_round.closes_at).strftime("%Y-%m-%d %H:%M %Z") == (
        "2030-06-30 17:00 BST"
    )
    assert sorted(funding_round.caps.values_list("category", "minimum", "maximum")) == [
        ("registered", Decimal("1000.00"), Decimal("40000.00")),
        ("unregistered", Decimal("0.00"), Decimal("5000.00")),
    ]
    assert list(funding_round.criteria.values_list("number", "weight", "title")) == [
        (1, Decimal("60.00"), "Evidence"),
        (2, Decimal("40.00"), "Partners"),
    ]


def test_staff_round_create_cap_above_budget_shows_the_error(staff_client, priorities):
    response = staff_client.post("/staff/rounds/new/", round_form_data(priorities, budget="30000"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A cap cannot be more than the round's budget"
    ]
    assert FundingRound.objects.count() == 0


def test_staff_round_move_closes_the_round(staff_client, open_round, staff_user):
    response = staff_client.post(
        f"/staff/rounds/{open_round.slug}/status/",
        {"to_status": "closed", "reason": "Fully committed"},
    )

    assert response.status_code == 302
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED
    change = open_round.status_changes.get()
    assert (change.changed_by, change.reason) == (staff_user, "Fully committed")


def test_staff_round_move_closing_early_without_a_reason_keeps_the_round_open(
    staff_client, open_round
):
    response = staff_client.post(
        f"/staff/rounds/{open_round.slug}/status/", {"to_status": "closed"}
    )

    assert response.status_code == 302
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.OPEN
    assert open_round.status_changes.count() == 0


# --- Query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_staff_round_applications_queries_do_not_grow_with_rows(
    staff_client, open_round, priorities
):
    url = reverse("grants:staff-round-applications", args=[open_round.slug])
    ApplicationFactory(round=open_round, priorities=priorities)
    one = _queries(staff_client, url)

    for _ in range(49):
        ApplicationFactory(round=open_round, priorities=priorities)
    response = staff_client.get(url)
    fifty = _queries(staff_client, url)

    assert len(response.context["applications"]) == 50
    assert "1, 2" in page_text(response)
    assert fifty == one


def test_my_applications_queries_do_not_grow_with_rows(provider_client, provider_org, priorities):
    ApplicationFactory(organisation=provider_org, priorities=priorities)
    one = _queries(provider_client, "/applications/")

    for _ in range(19):
        ApplicationFactory(organisation=provider_org, priorities=priorities)
    response = provider_client.get("/applications/")
    twenty = _queries(provider_client, "/applications/")

    assert len(response.context["applications"]) == 20
    assert twenty == one

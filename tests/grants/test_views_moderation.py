"""grants.views.moderation through HTTP: recording moderation, and the panel report's page
and downloads with exact rows."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from grants.enums import ApplicationStatus
from grants.models import (
    ConflictDeclaration,
    Moderation,
)
from tests.grants.helpers import moderation_data

SLUG = "youth-violence-2025"


def url(name, *args):
    return reverse(f"grants:{name}", args=[SLUG, *args])


def page(response) -> str:
    return response.content.decode()


# --- Moderation ---------------------------------------------------------------------------


def test_moderate_post_records_and_moves_application(
    client_as, chair_user, panel, application, criteria, member, score
):
    score(member, application, [4, 3])
    response = client_as(chair_user).post(
        url("panel-moderate", application.reference),
        moderation_data(criteria, [4, 3], "£5,500"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("panel-ranking")
    moderation = Moderation.objects.get(application=application)
    assert (moderation.recommended_amount, str(moderation.total)) == (Decimal("5500.00"), "72.00")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOMMENDED


def test_moderate_post_over_remaining_budget_refused_with_message(
    client_as,
    chair_user,
    panel,
    application,
    second_application,
    criteria,
    moderate,
    member,
    score,
):
    moderate(application, Decimal("6000"))
    score(member, second_application, [5, 4])
    response = client_as(chair_user).post(
        url("panel-moderate", second_application.reference),
        moderation_data(criteria, [5, 4], "6000"),
    )
    assert response.status_code == 200
    assert "Only £4,000 of the £10,000 budget is left to recommend; this asks for £6,000" in page(
        response
    )
    second_application.refresh_from_db()
    assert second_application.status == ApplicationStatus.UNDER_ASSESSMENT
    assert not Moderation.objects.filter(application=second_application).exists()


# --- The panel report ---------------------------------------------------------------------


@pytest.fixture
def reported(chair, member, third, application, second_application, declare, score, moderate):
    """Five declarations (one conflict, one interest), four scorecards, two moderations."""
    declare(third, application, conflict=True, interest="Board member of the applicant")
    declare(member, second_application, interest="Met the applicant at a council forum")
    score(chair, application, [4, 3], comments=["Clear local need", ""])
    score(member, application, [5, 5])
    score(chair, second_application, [5, 4])
    score(member, second_application, [3, 3])
    declare(third, second_application)
    moderate(application, Decimal("6000"))
    moderate(second_application, Decimal("4000"), scores=(5, 4))


def test_panel_report_page_holds_rationale_and_declared_interests(client_as, staff_user, reported):
    content = page(client_as(staff_user).get(url("panel-report")))
    assert "Strong referral routes from the youth justice service." in content
    assert "Board member of the applicant" in content
    assert "Met the applicant at a council forum" in content


def declaration_summary(rows):
    return sorted((r[2], r[5], r[10], r[14]) for r in rows if r[0] == "Declaration")


EXPECTED_DECLARATIONS = [
    ("YV1-0001", "Amira Haddad", "Board member of the applicant", "Conflict"),
    ("YV1-0001", "Daniel Okafor", "No interest", ""),
    ("YV1-0001", "Ruth Ellison", "No interest", ""),
    ("YV1-0002", "Amira Haddad", "No interest", ""),
    ("YV1-0002", "Daniel Okafor", "No interest", ""),
    ("YV1-0002", "Ruth Ellison", "Met the applicant at a council forum", ""),
]


def test_panel_report_csv_header_and_one_row_per_declaration(client_as, chair_user, reported):
    response = client_as(chair_user).get(url("panel-report-export", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffSection,Rank,Reference,")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["Section", "Rank", "Reference"]
    assert ConflictDeclaration.objects.count() == 6
    assert declaration_summary(rows) == EXPECTED_DECLARATIONS
    assert [r[:3] for r in rows if r[0] == "Ranking"] == [
        ["Ranking", "1", "YV1-0002"],
        ["Ranking", "2", "YV1-0001"],
    ]


def test_panel_report_xlsx_opens_with_openpyxl(client_as, staff_user, reported):
    response = client_as(staff_user).get(url("panel-report-export", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    assert "Reference" in sheets[0][0]
    cells = [value for rows in sheets for row in rows for value in row]
    # Whatever the layout, each of the six declarations is there once.
    assert cells.count("No interest") == 4
    assert cells.count("Board member of the applicant") == 1
    assert cells.count("Met the applicant at a council forum") == 1

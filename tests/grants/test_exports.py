"""The panel report downloads: each names its columns, in order, with exact values.

One application, scored by one member and moderated by the chair; the comment starts with
= so the download must keep it from running as a formula."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from grants.enums import Recommendation
from grants.exports import REPORT_HEADINGS, ReportLine
from svd_portal.exports import Column, cells, headings, row_headings

SLUG = "youth-violence-2025"


@pytest.fixture
def scored(panel, member, third, application, declare, score, moderate):
    declare(third, application, interest="Met the applicant at a council forum")
    score(member, application, [4, 3], comments=["=SUM(A1:A9)", "Clear plan"])
    moderate(
        application,
        Decimal("6000"),
        scores=(4, 3),
        recommendation=Recommendation.FUND_WITH_CONDITIONS,
        conditions="+ quarterly returns",
    )
    return application


def test_row_headings_follow_the_fields_in_order():
    assert REPORT_HEADINGS == [
        "Section",
        "Rank",
        "Reference",
        "Organisation",
        "Title",
        "Member",
        "Member organisation",
        "Criterion",
        "Weight",
        "Score",
        "Comment",
        "Total (%)",
        "Mean (%)",
        "Spread (points)",
        "Flagged",
        "Recommendation",
        "Recommended amount (£)",
        "Cumulative (£)",
        "Rationale",
        "Conditions",
    ]
    assert len(ReportLine._fields) == len(REPORT_HEADINGS)
    assert row_headings(ReportLine) == REPORT_HEADINGS


def test_columns_read_each_item_in_order():
    columns = [Column("Name", lambda p: p["name"]), Column("Age", lambda p: p["age"] + 1)]
    assert headings(columns) == ["Name", "Age"]
    assert list(cells(columns, [{"name": "Ann", "age": 40}, {"name": "Bo", "age": 2}])) == [
        ["Ann", 41],
        ["Bo", 3],
    ]


APPLICATION = ["YV1-0001", "Darlington Youth Mentoring Trust", "Mentoring for young people at risk"]
RATIONALE = "Strong referral routes from the youth justice service."


def test_panel_report_csv_columns_and_values(client_as, staff_user, scored):
    response = client_as(staff_user).get(f"/panel/{SLUG}/report.csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))

    assert rows[0] == REPORT_HEADINGS
    ruth = ["Ruth Ellison", "Durham County Council"]
    need, delivery = "Need and the local evidence", "Multi-agency delivery"
    assert rows[1:] == [
        ["Ranking", "1", *APPLICATION, "", "", "", "", "", "", "", "72.00", "0.00", "No"]
        + ["Fund with conditions", "6000.00", "6000.00", RATIONALE, "'+ quarterly returns"],
        ["Score", "1", *APPLICATION, *ruth, need, "60.00", "4", "'=SUM(A1:A9)", "72.00"] + [""] * 8,
        ["Score", "1", *APPLICATION, *ruth, delivery, "40.00", "3", "Clear plan", "72.00"]
        + [""] * 8,
        ["Consensus", "1", *APPLICATION, "", "", need, "60.00", "4", "", "72.00"] + [""] * 8,
        ["Consensus", "1", *APPLICATION, "", "", delivery, "40.00", "3", "", "72.00"] + [""] * 8,
        ["Declaration", "", *APPLICATION, "Amira Haddad", "County Durham Public Health"]
        + ["", "", "", "Met the applicant at a council forum"]
        + [""] * 9,
        ["Declaration", "", *APPLICATION, *ruth, "", "", "", "No interest"] + [""] * 9,
    ]


def test_panel_report_xlsx_sheets_columns_and_values(client_as, staff_user, scored):
    response = client_as(staff_user).get(f"/panel/{SLUG}/report.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))

    assert book.sheetnames == ["Ranking", "Scores", "Declarations"]
    assert list(book["Ranking"].iter_rows(values_only=True)) == [
        (
            "Rank",
            "Reference",
            "Organisation",
            "Title",
            "Amount requested (£)",
            "Scorecards",
            "Mean (%)",
            "Spread (points)",
            "Flagged",
            "Moderated (%)",
            "Recommendation",
            "Recommended amount (£)",
            "Cumulative (£)",
            "Rationale",
            "Conditions",
            "Consensus: Need and the local evidence",
            "Consensus: Multi-agency delivery",
        ),
        (1, *APPLICATION, 6000, 1, 72, 0, "No", 72, "Fund with conditions", 6000, 6000)
        + (RATIONALE, "'+ quarterly returns", 4, 3),
    ]
    assert list(book["Scores"].iter_rows(values_only=True)) == [
        (
            "Reference",
            "Member",
            "Member organisation",
            "Total (%)",
            "1. Need and the local evidence",
            "2. Multi-agency delivery",
            "Comment 1",
            "Comment 2",
        ),
        ("YV1-0001", "Ruth Ellison", "Durham County Council", 72, 4, 3)
        + ("'=SUM(A1:A9)", "Clear plan"),
    ]
    assert list(book["Declarations"].iter_rows(values_only=True)) == [
        ("Reference", "Organisation", "Title", "Member", "Member organisation")
        + ("Interest", "Conflict"),
        (*APPLICATION, "Amira Haddad", "County Durham Public Health")
        + ("Met the applicant at a council forum", "No"),
        (*APPLICATION, "Ruth Ellison", "Durham County Council", "No interest", "No"),
    ]

"""A chair who declared a conflict on an application does not see how it was scored: not on
the ranking, not in the report, not in its downloads. Staff, with no conflict, see it all."""

import csv
import io
from decimal import Decimal

import pytest

SECRET = "Scored down for weak safeguarding references"


@pytest.fixture
def conflicted_round(
    funding_round,
    chair,
    member,
    third,
    application,
    second_application,
    declare,
    score,
    moderate,
    staff_user,
):
    """The chair has a conflict on YV1-0001, which the others scored and staff moderated;
    YV1-0002 was scored and moderated as usual."""
    declare(chair, application, conflict=True)
    score(member, application, [5, 4], comments=[SECRET, "Good"])
    score(third, application, [3, 2], comments=["Fair", "Fair"])
    moderate(application, Decimal("5000"), scores=(4, 3), by=staff_user, rationale=SECRET)
    score(chair, second_application, [2, 2])
    score(member, second_application, [3, 3], comments=["Visible to the chair", ""])
    moderate(second_application, Decimal("1000"), scores=(3, 3))
    return funding_round


def test_ranking_withholds_the_conflicted_row_but_keeps_the_running_total(
    client_for, chair_user, conflicted_round
):
    response = client_for(chair_user).get(f"/panel/{conflicted_round.slug}/ranking/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Withheld: you declared a conflict of interest" in html
    assert SECRET not in html
    ranking = response.context["ranking"]
    # YV1-0001's £5,000 still counts in the running total.
    assert [(r.application.reference, r.cumulative) for r in ranking] == [
        ("YV1-0001", Decimal("5000.00")),
        ("YV1-0002", Decimal("6000.00")),
    ]
    rows = {row.application.reference: row for row in ranking}
    first = rows["YV1-0001"]
    assert (first.withheld, first.member_totals, first.mean, first.spread, first.moderation) == (
        True,
        {},
        None,
        None,
        None,
    )
    second = rows["YV1-0002"]
    assert second.withheld is False
    assert second.moderation.recommended_amount == Decimal("1000.00")
    assert len(second.member_totals) == 2


def test_report_page_has_no_scores_for_the_conflicted_application(
    client_for, chair_user, conflicted_round
):
    response = client_for(chair_user).get(f"/panel/{conflicted_round.slug}/report/")

    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET not in html
    assert "YV1-0001: Mentoring for young people at risk</caption>" not in html
    assert "YV1-0002: Healthy relationships in schools</caption>" in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_downloads_withhold_the_conflicted_application(
    client_for, chair_user, conflicted_round, fmt
):
    response = client_for(chair_user).get(f"/panel/{conflicted_round.slug}/report.{fmt}")

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body))
        cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row]
        text = "\n".join(cells)
    else:
        text = body.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        scores = [r for r in rows if r[0] in ("Score", "Consensus") and r[2] == "YV1-0001"]
        assert scores == []
        ranking = next(r for r in rows if r[0] == "Ranking" and r[2] == "YV1-0001")
        assert ranking[15] == "Withheld: you declared a conflict of interest"
    assert SECRET not in text
    assert "Visible to the chair" in text


def test_staff_see_the_whole_report(client_for, staff_user, conflicted_round):
    response = client_for(staff_user).get(f"/panel/{conflicted_round.slug}/report.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert SECRET in text
    assert "Withheld" not in text

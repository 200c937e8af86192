"""The money dashboard: per stream and year what is allocated, committed, paid and left;
delivery against targets by age band, success measure and priority; returns on time and
late. Exact figures from a year of one award's returns and payments, the charts and their
tables and CSVs agreeing, who may read it, and its queries however many awards."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import services
from grants.enums import AwardStatus
from grants.models import Award, BudgetLine, FundingStream, StreamAllocation
from grants.selectors import dashboard
from svd_portal import charts
from tests.factories.grants import SuccessMeasureFactory

from .awarding import make_award, ready_to_offer

LONDON = timezone.get_default_timezone()
TODAY = datetime.date(2025, 2, 1)
URL = "/staff/dashboard/"


def at(day: datetime.date, hour: int = 12):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON))


@pytest.fixture
def stream(staff_user):
    stream = FundingStream.objects.create(
        name="Serious Violence Duty grant", funder="Home Office", created_by=staff_user
    )
    StreamAllocation.objects.create(
        stream=stream,
        financial_year="2024-25",
        labour=Decimal("10000.00"),
        non_labour=Decimal("5000.00"),
    )
    return stream


@pytest.fixture
def year_of_returns(award, stream, provider_user, staff_user, second_staff, priorities):
    """OPN-A-0001, £3,000 of 2024-25's labour money, delivered April 2024 to March 2025:
    the first return submitted on time and accepted, its £750 paid; the second submitted
    six days late and not yet decided; the third overdue on 1 February 2025; the final
    report not yet due. The application named the first two strategic priorities and two
    success measures."""
    Award.objects.filter(pk=award.pk).update(stream=stream)
    award.application.priorities.set(priorities[:2])
    award.application.success_measures.set(
        [SuccessMeasureFactory(title="Homicides"), SuccessMeasureFactory(title="Knife crime")]
    )
    coach = BudgetLine.objects.create(
        application=award.application,
        item="Coach",
        financial_year="2024-25",
        cost_kind="labour",
        amount=Decimal("3000.00"),
    )
    award = ready_to_offer(
        award, entered_by=provider_user, staff=staff_user, signatory=provider_user
    )
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    first, second = award.returns.order_by("number")[:2]

    def fill(monitoring_return, actual):
        services.return_save(
            monitoring_return=monitoring_return,
            by=provider_user,
            actuals={target.pk: actual for target in award.targets.all()},
            spend={coach.pk: Decimal("500.00")},
            narrative="Went well.",
            case_study="Sam came every week.",
            risks="",
        )

    with at(datetime.date(2024, 7, 10)):
        fill(first, 3)
        services.return_submit(monitoring_return=first, by=provider_user)
    with at(datetime.date(2024, 7, 20)):
        services.return_accept(monitoring_return=first, by=staff_user)
        payment = first.payment
        services.payment_raise(payment=payment, by=staff_user)
        services.payment_approve(payment=payment, by=second_staff)
        services.payment_mark_paid(
            payment=payment, by=staff_user, paid_on=datetime.date(2024, 7, 20)
        )
    with at(datetime.date(2024, 10, 20)):
        fill(second, 7)  # not yet accepted, so not counted as delivered
        services.return_submit(monitoring_return=second, by=provider_user)
    return Award.objects.get(pk=award.pk)


def figures(rows, *names):
    return [tuple(getattr(row, name) for name in names) for row in rows]


def test_money_rows_per_stream_year_and_kind(year_of_returns, stream):
    rows = dashboard.money_rows(dashboard.Scope())
    assert figures(rows, "label", "allocated", "committed", "paid", "remaining") == [
        (
            "Serious Violence Duty grant, 2024-25, labour",
            Decimal("10000.00"),
            Decimal("3000.00"),
            Decimal("750.00"),
            Decimal("7000.00"),
        ),
        (
            "Serious Violence Duty grant, 2024-25, non-labour",
            Decimal("5000.00"),
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("5000.00"),
        ),
    ]
    totals = dashboard.money_totals(rows)
    assert (totals.allocated, totals.committed, totals.paid, totals.remaining) == (
        Decimal("15000.00"),
        Decimal("3000.00"),
        Decimal("750.00"),
        Decimal("12000.00"),
    )


def test_money_rows_narrowed_to_a_year_or_a_stream(year_of_returns, stream, staff_user):
    other = FundingStream.objects.create(
        name="Another stream", funder="Council", created_by=staff_user
    )
    StreamAllocation.objects.create(
        stream=other, financial_year="2025-26", labour=Decimal("1.00"), non_labour=Decimal("2.00")
    )
    assert [row.label for row in dashboard.money_rows(dashboard.Scope())] == [
        "Another stream, 2025-26, labour",
        "Another stream, 2025-26, non-labour",
        "Serious Violence Duty grant, 2024-25, labour",
        "Serious Violence Duty grant, 2024-25, non-labour",
    ]
    assert [
        row.label for row in dashboard.money_rows(dashboard.Scope(financial_year="2025-26"))
    ] == ["Another stream, 2025-26, labour", "Another stream, 2025-26, non-labour"]
    assert [row.label for row in dashboard.money_rows(dashboard.Scope(stream=stream))] == [
        "Serious Violence Duty grant, 2024-25, labour",
        "Serious Violence Duty grant, 2024-25, non-labour",
    ]


def test_withdrawn_award_commits_nothing(year_of_returns):
    Award.objects.filter(pk=year_of_returns.pk).update(status=AwardStatus.WITHDRAWN)
    labour = dashboard.money_rows(dashboard.Scope())[0]
    assert (labour.committed, labour.paid) == (Decimal("0.00"), Decimal("750.00"))


def test_delivery_counts_the_latest_accepted_return(year_of_returns, priorities):
    rows = dashboard.delivery_rows(dashboard.Scope())
    first, second = priorities[:2]
    assert figures(rows, "group", "label", "target", "actual", "percent") == [
        ("People reached", "aged under 18", 40, 3, 8),
        ("People reached", "aged 18 to 24", 10, 3, 30),
        ("People reached", "aged 25 to 35", 0, 3, None),
        ("People reached", "aged over 35", 0, 3, None),
        ("People reached", "All ages", 50, 12, 24),
        ("Sessions", "Sessions delivered", 24, 3, 12),
        ("Outcomes by success measure", "Homicides", 5, 3, 60),
        ("Outcomes by success measure", "Knife crime", 5, 3, 60),
        (f"Priority {first}", "People reached", 50, 12, 24),
        (f"Priority {first}", "Sessions delivered", 24, 3, 12),
        (f"Priority {second}", "People reached", 50, 12, 24),
        (f"Priority {second}", "Sessions delivered", 24, 3, 12),
    ]


def test_delivery_leaves_out_awards_not_yet_accepted(year_of_returns):
    Award.objects.filter(pk=year_of_returns.pk).update(status=AwardStatus.OFFERED)
    rows = dashboard.delivery_rows(dashboard.Scope())
    assert [(row.label, row.target, row.actual) for row in rows] == [
        ("aged under 18", 0, 0),
        ("aged 18 to 24", 0, 0),
        ("aged 25 to 35", 0, 0),
        ("aged over 35", 0, 0),
        ("All ages", 0, 0),
        ("Sessions delivered", 0, 0),
    ]


def test_returns_on_time_late_overdue_and_not_yet_due_by_quarter(year_of_returns):
    rows = dashboard.returns_rows(dashboard.Scope(), today=TODAY)
    assert figures(rows, "quarter", "on_time", "late", "overdue", "not_yet_due", "total") == [
        ("2024-25 Q2", 1, 0, 0, 0, 1),
        ("2024-25 Q3", 0, 1, 0, 0, 1),
        ("2024-25 Q4", 0, 0, 1, 0, 1),
        ("2025-26 Q1", 0, 0, 0, 1, 1),
    ]
    # In 2024-25 alone: the final report falls due in 2025-26.
    assert [
        row.quarter
        for row in dashboard.returns_rows(dashboard.Scope(financial_year="2024-25"), today=TODAY)
    ] == ["2024-25 Q2", "2024-25 Q3", "2024-25 Q4"]


def test_return_sent_back_keeps_the_timing_of_its_first_submission(
    year_of_returns, staff_user, provider_user
):
    second = year_of_returns.returns.get(number=2)
    with at(datetime.date(2024, 10, 25)):
        services.return_send_back(
            monitoring_return=second, by=staff_user, comment="Add the case study."
        )
    rows = dashboard.returns_rows(dashboard.Scope(), today=TODAY)
    assert (rows[1].quarter, rows[1].late, rows[1].overdue) == ("2024-25 Q3", 1, 0)


def test_return_sent_back_and_submitted_again_late_is_still_on_time(
    year_of_returns, staff_user, provider_user
):
    third = year_of_returns.returns.get(number=3)
    coach = year_of_returns.application.budget_lines.get()
    with at(datetime.date(2025, 1, 10)):
        services.return_save(
            monitoring_return=third,
            by=provider_user,
            actuals={t.pk: 9 for t in year_of_returns.targets.all()},
            spend={coach.pk: Decimal("1400.00")},
            narrative="Went well.",
            case_study="",
            risks="",
        )
        services.return_submit(monitoring_return=third, by=provider_user)
    with at(datetime.date(2025, 1, 12)):
        services.return_send_back(monitoring_return=third, by=staff_user, comment="Check it.")
    with at(datetime.date(2025, 1, 20)):
        services.return_submit(monitoring_return=third, by=provider_user)
    third.refresh_from_db()
    assert (third.first_submitted_on, timezone.localdate(third.submitted_at)) == (
        datetime.date(2025, 1, 10),
        datetime.date(2025, 1, 20),
    )
    rows = dashboard.returns_rows(dashboard.Scope(), today=TODAY)
    assert (rows[2].quarter, rows[2].on_time, rows[2].late, rows[2].overdue) == (
        "2024-25 Q4",
        1,
        0,
        0,
    )


def test_open_returns_of_an_ended_award_are_left_out(year_of_returns):
    Award.objects.filter(pk=year_of_returns.pk).update(status=AwardStatus.CLAWED_BACK)
    rows = dashboard.returns_rows(dashboard.Scope(), today=TODAY)
    assert figures(rows, "quarter", "total") == [("2024-25 Q2", 1), ("2024-25 Q3", 1)]


def test_quarter_of_a_day():
    from grants.fiscal import quarter_of

    assert [quarter_of(datetime.date(2024, month, 1)) for month in (4, 6, 7, 9, 10, 12)] + [
        quarter_of(datetime.date(2025, 1, 1)),
        quarter_of(datetime.date(2025, 3, 31)),
    ] == [
        "2024-25 Q1",
        "2024-25 Q1",
        "2024-25 Q2",
        "2024-25 Q2",
        "2024-25 Q3",
        "2024-25 Q3",
        "2024-25 Q4",
        "2024-25 Q4",
    ]


# --- Charts -----------------------------------------------------------------------------


def test_chart_bars_share_one_scale_and_stop_at_the_edge():
    part_a, part_b = charts.Part("A", "a"), charts.Part("B", "b")
    chart = charts.stacked(
        "T",
        [(30, 10), (80, 20), (0, 0)],
        parts=[(part_a, lambda row: row[0]), (part_b, lambda row: row[1])],
        label=str,
        figures=lambda row: f"{row[0]} and {row[1]}",
    )
    assert [[(s.part.css, s.x, s.width) for s in bar.segments] for bar in chart.bars] == [
        [("a", "0.00", "30.00"), ("b", "30.00", "10.00")],
        [("a", "0.00", "80.00"), ("b", "80.00", "20.00")],
        [],
    ]
    own = charts.stacked(
        "T",
        [(1, 3)],
        parts=[(part_a, lambda row: row[0]), (part_b, lambda row: row[1])],
        label=str,
        figures=str,
        own_scale=True,
    )
    assert [(s.x, s.width) for s in own.bars[0].segments] == [("0.00", "25.00"), ("25.00", "75.00")]


# --- The page ---------------------------------------------------------------------------


def table_rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html, re.S)[1]
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table, re.S)[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def chart_bars(html: str, chart_id: str) -> list[tuple[str, str]]:
    figure = re.search(rf'<figure class="portal-chart" id="{chart_id}".*?</figure>', html, re.S)[0]
    return [
        (label.strip(), figures.strip())
        for label, figures in re.findall(
            r'<span class="portal-chart__label">(.*?)</span>.*?'
            r'<span class="portal-chart__figures">(.*?)</span>',
            figure,
            re.S,
        )
    ]


@pytest.mark.parametrize("role", ["staff_user", "ceo_user", "pcc_user"])
def test_page_for_the_opcc_shows_charts_with_their_tables(
    request, role, client_as, year_of_returns
):
    with at(TODAY):
        response = client_as(request.getfixturevalue(role)).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert table_rows(html, "money-table") == [
        ["Serious Violence Duty grant, 2024-25, labour", "£10,000", "£3,000", "£750", "£7,000"],
        ["Serious Violence Duty grant, 2024-25, non-labour", "£5,000", "£0", "£0", "£5,000"],
    ]
    assert chart_bars(html, "money-chart") == [
        (
            "Serious Violence Duty grant, 2024-25, labour",
            "£10,000 allocated, £3,000 committed, £750 paid, £7,000 remaining",
        ),
        (
            "Serious Violence Duty grant, 2024-25, non-labour",
            "£5,000 allocated, £0 committed, £0 paid, £5,000 remaining",
        ),
    ]
    # The labour bar: £750 paid, £2,250 committed and not paid, £7,000 not committed, of
    # the largest row's £10,000.
    assert (
        '<rect class="portal-chart__paid" x="0.00" y="0" width="7.50" height="10"/>'
        '<rect class="portal-chart__committed" x="7.50" y="0" width="22.50" height="10"/>'
        '<rect class="portal-chart__uncommitted" x="30.00" y="0" width="70.00" height="10"/>'
    ) in html
    assert table_rows(html, "returns-table") == [
        ["2024-25 Q2", "1", "0", "0", "0"],
        ["2024-25 Q3", "0", "1", "0", "0"],
        ["2024-25 Q4", "0", "0", "1", "0"],
        ["2025-26 Q1", "0", "0", "0", "1"],
    ]
    assert chart_bars(html, "returns-chart") == [
        ("2024-25 Q2", "1 on time, 0 late, 0 overdue, 0 not yet due"),
        ("2024-25 Q3", "0 on time, 1 late, 0 overdue, 0 not yet due"),
        ("2024-25 Q4", "0 on time, 0 late, 1 overdue, 0 not yet due"),
        ("2025-26 Q1", "0 on time, 0 late, 0 overdue, 1 not yet due"),
    ]
    delivery = table_rows(html, "delivery-table")
    bars = chart_bars(html, "delivery-chart")
    assert delivery[0] == ["People reached: aged under 18", "40", "3", "8%"]
    assert bars[0] == ("People reached: aged under 18", "3 of 40 (8%)")
    # Every delivery bar says what its table row says.
    assert [(row[0], f"{row[2]} of {row[1]}") for row in delivery] == [
        (label, figure.split(" (")[0]) for label, figure in bars
    ]
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        (
            "money",
            [
                [
                    "Funding stream",
                    "Financial year",
                    "Kind of cost",
                    "Allocated (£)",
                    "Committed (£)",
                    "Paid (£)",
                    "Remaining (£)",
                ],
                [
                    "Serious Violence Duty grant",
                    "2024-25",
                    "Labour",
                    "10000.00",
                    "3000.00",
                    "750.00",
                    "7000.00",
                ],
                [
                    "Serious Violence Duty grant",
                    "2024-25",
                    "Non-labour",
                    "5000.00",
                    "0.00",
                    "0.00",
                    "5000.00",
                ],
            ],
        ),
        (
            "returns",
            [
                ["Quarter due", "On time", "Late", "Overdue", "Not yet due", "Total"],
                ["2024-25 Q2", "1", "0", "0", "0", "1"],
                ["2024-25 Q3", "0", "1", "0", "0", "1"],
                ["2024-25 Q4", "0", "0", "1", "0", "1"],
                ["2025-26 Q1", "0", "0", "0", "1", "1"],
            ],
        ),
    ],
)
def test_csv_has_the_tables_numbers(staff_client, year_of_returns, part, expected):
    with at(TODAY):
        response = staff_client.get(f"/staff/dashboard/{part}.csv")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="dashboard-{part}-2025-02-01.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == expected


def test_delivery_csv_rows_match_the_page(staff_client, year_of_returns):
    html = staff_client.get(URL).content.decode()
    response = staff_client.get("/staff/dashboard/delivery.csv?financial_year=2024-25")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="dashboard-delivery-2024-25-'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Group", "Measure", "Target", "Delivered", "Delivered (% of target)"]
    assert [[f"{g}: {m}", t, d, f"{p}%" if p else "–"] for g, m, t, d, p in rows[1:]] == table_rows(
        html, "delivery-table"
    )


def test_filtered_page_narrows_every_table_and_its_download_links(
    staff_client, year_of_returns, stream, staff_user
):
    other = FundingStream.objects.create(
        name="Council fund", funder="Council", created_by=staff_user
    )
    StreamAllocation.objects.create(
        stream=other, financial_year="2025-26", labour=Decimal("1.00"), non_labour=Decimal("2.00")
    )
    with at(TODAY):
        response = staff_client.get(URL, {"stream": stream.pk, "financial_year": "2025-26"})
    html = response.content.decode()
    assert table_rows(html, "money-table") == [["No stream holds money in 2025-26 yet."]]
    assert table_rows(html, "returns-table") == [["2025-26 Q1", "0", "0", "0", "1"]]
    # The award has no money in 2025-26, so nothing of its delivery counts there.
    assert table_rows(html, "delivery-table")[4] == ["People reached: All ages", "0", "0", "–"]
    assert (
        f'href="/staff/dashboard/money.csv?stream={stream.pk}&amp;financial_year=2025-26"' in html
    )


def test_filter_that_cannot_be_used_says_so_and_csv_refuses(staff_client, year_of_returns):
    response = staff_client.get(URL, {"stream": "999999", "financial_year": "1999-00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a funding stream from the list" in html
    assert "Select a financial year from the list" in html
    # Shown unfiltered, and its links do not carry the filters that could not be used.
    assert len(table_rows(html, "money-table")) == 2
    assert 'href="/staff/dashboard/money.csv"' in html
    response = staff_client.get("/staff/dashboard/money.csv", {"stream": "x"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "Correct the filters on the money dashboard, then download it again."
    )


@pytest.mark.parametrize(
    "path", [URL, "/staff/dashboard/money.csv", "/staff/dashboard/returns.csv"]
)
def test_providers_and_panel_members_are_refused(client_as, provider_user, panel_member_user, path):
    assert client_as(provider_user).get(path).status_code == 403
    assert client_as(panel_member_user).get(path).status_code == 403
    response = client_as(None).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_table_is_not_found(staff_client):
    assert staff_client.get("/staff/dashboard/people.csv").status_code == 404


def test_page_queries_do_not_grow_with_awards(
    staff_client, year_of_returns, funding_round, stream, staff_user
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(URL).status_code == 200
        return len(queries)

    before = count()
    for number in range(2, 6):
        extra = make_award(
            funding_round=funding_round,
            organisation=year_of_returns.organisation,
            created_by=staff_user,
            reference=f"OPN-A-{number:04d}",
        )
        Award.objects.filter(pk=extra.pk).update(stream=stream, status=AwardStatus.ACTIVE)
    assert count() == before
    assert before <= 14

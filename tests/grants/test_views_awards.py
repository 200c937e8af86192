"""grants.views.awards through HTTP: the money page, allocations, the awards list and its
export, an award's page and "Your grants", each tried by the people who may not use it."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants import fiscal, services
from grants.enums import ApplicationStatus, AwardStatus, CostKind
from grants.models import Award, AwardSplit, BudgetLine, FundingStream, StreamAllocation
from partners.enums import Role
from tests.factories import UserFactory
from tests.factories.partners import member_of_new_organisation
from tests.grants.helpers import on_page, on_stream, page_text

L, N = CostKind.LABOUR, CostKind.NON_LABOUR


@pytest.fixture
def stream(staff_user):
    return services.stream_save(
        by=staff_user, name="Serious Violence Duty grant", funder="Home Office"
    )


@pytest.fixture
def year(funding_round):
    return fiscal.year_of(funding_round.delivery_starts_on)


@pytest.fixture
def made(funding_round, make_application, provider_user, stream, staff_user, pcc_user, year):
    """The round on the stream (£10,000 labour and £10,000 non-labour in its first year),
    and a signed decision's two awards: YV1-A-0001 (£4,800) to the provider's own
    organisation, YV1-A-0002 (£2,000) to another."""
    on_stream(funding_round, stream, staff_user, labour="10000", non_labour="10000")
    own = make_application(
        "Street sport",
        amount=Decimal("6000"),
        organisation=provider_user.memberships.get().organisation,
        status=ApplicationStatus.RECOMMENDED,
    )
    for kind, amount in ((L, "3000"), (N, "3000")):
        BudgetLine.objects.create(
            application=own,
            item="Coach",
            financial_year=year,
            cost_kind=kind,
            amount=Decimal(amount),
        )
    other = make_application("Boxing", amount=Decimal("2000"), status=ApplicationStatus.RECOMMENDED)
    services.round_decide(
        funding_round=funding_round,
        awards={own.pk: Decimal("4800.00"), other.pk: Decimal("2000.00")},
        declines=[],
        by=pcc_user,
        reason="PCC decision DN7-26: approved",
        decision_reference="DN7-26",
    )
    return {a.reference: a for a in Award.objects.all()}


# --- Who may use the pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path", "expected"),
    [
        ("staff_user", "/staff/streams/", 200),
        ("ceo_user", "/staff/streams/", 200),
        ("pcc_user", "/staff/streams/", 200),
        ("provider_user", "/staff/streams/", 403),
        ("panel_member_user", "/staff/streams/", 403),
        ("staff_user", "/staff/awards/", 200),
        ("provider_user", "/staff/awards/", 403),
        ("provider_user", "/staff/awards.csv", 403),
        ("staff_user", "/staff/streams/new/", 200),
        ("ceo_user", "/staff/streams/new/", 403),
        ("provider_user", "/grants/mine/", 200),
    ],
)
def test_pages_by_role(made, client_as, request, who, path, expected):
    response = client_as(request.getfixturevalue(who)).get(path)

    assert response.status_code == expected


@pytest.mark.parametrize("path", ["/staff/streams/", "/staff/awards/", "/grants/mine/"])
def test_pages_anonymous_sent_to_sign_in(made, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_award_not_on_the_grants_register_is_not_found_anonymously(made, client):
    # Its page at the same address is the public register's, and it is not on it yet.
    assert client.get("/grants/YV1-A-0001/").status_code == 404


def test_money_page_by_role(made, stream, client_as, staff_user, ceo_user, provider_user):
    path = f"/staff/streams/{stream.pk}/"
    assert client_as(staff_user).get(path).status_code == 200
    assert client_as(ceo_user).get(path).status_code == 200
    assert client_as(provider_user).get(path).status_code == 403


def test_allocation_by_anyone_but_staff_refused(
    made, stream, year, client_as, ceo_user, provider_user
):
    data = {"financial_year": year, "labour": "1", "non_labour": "1"}
    for user in (ceo_user, provider_user):
        response = client_as(user).post(f"/staff/streams/{stream.pk}/allocation/", data)
        assert response.status_code == 403
    assert StreamAllocation.objects.get().total == Decimal("20000.00")


def test_award_page_for_its_holder_and_staff_404_for_another_organisation(
    made, client_as, provider_user, staff_user, pcc_user
):
    stranger = member_of_new_organisation("Another Group", roles=[Role.PROVIDER])

    own = client_as(provider_user).get("/grants/YV1-A-0001/")
    theirs = client_as(provider_user).get("/grants/YV1-A-0002/")

    assert own.status_code == 200
    assert on_page(own, "£4,800")
    assert "Funding stream" not in page_text(own)  # the OPCC's books are not the provider's
    assert theirs.status_code == 404
    assert client_as(stranger).get("/grants/YV1-A-0001/").status_code == 404
    assert client_as(UserFactory()).get("/grants/YV1-A-0001/").status_code == 404
    assert client_as(provider_user).get("/grants/YV1-A-9999/").status_code == 404
    for user in (staff_user, pcc_user):
        assert client_as(user).get("/grants/YV1-A-0002/").status_code == 200


def test_your_grants_lists_only_your_organisations(made, client_as, provider_user):
    response = client_as(provider_user).get("/grants/mine/")

    assert [a.reference for a in response.context["awards"]] == ["YV1-A-0001"]
    assert "YV1-A-0002" not in page_text(response)


# --- The money page ------------------------------------------------------------------------


def test_money_page_adds_up_by_year_and_kind(made, stream, year, client_as, staff_user):
    response = client_as(staff_user).get(f"/staff/streams/{stream.pk}/")

    (row,) = response.context["years"]
    # YV1-A-0001: £4,800 of a £6,000 budget, half labour: £2,400 each. YV1-A-0002 has no
    # budget lines: its £2,000 is non-labour.
    assert (row.financial_year, row.allocated.labour, row.allocated.non_labour) == (
        year,
        Decimal("10000.00"),
        Decimal("10000.00"),
    )
    assert (row.committed.labour, row.committed.non_labour, row.committed.total) == (
        Decimal("2400.00"),
        Decimal("4400.00"),
        Decimal("6800.00"),
    )
    assert (row.remaining.labour, row.remaining.non_labour, row.remaining.total) == (
        Decimal("7600.00"),
        Decimal("5600.00"),
        Decimal("13200.00"),
    )
    assert on_page(response, "£13,200")


def test_money_page_warns_from_the_third_quarter_of_money_left_unspent(
    made, stream, year, staff_user
):
    from grants.selectors import stream_years

    october = fiscal.third_quarter_starts_on(year)
    before = stream_years(stream=stream, today=october - datetime.timedelta(days=1))
    during = stream_years(stream=stream, today=october)
    after = stream_years(stream=stream, today=fiscal.ends_on(year) + datetime.timedelta(days=1))

    assert [y.unspent_warning for y in (*before, *during, *after)] == [False, True, False]


def test_allocation_set_over_http_and_refusals_shown_on_the_page(
    made, stream, year, client_as, staff_user
):
    client = client_as(staff_user)
    path = f"/staff/streams/{stream.pk}/allocation/"

    response = client.post(
        path, {"financial_year": year, "labour": "£12,000", "non_labour": "9000"}
    )
    assert response.status_code == 302
    allocation = StreamAllocation.objects.get()
    assert (allocation.labour, allocation.non_labour) == (Decimal("12000.00"), Decimal("9000.00"))

    response = client.post(path, {"financial_year": "2024-2025", "labour": "1", "non_labour": "1"})
    assert response.status_code == 400
    assert on_page(response, "“2024-2025” is not a financial year: write it as 2024-25")

    response = client.post(path, {"financial_year": year, "labour": "100", "non_labour": "9000"})
    assert response.status_code == 400
    assert on_page(
        response, f"Awards already commit £2,400 of {year}'s labour money: enter at least that"
    )
    allocation.refresh_from_db()
    assert (allocation.labour, allocation.non_labour) == (Decimal("12000.00"), Decimal("9000.00"))


def test_stream_create_over_http(client_as, staff_user):
    response = client_as(staff_user).post(
        "/staff/streams/new/", {"name": "Violence Reduction Unit", "funder": "Home Office"}
    )

    assert response.status_code == 302
    response = client_as(staff_user).post("/staff/streams/new/", {"name": "", "funder": ""})
    assert response.status_code == 200
    assert on_page(response, "Enter the stream's name")
    response = client_as(staff_user).post(
        "/staff/streams/new/", {"name": "violence reduction unit ", "funder": "Home Office"}
    )
    assert response.status_code == 200
    assert on_page(response, "A stream called violence reduction unit already exists")
    assert FundingStream.objects.count() == 1


def test_the_rounds_staff_page_names_its_stream(made, stream, funding_round, client_as, staff_user):
    response = client_as(staff_user).get(f"/staff/rounds/{funding_round.slug}/")

    assert (
        f'Budget £10,000, drawn from <a class="govuk-link" href="/staff/streams/{stream.pk}/">'
        "Serious Violence Duty grant</a>."
    ) in page_text(response)


# --- The awards list and its export ------------------------------------------------------------


def test_awards_list_filters_and_refuses_a_value_it_cannot_use(made, stream, client_as, staff_user):
    client = client_as(staff_user)

    everything = client.get("/staff/awards/")
    assert [a.reference for a in everything.context["awards"]] == ["YV1-A-0001", "YV1-A-0002"]
    searched = client.get("/staff/awards/?q=boxing")
    assert [a.reference for a in searched.context["awards"]] == ["YV1-A-0002"]
    bad = client.get("/staff/awards/?status=lost")
    assert bad.status_code == 200
    assert on_page(bad, "Select a status from the list")
    assert client.get("/staff/awards.csv?status=lost").status_code == 400


def test_awards_export_a_row_per_award_and_year_with_the_split(made, year, client_as, staff_user):
    response = client_as(staff_user).get("/staff/awards.csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "Reference",
        "Organisation",
        "Org-id",
        "Title",
        "Funding stream",
        "Financial year",
        "Labour (£)",
        "Non-labour (£)",
        "Year total (£)",
        "Award amount (£)",
        "Status",
        "Decision",
    ]
    assert [row[:1] + row[3:] for row in rows[1:]] == [
        [
            "YV1-A-0001",
            "Street sport",
            "Serious Violence Duty grant",
            year,
            "2400.00",
            "2400.00",
            "4800.00",
            "4800.00",
            "Due diligence",
            "DN7-26",
        ],
        [
            "YV1-A-0002",
            "Boxing",
            "Serious Violence Duty grant",
            year,
            "0.00",
            "2000.00",
            "2000.00",
            "2000.00",
            "Due diligence",
            "DN7-26",
        ],
    ]


def test_awards_list_queries_do_not_grow_with_the_awards(
    made, client_as, staff_user, pcc_user, make_application, funding_round, year
):
    client = client_as(staff_user)
    with CaptureQueriesContext(connection) as two:
        response = client.get("/staff/awards/")
    assert len(response.context["awards"]) == 2
    first = made["YV1-A-0001"]
    for number in range(3, 8):
        application = make_application(
            f"Project {number}", amount=Decimal("1000"), status=ApplicationStatus.AWARDED
        )
        award = Award.objects.create(
            reference=f"YV1-A-{number:04d}",
            application=application,
            round=funding_round,
            organisation=application.organisation,
            stream=first.stream,
            title=application.title,
            amount=Decimal("1000.00"),
            delivery_starts_on=first.delivery_starts_on,
            delivery_ends_on=first.delivery_ends_on,
            decision_reference="DN7-26",
            created_by=pcc_user,
        )
        AwardSplit.objects.create(
            award=award, financial_year=year, cost_kind=L, amount=Decimal("1000.00")
        )
    with CaptureQueriesContext(connection) as seven:
        response = client.get("/staff/awards/")

    assert len(response.context["awards"]) == 7
    assert len(seven) == len(two)


# --- Withdrawing ---------------------------------------------------------------------------------


def test_withdraw_by_staff_with_a_reason(made, client_as, staff_user):
    response = client_as(staff_user).post(
        "/grants/YV1-A-0002/withdraw/", {"reason": "The group has folded."}
    )

    assert response.status_code == 302
    assert Award.objects.get(reference="YV1-A-0002").status == AwardStatus.WITHDRAWN


def test_withdraw_by_the_holder_or_the_pcc_refused(made, client_as, provider_user, pcc_user):
    # Both may read the award, so they are told no rather than that it does not exist.
    for user in (provider_user, pcc_user):
        response = client_as(user).post("/grants/YV1-A-0001/withdraw/", {"reason": "No"})
        assert response.status_code == 403
    stranger = member_of_new_organisation("Another Group", roles=[Role.PROVIDER])
    response = client_as(stranger).post("/grants/YV1-A-0001/withdraw/", {"reason": "No"})
    assert response.status_code == 404
    assert Award.objects.get(reference="YV1-A-0001").status == AwardStatus.DUE_DILIGENCE


def test_withdraw_twice_shows_why_not(made, client_as, staff_user):
    client = client_as(staff_user)
    client.post("/grants/YV1-A-0002/withdraw/", {"reason": "Folded."})

    response = client.post("/grants/YV1-A-0002/withdraw/", {"reason": "Again."})

    assert response.status_code == 400
    assert on_page(response, "An award that is withdrawn cannot move to withdrawn")
    response = client.post("/grants/YV1-A-0001/withdraw/", {"reason": ""})
    assert response.status_code == 400
    assert on_page(response, "Enter why the award is withdrawn")

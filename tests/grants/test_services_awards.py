"""grants.services.awards: streams, allocations by financial year, awards made by a signed
decision (round_decide) with their money split to the penny, and the allocation that no
set of awards may exceed, even two decisions signed at the same moment."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from grants import fiscal, money, services
from grants.enums import ApplicationStatus, AwardStatus, CostKind
from grants.models import (
    Application,
    Award,
    AwardSplit,
    AwardStatusChange,
    BudgetLine,
    FundingRound,
    FundingStream,
)
from partners.enums import Role
from tests.factories import UserFactory
from tests.grants.helpers import on_stream

L, N = CostKind.LABOUR, CostKind.NON_LABOUR


# --- Financial years --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2025, 3, 31), "2024-25"),
        (datetime.date(2025, 4, 1), "2025-26"),
        (datetime.date(2024, 1, 1), "2023-24"),
        (datetime.date(1999, 12, 31), "1999-00"),
    ],
)
def test_year_of_a_day_runs_1_april_to_31_march(day, year):
    assert fiscal.year_of(day) == year


@pytest.mark.parametrize("label", ["2024-26", "24-25", "2024-2025", "2024/25", "", "abcd-ef"])
def test_a_financial_year_written_otherwise_is_refused(label):
    with pytest.raises(ValidationError) as exc:
        fiscal.validate_year(label)

    assert exc.value.messages == [f"“{label}” is not a financial year: write it as 2024-25"]


def test_the_years_a_period_touches():
    assert fiscal.years_between(datetime.date(2024, 1, 1), datetime.date(2025, 3, 31)) == [
        "2023-24",
        "2024-25",
    ]
    assert fiscal.third_quarter_starts_on("2024-25") == datetime.date(2024, 10, 1)
    assert fiscal.ends_on("2024-25") == datetime.date(2025, 3, 31)


# --- Splitting an award -----------------------------------------------------------------


def lines(*rows):
    return [BudgetLine(financial_year=y, cost_kind=k, amount=Decimal(a)) for y, k, a in rows]


def test_split_follows_the_budget_in_proportion():
    budget = lines(("2024-25", L, "3000"), ("2024-25", N, "1000"), ("2025-26", L, "2000"))

    splits = money.award_splits(
        budget, Decimal("4800.00"), delivery_starts_on=datetime.date(2024, 4, 1)
    )

    assert splits == {
        ("2024-25", L): Decimal("2400.00"),
        ("2024-25", N): Decimal("800.00"),
        ("2025-26", L): Decimal("1600.00"),
    }


def test_split_pennies_add_up_to_the_award_exactly():
    budget = lines(("2024-25", L, "1"), ("2024-25", N, "1"), ("2025-26", N, "1"))

    splits = money.award_splits(
        budget, Decimal("100.00"), delivery_starts_on=datetime.date(2024, 4, 1)
    )

    # A third each is 33.333…: the one penny left over goes to the earliest.
    assert splits == {
        ("2024-25", L): Decimal("33.34"),
        ("2024-25", N): Decimal("33.33"),
        ("2025-26", N): Decimal("33.33"),
    }
    assert sum(splits.values()) == Decimal("100.00")


def test_split_lines_of_the_same_year_and_kind_are_added_together():
    budget = lines(("2024-25", L, "500"), ("2024-25", L, "250.50"), ("2024-25", N, "249.50"))

    splits = money.award_splits(
        budget, Decimal("500.00"), delivery_starts_on=datetime.date(2024, 4, 1)
    )

    assert splits == {("2024-25", L): Decimal("375.25"), ("2024-25", N): Decimal("124.75")}


def test_split_without_a_budget_falls_in_the_year_delivery_starts_as_non_labour():
    splits = money.award_splits([], Decimal("750.00"), delivery_starts_on=datetime.date(2025, 3, 1))

    assert splits == {("2024-25", N): Decimal("750.00")}


# --- Streams and allocations ---------------------------------------------------------------


@pytest.fixture
def stream(staff_user):
    return services.stream_save(
        by=staff_user, name="Serious Violence Duty grant", funder="Home Office"
    )


def test_stream_save_by_anyone_but_staff_refused(pcc_user, provider_user):
    for user in (pcc_user, provider_user):
        with pytest.raises(PermissionDenied):
            services.stream_save(by=user, name="Stream", funder="Home Office")
    assert FundingStream.objects.count() == 0


def test_allocation_set_replaces_the_year(stream, staff_user):
    services.allocation_set(
        stream=stream,
        by=staff_user,
        financial_year="2024-25",
        labour=Decimal("1000"),
        non_labour=Decimal("500"),
    )
    allocation = services.allocation_set(
        stream=stream,
        by=staff_user,
        financial_year="2024-25",
        labour=Decimal("2000"),
        non_labour=Decimal("0"),
    )

    assert stream.allocations.count() == 1
    assert (allocation.labour, allocation.non_labour, allocation.total) == (
        Decimal("2000"),
        Decimal("0"),
        Decimal("2000"),
    )


def test_allocation_set_negative_or_badly_written_year_refused(stream, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.allocation_set(
            stream=stream,
            by=staff_user,
            financial_year="2024-25",
            labour=Decimal("-1"),
            non_labour=Decimal("0"),
        )
    assert exc.value.message_dict == {"labour": ["Enter an amount of £0 or more"]}
    with pytest.raises(ValidationError):
        services.allocation_set(
            stream=stream,
            by=staff_user,
            financial_year="2024-2025",
            labour=Decimal("1"),
            non_labour=Decimal("0"),
        )
    assert stream.allocations.count() == 0


# --- Awards at the signature ----------------------------------------------------------------


@pytest.fixture
def pcc(role_groups):
    return UserFactory(full_name="Morgan Reid", roles=[Role.PCC])


@pytest.fixture
def recommended(make_application):
    """make_application in "recommended", with budget lines given as (year, kind, amount)."""

    def make(title, amount, *budget):
        application = make_application(
            title, amount=Decimal(amount), status=ApplicationStatus.RECOMMENDED
        )
        for year, kind, line_amount in budget:
            BudgetLine.objects.create(
                application=application,
                item="Youth worker",
                financial_year=year,
                cost_kind=kind,
                amount=Decimal(line_amount),
            )
        return application

    return make


def decide(funding_round, pcc, awards, declines=(), conditions=None, reference="DN7-26"):
    return services.round_decide(
        funding_round=funding_round,
        awards={a.pk: Decimal(amount) for a, amount in awards},
        declines=[a.pk for a in declines],
        by=pcc,
        reason=f"PCC decision {reference}: approved",
        decision_reference=reference,
        conditions=conditions,
    )


def year_of_delivery(funding_round: FundingRound) -> str:
    return fiscal.year_of(funding_round.delivery_starts_on)


def test_signing_makes_an_award_for_each_awarded_application_split_by_its_budget(
    funding_round, recommended, pcc, stream, staff_user
):
    years = fiscal.years_between(funding_round.delivery_starts_on, funding_round.delivery_ends_on)
    first_year, second_year = years[:2]
    on_stream(funding_round, stream, staff_user, labour="10000", non_labour="10000", years=years)
    mentoring = recommended(
        "Mentoring",
        "6000",
        (first_year, L, "3000"),
        (first_year, N, "1000"),
        (second_year, L, "2000"),
    )
    boxing = recommended("Boxing", "2000")
    declined = recommended("Football", "1000")

    decide(
        funding_round,
        pcc,
        [(mentoring, "4800.00"), (boxing, "2000.00")],
        declines=[declined],
        conditions={mentoring.pk: "Safeguarding training first."},
    )

    # Numbered in the order of the applications' references: YV1-0001 is the mentoring.
    awards = list(Award.objects.order_by("reference"))
    assert [
        (a.reference, a.application_id, a.amount, a.status, a.stream_id, a.conditions)
        for a in awards
    ] == [
        (
            "YV1-A-0001",
            mentoring.pk,
            Decimal("4800.00"),
            AwardStatus.DUE_DILIGENCE,
            stream.pk,
            "Safeguarding training first.",
        ),
        ("YV1-A-0002", boxing.pk, Decimal("2000.00"), AwardStatus.DUE_DILIGENCE, stream.pk, ""),
    ]
    assert (awards[0].decision_reference, awards[0].title, awards[0].organisation_id) == (
        "DN7-26",
        "Mentoring",
        mentoring.organisation_id,
    )
    assert (awards[0].delivery_starts_on, awards[0].delivery_ends_on) == (
        funding_round.delivery_starts_on,
        funding_round.delivery_ends_on,
    )
    assert sorted(
        AwardSplit.objects.values_list("award__reference", "financial_year", "cost_kind", "amount")
    ) == [
        ("YV1-A-0001", first_year, L, Decimal("2400.00")),
        ("YV1-A-0001", first_year, N, Decimal("800.00")),
        ("YV1-A-0001", second_year, L, Decimal("1600.00")),
        ("YV1-A-0002", first_year, N, Decimal("2000.00")),
    ]
    assert list(
        AwardStatusChange.objects.order_by("award__reference").values_list(
            "award__reference", "from_status", "to_status", "reason", "changed_by"
        )
    ) == [
        ("YV1-A-0001", "", AwardStatus.DUE_DILIGENCE, "Made by PCC decision DN7-26", pcc.pk),
        ("YV1-A-0002", "", AwardStatus.DUE_DILIGENCE, "Made by PCC decision DN7-26", pcc.pk),
    ]
    assert not Award.objects.filter(application=declined).exists()
    assert money.committed_by_kind(stream=stream, financial_year=first_year) == {
        L: Decimal("2400.00"),
        N: Decimal("2800.00"),
    }


def test_signing_more_than_the_streams_year_holds_is_refused_and_changes_nothing(
    funding_round, recommended, pcc, stream, staff_user
):
    year = on_stream(funding_round, stream, staff_user, non_labour="5000")
    first = recommended("Mentoring", "3000")
    second = recommended("Boxing", "2500.50")

    with pytest.raises(ValidationError) as exc:
        decide(funding_round, pcc, [(first, "3000.00"), (second, "2500.50")])

    assert exc.value.messages == [
        f"These awards cannot be made: {year}'s non-labour money would be overcommitted by "
        "£500.50 (£5,000 of £5,000 is left). OPCC staff can change the stream's allocation, "
        "or the record can be returned to draft."
    ]
    assert Award.objects.count() == 0
    assert sorted(Application.objects.values_list("status", flat=True)) == [
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.RECOMMENDED,
    ]
    assert FundingRound.objects.get(pk=funding_round.pk).status == "assessment"


def test_signing_into_a_year_the_stream_has_no_allocation_for_is_refused(
    funding_round, recommended, pcc, stream, staff_user
):
    on_stream(funding_round, stream, staff_user, years=["2000-01"])  # no year it needs
    application = recommended("Mentoring", "3000")

    with pytest.raises(ValidationError) as exc:
        decide(funding_round, pcc, [(application, "3000.00")])

    assert exc.value.messages == [
        "These awards cannot be made: the Serious Violence Duty grant stream has no allocation "
        f"for {year_of_delivery(funding_round)}. OPCC staff can change the stream's "
        "allocation, or the record can be returned to draft."
    ]
    assert Award.objects.count() == 0


def test_a_round_on_no_stream_makes_awards_committed_nowhere(funding_round, recommended, pcc):
    application = recommended("Mentoring", "3000")

    decide(funding_round, pcc, [(application, "3000.00")])

    award = Award.objects.get()
    assert (award.reference, award.stream, award.amount) == ("YV1-A-0001", None, Decimal("3000"))


def test_allocation_cannot_fall_below_what_awards_commit(
    funding_round, recommended, pcc, stream, staff_user
):
    year = on_stream(funding_round, stream, staff_user, non_labour="5000")
    decide(funding_round, pcc, [(recommended("Mentoring", "3000"), "3000.00")])

    with pytest.raises(ValidationError) as exc:
        services.allocation_set(
            stream=stream,
            by=staff_user,
            financial_year=year,
            labour=Decimal("0"),
            non_labour=Decimal("2999.99"),
        )

    assert exc.value.message_dict == {
        "non_labour": [
            f"Awards already commit £3,000 of {year}'s non-labour money: enter at least that"
        ]
    }
    assert stream.allocations.get().non_labour == Decimal("5000.00")


def test_a_withdrawn_award_no_longer_commits_its_money(
    funding_round, recommended, pcc, stream, staff_user
):
    year = on_stream(funding_round, stream, staff_user, non_labour="5000")
    decide(funding_round, pcc, [(recommended("Mentoring", "3000"), "3000.00")])
    award = Award.objects.get()

    services.award_withdraw(award=award, by=staff_user, reason="The group has folded.")

    assert Award.objects.get().status == AwardStatus.WITHDRAWN
    assert money.committed_by_kind(stream=stream, financial_year=year)[N] == Decimal("0")
    with pytest.raises(ValidationError) as exc:
        services.award_withdraw(award=award, by=staff_user, reason="Again.")
    assert exc.value.messages == ["An award that is withdrawn cannot move to withdrawn"]


def test_award_withdraw_needs_staff_and_a_reason(
    funding_round, recommended, pcc, provider_user, staff_user
):
    decide(funding_round, pcc, [(recommended("Mentoring", "3000"), "3000.00")])
    award = Award.objects.get()

    with pytest.raises(PermissionDenied):
        services.award_withdraw(award=award, by=provider_user, reason="Mine.")
    with pytest.raises(ValidationError) as exc:
        services.award_withdraw(award=award, by=staff_user, reason="  ")
    assert exc.value.message_dict == {"reason": ["Say why the award is withdrawn"]}
    assert Award.objects.get().status == AwardStatus.DUE_DILIGENCE


# --- Two decisions signed at once ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_decisions_signed_at_once_cannot_overcommit_a_year(
    roles, make_round, make_application, staff_user
):
    pcc = UserFactory(roles=[Role.PCC])
    stream = services.stream_save(
        by=staff_user, name="Serious Violence Duty grant", funder="Home Office"
    )
    rounds = [make_round(slug="first-round"), make_round(slug="second-round")]
    year = year_of_delivery(rounds[0])
    services.allocation_set(
        stream=stream,
        by=staff_user,
        financial_year=year,
        labour=Decimal("0"),
        non_labour=Decimal("6000"),
    )
    FundingRound.objects.filter(pk__in=[r.pk for r in rounds]).update(stream=stream)
    applications = [
        make_application(
            "Mentoring", amount=Decimal("4000"), round=r, status=ApplicationStatus.RECOMMENDED
        )
        for r in rounds
    ]
    barrier = threading.Barrier(2, timeout=30)
    outcomes = {}

    def sign(funding_round, application, reference):
        funding_round.refresh_from_db()
        try:
            barrier.wait()
            decide(funding_round, pcc, [(application, "4000.00")], reference=reference)
            outcomes[reference] = "signed"
        except ValidationError as exc:
            outcomes[reference] = exc.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign, args=(r, a, f"DN{n}-26"))
        for n, (r, a) in enumerate(zip(rounds, applications, strict=True), start=1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(outcomes.values()) == sorted(
        [
            "signed",
            f"These awards cannot be made: {year}'s non-labour money would be overcommitted by "
            "£2,000 (£2,000 of £6,000 is left). OPCC staff can change the stream's allocation, "
            "or the record can be returned to draft.",
        ]
    )
    assert Award.objects.count() == 1
    assert money.committed_by_kind(stream=stream, financial_year=year)[N] == Decimal("4000.00")

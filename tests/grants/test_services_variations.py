"""grants.services (variations): proposing a change of an award's amount, end of delivery,
targets or budget; staff's decision, and the PCC's above the threshold; the award, its
returns and its payments as an approved variation leaves them, the ledger's rule kept; and
underspend moved between two awards of a stream."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grants import services
from grants.enums import AwardStatus, PaymentStatus, VariationStatus
from grants.models import (
    Award,
    AwardSplit,
    BudgetLine,
    FundingStream,
    Payment,
    StreamAllocation,
    Variation,
)
from tests.factories import UserFactory
from tests.factories.partners import member_of_new_organisation

from .awarding import make_award, ready_to_offer

AFTER_ALL = datetime.date(2025, 6, 1)


@pytest.fixture
def stream(staff_user):
    stream = FundingStream.objects.create(
        name="Serious Violence Duty grant", funder="Home Office", created_by=staff_user
    )
    StreamAllocation.objects.create(
        stream=stream,
        financial_year="2024-25",
        labour=Decimal("4000.00"),
        non_labour=Decimal("1000.00"),
    )
    return stream


@pytest.fixture
def coach(award):
    return BudgetLine.objects.create(
        application=award.application,
        item="Coach",
        financial_year="2024-25",
        cost_kind="labour",
        amount=Decimal("3000.00"),
    )


@pytest.fixture
def active(award, stream, coach, provider_user, staff_user):
    """OPN-A-0001, £3,000 of 2024-25's labour money on the stream, delivered 1 April 2024
    to 31 March 2025: four quarterly returns, four payments of £750, active."""
    Award.objects.filter(pk=award.pk).update(stream=stream)
    ready_to_offer(award, entered_by=provider_user, staff=staff_user, signatory=provider_user)
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    return Award.objects.get(pk=award.pk)


def payments(award) -> list[tuple[int, str, Decimal]]:
    return [
        (p.number, p.status, p.amount)
        for p in Payment.objects.filter(award=award).order_by("number")
    ]


def returns(award) -> list[tuple[int, str, datetime.date, datetime.date, datetime.date]]:
    return [
        (r.number, r.kind, r.period_starts_on, r.period_ends_on, r.due_on)
        for r in award.returns.order_by("number")
    ]


def scheduled_add_up(award) -> bool:
    """The ledger's rule: what is paid, on its way or scheduled is the award, exactly."""
    award.refresh_from_db()
    live = Payment.objects.filter(award=award).exclude(status=PaymentStatus.CANCELLED)
    return sum(p.amount for p in live) == award.amount


def refused(call) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


def propose(award, by, **changes):
    return services.variation_propose(award=award, by=by, reason="The hall closed.", **changes)


def approve(variation, by):
    return services.variation_decide(variation=variation, by=by, approve=True)


def pay_first(award, staff_user, second_staff, provider_user):
    """The first return submitted and accepted, its £750 raised, approved and paid."""
    first = award.returns.get(number=1)
    services.return_save(
        monitoring_return=first,
        by=provider_user,
        actuals={t.pk: 3 for t in award.targets.all()},
        spend={award.application.budget_lines.get().pk: Decimal("500.00")},
        narrative="Went well.",
        case_study="Sam came.",
        risks="",
    )
    services.return_submit(monitoring_return=first, by=provider_user, today=AFTER_ALL)
    services.return_accept(monitoring_return=first, by=staff_user)
    payment = Payment.objects.get(after_return=first)
    services.payment_raise(payment=payment, by=staff_user, today=datetime.date(2024, 7, 20))
    services.payment_approve(payment=payment, by=second_staff, today=datetime.date(2024, 7, 20))
    services.payment_mark_paid(payment=payment, by=staff_user, paid_on=timezone.localdate())


# --- Proposing --------------------------------------------------------------------------------


def test_holder_proposes_and_the_opcc_is_told(
    active, provider_user, settings, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        variation = propose(
            active,
            provider_user,
            amount_change=Decimal("500.00"),
            change_year="2024-25",
            change_kind="labour",
        )
    assert (variation.reference, variation.status) == ("OPN-A-0001-V1", VariationStatus.PROPOSED)
    assert (variation.previous_amount, variation.previous_ends_on) == (
        Decimal("3000.00"),
        datetime.date(2025, 3, 31),
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([settings.PORTAL_CONTACT_EMAIL], "Variation proposed: OPN-A-0001-V1, Seaham Street Sport")
    ]
    assert "Why: The hall closed." in mail.outbox[0].body
    # Nothing of the award changes until it is approved.
    active.refresh_from_db()
    assert active.amount == Decimal("3000.00")


def test_staff_propose_and_the_holder_is_told(
    active, staff_user, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        propose(active, staff_user, new_ends_on=datetime.date(2025, 6, 30))
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["provider@example.org"], "Variation proposed: OPN-A-0001-V1, Seaham Street Sport")
    ]


def test_proposal_that_changes_nothing_or_gives_no_reason_refused(active, provider_user, coach):
    targets = {t.pk: t.target for t in active.targets.all()}
    assert refused(
        lambda: propose(active, provider_user, targets=targets, budget={coach.pk: coach.amount})
    ) == ["Change at least one thing: the amount, the end of delivery, a target or a budget line"]
    assert refused(
        lambda: services.variation_propose(
            award=active, by=provider_user, reason="  ", new_ends_on=datetime.date(2025, 6, 30)
        )
    ) == ["Say why the change is needed"]
    assert Variation.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"amount_change": Decimal("100"), "change_year": "2026-27", "change_kind": "labour"},
            "Choose a financial year the grant delivers in: 2024-25",
        ),
        (
            {"amount_change": Decimal("100"), "change_year": "2024-25", "change_kind": ""},
            "Choose whether the change is to labour or non-labour money",
        ),
        (
            {"amount_change": Decimal("-1"), "change_year": "2024-25", "change_kind": "non_labour"},
            "The award holds £0 of 2024-25's non-labour money: it cannot be reduced by more",
        ),
        (
            {"amount_change": Decimal("-3000"), "change_year": "2024-25", "change_kind": "labour"},
            "An award cannot be reduced to £0 or less: to end it, recover the money paid or "
            "withdraw it",
        ),
        (
            {"new_ends_on": datetime.date(2024, 4, 1)},
            "Delivery must end after it starts",
        ),
    ],
)
def test_proposal_refused_with_what_to_do(active, provider_user, changes, message):
    assert refused(lambda: propose(active, provider_user, **changes)) == [message]


def test_proposal_below_what_is_paid_refused(active, provider_user, staff_user, second_staff):
    pay_first(active, staff_user, second_staff, provider_user)
    assert refused(
        lambda: propose(
            active,
            provider_user,
            amount_change=Decimal("-2250.01"),
            change_year="2024-25",
            change_kind="labour",
        )
    ) == ["£750 of the award is paid or due to be paid: it cannot be reduced below that"]


def test_end_before_a_submitted_return_refused(active, provider_user, staff_user, second_staff):
    pay_first(active, staff_user, second_staff, provider_user)
    assert refused(
        lambda: propose(active, provider_user, new_ends_on=datetime.date(2024, 6, 30))
    ) == [
        "Return OPN-A-0001-R1, already submitted, reports to 30 June 2024: delivery must end "
        "after that"
    ]


def test_one_open_variation_at_a_time(active, provider_user, staff_user):
    propose(active, provider_user, new_ends_on=datetime.date(2025, 6, 30))
    assert refused(lambda: propose(active, staff_user, new_ends_on=datetime.date(2025, 5, 31))) == [
        "Variation OPN-A-0001-V1 is still open: it must be decided or withdrawn before another "
        "is proposed"
    ]


def test_proposal_by_another_organisation_or_before_acceptance_refused(
    active, award, provider_user, pcc_user
):
    stranger = member_of_new_organisation("Another group", email="stranger@example.org")
    with pytest.raises(PermissionDenied):
        propose(active, stranger, new_ends_on=datetime.date(2025, 6, 30))
    with pytest.raises(PermissionDenied):
        propose(active, pcc_user, new_ends_on=datetime.date(2025, 6, 30))
    Award.objects.filter(pk=active.pk).update(status=AwardStatus.OFFERED)
    assert refused(
        lambda: propose(active, provider_user, new_ends_on=datetime.date(2025, 6, 30))
    ) == ["An award is varied once accepted and until it ends: OPN-A-0001 is offered"]


# --- Deciding and what approval does -------------------------------------------------------------


def test_more_money_spread_over_the_payments_to_come(active, provider_user, staff_user):
    variation = propose(
        active,
        provider_user,
        amount_change=Decimal("500.00"),
        change_year="2024-25",
        change_kind="labour",
    )
    variation = approve(variation, staff_user)
    assert (variation.status, variation.decided_by) == (VariationStatus.APPROVED, staff_user)
    active.refresh_from_db()
    assert active.amount == Decimal("3500.00")
    assert list(
        AwardSplit.objects.filter(award=active).values_list("financial_year", "cost_kind", "amount")
    ) == [("2024-25", "labour", Decimal("3500.00"))]
    assert payments(active) == [
        (1, "scheduled", Decimal("875.00")),
        (2, "scheduled", Decimal("875.00")),
        (3, "scheduled", Decimal("875.00")),
        (4, "scheduled", Decimal("875.00")),
    ]
    assert scheduled_add_up(active)


def test_less_money_after_a_payment_leaves_the_paid_one_alone(
    active, provider_user, staff_user, second_staff
):
    pay_first(active, staff_user, second_staff, provider_user)
    variation = propose(
        active,
        staff_user,
        amount_change=Decimal("-1000.00"),
        change_year="2024-25",
        change_kind="labour",
    )
    approve(variation, second_staff)
    assert payments(active) == [
        (1, "paid", Decimal("750.00")),
        (2, "scheduled", Decimal("416.67")),
        (3, "scheduled", Decimal("416.67")),
        (4, "scheduled", Decimal("416.66")),
    ]
    assert scheduled_add_up(active)


def test_more_money_than_the_stream_holds_refused_with_nothing_changed(
    active, provider_user, staff_user
):
    variation = propose(
        active,
        provider_user,
        amount_change=Decimal("1000.01"),
        change_year="2024-25",
        change_kind="labour",
    )
    assert refused(lambda: approve(variation, staff_user)) == [
        "Variation OPN-A-0001-V1 cannot be made: 2024-25's labour money would be overcommitted "
        "by £0.01 (£1,000 of £4,000 is left)"
    ]
    active.refresh_from_db()
    variation.refresh_from_db()
    assert (active.amount, variation.status) == (Decimal("3000.00"), VariationStatus.PROPOSED)
    assert payments(active)[0] == (1, "scheduled", Decimal("750.00"))


def test_later_end_adds_a_return_and_a_payment(active, provider_user, staff_user):
    approve(propose(active, provider_user, new_ends_on=datetime.date(2025, 6, 30)), staff_user)
    active.refresh_from_db()
    assert active.delivery_ends_on == datetime.date(2025, 6, 30)
    d = datetime.date
    assert returns(active) == [
        (1, "progress", d(2024, 4, 1), d(2024, 6, 30), d(2024, 7, 14)),
        (2, "progress", d(2024, 7, 1), d(2024, 9, 30), d(2024, 10, 14)),
        (3, "progress", d(2024, 10, 1), d(2024, 12, 31), d(2025, 1, 14)),
        (4, "progress", d(2025, 1, 1), d(2025, 3, 31), d(2025, 4, 14)),
        (5, "final", d(2025, 4, 1), d(2025, 6, 30), d(2025, 7, 28)),
    ]
    assert payments(active) == [(n, "scheduled", Decimal("600.00")) for n in range(1, 6)]
    assert list(
        Payment.objects.filter(award=active).values_list("number", "after_return__number")
    ) == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
    assert scheduled_add_up(active)


def test_earlier_end_drops_the_last_return_and_its_payment(active, provider_user, staff_user):
    approve(propose(active, provider_user, new_ends_on=datetime.date(2024, 12, 31)), staff_user)
    d = datetime.date
    assert returns(active) == [
        (1, "progress", d(2024, 4, 1), d(2024, 6, 30), d(2024, 7, 14)),
        (2, "progress", d(2024, 7, 1), d(2024, 9, 30), d(2024, 10, 14)),
        (3, "final", d(2024, 10, 1), d(2024, 12, 31), d(2025, 1, 28)),
    ]
    assert payments(active) == [(n, "scheduled", Decimal("1000.00")) for n in range(1, 4)]


def test_earlier_end_past_a_return_with_work_in_it_refused(active, provider_user, staff_user):
    last = active.returns.get(number=4)
    last.narrative, last.saved_at = "Started.", datetime.datetime(2025, 1, 5, tzinfo=datetime.UTC)
    last.save()
    variation = propose(active, provider_user, new_ends_on=datetime.date(2024, 12, 31))
    assert refused(lambda: approve(variation, staff_user)) == [
        "Variation OPN-A-0001-V1 cannot be made: return OPN-A-0001-R4 has work saved in it and "
        "would no longer be needed"
    ]
    assert len(returns(active)) == 4


def test_targets_and_budget_lines_change(active, provider_user, staff_user, coach):
    under_18 = active.targets.get(kind="under_18")
    variation = propose(
        active, provider_user, targets={under_18.pk: 60}, budget={coach.pk: Decimal("2500")}
    )
    assert variation.target_changes == {str(under_18.pk): [40, 60]}
    assert variation.budget_changes == {str(coach.pk): ["3000.00", "2500"]}
    approve(variation, staff_user)
    under_18.refresh_from_db()
    coach.refresh_from_db()
    assert (under_18.target, coach.amount) == (60, Decimal("2500.00"))


def test_refusal_needs_a_reason_and_changes_nothing(
    active, provider_user, staff_user, eager_celery, django_capture_on_commit_callbacks
):
    variation = propose(active, provider_user, new_ends_on=datetime.date(2025, 6, 30))
    assert refused(
        lambda: services.variation_decide(variation=variation, by=staff_user, approve=False)
    ) == ["Say why the variation is refused"]
    with django_capture_on_commit_callbacks(execute=True):
        services.variation_decide(
            variation=variation, by=staff_user, approve=False, note="Finish on time, please."
        )
    variation.refresh_from_db()
    active.refresh_from_db()
    assert (variation.status, variation.decision_note) == ("refused", "Finish on time, please.")
    assert active.delivery_ends_on == datetime.date(2025, 3, 31)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["provider@example.org"], "Variation refused: OPN-A-0001-V1")
    ]
    assert "Finish on time, please." in mail.outbox[0].body


def test_only_staff_decide_and_only_once(active, provider_user, staff_user, pcc_user):
    variation = propose(active, provider_user, new_ends_on=datetime.date(2025, 6, 30))
    for person in (provider_user, pcc_user):
        with pytest.raises(PermissionDenied):
            approve(variation, person)
    approve(variation, staff_user)
    assert refused(lambda: approve(variation, staff_user)) == [
        "Variation OPN-A-0001-V1 is approved: it is no longer staff's to decide"
    ]


def test_withdrawn_by_who_proposed_it_or_staff_only(
    active, provider_user, staff_user, provider_org
):
    colleague = UserFactory(email="colleague@example.org")
    from partners.models import Membership

    Membership.objects.create(user=colleague, organisation=provider_org, status="active")
    variation = propose(active, provider_user, new_ends_on=datetime.date(2025, 6, 30))
    with pytest.raises(PermissionDenied):
        services.variation_withdraw(variation=variation, by=colleague)
    services.variation_withdraw(variation=variation, by=provider_user)
    variation.refresh_from_db()
    assert variation.status == VariationStatus.WITHDRAWN
    # Withdrawn, it no longer stops another.
    assert propose(active, staff_user, new_ends_on=datetime.date(2025, 5, 31)).number == 2


# --- Above the threshold: the PCC decides --------------------------------------------------------


@pytest.fixture
def big(active, stream, provider_user, settings):
    settings.VARIATION_PCC_THRESHOLD = Decimal("400.00")
    return propose(
        active,
        provider_user,
        amount_change=Decimal("500.00"),
        change_year="2024-25",
        change_kind="labour",
    )


def test_above_the_threshold_staff_cannot_approve(big, staff_user):
    assert refused(lambda: approve(big, staff_user)) == [
        "A change of the amount of more than £400 is decided by the PCC: prepare a decision "
        "record for it"
    ]
    # Refusing is still staff's.
    services.variation_decide(variation=big, by=staff_user, approve=False, note="Not now.")


def test_pcc_signature_settles_the_variation(big, staff_user, pcc_user):
    services.variation_refer(variation=big, by=staff_user)
    big.refresh_from_db()
    assert big.status == VariationStatus.AWAITING_DECISION
    assert refused(lambda: approve(big, staff_user)) == [
        "Variation OPN-A-0001-V1 is waiting for the PCC's decision: it is no longer staff's to "
        "decide"
    ]
    with pytest.raises(PermissionDenied):
        services.variation_settle(
            variation=big, by=staff_user, approved=True, decision_reference="DN9-24"
        )
    services.variation_settle(
        variation=big, by=pcc_user, approved=True, decision_reference="DN9-24"
    )
    big.refresh_from_db()
    assert (big.status, big.decision_reference, big.decided_by) == ("approved", "DN9-24", pcc_user)
    assert Award.objects.get(pk=big.award_id).amount == Decimal("3500.00")


def test_pcc_not_approving_refuses_it(big, staff_user, pcc_user):
    services.variation_refer(variation=big, by=staff_user)
    services.variation_settle(
        variation=big, by=pcc_user, approved=False, decision_reference="DN9-24"
    )
    big.refresh_from_db()
    assert (big.status, big.decision_note) == ("refused", "PCC decision DN9-24: not approved")
    assert Award.objects.get(pk=big.award_id).amount == Decimal("3000.00")


def test_below_the_threshold_is_not_referred(active, provider_user, staff_user):
    variation = propose(active, provider_user, new_ends_on=datetime.date(2025, 6, 30))
    assert refused(lambda: services.variation_refer(variation=variation, by=staff_user)) == [
        "Variation OPN-A-0001-V1 is within what staff decide: approve or refuse it on its page"
    ]


# --- Underspend moved between two awards of a stream --------------------------------------------


@pytest.fixture
def second(active, funding_round, stream, staff_user, pcc_user):
    """OPN-A-0002, £1,000 of 2024-25's labour money on the same stream, active."""
    other = member_of_new_organisation("Darlington Boxing", email="boxing@example.org")
    award = make_award(
        funding_round=funding_round,
        organisation=other.memberships.get().organisation,
        created_by=pcc_user,
        reference="OPN-A-0002",
        amount=Decimal("1000.00"),
        title="Boxing",
    )
    Award.objects.filter(pk=award.pk).update(stream=stream)
    ready_to_offer(award, entered_by=other, staff=staff_user, signatory=other)
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    return Award.objects.get(pk=award.pk)


def move_money(active, second, by, amount="500.00"):
    return services.reallocation_propose(
        from_award=active,
        to_award=second,
        by=by,
        amount=Decimal(amount),
        financial_year="2024-25",
        cost_kind="labour",
        reason="The hall closed for a term.",
    )


def test_underspend_moves_as_a_pair_decided_together(active, second, staff_user, second_staff):
    first = move_money(active, second, staff_user)
    pair = Variation.objects.get(pk=first.paired_with_id)
    assert (first.reference, first.amount_change, pair.reference, pair.amount_change) == (
        "OPN-A-0001-V1",
        Decimal("-500.00"),
        "OPN-A-0002-V1",
        Decimal("500.00"),
    )
    # The stream holds £4,000 of labour money and the two awards commit all of it: the
    # second can take £500 only because the first gives it up in the same decision.
    approve(pair, second_staff)
    active.refresh_from_db()
    second.refresh_from_db()
    assert (active.amount, second.amount) == (Decimal("2500.00"), Decimal("1500.00"))
    assert set(Variation.objects.values_list("status", flat=True)) == {"approved"}
    assert scheduled_add_up(active) and scheduled_add_up(second)


def test_underspend_moves_only_within_a_stream_and_by_staff(
    active, second, staff_user, provider_user, stream
):
    with pytest.raises(PermissionDenied):
        move_money(active, second, provider_user)
    other = FundingStream.objects.create(name="Other", funder="Council", created_by=staff_user)
    Award.objects.filter(pk=second.pk).update(stream=other)
    second.refresh_from_db()
    assert refused(lambda: move_money(active, second, staff_user)) == [
        "Underspend moves only between awards of one funding stream"
    ]
    assert refused(lambda: move_money(active, active, staff_user)) == [
        "Choose another award to move the money to"
    ]
    assert Variation.objects.count() == 0


def test_withdrawing_one_of_a_pair_withdraws_both(active, second, staff_user):
    first = move_money(active, second, staff_user)
    services.variation_withdraw(variation=first, by=staff_user)
    assert set(Variation.objects.values_list("status", flat=True)) == {"withdrawn"}

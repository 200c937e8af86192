"""grants.services (delivery): the plan set before the offer, monitoring returns and their
reminders, payments in arrears with four eyes and the hold of an overdue return, and the
ledger that only grows; each rule tried by whoever may not pass it."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from grants import fiscal, money, services
from grants.enums import AwardStatus, PaymentStatus, ReturnStatus
from grants.models import (
    Award,
    AwardSplit,
    AwardTarget,
    BudgetLine,
    LedgerEntry,
    MonitoringReturn,
    Payment,
    ReturnReminder,
)
from partners.enums import Role
from partners.models import SuccessMeasure
from tests.factories import UserFactory
from tests.factories.partners import member_of_new_organisation

from .awarding import OUTPUTS, make_award, ready_to_offer, set_plan

# The award's delivery: 1 April 2024 to 31 March 2025, four quarters, the last the final report.
DUE = [
    datetime.date(2024, 7, 14),
    datetime.date(2024, 10, 14),
    datetime.date(2025, 1, 14),
    datetime.date(2025, 4, 28),
]
AFTER_ALL = datetime.date(2025, 6, 1)


def refused(call) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


@pytest.fixture
def planned(award, staff_user):
    return set_plan(award, staff_user)


@pytest.fixture
def budget(award):
    """The award's application budget: a coach (labour) and equipment (non-labour)."""
    coach = BudgetLine.objects.create(
        application=award.application,
        item="Coach",
        financial_year="2024-25",
        cost_kind="labour",
        amount=Decimal("2000.00"),
    )
    kit = BudgetLine.objects.create(
        application=award.application,
        item="Kit",
        financial_year="2024-25",
        cost_kind="non_labour",
        amount=Decimal("1000.00"),
    )
    return coach, kit


@pytest.fixture
def active(ready, budget, provider_user, staff_user):
    """The award planned, offered, accepted and active (its delivery started in 2024)."""
    Award.objects.filter(pk=ready.pk).update(status=AwardStatus.ACTIVE)
    return Award.objects.get(pk=ready.pk)


def fill(monitoring_return, by, budget, *, spent=("500.00", "250.00"), narrative="Went well."):
    targets = list(monitoring_return.award.targets.all())
    return services.return_save(
        monitoring_return=monitoring_return,
        by=by,
        actuals={target.pk: 3 for target in targets},
        spend={line.pk: Decimal(amount) for line, amount in zip(budget, spent, strict=True)},
        narrative=narrative,
        case_study="Sam came every week.",
        risks="",
    )


def the_return(award, number) -> MonitoringReturn:
    return award.returns.get(number=number)


def submitted(award, number, by, budget, **fields):
    monitoring_return = fill(the_return(award, number), by, budget, **fields)
    return services.return_submit(monitoring_return=monitoring_return, by=by, today=AFTER_ALL)


# --- The plan ---------------------------------------------------------------------------------


def test_periods_are_the_financial_years_quarters_cut_to_delivery():
    assert fiscal.periods_between(
        datetime.date(2024, 5, 15), datetime.date(2025, 2, 10), months=3
    ) == [
        (datetime.date(2024, 5, 15), datetime.date(2024, 6, 30)),
        (datetime.date(2024, 7, 1), datetime.date(2024, 9, 30)),
        (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31)),
        (datetime.date(2025, 1, 1), datetime.date(2025, 2, 10)),
    ]
    assert fiscal.periods_between(
        datetime.date(2024, 5, 15), datetime.date(2025, 2, 10), months=6
    ) == [
        (datetime.date(2024, 5, 15), datetime.date(2024, 9, 30)),
        (datetime.date(2024, 10, 1), datetime.date(2025, 2, 10)),
    ]


def test_equal_parts_add_up_to_the_penny():
    assert money.in_equal_parts(Decimal("1000.00"), 3) == [
        Decimal("333.34"),
        Decimal("333.33"),
        Decimal("333.33"),
    ]
    assert sum(money.in_equal_parts(Decimal("4500.01"), 4)) == Decimal("4500.01")


def test_plan_makes_targets_returns_and_payments_that_add_up(planned, staff_user):
    assert [(t.kind, t.target) for t in planned.targets.all()] == list(OUTPUTS.items())
    returns = list(planned.returns.order_by("number"))
    assert [(r.kind, r.period_starts_on, r.period_ends_on, r.due_on) for r in returns] == [
        ("progress", datetime.date(2024, 4, 1), datetime.date(2024, 6, 30), DUE[0]),
        ("progress", datetime.date(2024, 7, 1), datetime.date(2024, 9, 30), DUE[1]),
        ("progress", datetime.date(2024, 10, 1), datetime.date(2024, 12, 31), DUE[2]),
        ("final", datetime.date(2025, 1, 1), datetime.date(2025, 3, 31), DUE[3]),
    ]
    payments = list(planned.payments.order_by("number"))
    assert [(p.number, p.amount, p.after_return.number, p.status) for p in payments] == [
        (n, Decimal("750.00"), n, PaymentStatus.SCHEDULED) for n in (1, 2, 3, 4)
    ]
    assert (planned.plan_set_by, planned.return_frequency) == (staff_user, "quarterly")


def test_plan_has_an_outcome_for_each_measure_the_bid_named(award, staff_user):
    measure = SuccessMeasure.objects.get(code="police-recorded-homicides")
    award.application.success_measures.add(measure)

    set_plan(award, staff_user, frequency="half_yearly")

    outcome = AwardTarget.objects.get(kind="outcome")
    assert (outcome.success_measure, outcome.description, outcome.target, outcome.position) == (
        measure,
        "People kept from homicides recorded by the police",
        5,
        5,
    )
    assert award.returns.count() == 2


@pytest.mark.parametrize(
    ("tranches", "message"),
    [
        (["1000", "1000", "1000"], "Enter one payment for each of the 4 returns"),
        (["3000", "0", "0", "0"], "Each payment must be more than £0"),
        (
            ["750", "750", "750", "750.01"],
            "The payments add up to £3,000.01: they must add up to the award, £3,000",
        ),
    ],
)
def test_plan_whose_payments_do_not_add_up_to_the_award_refused(
    award, staff_user, tranches, message
):
    with pytest.raises(ValidationError) as exc:
        set_plan(award, staff_user, tranches=[Decimal(t) for t in tranches])

    assert exc.value.message_dict == {"tranches": [message]}
    assert not Payment.objects.exists() and not MonitoringReturn.objects.exists()
    assert Award.objects.get(pk=award.pk).plan_set_at is None


def test_plan_set_again_replaces_the_last(planned, staff_user):
    set_plan(planned, staff_user, frequency="half_yearly", tranches=[Decimal(1000), Decimal(2000)])

    assert list(Payment.objects.values_list("number", "amount")) == [
        (1, Decimal("1000.00")),
        (2, Decimal("2000.00")),
    ]
    assert MonitoringReturn.objects.count() == 2
    assert AwardTarget.objects.count() == 5


def test_plan_after_the_offer_or_by_a_provider_refused(planned, staff_user, provider_user):
    with pytest.raises(PermissionDenied):
        set_plan(planned, provider_user)
    Award.objects.filter(pk=planned.pk).update(status=AwardStatus.ACTIVE)

    assert refused(lambda: set_plan(planned, staff_user)) == [
        "The delivery plan is set before the offer: this award is active"
    ]


# --- Returns ---------------------------------------------------------------------------------


def test_return_saved_as_a_draft_keeps_what_was_entered(active, provider_user, budget):
    monitoring_return = fill(the_return(active, 1), provider_user, budget)

    assert sorted(monitoring_return.actuals.values_list("actual", flat=True)) == [3] * 5
    assert sorted(monitoring_return.spend.values_list("amount", flat=True)) == [
        Decimal("250.00"),
        Decimal("500.00"),
    ]
    assert (monitoring_return.status, monitoring_return.narrative) == ("draft", "Went well.")


def test_return_incomplete_cannot_be_submitted_and_says_what_is_missing(
    active, provider_user, budget
):
    monitoring_return = the_return(active, 4)

    messages = refused(
        lambda: services.return_submit(
            monitoring_return=monitoring_return, by=provider_user, today=datetime.date(2025, 3, 31)
        )
    )

    assert messages == [
        "The return cannot be submitted yet:",
        "The period ends on 31 March 2025: submit the return from 1 April 2025",
        "Enter the actual for people reached aged under 18",
        "Enter the actual for people reached aged 18 to 24",
        "Enter the actual for people reached aged 25 to 35",
        "Enter the actual for people reached aged over 35",
        "Enter the actual for sessions delivered",
        "Enter the spend to date on Coach (2024-25)",
        "Enter the spend to date on Kit (2024-25)",
        "Say what happened in the period",
        "Add a case study: the final report needs one",
    ]
    assert MonitoringReturn.objects.get(pk=monitoring_return.pk).status == ReturnStatus.DRAFT


def test_return_spending_more_than_paid_and_the_next_payment_refused(active, provider_user, budget):
    fill(the_return(active, 1), provider_user, budget, spent=("600.00", "150.01"))

    messages = refused(
        lambda: services.return_submit(
            monitoring_return=the_return(active, 1), by=provider_user, today=AFTER_ALL
        )
    )

    assert messages == [
        "The return cannot be submitted yet:",
        "The spend to date, £750.01, is more than has been paid (£0) and the payment after "
        "this return (£750): check the figures, or ask the OPCC for a variation of the grant",
    ]


def test_return_submitted_tells_the_opcc_and_can_no_longer_be_changed(
    active, provider_user, budget, settings, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(active, 1, provider_user, budget)

    (sent,) = mail.outbox
    assert sent.to == [settings.PORTAL_CONTACT_EMAIL]
    assert sent.subject == "Return submitted: OPN-A-0001-R1, Seaham Street Sport"
    assert refused(lambda: fill(the_return(active, 1), provider_user, budget)) == [
        "This return is submitted: it can no longer be changed"
    ]


def test_return_of_another_organisation_or_an_award_not_active_refused(
    active, budget, provider_user, role_groups
):
    stranger = member_of_new_organisation("Elsewhere Youth", roles=[Role.PROVIDER])
    with pytest.raises(PermissionDenied):
        fill(the_return(active, 1), stranger, budget)
    Award.objects.filter(pk=active.pk).update(status=AwardStatus.CLOSED)

    assert refused(lambda: fill(the_return(active, 1), provider_user, budget)) == [
        "Returns are made while the grant is active: OPN-A-0001 is closed"
    ]


def test_return_accepted_makes_its_payment_due_and_tells_the_holder(
    active, provider_user, staff_user, budget, eager_celery, django_capture_on_commit_callbacks
):
    submitted(active, 1, provider_user, budget)

    with django_capture_on_commit_callbacks(execute=True):
        services.return_accept(
            monitoring_return=the_return(active, 1), by=staff_user, comment="Good start."
        )

    assert the_return(active, 1).status == ReturnStatus.ACCEPTED
    assert list(active.payments.order_by("number").values_list("status", flat=True)) == [
        "due",
        "scheduled",
        "scheduled",
        "scheduled",
    ]
    (sent,) = mail.outbox
    assert (sent.subject, sent.to) == ("Return accepted: OPN-A-0001-R1", ["provider@example.org"])
    assert "Good start." in sent.body


def test_return_sent_back_needs_a_comment_and_reopens_it(active, provider_user, staff_user, budget):
    submitted(active, 1, provider_user, budget)
    monitoring_return = the_return(active, 1)

    assert refused(
        lambda: services.return_send_back(
            monitoring_return=monitoring_return, by=staff_user, comment=" "
        )
    ) == ["Say what the grant holder should change"]
    services.return_send_back(
        monitoring_return=monitoring_return, by=staff_user, comment="Split the sessions by age."
    )
    fill(the_return(active, 1), provider_user, budget, narrative="Split by age now.")
    services.return_submit(monitoring_return=the_return(active, 1), by=provider_user)

    assert the_return(active, 1).status == ReturnStatus.SUBMITTED
    assert list(
        the_return(active, 1).status_changes.order_by("pk").values_list("to_status", flat=True)
    ) == ["submitted", "returned", "submitted"]


def test_return_accepted_by_a_provider_refused(active, provider_user, budget):
    submitted(active, 1, provider_user, budget)

    with pytest.raises(PermissionDenied):
        services.return_accept(monitoring_return=the_return(active, 1), by=provider_user)


# --- Reminders, on a clock stood still ----------------------------------------------------------


def reminders(active, today) -> list[tuple[int, str]]:
    return [
        (MonitoringReturn.objects.get(pk=pk).number, kind)
        for pk, kind in services.returns_remind(today=today)
    ]


def test_reminders_go_14_days_before_on_the_day_and_7_after_each_once(active):
    before, on_the_day, after = (
        DUE[0] - datetime.timedelta(days=14),
        DUE[0],
        DUE[0] + datetime.timedelta(days=7),
    )

    assert reminders(active, before - datetime.timedelta(days=1)) == []
    assert reminders(active, before) == [(1, "before")]
    assert reminders(active, before) == []  # run again the same day: nothing more
    assert reminders(active, on_the_day - datetime.timedelta(days=1)) == []
    assert reminders(active, on_the_day) == [(1, "on_the_day")]
    assert reminders(active, after - datetime.timedelta(days=1)) == []
    assert reminders(active, after) == [(1, "overdue")]
    assert reminders(active, after + datetime.timedelta(days=30)) == []
    assert list(ReturnReminder.objects.order_by("pk").values_list("kind", flat=True)) == [
        "before",
        "on_the_day",
        "overdue",
    ]


def test_reminders_first_seen_late_send_only_the_latest(active):
    assert reminders(active, DUE[1] + datetime.timedelta(days=8)) == [
        (1, "overdue"),
        (2, "overdue"),
    ]


def test_no_reminder_for_a_submitted_return_or_an_award_not_active(active, provider_user, budget):
    submitted(active, 1, provider_user, budget)
    assert reminders(active, DUE[0]) == []
    Award.objects.filter(pk=active.pk).update(status=AwardStatus.CLOSED)

    assert reminders(active, DUE[1]) == []


def test_reminder_task_emails_the_members_on_the_frozen_day(
    active, time_machine, eager_celery, django_capture_on_commit_callbacks
):
    from grants.tasks import remind_returns

    time_machine.move_to(datetime.datetime(2024, 7, 14, 9, 0, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_returns.delay().get() == 1

    (sent,) = mail.outbox
    assert sent.subject == "Return due today: OPN-A-0001-R1"
    assert sent.to == ["provider@example.org"]
    assert "/grants/OPN-A-0001/returns/1/" in sent.body


# --- Payments -------------------------------------------------------------------------------


@pytest.fixture
def due(active, provider_user, staff_user, budget):
    """Return 1 accepted: payment 1 (£750) is due."""
    submitted(active, 1, provider_user, budget)
    services.return_accept(monitoring_return=the_return(active, 1), by=staff_user)
    return active.payments.get(number=1)


def test_payment_raised_and_approved_by_two_people_then_paid_into_the_ledger(
    due, staff_user, second_staff, time_machine
):
    time_machine.move_to(datetime.datetime(2024, 7, 31, 11, 0, tzinfo=datetime.UTC))
    services.payment_raise(payment=due, by=staff_user)
    services.payment_approve(payment=due, by=second_staff)
    paid = services.payment_mark_paid(
        payment=due, by=second_staff, paid_on=datetime.date(2024, 7, 31)
    )

    assert (paid.status, paid.raised_by, paid.approved_by, paid.paid_on) == (
        PaymentStatus.PAID,
        staff_user,
        second_staff,
        datetime.date(2024, 7, 31),
    )
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.labour, entry.non_labour, entry.financial_year) == (
        "payment",
        Decimal("750.00"),
        Decimal("750.00"),  # the award's money in 2024-25 is all labour
        Decimal("0.00"),
        "2024-25",
    )
    assert services.paid_so_far(due.award) == Decimal("750.00")


def test_payment_approved_by_whoever_raised_it_refused(due, staff_user):
    services.payment_raise(payment=due, by=staff_user, today=DUE[0])

    assert refused(lambda: services.payment_approve(payment=due, by=staff_user, today=DUE[0])) == [
        "You raised this payment: another member of staff must approve it"
    ]
    assert Payment.objects.get(pk=due.pk).status == PaymentStatus.RAISED


def test_payment_approved_by_the_raiser_refused_by_the_database_too(due, staff_user):
    services.payment_raise(payment=due, by=staff_user, today=DUE[0])

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=due.pk).update(approved_by=staff_user)


def test_payment_not_due_cannot_be_raised(active, staff_user):
    assert refused(
        lambda: services.payment_raise(payment=active.payments.get(number=2), by=staff_user)
    ) == ["A payment that is scheduled cannot move to raised"]


def test_payment_held_while_a_return_is_overdue_says_which(due, staff_user):
    late = DUE[1] + datetime.timedelta(days=1)

    assert refused(lambda: services.payment_raise(payment=due, by=staff_user, today=late)) == [
        "The payment is held until the overdue returns are submitted:",
        "Return OPN-A-0001-R2 was due on 14 October 2024 and has not been submitted",
    ]
    assert Payment.objects.get(pk=due.pk).status == PaymentStatus.DUE


def test_payment_to_bank_details_not_verified_refused(due, staff_user, second_staff, provider_user):
    services.payment_raise(payment=due, by=staff_user, today=DUE[0])
    services.bank_details_save(
        organisation=due.award.organisation,
        by=provider_user,
        account_name="Youth Trust",
        sort_code="309430",
        account_number="11223344",
    )

    assert refused(
        lambda: services.payment_approve(payment=due, by=second_staff, today=DUE[0])
    ) == [
        "Seaham Street Sport's bank details are not verified: verify them before approving a "
        "payment"
    ]


def test_payment_by_a_provider_refused(due, provider_user):
    with pytest.raises(PermissionDenied):
        services.payment_raise(payment=due, by=provider_user, today=DUE[0])


def test_payment_paid_in_the_future_or_before_its_approval_refused(due, staff_user, second_staff):
    services.payment_raise(payment=due, by=staff_user, today=DUE[0])
    services.payment_approve(payment=due, by=second_staff, today=DUE[0])

    with pytest.raises(ValidationError) as exc:
        services.payment_mark_paid(payment=due, by=second_staff, paid_on=datetime.date(2099, 1, 1))
    assert exc.value.message_dict == {"paid_on": ["The date paid cannot be in the future"]}
    with pytest.raises(ValidationError) as exc:
        services.payment_mark_paid(payment=due, by=second_staff, paid_on=datetime.date(2020, 1, 1))
    assert exc.value.message_dict == {
        "paid_on": ["The date paid cannot be before the payment was approved"]
    }
    assert not LedgerEntry.objects.exists()


def test_ledger_split_follows_the_awards_money_of_that_year(award):
    AwardSplit.objects.filter(award=award).update(amount=Decimal("1000.00"))
    AwardSplit.objects.create(
        award=award, financial_year="2024-25", cost_kind="non_labour", amount=Decimal("2000.00")
    )

    assert services.ledger_split(award, Decimal("100.00"), "2024-25") == {
        "labour": Decimal("33.33"),
        "non_labour": Decimal("66.67"),
    }
    # A year the award has no money in splits as the whole award does.
    assert services.ledger_split(award, Decimal("-0.01"), "2026-27") == {
        "labour": Decimal("0.00"),
        "non_labour": Decimal("-0.01"),
    }


def test_ledger_entries_are_never_changed_or_deleted(due, staff_user, second_staff):
    services.payment_raise(payment=due, by=staff_user, today=DUE[0])
    services.payment_approve(payment=due, by=second_staff, today=DUE[0])
    services.payment_mark_paid(payment=due, by=second_staff, paid_on=timezone.localdate())
    entry = LedgerEntry.objects.get()

    entry.amount = Decimal("1.00")
    assert refused(entry.save) == ["A ledger entry is never changed: add another to correct it"]
    assert refused(entry.delete) == ["A ledger entry is never deleted: add another to correct it"]
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            award=due.award,
            kind="payment",
            payment=due,
            entry_date=datetime.date(2024, 8, 2),
            financial_year="2024-25",
            amount=Decimal("750.00"),
            labour=Decimal("750.00"),
            non_labour=Decimal("0.00"),
            created_by=staff_user,
        )
    assert LedgerEntry.objects.get().amount == Decimal("750.00")


# --- Two approvals at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_approve_it_once_and_pay_it_once(
    roles, make_round, tmp_path, monkeypatch
):
    from .awarding import private_award_files

    private_award_files(tmp_path, monkeypatch)
    monkeypatch.setattr("svd_portal.tasks.enqueue", lambda *args, **kwargs: True)
    provider = member_of_new_organisation("Seaham Street Sport", roles=[Role.PROVIDER])
    raiser, first, second = (UserFactory(roles=[Role.OPCC_STAFF]) for _ in range(3))
    award = make_award(
        funding_round=make_round(),
        organisation=provider.memberships.get().organisation,
        created_by=raiser,
    )
    ready_to_offer(award, entered_by=provider, staff=raiser, signatory=provider)
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    payment = award.payments.get(number=1)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.DUE)
    services.payment_raise(payment=payment, by=raiser, today=DUE[0])
    barrier = threading.Barrier(2)
    outcomes = []

    def approve_and_pay(by):
        try:
            barrier.wait(timeout=10)
            services.payment_approve(payment=payment, by=by, today=DUE[0])
            services.payment_mark_paid(payment=payment, by=by, paid_on=timezone.localdate())
            outcomes.append("paid")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_and_pay, args=(by,)) for by in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    # The second finds it approved, or already paid: either way it is refused.
    assert outcomes.count("paid") == 1
    (refusal,) = [outcome for outcome in outcomes if outcome != "paid"]
    assert refusal in (
        "A payment that is approved cannot move to approved",
        "A payment that is paid cannot move to approved",
    )
    assert LedgerEntry.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID


# --- Claw-back and close-out ---------------------------------------------------------------


@pytest.fixture
def paid(due, staff_user, second_staff, time_machine):
    """Payment 1 (£750) paid on 31 July 2024, the day it was raised and approved."""
    time_machine.move_to(datetime.datetime(2024, 7, 31, 11, 0, tzinfo=datetime.UTC))
    services.payment_raise(payment=due, by=staff_user)
    services.payment_approve(payment=due, by=second_staff)
    services.payment_mark_paid(payment=due, by=second_staff, paid_on=datetime.date(2024, 7, 31))
    return due


def claw_back(award, by, amount, *, end_award=False, on=datetime.date(2024, 7, 31), **fields):
    return services.award_claw_back(
        award=award,
        by=by,
        amount=Decimal(amount),
        reason=fields.get("reason", "Spent on a trip not in the budget."),
        recovered_on=on,
        end_award=end_award,
    )


def test_claw_back_is_a_negative_entry_and_delivery_goes_on(paid, staff_user):
    entry = claw_back(paid.award, staff_user, "100.00")

    assert (entry.kind, entry.amount, entry.labour, entry.non_labour) == (
        "clawback",
        Decimal("-100.00"),
        Decimal("-100.00"),
        Decimal("0.00"),
    )
    assert services.paid_so_far(paid.award) == Decimal("650.00")
    assert Award.objects.get(pk=paid.award_id).status == AwardStatus.ACTIVE


def test_claw_back_ending_the_award_cancels_its_unpaid_payments(paid, staff_user):
    claw_back(paid.award, staff_user, "750.00", end_award=True)

    award = Award.objects.get(pk=paid.award_id)
    assert award.status == AwardStatus.CLAWED_BACK
    assert list(award.payments.order_by("number").values_list("status", flat=True)) == [
        "paid",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    assert services.paid_so_far(award) == Decimal("0.00")
    assert services.returns_remind(today=DUE[2]) == []


@pytest.mark.parametrize(
    ("amount", "on", "reason", "errors"),
    [
        (
            "750.01",
            datetime.date(2024, 7, 31),
            "Why",
            {
                "amount": [
                    "Only £750 has been paid (less what was recovered before): no more than "
                    "that can be recovered"
                ]
            },
        ),
        (
            "0",
            datetime.date(2024, 7, 31),
            "Why",
            {"amount": ["Enter the amount recovered, more than £0"]},
        ),
        (
            "10",
            datetime.date(2024, 8, 1),
            " ",
            {
                "recovered_on": ["The date cannot be in the future"],
                "reason": ["Say why the money is recovered"],
            },
        ),
    ],
)
def test_claw_back_more_than_paid_or_without_a_reason_refused(
    paid, staff_user, amount, on, reason, errors
):
    with pytest.raises(ValidationError) as exc:
        claw_back(paid.award, staff_user, amount, on=on, reason=reason)

    assert exc.value.message_dict == errors
    assert LedgerEntry.objects.count() == 1


def test_claw_back_by_a_provider_refused(paid, provider_user):
    with pytest.raises(PermissionDenied):
        claw_back(paid.award, provider_user, "10")


def all_returns_accepted(award, holder, staff, budget):
    for monitoring_return in award.returns.order_by("number"):
        fill(monitoring_return, holder, budget, spent=("0", "0"))
        services.return_submit(monitoring_return=monitoring_return, by=holder, today=AFTER_ALL)
        services.return_accept(monitoring_return=monitoring_return, by=staff)


def test_close_out_refused_until_every_return_is_accepted_and_every_payment_made(
    active, provider_user, staff_user, budget
):
    all_returns_accepted(active, provider_user, staff_user, budget)
    confirmed = ["spend_reconciled", "outcomes_recorded", "assets", "records_kept"]

    assert refused(
        lambda: services.award_close(award=active, by=staff_user, confirmed=confirmed, note="")
    ) == [
        "The award cannot be closed yet:",
        "Payment 1: due, not paid",
        "Payment 2: due, not paid",
        "Payment 3: due, not paid",
        "Payment 4: due, not paid",
    ]
    Payment.objects.filter(award=active).update(status=PaymentStatus.PAID)

    closed = services.award_close(
        award=active, by=staff_user, confirmed=confirmed, note="All delivered."
    )

    assert closed.status == AwardStatus.CLOSED
    assert (closed.close_out.closed_by, closed.close_out.note) == (staff_user, "All delivered.")


def test_close_out_needs_every_item_confirmed(active, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.award_close(
            award=active, by=staff_user, confirmed=["assets", "records_kept"], note=""
        )

    assert exc.value.message_dict == {
        "confirmed": [
            "Confirm every item of the close-out: the spend reported matches the payments, or "
            "the difference has been recovered; the outcomes achieved are recorded against the "
            "targets"
        ]
    }


def test_nothing_of_a_closed_award_changes(active, provider_user, staff_user, budget):
    monitoring_return = the_return(active, 1)
    fill(monitoring_return, provider_user, budget)
    services.return_submit(monitoring_return=monitoring_return, by=provider_user, today=AFTER_ALL)
    Award.objects.filter(pk=active.pk).update(status=AwardStatus.CLOSED)

    assert refused(
        lambda: services.return_accept(monitoring_return=monitoring_return, by=staff_user)
    ) == ["Returns are made while the grant is active: OPN-A-0001 is closed"]
    assert refused(lambda: claw_back(active, staff_user, "1")) == [
        "Money is clawed back from an active award: OPN-A-0001 is closed"
    ]
    assert refused(lambda: fill(the_return(active, 2), provider_user, budget)) == [
        "Returns are made while the grant is active: OPN-A-0001 is closed"
    ]
    assert the_return(active, 1).status == ReturnStatus.SUBMITTED

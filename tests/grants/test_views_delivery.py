"""grants.views.delivery over HTTP: the delivery plan, a monitoring return filled in, submitted,
accepted or returned, and a payment raised, approved, exported and paid; each rule tried by the
people it must stop, each refusal read on the page."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.enums import AwardStatus, PaymentStatus, ReturnStatus
from grants.models import Award, LedgerEntry, MonitoringReturn, Payment
from partners.enums import Role
from tests.factories.partners import member_of_new_organisation

from .awarding import running_award, set_plan
from .helpers import on_page, page_text

REF = "OPN-A-0001"


@pytest.fixture
def running(funding_round, provider_org, provider_user, staff_user, pcc_user, award_files):
    """OPN-A-0001, £3,000, active, its delivery a year that began with the last quarter:
    return 1's period has ended, return 2's has not. A £2,000 coach on its budget."""
    return running_award(
        funding_round=funding_round,
        organisation=provider_org,
        created_by=pcc_user,
        holder=provider_user,
        staff=staff_user,
    )


def url(name: str, *args) -> str:
    return reverse(f"grants:{name}", args=[REF, *args])


def followed_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def complete(award) -> dict:
    """A whole return 1: every actual, spend on the coach, what happened."""
    fields = {f"actual_{target.pk}": "7" for target in award.targets.all()}
    line = award.application.budget_lines.get()
    return {
        **fields,
        f"spend_{line.pk}": "£600.00",
        "narrative": "Twelve sessions in two schools.",
        "case_study": "",
        "risks": "",
        "submit": "Save and submit",
    }


# --- The plan --------------------------------------------------------------------------------


def plan_fields(**changes) -> dict:
    return {
        "frequency": "quarterly",
        "under_18": "40",
        "aged_18_24": "10",
        "aged_25_35": "0",
        "over_35": "0",
        "sessions": "24",
        "tranche_1": "750",
        "tranche_2": "750",
        "tranche_3": "750",
        "tranche_4": "750",
        **changes,
    }


def test_plan_page_offers_the_payments_for_the_frequency_chosen(client_as, award, staff_user):
    client = client_as(staff_user)

    quarterly = page_text(client.get(url("award-plan")))
    half_yearly = page_text(client.get(url("award-plan") + "?frequency=half_yearly"))

    assert [f'name="tranche_{n}"' in quarterly for n in (1, 2, 3, 4, 5)] == [True] * 4 + [False]
    assert 'value="750.00"' in quarterly
    assert [f'name="tranche_{n}"' in half_yearly for n in (1, 2, 3)] == [True, True, False]
    assert 'value="1500.00"' in half_yearly
    assert "Final report: 1 Oct 2024 to 31 Mar 2025, due 28 Apr 2025" in half_yearly


def test_plan_saved_shows_on_the_award_page(client_as, award, staff_user):
    response = client_as(staff_user).post(url("award-plan"), plan_fields(), follow=True)

    assert followed_messages(response) == [f"The delivery plan of {REF} is saved."]
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("750.00")] * 4
    html = page_text(response)
    assert "Returns every quarter" in html
    assert "People reached aged under 18" in html


def test_plan_whose_payments_do_not_add_up_refused_on_the_page(client_as, award, staff_user):
    response = client_as(staff_user).post(url("award-plan"), plan_fields(tranche_4="749.99"))

    assert response.status_code == 200
    assert on_page(
        response, "The payments add up to £2,999.99: they must add up to the award, £3,000"
    )
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("provider_user", 403), ("stranger", 404), ("ceo_user", 403), ("pcc_user", 403)],
)
def test_plan_by_anyone_but_staff_refused(client_as, request, award, who, expected):
    client = client_as(request.getfixturevalue(who))

    assert client.get(url("award-plan")).status_code == expected
    assert client.post(url("award-plan"), plan_fields()).status_code == expected
    assert not Payment.objects.exists()


def test_plan_after_the_offer_refused_on_the_page(client_as, running, staff_user):
    response = client_as(staff_user).post(url("award-plan"), plan_fields())

    assert response.status_code == 200
    assert on_page(response, "The delivery plan is set before the offer: this award is active")


# --- Returns ---------------------------------------------------------------------------------


def test_return_saved_as_a_draft_and_submitted_later(client_as, running, provider_user):
    client = client_as(provider_user)
    fields = complete(running)
    draft = {**fields, "save_draft": "Save as draft"}
    del draft["submit"]

    response = client.post(url("return-edit", 1), draft, follow=True)

    assert followed_messages(response) == [f"Return {REF}-R1 saved as a draft."]
    monitoring_return = MonitoringReturn.objects.get(number=1)
    assert (monitoring_return.status, monitoring_return.narrative) == (
        ReturnStatus.DRAFT,
        "Twelve sessions in two schools.",
    )
    response = client.post(url("return-edit", 1), fields, follow=True)
    assert followed_messages(response) == [
        f"Return {REF}-R1 submitted. The OPCC will accept it or tell you what to change."
    ]
    assert MonitoringReturn.objects.get(number=1).status == ReturnStatus.SUBMITTED


def test_return_incomplete_is_kept_and_the_page_lists_what_is_missing(
    client_as, running, provider_user
):
    fields = complete(running)
    del fields["narrative"]

    response = client_as(provider_user).post(url("return-edit", 1), fields, follow=True)

    assert followed_messages(response) == [
        "Your answers are saved as a draft, but the return is not submitted yet: the page says "
        "what is missing."
    ]
    assert on_page(response, "Say what happened in the period")
    monitoring_return = MonitoringReturn.objects.get(number=1)
    assert monitoring_return.status == ReturnStatus.DRAFT
    assert monitoring_return.spend.get().amount == Decimal("600.00")


def test_return_whose_period_has_not_ended_cannot_be_submitted(client_as, running, provider_user):
    client_as(provider_user).post(url("return-edit", 2), complete(running))

    assert MonitoringReturn.objects.get(number=2).status == ReturnStatus.DRAFT
    ends = MonitoringReturn.objects.get(number=2).period_ends_on
    response = client_as(provider_user).get(url("return-edit", 2))
    assert on_page(response, f"The period ends on {ends:%-d %B %Y}")


def test_return_with_a_figure_not_a_number_is_refused_and_nothing_saved(
    client_as, running, provider_user
):
    fields = complete(running)
    fields[next(name for name in fields if name.startswith("actual_"))] = "lots"

    response = client_as(provider_user).post(url("return-edit", 1), fields)

    assert response.status_code == 200
    assert on_page(response, "Enter a whole number, like 40")
    assert not MonitoringReturn.objects.get(number=1).actuals.exists()


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [("stranger", 404, 404), ("staff_user", 403, 403), ("panel_member_user", 404, 404)],
)
def test_return_filled_in_by_anyone_but_the_holder_refused(
    client_as, request, running, who, get, post
):
    client = client_as(request.getfixturevalue(who))

    assert client.get(url("return-edit", 1)).status_code == get
    assert client.post(url("return-edit", 1), complete(running)).status_code == post
    assert not MonitoringReturn.objects.get(number=1).actuals.exists()


def test_return_page_of_another_organisation_is_404(client_as, running, stranger):
    assert client_as(stranger).get(url("return", 1)).status_code == 404
    assert client_as(stranger).get(url("return", 99)).status_code == 404


@pytest.fixture
def submitted(client_as, running, provider_user):
    client_as(provider_user).post(url("return-edit", 1), complete(running))
    return MonitoringReturn.objects.get(number=1, status=ReturnStatus.SUBMITTED)


def test_return_accepted_by_staff_makes_the_payment_due(client_as, submitted, staff_user):
    response = client_as(staff_user).post(
        url("return-accept", 1), {"comment": "Thank you."}, follow=True
    )

    assert followed_messages(response) == [
        f"Return {REF}-R1 accepted; the payment after it is due."
    ]
    assert Payment.objects.get(number=1).status == PaymentStatus.DUE
    assert "“Thank you.”" in page_text(response)


def test_return_sent_back_without_a_comment_refused_on_the_page(client_as, submitted, staff_user):
    response = client_as(staff_user).post(url("return-send-back", 1), {"comment": ""})

    assert response.status_code == 400
    assert on_page(response, "Say what the grant holder should change")
    assert MonitoringReturn.objects.get(number=1).status == ReturnStatus.SUBMITTED


@pytest.mark.parametrize("who", ["provider_user", "ceo_user", "pcc_user"])
def test_return_decided_by_anyone_but_staff_refused(client_as, request, submitted, who):
    client = client_as(request.getfixturevalue(who))

    assert client.post(url("return-accept", 1), {}).status_code == 403
    assert client.post(url("return-send-back", 1), {"comment": "No"}).status_code == 403
    assert MonitoringReturn.objects.get(number=1).status == ReturnStatus.SUBMITTED


# --- Payments -------------------------------------------------------------------------------


@pytest.fixture
def due(client_as, submitted, staff_user):
    client_as(staff_user).post(url("return-accept", 1), {})
    return Payment.objects.get(number=1, status=PaymentStatus.DUE)


def test_payment_raised_approved_exported_and_paid_by_two_officers(
    client_as, due, staff_user, second_staff
):
    raiser, approver = client_as(staff_user), client_as(second_staff)

    raised = raiser.post(url("payment-raise", 1), follow=True)
    own = raiser.post(url("payment-approve", 1), follow=True)
    approved = approver.post(url("payment-approve", 1), follow=True)
    export = approver.get(reverse("grants:staff-payments-export"))
    exported = b"".join(export.streaming_content).decode("utf-8-sig")  # read before it is paid
    today = timezone.localdate()
    paid = approver.post(url("payment-paid", 1), {"paid_on": today.isoformat()}, follow=True)

    assert followed_messages(raised) == [
        f"Payment {REF}-P1 raised. Another member of staff must approve it."
    ]
    assert followed_messages(own) == [
        "You raised this payment: another member of staff must approve it"
    ]
    assert followed_messages(approved) == [
        f"Payment {REF}-P1 approved: it is in the export for finance."
    ]
    rows = list(csv.reader(io.StringIO(exported)))
    verified_on = timezone.localtime(due.award.organisation.bank_account.verified_at).date()
    assert rows[1:] == [
        [
            f"{REF}-P1",
            REF,
            "Seaham Street Sport",
            "Youth Trust",
            "30-94-30",
            "3445",
            verified_on.isoformat(),
            "750.00",
            "DN1-24",
            "Olive Staff",
            "Priya Shah",
            today.isoformat(),
        ]
    ]
    assert followed_messages(paid) == [f"Payment {REF}-P1 marked paid on {today:%-d %B %Y}."]
    assert LedgerEntry.objects.get().amount == Decimal("750.00")
    assert "Paid so far: <strong>£750</strong> of £3,000" in page_text(paid)


def test_payment_held_by_an_overdue_return_says_so_on_the_award_page(
    client_as, due, staff_user, time_machine
):
    late = MonitoringReturn.objects.get(number=2).due_on + datetime.timedelta(days=1)
    time_machine.move_to(datetime.datetime.combine(late, datetime.time(12), tzinfo=datetime.UTC))

    response = client_as(staff_user).post(url("payment-raise", 1), follow=True)

    (message,) = followed_messages(response)
    assert message.startswith("The payment is held until the overdue returns are submitted:")
    assert f"Return {REF}-R2 was due on" in message
    assert Payment.objects.get(number=1).status == PaymentStatus.DUE
    assert "Payments are held until the overdue returns are submitted" in page_text(response)


@pytest.mark.parametrize(
    ("who", "expected"), [("provider_user", 403), ("ceo_user", 403), ("stranger", 404)]
)
def test_payment_by_anyone_but_staff_refused(client_as, request, due, who, expected):
    client = client_as(request.getfixturevalue(who))

    assert client.post(url("payment-raise", 1)).status_code == expected
    assert Payment.objects.get(number=1).status == PaymentStatus.DUE


def test_payment_not_yet_due_cannot_be_raised(client_as, running, staff_user):
    response = client_as(staff_user).post(url("payment-raise", 2), follow=True)

    assert followed_messages(response) == ["A payment that is scheduled cannot move to raised"]


def test_payment_paid_with_a_date_not_a_date_refused(client_as, due, staff_user, second_staff):
    services.payment_raise(payment=due, by=staff_user)
    services.payment_approve(payment=due, by=second_staff)

    response = client_as(second_staff).post(
        url("payment-paid", 1), {"paid_on": "soon"}, follow=True
    )

    assert followed_messages(response) == ["Enter the date as a real date, like 2024-07-31"]
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("who", "listing", "export"),
    [
        ("staff_user", 200, 200),
        ("ceo_user", 200, 403),
        ("pcc_user", 200, 403),
        ("provider_user", 403, 403),
    ],
)
def test_payments_list_for_those_who_read_the_money_and_the_export_for_staff(
    client_as, request, due, who, listing, export
):
    client = client_as(request.getfixturevalue(who))

    assert client.get(reverse("grants:staff-payments")).status_code == listing
    assert client.get(reverse("grants:staff-payments-export")).status_code == export


def test_money_page_shows_what_was_paid(client_as, due, staff_user, second_staff):
    stream = services.stream_save(by=staff_user, name="SVD grant", funder="Home Office")
    Award.objects.filter(pk=due.award_id).update(stream=stream)
    services.payment_raise(payment=due, by=staff_user)
    services.payment_approve(payment=due, by=second_staff)
    services.payment_mark_paid(payment=due, by=second_staff, paid_on=timezone.localdate())

    html = page_text(client_as(staff_user).get(reverse("grants:staff-stream", args=[stream.pk])))

    year = due.award.splits.get().financial_year
    # The year's labour row and its total: committed £3,000, paid £750, non-labour nothing.
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric">£3,000</td>\n'
        '      <td class="govuk-table__cell govuk-table__cell--numeric">£750</td>'
    ) in html
    assert "<strong>£750</strong>" in html
    assert year in html


def test_award_page_queries_do_not_grow_with_its_returns(client_as, running, staff_user):
    client = client_as(staff_user)
    client.get(running.get_absolute_url())  # warm: the session, the permissions
    with CaptureQueriesContext(connection) as quarterly:
        client.get(running.get_absolute_url())
    Award.objects.filter(pk=running.pk).update(status=AwardStatus.DUE_DILIGENCE)
    set_plan(running, staff_user, frequency="half_yearly")
    Award.objects.filter(pk=running.pk).update(status=AwardStatus.ACTIVE)
    with CaptureQueriesContext(connection) as half_yearly:
        client.get(running.get_absolute_url())

    assert MonitoringReturn.objects.count() == len(services.planned_returns(running, "half_yearly"))
    assert MonitoringReturn.objects.count() != len(services.planned_returns(running, "quarterly"))
    assert len(half_yearly) == len(quarterly)


# --- Claw-back and close-out ------------------------------------------------------------------


@pytest.fixture
def paid(due, staff_user, second_staff):
    services.payment_raise(payment=due, by=staff_user)
    services.payment_approve(payment=due, by=second_staff)
    return services.payment_mark_paid(payment=due, by=second_staff, paid_on=timezone.localdate())


def claw_back_fields(**changes) -> dict:
    return {
        "amount": "100",
        "recovered_on": timezone.localdate().isoformat(),
        "reason": "Spent on a trip not in the budget.",
        "end_award": "no",
        **changes,
    }


def test_claw_back_goes_in_the_ledger_and_the_award_page_lists_it(client_as, paid, staff_user):
    response = client_as(staff_user).post(url("award-claw-back"), claw_back_fields(), follow=True)

    assert followed_messages(response) == [f"£100 recovered from {REF} is in the ledger."]
    assert LedgerEntry.objects.get(kind="clawback").amount == Decimal("-100.00")
    html = page_text(response)
    assert "Recovered: Spent on a trip not in the budget." in html
    assert "Paid so far: <strong>£650</strong> of £3,000" in html


def test_claw_back_ending_the_grant_says_to_tell_finance(client_as, paid, staff_user):
    response = client_as(staff_user).post(
        url("award-claw-back"), claw_back_fields(amount="750", end_award="yes"), follow=True
    )

    (message,) = followed_messages(response)
    assert message.endswith("if one was approved, tell finance not to pay it.")
    assert Award.objects.get(reference=REF).status == AwardStatus.CLAWED_BACK


def test_claw_back_of_more_than_was_paid_refused_on_the_page(client_as, paid, staff_user):
    response = client_as(staff_user).post(url("award-claw-back"), claw_back_fields(amount="751"))

    assert response.status_code == 200
    assert on_page(response, "Only £750 has been paid (less what was recovered before)")
    assert not LedgerEntry.objects.filter(kind="clawback").exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("provider_user", 403), ("ceo_user", 403), ("pcc_user", 403), ("stranger", 404)],
)
def test_claw_back_and_close_by_anyone_but_staff_refused(client_as, request, paid, who, expected):
    client = client_as(request.getfixturevalue(who))

    assert client.post(url("award-claw-back"), claw_back_fields()).status_code == expected
    assert client.post(url("award-close"), {"confirmed": ["assets"]}).status_code == expected
    assert not LedgerEntry.objects.filter(kind="clawback").exists()
    assert Award.objects.get(reference=REF).status == AwardStatus.ACTIVE


def test_close_out_page_says_what_is_left_and_refuses_until_it_is_done(
    client_as, running, staff_user
):
    client = client_as(staff_user)
    confirmed = {"confirmed": ["spend_reconciled", "outcomes_recorded", "assets", "records_kept"]}

    page = client.get(url("award-close"))
    refused = client.post(url("award-close"), confirmed)
    MonitoringReturn.objects.filter(award=running).update(status=ReturnStatus.ACCEPTED)
    Payment.objects.filter(award=running).update(status=PaymentStatus.PAID)
    closed = client.post(url("award-close"), {**confirmed, "note": "Delivered."}, follow=True)

    assert on_page(page, "Progress return 1: not submitted, not accepted")
    assert on_page(refused, "Payment 4: scheduled, not paid")
    assert followed_messages(closed) == [f"Award {REF} is closed."]
    assert "Closed on" in page_text(closed) and "“Delivered.”" in page_text(closed)
    assert Award.objects.get(reference=REF).status == AwardStatus.CLOSED
    # Nothing of it changes now.
    again = client.post(url("award-close"), confirmed)
    assert on_page(again, "An award that is closed cannot move to closed")


# --- The staff's list of returns ---------------------------------------------------------------


def listed(client, show="") -> list[str]:
    response = client.get(reverse("grants:staff-returns") + (f"?show={show}" if show else ""))
    return [r.reference for r in response.context["returns"]]


def test_returns_list_shows_those_waiting_then_overdue_then_all(
    client_as, submitted, staff_user, time_machine
):
    client = client_as(staff_user)

    assert listed(client) == [f"{REF}-R1"]
    assert listed(client, "overdue") == []
    assert listed(client, "all") == [f"{REF}-R{n}" for n in (1, 2, 3, 4)]
    late = MonitoringReturn.objects.get(number=2).due_on + datetime.timedelta(days=1)
    time_machine.move_to(datetime.datetime.combine(late, datetime.time(12), tzinfo=datetime.UTC))
    client = client_as(staff_user)  # signed in again: the session has expired since
    assert listed(client, "overdue") == [f"{REF}-R2"]
    assert listed(client, "nonsense") == [f"{REF}-R1"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff_user", 200), ("ceo_user", 200), ("pcc_user", 200), ("provider_user", 403)],
)
def test_returns_list_for_those_who_read_the_money(client_as, request, running, who, expected):
    response = client_as(request.getfixturevalue(who)).get(reverse("grants:staff-returns"))

    assert response.status_code == expected


def test_returns_list_queries_do_not_grow_with_its_rows(client_as, running, staff_user):
    client = client_as(staff_user)
    client.get(reverse("grants:staff-returns") + "?show=all")
    with CaptureQueriesContext(connection) as four:
        listed(client, "all")
    holder = member_of_new_organisation("Ferryhill Youth", roles=[Role.PROVIDER])
    running_award(  # a second award: four more returns
        funding_round=running.round,
        organisation=holder.memberships.get().organisation,
        created_by=staff_user,
        holder=holder,
        staff=staff_user,
        reference="OPN-A-0002",
    )
    with CaptureQueriesContext(connection) as eight:
        assert len(listed(client, "all")) == 8

    assert len(eight) == len(four)

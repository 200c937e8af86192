"""Variations over HTTP: the holder proposes on the form page and reads the changes in
words, staff approve or refuse on the variation's page (an approved change of the amount
shares what is left among the payments), a change above the threshold goes to the PCC on a
decision record whose signature settles it, the proposer withdraws (not twice), staff move
underspend as a linked pair; each refusal is read on the page, including those that reach a
page on which the form is not shown, and each rule tried by whoever may not pass it."""

import datetime
import html
from decimal import Decimal

import pytest

from decisions import services as decision_services
from decisions.models import DecisionRecord
from grants import services
from grants.enums import AwardStatus, VariationStatus
from grants.models import Award, BudgetLine, FundingStream, Payment, StreamAllocation, Variation
from tests.factories.partners import PASSWORD, member_of_new_organisation

from .awarding import make_award, ready_to_offer

NEW = "/grants/OPN-A-0001/variations/new/"
PAGE = "/grants/OPN-A-0001/variations/1/"
DECIDE = "/grants/OPN-A-0001/variations/1/decide/"
WITHDRAW = "/grants/OPN-A-0001/variations/1/withdraw/"
FROM_VARIATION = "/staff/decisions/from-variation/OPN-A-0001/1/"
REALLOCATE = "/grants/OPN-A-0001/reallocate/"


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
def active(award, stream, provider_user, staff_user):
    """OPN-A-0001, £3,000 of 2024-25's labour money on the stream, a £3,000 coach on its
    budget, four quarterly payments of £750, active."""
    BudgetLine.objects.create(
        application=award.application,
        item="Coach",
        financial_year="2024-25",
        cost_kind="labour",
        amount=Decimal("3000.00"),
    )
    Award.objects.filter(pk=award.pk).update(stream=stream)
    ready_to_offer(award, entered_by=provider_user, staff=staff_user, signatory=provider_user)
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    return Award.objects.get(pk=award.pk)


@pytest.fixture
def second(active, funding_round, stream, staff_user, pcc_user):
    """OPN-A-0002, £1,000 of 2024-25's labour money on the same stream, active: with
    OPN-A-0001 it commits all of the stream's £4,000 of labour money."""
    holder = member_of_new_organisation("Darlington Boxing", email="boxing@example.org")
    award = make_award(
        funding_round=funding_round,
        organisation=holder.memberships.get().organisation,
        created_by=pcc_user,
        reference="OPN-A-0002",
        amount=Decimal("1000.00"),
        title="Boxing",
    )
    Award.objects.filter(pk=award.pk).update(stream=stream)
    ready_to_offer(award, entered_by=holder, staff=staff_user, signatory=holder)
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    return Award.objects.get(pk=award.pk)


def proposal(award, **changes) -> dict:
    """The form as the award stands, with `changes` over it."""
    data = {"reason": "The hall closed for a term.", "amount_change": "", "change_year": ""}
    data.update({f"target_{t.pk}": str(t.target) for t in award.targets.all()})
    data.update({f"budget_{b.pk}": str(b.amount) for b in award.application.budget_lines.all()})
    data.update(changes)
    return data


def text(response) -> str:
    """The page as a person reads it: entities (&#x27; for an apostrophe) turned back."""
    return html.unescape(response.content.decode())


def payments(award) -> list[tuple[int, str, Decimal]]:
    return list(
        Payment.objects.filter(award=award)
        .order_by("number")
        .values_list("number", "status", "amount")
    )


def less_labour(award, amount="-500", **changes) -> dict:
    return proposal(
        award, amount_change=amount, change_year="2024-25", change_kind="labour", **changes
    )


def test_changes_printed_on_the_page_in_words(client_as, provider_user, active):
    under_18 = active.targets.get(kind="under_18")
    coach = active.application.budget_lines.get()
    holder = client_as(provider_user)
    response = holder.post(
        NEW,
        less_labour(
            active,
            new_ends_on="2025-06-30",
            **{f"target_{under_18.pk}": "45", f"budget_{coach.pk}": "2500"},
        ),
    )
    assert response["Location"] == PAGE
    page = text(holder.get(PAGE))
    for change in (
        "Amount: £3,000 → £2,500 (£500 less of 2024-25's labour money)",
        "End of delivery: 31 March 2025 → 30 June 2025",
        "Target, People reached aged under 18: 40 → 45",
        "Budget line, Coach (2024-25, labour): £3,000 → £2,500",
    ):
        assert f"<li>{change}</li>" in page
    assert 'Status: <strong class="govuk-tag govuk-tag--grey">Proposed</strong>' in page


def test_year_and_kind_missing_when_the_amount_changes_refused_on_the_page(
    client_as, provider_user, active
):
    response = client_as(provider_user).post(
        NEW, proposal(active, amount_change="-500", change_kind="labour")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "change_year": ["Choose a financial year the grant delivers in: 2024-25"]
    }
    page = text(response)
    assert "govuk-error-summary" in page
    assert "Choose a financial year the grant delivers in: 2024-25" in page
    response = client_as(provider_user).post(
        NEW, proposal(active, amount_change="-500", change_year="2024-25")
    )
    assert response.context["form"].errors == {
        "change_kind": ["Choose whether the change is to labour or non-labour money"]
    }
    assert Variation.objects.count() == 0


def test_staff_approve_less_money_and_the_payments_share_what_is_left(
    client_as, provider_user, staff_user, active
):
    client_as(provider_user).post(NEW, less_labour(active))
    response = client_as(staff_user).post(DECIDE, {"decision": "approve", "note": ""})
    assert (response.status_code, response["Location"]) == (302, PAGE)
    active.refresh_from_db()
    assert active.amount == Decimal("2500.00")
    assert payments(active) == [
        (1, "scheduled", Decimal("625.00")),
        (2, "scheduled", Decimal("625.00")),
        (3, "scheduled", Decimal("625.00")),
        (4, "scheduled", Decimal("625.00")),
    ]
    variation = Variation.objects.get()
    assert (variation.status, variation.decided_by, variation.previous_amount) == (
        VariationStatus.APPROVED,
        staff_user,
        Decimal("3000.00"),
    )
    page = text(client_as(provider_user).get(PAGE))
    assert "Approved on" in page
    # Decided, it is no longer withdrawn or decided again.
    assert "Withdraw the variation" not in page


def test_staff_refuse_with_a_note_the_holder_reads(client_as, provider_user, staff_user, active):
    client_as(provider_user).post(NEW, less_labour(active))
    response = client_as(staff_user).post(
        DECIDE, {"decision": "refuse", "note": "Spend it on the summer scheme."}
    )
    assert response.status_code == 302
    assert Variation.objects.get().status == VariationStatus.REFUSED
    assert "Spend it on the summer scheme." in text(client_as(provider_user).get(PAGE))
    active.refresh_from_db()
    assert active.amount == Decimal("3000.00")


def test_decision_with_no_choice_refused_on_the_page(client_as, provider_user, staff_user, active):
    client_as(provider_user).post(NEW, less_labour(active))
    response = client_as(staff_user).post(DECIDE, {"decision": "maybe", "note": ""})
    assert response.status_code == 400
    assert "govuk-error-summary" in text(response)
    assert response.context["decide_form"].errors == {
        "decision": ["Select a valid choice. maybe is not one of the available choices."]
    }


# --- Above the threshold ---------------------------------------------------------------------


@pytest.fixture
def big(client_as, provider_user, active, settings):
    settings.VARIATION_PCC_THRESHOLD = Decimal("400")
    client_as(provider_user).post(
        NEW, proposal(active, amount_change="500", change_year="2024-25", change_kind="labour")
    )
    return Variation.objects.get()


def test_above_the_threshold_staff_see_no_decide_form(client_as, staff_user, provider_user, big):
    page = text(client_as(staff_user).get(PAGE))
    assert "Draft the PCC's decision record" in page
    assert 'name="decision"' not in page
    holder_page = text(client_as(provider_user).get(PAGE))
    assert "The PCC decides it, on a decision record OPCC staff draft." in holder_page
    assert "Draft the PCC's decision record" not in holder_page


def test_approving_above_the_threshold_by_hand_refused_with_why(client_as, staff_user, big):
    """The form is not offered, but a POST made by hand is told why, on the page."""
    response = client_as(staff_user).post(DECIDE, {"decision": "approve", "note": ""})
    assert response.status_code == 400
    page = text(response)
    assert "govuk-error-summary" in page
    assert (
        "A change of the amount of more than £400 is decided by the PCC: prepare a decision "
        "record for it" in page
    )
    assert Variation.objects.get().status == VariationStatus.PROPOSED


def test_deciding_one_awaiting_the_pcc_refused_with_why(client_as, staff_user, big):
    client_as(staff_user).post(FROM_VARIATION)
    response = client_as(staff_user).post(DECIDE, {"decision": "refuse", "note": "No."})
    assert response.status_code == 400
    assert (
        "Variation OPN-A-0001-V1 is waiting for the PCC's decision: it is no longer staff's to "
        "decide" in text(response)
    )
    assert Variation.objects.get().status == VariationStatus.AWAITING_DECISION


def test_drafting_a_second_record_refused_with_why(client_as, staff_user, big):
    staff = client_as(staff_user)
    staff.post(FROM_VARIATION, follow=True)
    response = staff.post(FROM_VARIATION, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert DecisionRecord.objects.count() == 1
    assert [str(m) for m in response.context["messages"]] == [
        "Variation OPN-A-0001-V1 is waiting for the PCC's decision: its decision record is "
        "drafted already"
    ]


def test_drafting_a_record_on_a_withdrawn_one_refused_with_why(
    client_as, provider_user, staff_user, big
):
    client_as(provider_user).post(WITHDRAW)
    response = client_as(staff_user).post(FROM_VARIATION, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Variation OPN-A-0001-V1 is withdrawn: only a proposed variation goes to the PCC"
    ]
    assert DecisionRecord.objects.count() == 0


@pytest.mark.parametrize("who", ["provider_user", "ceo_user", "pcc_user"])
def test_only_staff_draft_the_record(request, client_as, who, big):
    response = client_as(request.getfixturevalue(who)).post(FROM_VARIATION)
    assert response.status_code == 403
    assert DecisionRecord.objects.count() == 0
    assert Variation.objects.get().status == VariationStatus.PROPOSED


def awaiting_signature(client_as, staff_user, ceo_user) -> DecisionRecord:
    response = client_as(staff_user).post(FROM_VARIATION)
    record = DecisionRecord.objects.get()
    assert response["Location"] == f"/staff/decisions/{record.pk}/"
    record = decision_services.decision_submit(record=record, by=staff_user)
    return decision_services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )


def test_pcc_signs_on_the_records_page_and_the_variation_is_approved(
    client_as, staff_user, ceo_user, pcc_user, provider_user, big
):
    record = awaiting_signature(client_as, staff_user, ceo_user)
    response = client_as(pcc_user).post(
        f"/staff/decisions/{record.pk}/sign/",
        {"outcome": "approved", "declaration": "None", "password": PASSWORD},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    variation = Variation.objects.get()
    assert (variation.status, variation.decision_reference, variation.decided_by) == (
        VariationStatus.APPROVED,
        record.reference,
        pcc_user,
    )
    active = Award.objects.get(reference="OPN-A-0001")
    assert active.amount == Decimal("3500.00")
    assert payments(active) == [(n, "scheduled", Decimal("875.00")) for n in range(1, 5)]
    assert f"by PCC decision {record.reference}" in text(client_as(provider_user).get(PAGE))


def test_signature_the_stream_cannot_afford_refused_with_nothing_changed(
    client_as, staff_user, ceo_user, pcc_user, big, second
):
    """OPN-A-0002 took the stream's last £1,000 of labour money after the record was
    drafted: the PCC cannot sign the £500 more as approved, and is told why."""
    record = awaiting_signature(client_as, staff_user, ceo_user)
    response = client_as(pcc_user).post(
        f"/staff/decisions/{record.pk}/sign/",
        {"outcome": "approved", "declaration": "None", "password": PASSWORD},
    )
    assert response.status_code == 400
    assert (
        "Variation OPN-A-0001-V1 cannot be made: 2024-25's labour money would be overcommitted "
        "by £500" in text(response)
    )
    record.refresh_from_db()
    assert record.status == "awaiting_signature"
    assert Variation.objects.get().status == VariationStatus.AWAITING_DECISION
    assert Award.objects.get(reference="OPN-A-0001").amount == Decimal("3000.00")


def test_pcc_signing_not_approved_on_the_page_refuses_it(
    client_as, staff_user, ceo_user, pcc_user, big
):
    record = awaiting_signature(client_as, staff_user, ceo_user)
    client_as(pcc_user).post(
        f"/staff/decisions/{record.pk}/sign/",
        {"outcome": "not_approved", "declaration": "None", "password": PASSWORD},
    )
    record.refresh_from_db()
    variation = Variation.objects.get()
    assert (variation.status, variation.decision_note) == (
        VariationStatus.REFUSED,
        f"PCC decision {record.reference}: not approved",
    )
    assert Award.objects.get(reference="OPN-A-0001").amount == Decimal("3000.00")


# --- Withdrawing ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ceo_user", "pcc_user"])
def test_the_opcc_readers_may_not_withdraw(request, client_as, provider_user, who, active):
    client_as(provider_user).post(NEW, less_labour(active))
    assert client_as(request.getfixturevalue(who)).post(WITHDRAW).status_code == 403
    assert Variation.objects.get().status == VariationStatus.PROPOSED


def test_staff_withdraw_the_holders_proposal(client_as, provider_user, staff_user, active):
    client_as(provider_user).post(NEW, less_labour(active))
    page = text(client_as(staff_user).get(PAGE))
    assert "Withdraw the variation" in page
    response = client_as(staff_user).post(WITHDRAW)
    assert response["Location"] == PAGE
    assert Variation.objects.get().status == VariationStatus.WITHDRAWN


def test_another_member_is_not_offered_the_withdraw_button(
    client_as, provider_user, provider_org, active
):
    client_as(provider_user).post(NEW, less_labour(active))
    colleague = member_of_new_organisation("unused", email="colleague@example.org")
    colleague.memberships.update(organisation=provider_org)
    page = client_as(colleague).get(PAGE)
    assert page.status_code == 200
    assert "Withdraw the variation" not in text(page)


def test_withdrawing_twice_refused_with_why(client_as, provider_user, active):
    holder = client_as(provider_user)
    holder.post(NEW, less_labour(active), follow=True)
    holder.post(WITHDRAW, follow=True)
    response = holder.post(WITHDRAW, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "A variation that is withdrawn cannot move to withdrawn"
    ]


# --- Moving underspend --------------------------------------------------------------------------


def move(**changes) -> dict:
    return {
        "to_award": "OPN-A-0002",
        "amount": "400",
        "financial_year": "2024-25",
        "cost_kind": "labour",
        "reason": "A term without the hall.",
        **changes,
    }


def test_underspend_moves_as_a_linked_pair_decided_together(
    client_as, staff_user, second_staff, second
):
    staff = client_as(staff_user)
    page = text(staff.get(REALLOCATE))
    assert "OPN-A-0002: Darlington Boxing, Boxing" in page
    response = staff.post(REALLOCATE, move())
    assert response["Location"] == PAGE
    taken = Variation.objects.get(award__reference="OPN-A-0001")
    given = Variation.objects.get(award__reference="OPN-A-0002")
    assert (taken.status, given.status) == (VariationStatus.PROPOSED, VariationStatus.PROPOSED)
    assert (taken.paired_with_id, given.paired_with_id) == (given.pk, taken.pk)
    assert (taken.amount_change, given.amount_change) == (Decimal("-400.00"), Decimal("400.00"))
    assert "It moves underspend together with" in text(staff.get(PAGE))
    # Deciding the second decides both: the stream holds only what the first gives up.
    client_as(second_staff).post(
        "/grants/OPN-A-0002/variations/1/decide/", {"decision": "approve", "note": ""}
    )
    assert set(Variation.objects.values_list("status", flat=True)) == {VariationStatus.APPROVED}
    assert list(Award.objects.order_by("reference").values_list("amount", flat=True)) == [
        Decimal("2600.00"),
        Decimal("1400.00"),
    ]


def test_underspend_the_other_award_cannot_take_refused_with_nothing_proposed(
    client_as, staff_user, second
):
    boxing = second.organisation.memberships.get().user
    services.variation_propose(
        award=second, by=boxing, reason="Later end.", new_ends_on=datetime.date(2025, 6, 30)
    )
    response = client_as(staff_user).post(REALLOCATE, move())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "OPN-A-0002 cannot take the money:",
        "Variation OPN-A-0002-V1 is still open: it must be decided or withdrawn before another "
        "is proposed",
    ]
    # The first of the pair went with the refusal.
    assert not Variation.objects.filter(award__reference="OPN-A-0001").exists()


def test_underspend_to_an_award_of_another_stream_is_not_offered(client_as, staff_user, second):
    Award.objects.filter(pk=second.pk).update(stream=None)
    page = client_as(staff_user).get(REALLOCATE)
    assert "No other accepted award of this stream can take the money." in text(page)
    response = client_as(staff_user).post(REALLOCATE, move())
    assert response.context["form"].errors == {
        "to_award": ["Choose an award of the same stream from the list"]
    }
    assert Variation.objects.count() == 0


# --- From the proposal to the decision, page by page ---------------------------------------


def test_holder_proposes_and_reads_the_changes_in_words(client_as, provider_user, active):
    under_18 = active.targets.get(kind="under_18")
    coach = active.application.budget_lines.get()
    response = client_as(provider_user).post(
        NEW,
        proposal(
            active,
            amount_change="-500",
            change_year="2024-25",
            change_kind="labour",
            **{f"target_{under_18.pk}": "45", f"budget_{coach.pk}": "£2,500"},
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE
    page = client_as(provider_user).get(PAGE)
    assert page.context["changes"] == [
        "Amount: £3,000 → £2,500 (£500 less of 2024-25's labour money)",
        "Target, People reached aged under 18: 40 → 45",
        "Budget line, Coach (2024-25, labour): £3,000 → £2,500",
    ]
    # The holder sees its status and may withdraw it; staff decide it.
    assert (page.context["may_withdraw"], page.context["may_decide"]) == (True, False)
    assert "OPCC staff decide it." in text(page)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {},
            None,
            "Change at least one thing: the amount, the end of delivery, a target or a budget line",
        ),
        (
            {"amount_change": "abc"},
            "amount_change",
            "Enter an amount in pounds and pence, like 500 for more or -500 for less",
        ),
        (
            {"amount_change": "500"},
            "change_year",
            "Choose a financial year the grant delivers in: 2024-25",
        ),
        (
            {"new_ends_on": "2025-02-30"},
            "new_ends_on",
            "Enter the date as a real date, like 2025-06-30",
        ),
        ({"reason": " "}, "reason", "Say why the change is needed"),
    ],
)
def test_proposal_refused_on_the_page(client_as, provider_user, active, changes, field, message):
    response = client_as(provider_user).post(NEW, proposal(active, **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in (form.errors[field] if field else form.non_field_errors())
    assert "govuk-error-summary" in text(response)
    assert Variation.objects.count() == 0


@pytest.fixture
def proposed(client_as, provider_user, active):
    client_as(provider_user).post(NEW, proposal(active, new_ends_on="2025-06-30"))
    return Variation.objects.get()


def test_staff_approve_and_the_award_changes(client_as, staff_user, proposed):
    response = client_as(staff_user).post(
        "/grants/OPN-A-0001/variations/1/decide/", {"decision": "approve", "note": ""}
    )
    assert response.status_code == 302
    award = Award.objects.get(reference="OPN-A-0001")
    assert award.delivery_ends_on == datetime.date(2025, 6, 30)
    assert (
        list(Payment.objects.filter(award=award).values_list("amount", flat=True))
        == [Decimal("600.00")] * 5
    )
    assert Variation.objects.get().status == VariationStatus.APPROVED


def test_refusal_without_a_note_shown_on_the_page(client_as, staff_user, proposed):
    response = client_as(staff_user).post(
        "/grants/OPN-A-0001/variations/1/decide/", {"decision": "refuse", "note": " "}
    )
    assert response.status_code == 400
    assert "Say why the variation is refused" in text(response)
    assert Variation.objects.get().status == VariationStatus.PROPOSED


@pytest.mark.parametrize("who", ["provider_user", "ceo_user", "pcc_user"])
def test_only_staff_decide(request, client_as, who, proposed):
    response = client_as(request.getfixturevalue(who)).post(
        "/grants/OPN-A-0001/variations/1/decide/", {"decision": "approve"}
    )
    assert response.status_code == 403
    assert Variation.objects.get().status == VariationStatus.PROPOSED


def test_another_organisation_sees_nothing(client_as, proposed):
    stranger = member_of_new_organisation("Another group", email="stranger@example.org")
    for path in (PAGE, NEW, "/grants/OPN-A-0001/variations/1/withdraw/"):
        response = (
            client_as(stranger).get(path)
            if "withdraw" not in path
            else client_as(stranger).post(path)
        )
        assert response.status_code == 404, path
    response = client_as(None).get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_proposer_withdraws_another_member_may_not(
    client_as, provider_user, provider_org, proposed
):
    colleague = member_of_new_organisation("unused", email="colleague@example.org")
    colleague.memberships.update(organisation=provider_org)
    response = client_as(colleague).post("/grants/OPN-A-0001/variations/1/withdraw/")
    assert response.status_code == 403
    assert Variation.objects.get().status == VariationStatus.PROPOSED
    response = client_as(provider_user).post("/grants/OPN-A-0001/variations/1/withdraw/")
    assert response.status_code == 302
    assert Variation.objects.get().status == VariationStatus.WITHDRAWN


def test_award_page_offers_variations_to_the_holder_and_staff_only(
    client_as, provider_user, staff_user, pcc_user, proposed
):
    for user, offered in ((provider_user, True), (staff_user, True), (pcc_user, False)):
        page = client_as(user).get("/grants/OPN-A-0001/")
        assert page.context["may_propose"] is offered
        assert ("Propose a variation" in text(page)) is offered
        assert "OPN-A-0001-V1" in text(page)


# --- Above the threshold: the PCC's decision -------------------------------------------------


def test_above_the_threshold_staff_draft_the_pccs_record(
    client_as, staff_user, ceo_user, pcc_user, big
):
    staff = client_as(staff_user)
    page = staff.get(PAGE)
    assert (page.context["may_decide"], page.context["may_refer"]) == (False, True)
    assert "Draft the PCC's decision record" in text(page)
    response = staff.post("/staff/decisions/from-variation/OPN-A-0001/1/")
    record = DecisionRecord.objects.get(variation=big)
    assert response["Location"] == f"/staff/decisions/{record.pk}/"
    assert "Amount: £3,000 → £3,500 (£500 more of 2024-25's labour money)" in record.section_a
    assert Variation.objects.get().status == VariationStatus.AWAITING_DECISION
    # Taken through approval, the PCC's signature approves the variation and changes the award.
    record = decision_services.decision_submit(record=record, by=staff_user)
    record = decision_services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    record = decision_services.decision_sign(
        record=record, by=pcc_user, outcome="approved", declaration="None", password=PASSWORD
    )
    variation = Variation.objects.get()
    assert (variation.status, variation.decision_reference) == ("approved", record.reference)
    assert Award.objects.get(reference="OPN-A-0001").amount == Decimal("3500.00")


def test_pcc_not_approving_refuses_the_variation(client_as, staff_user, ceo_user, pcc_user, big):
    client_as(staff_user).post("/staff/decisions/from-variation/OPN-A-0001/1/")
    record = DecisionRecord.objects.get(variation=big)
    record = decision_services.decision_submit(record=record, by=staff_user)
    record = decision_services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    decision_services.decision_sign(
        record=record, by=pcc_user, outcome="not_approved", declaration="None", password=PASSWORD
    )
    assert Variation.objects.get().status == VariationStatus.REFUSED
    assert Award.objects.get(reference="OPN-A-0001").amount == Decimal("3000.00")


def test_below_the_threshold_drafting_a_record_is_refused_with_why(client_as, staff_user, proposed):
    response = client_as(staff_user).post(
        "/staff/decisions/from-variation/OPN-A-0001/1/", follow=True
    )
    assert (
        "Variation OPN-A-0001-V1 is within what staff decide: approve or refuse it on its page"
        in text(response)
    )
    assert DecisionRecord.objects.count() == 0


# --- Moving underspend ----------------------------------------------------------------------


def test_staff_move_underspend_to_another_award(client_as, staff_user, provider_user, second):
    staff = client_as(staff_user)
    page = staff.get("/grants/OPN-A-0001/reallocate/")
    assert [value for value, _ in page.context["form"].fields["to_award"].choices] == [
        "",
        "OPN-A-0002",
    ]
    response = staff.post(
        "/grants/OPN-A-0001/reallocate/",
        {
            "to_award": "OPN-A-0002",
            "amount": "400",
            "financial_year": "2024-25",
            "cost_kind": "labour",
            "reason": "A term without the hall.",
        },
    )
    assert response.status_code == 302
    assert sorted(Variation.objects.values_list("award__reference", "amount_change")) == [
        ("OPN-A-0001", Decimal("-400.00")),
        ("OPN-A-0002", Decimal("400.00")),
    ]
    assert client_as(provider_user).get("/grants/OPN-A-0001/reallocate/").status_code == 403

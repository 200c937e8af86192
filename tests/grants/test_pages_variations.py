"""Variations over HTTP: the holder proposes on the form page, staff approve or refuse on the
variation's page, a change above the threshold goes to the PCC on a decision record whose
signature settles it, the proposer withdraws, staff move underspend; each refusal is read
on the page and each rule tried by whoever may not pass it."""

import datetime
from decimal import Decimal

import pytest

from decisions import services as decision_services
from decisions.models import DecisionRecord
from grants.enums import AwardStatus, VariationStatus
from grants.models import Award, BudgetLine, FundingStream, Payment, StreamAllocation, Variation
from tests.factories.partners import PASSWORD, member_of_new_organisation

from .awarding import make_award, ready_to_offer

NEW = "/grants/OPN-A-0001/variations/new/"
PAGE = "/grants/OPN-A-0001/variations/1/"


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


def proposal(award, **changes) -> dict:
    """The form as the award stands, with `changes` over it."""
    data = {"reason": "The hall closed for a term.", "amount_change": "", "change_year": ""}
    data.update({f"target_{t.pk}": str(t.target) for t in award.targets.all()})
    data.update({f"budget_{b.pk}": str(b.amount) for b in award.application.budget_lines.all()})
    data.update(changes)
    return data


def page_text(response) -> str:
    return response.content.decode()


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
    assert "OPCC staff decide it." in page_text(page)


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
    assert "govuk-error-summary" in page_text(response)
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
    assert "Say why the variation is refused" in page_text(response)
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
        assert ("Propose a variation" in page_text(page)) is offered
        assert "OPN-A-0001-V1" in page_text(page)


# --- Above the threshold: the PCC's decision -------------------------------------------------


@pytest.fixture
def big(client_as, provider_user, active, settings):
    settings.VARIATION_PCC_THRESHOLD = Decimal("400.00")
    client_as(provider_user).post(
        NEW, proposal(active, amount_change="500", change_year="2024-25", change_kind="labour")
    )
    return Variation.objects.get()


def test_above_the_threshold_staff_draft_the_pccs_record(
    client_as, staff_user, ceo_user, pcc_user, big
):
    staff = client_as(staff_user)
    page = staff.get(PAGE)
    assert (page.context["may_decide"], page.context["may_refer"]) == (False, True)
    assert "Draft the PCC's decision record" in page_text(page)
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
        in page_text(response)
    )
    assert DecisionRecord.objects.count() == 0


# --- Moving underspend ----------------------------------------------------------------------


@pytest.fixture
def second(active, funding_round, stream, staff_user, pcc_user):
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

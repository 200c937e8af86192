"""decisions.services.approval: the map of moves, what each one writes, the reference a
submitted record takes, approving and returning."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from decisions import services
from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord, ReferenceCounter

from .helpers import frozen, history

D = DecisionStatus
UTC = datetime.UTC
# 28 March 2024, 15:00 in London (GMT, so 15:00 UTC): the day DN50-24 was signed.
SIGNING_TIME = datetime.datetime(2024, 3, 28, 15, 0, tzinfo=UTC)
ALLOWED = {
    (D.DRAFT, D.AWAITING_APPROVAL),
    (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE),
    (D.AWAITING_APPROVAL, D.DRAFT),
    (D.AWAITING_SIGNATURE, D.SIGNED),
    (D.AWAITING_SIGNATURE, D.DRAFT),
    (D.SIGNED, D.PUBLISHED),
}
REFUSED = sorted((a, b) for a in D for b in D if (a, b) not in ALLOWED)
# How a status reads in the middle of a sentence.
IN_A_SENTENCE = {
    D.DRAFT: "draft",
    D.AWAITING_APPROVAL: "awaiting officer approval",
    D.AWAITING_SIGNATURE: "awaiting PCC signature",
    D.SIGNED: "signed",
    D.PUBLISHED: "published",
}


# --- The map --------------------------------------------------------------------------------


def test_decision_moves_is_the_workflow():
    assert {(a, b) for a, targets in services.DECISION_MOVES.items() for b in targets} == ALLOWED
    assert set(services.DECISION_MOVES) == set(D)


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_decision_move_refuses_a_move_off_the_map(record_in, staff_user, from_status, to_status):
    record = record_in(from_status)
    before = history(record)
    with pytest.raises(ValidationError):
        services.decision_move(record=record, to_status=to_status, by=staff_user)
    record.refresh_from_db()
    assert record.status == from_status
    assert history(record) == before


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [pytest.param(a, b, id=f"{a}-{b}") for a, b in REFUSED],
)
def test_decision_move_refusal_names_both_statuses(record_in, staff_user, from_status, to_status):
    record = record_in(from_status)
    with pytest.raises(ValidationError) as caught:
        services.decision_move(record=record, to_status=to_status, by=staff_user)
    assert caught.value.messages == [
        f"A record that is {IN_A_SENTENCE[from_status]} cannot move to {IN_A_SENTENCE[to_status]}"
    ]


# --- Each move writes one status change ----------------------------------------------------


def test_decision_submit_writes_one_status_change(make_record):
    record = make_record(D.AWAITING_APPROVAL)
    assert history(record) == [(D.DRAFT, D.AWAITING_APPROVAL, "staff@example.org", "")]


def test_decision_approve_writes_one_status_change(make_record):
    record = make_record(D.AWAITING_SIGNATURE)
    assert history(record)[1:] == [
        (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, "ceo@example.org", "")
    ]


def test_decision_return_from_approval_writes_the_comments(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    record = services.decision_return(
        record=record, by=ceo_user, comments="  Add the evaluation costs.  "
    )
    assert record.status == D.DRAFT
    assert history(record)[1:] == [
        (D.AWAITING_APPROVAL, D.DRAFT, "ceo@example.org", "Add the evaluation costs.")
    ]


def test_decision_return_from_signature_writes_the_comments(make_record, pcc_user):
    record = make_record(D.AWAITING_SIGNATURE)
    record = services.decision_return(record=record, by=pcc_user, comments="Name the schools.")
    assert record.status == D.DRAFT
    assert history(record)[2:] == [
        (D.AWAITING_SIGNATURE, D.DRAFT, "pcc@example.org", "Name the schools.")
    ]


def test_decision_sign_deferred_writes_one_status_change(record_in):
    record = record_in(D.SIGNED)
    assert history(record)[2:] == [(D.AWAITING_SIGNATURE, D.SIGNED, "pcc@example.org", "")]


def test_decision_sign_not_deferred_writes_signed_then_published(make_record):
    record = make_record(D.PUBLISHED)
    assert history(record) == [
        (D.DRAFT, D.AWAITING_APPROVAL, "staff@example.org", ""),
        (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, "ceo@example.org", ""),
        (D.AWAITING_SIGNATURE, D.SIGNED, "pcc@example.org", ""),
        (D.SIGNED, D.PUBLISHED, "pcc@example.org", ""),
    ]


def test_decisions_publish_due_writes_the_deferral_in_the_status_change(record_in, future_day):
    record = record_in(D.SIGNED)
    assert services.decisions_publish_due(today=future_day) == [record.reference]
    assert history(record)[3:] == [
        (
            D.SIGNED,
            D.PUBLISHED,
            None,
            f"Publication was deferred until {future_day.day} {future_day:%B %Y}",
        )
    ]


# --- Submit: the reference -----------------------------------------------------------------


def test_decision_submit_allocates_the_reference(make_record, staff_user):
    draft = make_record()
    assert draft.reference == ""
    with frozen(SIGNING_TIME):
        record = services.decision_submit(record=draft, by=staff_user)
    assert record.reference == "DN1-24"
    assert DecisionRecord.objects.get(pk=draft.pk).reference == "DN1-24"
    assert record.status == D.AWAITING_APPROVAL


def test_decision_submit_again_after_return_keeps_the_reference(make_record, staff_user, ceo_user):
    with frozen(SIGNING_TIME):
        record = make_record(D.AWAITING_APPROVAL)
        services.decision_return(record=record, by=ceo_user, comments="Add the costs.")
        record = services.decision_submit(record=record, by=staff_user)
        other = make_record(D.AWAITING_APPROVAL)
    assert (record.reference, other.reference) == ("DN1-24", "DN2-24")
    assert ReferenceCounter.objects.get(period="CY2024").next_number == 3


@pytest.mark.parametrize("status", [D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.PUBLISHED])
def test_decision_submit_refuses_a_record_that_is_not_a_draft(record_in, staff_user, status):
    record = record_in(status)
    with pytest.raises(ValidationError) as caught:
        services.decision_submit(record=record, by=staff_user)
    assert caught.value.messages == ["Only a draft can be submitted for approval"]
    assert DecisionRecord.objects.get(pk=record.pk).status == status


# --- Approve and return --------------------------------------------------------------------


def test_decision_approve_records_the_officer_approval(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with frozen(SIGNING_TIME):
        record = services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name="  Andrew Dale ", role=""
        )
    record = DecisionRecord.objects.get(pk=record.pk)
    assert record.status == D.AWAITING_SIGNATURE
    assert record.advice_confirmed is True
    assert record.officer_approval_name == "Andrew Dale"
    assert record.officer_approval_role == "Chief Executive"
    assert record.officer_approved_on == datetime.date(2024, 3, 28)
    assert record.officer_approved_by == ceo_user


def test_decision_approve_by_a_nominee_keeps_their_role(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    record = services.decision_approve(
        record=record,
        by=ceo_user,
        advice_confirmed=True,
        name="Sam Jones",
        role="Chief Finance Officer",
    )
    assert (record.officer_approval_name, record.officer_approval_role) == (
        "Sam Jones",
        "Chief Finance Officer",
    )


def test_decision_approve_without_the_advice_confirmed_is_refused(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with pytest.raises(ValidationError) as caught:
        services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=False, name="Helen Carter"
        )
    assert caught.value.message_dict == {
        "advice_confirmed": [
            "Confirm that financial, legal and equalities advice was taken into account"
        ]
    }
    record.refresh_from_db()
    assert (record.status, record.advice_confirmed, record.officer_approval_name) == (
        D.AWAITING_APPROVAL,
        False,
        "",
    )


def test_decision_approve_without_a_name_is_refused(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with pytest.raises(ValidationError) as caught:
        services.decision_approve(record=record, by=ceo_user, advice_confirmed=True, name="  ")
    assert caught.value.message_dict == {"name": ["Give the approving officer's name"]}
    assert DecisionRecord.objects.get(pk=record.pk).status == D.AWAITING_APPROVAL


@pytest.mark.parametrize("status", [D.DRAFT, D.AWAITING_SIGNATURE, D.PUBLISHED])
def test_decision_approve_refuses_a_record_not_awaiting_approval(record_in, ceo_user, status):
    record = record_in(status)
    with pytest.raises(ValidationError):
        services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
        )
    assert DecisionRecord.objects.get(pk=record.pk).status == status


def test_decision_return_without_comments_is_refused(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with pytest.raises(ValidationError) as caught:
        services.decision_return(record=record, by=ceo_user, comments=" \n ")
    assert caught.value.message_dict == {"comments": ["Say what needs to change"]}
    assert DecisionRecord.objects.get(pk=record.pk).status == D.AWAITING_APPROVAL


@pytest.mark.parametrize("status", [D.DRAFT, D.SIGNED, D.PUBLISHED])
def test_decision_return_refuses_a_record_not_awaiting_a_move(record_in, ceo_user, status):
    record = record_in(status)
    before = history(record)
    with pytest.raises(ValidationError) as caught:
        services.decision_return(record=record, by=ceo_user, comments="Change it.")
    assert caught.value.messages == ["Only a record awaiting approval or signature can be returned"]
    assert DecisionRecord.objects.get(pk=record.pk).status == status
    assert history(record) == before

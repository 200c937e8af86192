"""The approval services (submitting, approving, returning, signing) check who is acting, as
the record services do (test_service_actors_records.py)."""

import datetime
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core.exceptions import PermissionDenied

from decisions import services
from decisions.enums import DecisionStatus, DocumentStatus, Outcome
from decisions.models import (
    DecisionRecord,
)
from grants.enums import ApplicationStatus, RoundStatus
from tests.factories.partners import PASSWORD

from .helpers import refusal_state

D = DecisionStatus
# 28 March 2024, 15:00 UTC: the first reference of 2024 is DN1-24.
SUBMITTED_AT = datetime.datetime(2024, 3, 28, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def round_record_in(recommended_round, staff_user, ceo_user):
    """round_record_in(status): the decision on the recommended round (YV1-0001 £4,800,
    YV1-0002 £3,000 with conditions, YV1-0003 not funded) taken to draft, awaiting approval
    or awaiting signature."""

    def make(status):
        record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
        if status == D.DRAFT:
            return record
        with patch("django.utils.timezone.now", return_value=SUBMITTED_AT):
            record = services.decision_submit(record=record, by=staff_user)
        if status == D.AWAITING_APPROVAL:
            return record
        record = services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
        )
        assert record.status == status
        return record

    return make


SCHEDULE = [
    ("YV1-0001", True, Decimal("4800.00"), ""),
    ("YV1-0002", True, Decimal("3000.00"), "Safeguarding training first."),
    ("YV1-0003", False, Decimal("0.00"), ""),
]
MODERATED = [
    ("YV1-0001", ApplicationStatus.RECOMMENDED, None),
    ("YV1-0002", ApplicationStatus.RECOMMENDED, None),
    ("YV1-0003", ApplicationStatus.NOT_RECOMMENDED, None),
]
NOT_STAFF = ["provider_user", "panel_member_user", "ceo_user", "pcc_user", "anonymous", "nobody"]


# --- Submitting: the reference and the schedule of awards --------------------------------------


@pytest.mark.parametrize("who", [*NOT_STAFF, "member_user"])
def test_decision_submit_by_anyone_but_staff_refused(
    who, actor, round_record_in, section_b_storage
):
    record = round_record_in(D.DRAFT)
    before = refusal_state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_submit(record=record, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.submit_record)"
    after = refusal_state(section_b_storage, record)
    assert after == before
    # No reference taken, no schedule fixed, the round's moderation not held.
    assert (after["record"]["status"], after["record"]["reference"]) == (D.DRAFT, "")
    assert (after["reference_counters"], after["scheduled_awards"]) == ([], [])
    assert after["rounds"] == [(RoundStatus.ASSESSMENT, "")]
    assert after["applications"] == MODERATED


def test_decision_submit_by_staff(round_record_in, staff_user, section_b_storage):
    record = round_record_in(D.DRAFT)

    with patch("django.utils.timezone.now", return_value=SUBMITTED_AT):
        services.decision_submit(record=record, by=staff_user)

    after = refusal_state(section_b_storage, record)
    assert (after["record"]["status"], after["record"]["reference"]) == (
        D.AWAITING_APPROVAL,
        "DN1-24",
    )
    assert after["status_changes"] == [(D.DRAFT, D.AWAITING_APPROVAL, staff_user.pk, "")]
    assert after["scheduled_awards"] == SCHEDULE
    assert after["rounds"] == [(RoundStatus.ASSESSMENT, "DN1-24")]


# --- Officer approval, and returning a record ------------------------------------------------


@pytest.mark.parametrize(
    "who", ["provider_user", "panel_member_user", "staff_user", "pcc_user", "anonymous", "nobody"]
)
def test_decision_approve_by_anyone_but_the_chief_executive_refused(
    who, actor, round_record_in, section_b_storage
):
    record = round_record_in(D.AWAITING_APPROVAL)
    before = refusal_state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_approve(
            record=record, by=actor(who), advice_confirmed=True, name="Olive Staff"
        )

    assert str(caught.value) == "You may not move a record that is awaiting officer approval"
    after = refusal_state(section_b_storage, record)
    assert after == before
    assert (after["record"]["status"], after["record"]["officer_approved_by_id"]) == (
        D.AWAITING_APPROVAL,
        None,
    )
    assert after["record"]["officer_approval_name"] == ""
    assert after["scheduled_awards"] == SCHEDULE


def test_decision_approve_by_the_chief_executive(round_record_in, ceo_user):
    record = round_record_in(D.AWAITING_APPROVAL)

    services.decision_approve(record=record, by=ceo_user, advice_confirmed=True, name="H Carter")

    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.officer_approved_by, record.officer_approval_name) == (
        D.AWAITING_SIGNATURE,
        ceo_user,
        "H Carter",
    )


RETURN_REFUSED = [
    # Awaiting approval: only the Chief Executive sends it back...
    *[
        (D.AWAITING_APPROVAL, who, "You may not move a record that is awaiting officer approval")
        for who in ("provider_user", "panel_member_user", "staff_user", "pcc_user", "nobody")
    ],
    # ...and awaiting signature, only the PCC: not the officer who approved it.
    *[
        (D.AWAITING_SIGNATURE, who, "You may not move a record that is awaiting PCC signature")
        for who in ("provider_user", "panel_member_user", "staff_user", "ceo_user", "nobody")
    ],
]


@pytest.mark.parametrize(("status", "who", "message"), RETURN_REFUSED)
def test_decision_return_by_the_wrong_person_refused(
    status, who, message, actor, round_record_in, section_b_storage
):
    record = round_record_in(status)
    before = refusal_state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_return(record=record, by=actor(who), comments="Start again.")

    assert str(caught.value) == message
    after = refusal_state(section_b_storage, record)
    assert after == before
    # Still held: the schedule stays, and so does the round's hold on its moderation.
    assert (after["record"]["status"], after["record"]["reference"]) == (status, "DN1-24")
    assert after["scheduled_awards"] == SCHEDULE
    assert after["rounds"] == [(RoundStatus.ASSESSMENT, "DN1-24")]


@pytest.mark.parametrize(
    ("status", "who"), [(D.AWAITING_APPROVAL, "ceo_user"), (D.AWAITING_SIGNATURE, "pcc_user")]
)
def test_decision_return_by_the_officer_or_the_pcc(
    status, who, actor, round_record_in, section_b_storage
):
    record = round_record_in(status)

    services.decision_return(record=record, by=actor(who), comments="Start again.")

    after = refusal_state(section_b_storage, record)
    assert (after["record"]["status"], after["record"]["reference"]) == (D.DRAFT, "DN1-24")
    assert after["status_changes"][-1] == (status, D.DRAFT, actor(who).pk, "Start again.")
    assert after["scheduled_awards"] == []
    assert after["rounds"] == [(RoundStatus.ASSESSMENT, "")]


# --- Signing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["provider_user", "panel_member_user", "staff_user", "ceo_user"])
def test_decision_sign_by_anyone_but_the_pcc_with_their_own_password_refused(
    who, actor, round_record_in, section_b_storage
):
    """Each gives their own, correct, password: it proves who they are, not that they may sign.
    The Chief Executive, who approved the record, is the one most likely to try."""
    record = round_record_in(D.AWAITING_SIGNATURE)
    person = actor(who)
    assert person.check_password(PASSWORD)
    before = refusal_state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_sign(
            record=record,
            by=person,
            outcome=Outcome.APPROVED,
            declaration="None",
            password=PASSWORD,
        )

    assert str(caught.value) == "You may not move a record that is awaiting PCC signature"
    after = refusal_state(section_b_storage, record)
    assert after == before
    assert (after["record"]["status"], after["record"]["outcome"]) == (D.AWAITING_SIGNATURE, "")
    assert (after["record"]["signed_by_id"], after["record"]["signed_at"]) == (None, None)
    assert after["documents"] == []
    # Nothing awarded, nothing declined, the round not decided.
    assert after["applications"] == MODERATED
    assert after["rounds"] == [(RoundStatus.ASSESSMENT, "DN1-24")]


def test_decision_sign_by_the_pcc(round_record_in, pcc_user, section_b_storage):
    record = round_record_in(D.AWAITING_SIGNATURE)

    services.decision_sign(
        record=record, by=pcc_user, outcome=Outcome.APPROVED, declaration="None", password=PASSWORD
    )

    after = refusal_state(section_b_storage, record)
    assert (after["record"]["status"], after["record"]["signed_by_id"]) == (
        D.PUBLISHED,
        pcc_user.pk,
    )
    assert after["applications"] == [
        ("YV1-0001", ApplicationStatus.AWARDED, Decimal("4800.00")),
        ("YV1-0002", ApplicationStatus.AWARDED, Decimal("3000.00")),
        ("YV1-0003", ApplicationStatus.DECLINED, None),
    ]
    assert after["rounds"] == [(RoundStatus.DECIDED, "")]
    assert after["documents"] == [(1, DocumentStatus.QUEUED, 0, "", "")]

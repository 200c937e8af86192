"""Every decision service checks who is acting, whatever called it (a view, a shell, a task).

Each service is called by the wrong people, who are refused with PermissionDenied and change
nothing (the record's row, its history, its reference, its schedule of awards, its PDFs, its
files, the round and its applications), and then by the right person, who succeeds. The checks
are the `rules` permissions the views ask (decisions/rules.py).
"""

import datetime
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from decisions import services
from decisions.enums import DecisionStatus, DocumentStatus, Outcome
from decisions.models import (
    DecisionDocument,
    DecisionRecord,
    DecisionStatusChange,
    ReferenceCounter,
    ScheduledAward,
)
from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, ApplicationStatusChange, FundingRound
from tests.factories.partners import PASSWORD

from .conftest import RECORD

D = DecisionStatus
# 28 March 2024, 15:00 UTC: the first reference of 2024 is DN1-24.
SUBMITTED_AT = datetime.datetime(2024, 3, 28, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def redacted_storage(section_b_storage, monkeypatch):
    """The redacted copy of Section B beside the full report, in this test's own folder."""
    monkeypatch.setattr(
        DecisionRecord._meta.get_field("section_b_redacted"), "storage", section_b_storage
    )
    return section_b_storage


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


def stored_files(storage) -> list[str]:
    root = Path(storage.location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _state(storage, record=None) -> dict:
    """Everything a refused call must leave as it was: the record's row (every column,
    its files and its updated time included), its history, its schedule of awards and its
    PDFs; every record, reference counter, round and application; the stored files."""
    state = {
        "records": list(DecisionRecord.objects.order_by("pk").values_list("pk", flat=True)),
        "reference_counters": list(ReferenceCounter.objects.values_list("period", "next_number")),
        "rounds": list(FundingRound.objects.order_by("pk").values_list("status", "decision_hold")),
        "applications": list(
            Application.objects.order_by("reference").values_list(
                "reference", "status", "awarded_amount"
            )
        ),
        "application_changes": ApplicationStatusChange.objects.count(),
        "files": stored_files(storage),
    }
    if record is not None:
        state |= {
            "record": DecisionRecord.objects.filter(pk=record.pk).values().get(),
            "status_changes": list(
                DecisionStatusChange.objects.filter(record=record)
                .order_by("pk")
                .values_list("from_status", "to_status", "changed_by", "reason")
            ),
            "scheduled_awards": list(
                ScheduledAward.objects.filter(record=record)
                .order_by("position")
                .values_list("reference", "recommended", "amount", "conditions")
            ),
            "applications_decided": list(record.applications.order_by("pk").values_list("pk")),
            "documents": list(
                DecisionDocument.objects.filter(record=record)
                .order_by("version")
                .values_list("version", "status", "attempts", "last_error", "file")
            ),
        }
    return state


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


# --- Drafting: create, update, attach Section B, draft from a round ---------------------------


@pytest.mark.parametrize("who", NOT_STAFF)
def test_decision_create_by_anyone_but_staff_refused(who, actor, section_b_storage):
    with pytest.raises(PermissionDenied) as caught:
        services.decision_create(
            by=actor(who),
            **RECORD,
            section_b=ContentFile(b"Advice to the PCC.", name="b.txt"),
            section_b_redacted=ContentFile(b"Advice, redacted.", name="b.txt"),
        )

    assert str(caught.value) == "You may not do this (decisions.create_record)"
    assert DecisionRecord.objects.count() == 0
    assert stored_files(section_b_storage) == []


def test_decision_create_by_staff(staff_user):
    record = services.decision_create(
        by=staff_user,
        **RECORD,
        section_b=ContentFile(b"Advice to the PCC.", name="b.txt"),
        section_b_redacted=ContentFile(b"Advice, redacted.", name="b.txt"),
    )

    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.reference, record.created_by) == (D.DRAFT, "", staff_user)
    assert record.section_b.name.endswith("-section-b.txt")
    assert record.section_b_redacted.name.endswith("-section-b-redacted.txt")
    assert record.section_b_redacted.read() == b"Advice, redacted."


@pytest.mark.parametrize("who", [*NOT_STAFF, "member_user"])
def test_decision_create_from_round_by_anyone_but_staff_refused(
    who, actor, recommended_round, section_b_storage
):
    before = _state(section_b_storage)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_create_from_round(funding_round=recommended_round, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.create_record)"
    assert _state(section_b_storage) == before
    assert before["records"] == []


@pytest.fixture
def draft(make_record, staff_user):
    """A draft with a Section B report and a redacted copy."""
    record = make_record(section_b=b"Advice to the PCC.")
    return services.decision_update(
        record=record,
        by=staff_user,
        fields={},
        section_b_redacted=ContentFile(b"Advice, redacted.", name="b.txt"),
    )


@pytest.mark.parametrize("who", NOT_STAFF)
def test_decision_update_and_attach_section_b_by_anyone_but_staff_refused(
    who, actor, draft, section_b_storage
):
    before = _state(section_b_storage, draft)

    with pytest.raises(PermissionDenied) as update:
        services.decision_update(
            record=draft,
            by=actor(who),
            fields={"title": "Taken over", "publish_section_b": True},
            section_b=ContentFile(b"Another report.", name="b.pdf"),
            section_b_redacted=ContentFile(b"Another copy.", name="b.pdf"),
        )
    with pytest.raises(PermissionDenied) as attach:
        services.decision_attach_section_b(
            record=draft, by=actor(who), uploaded_file=ContentFile(b"Another.", name="b.pdf")
        )

    assert str(update.value) == str(attach.value) == "You may not do this (decisions.edit_record)"
    after = _state(section_b_storage, draft)
    assert after == before
    assert (after["record"]["title"], after["record"]["publish_section_b"]) == (
        RECORD["title"],
        False,
    )
    assert len(after["files"]) == 2
    assert DecisionRecord.objects.get(pk=draft.pk).section_b.read() == b"Advice to the PCC."


def test_decision_update_and_attach_section_b_by_staff(draft, staff_user):
    services.decision_update(
        record=draft,
        by=staff_user,
        fields={"title": "Knife crime campaign"},
        section_b_redacted=ContentFile(b"Another copy.", name="b.pdf"),
    )
    services.decision_attach_section_b(
        record=draft, by=staff_user, uploaded_file=ContentFile(b"Another report.", name="b.pdf")
    )

    record = DecisionRecord.objects.get(pk=draft.pk)
    assert record.title == "Knife crime campaign"
    assert (record.section_b.read(), record.section_b_redacted.read()) == (
        b"Another report.",
        b"Another copy.",
    )


# --- Submitting: the reference and the schedule of awards --------------------------------------


@pytest.mark.parametrize("who", [*NOT_STAFF, "member_user"])
def test_decision_submit_by_anyone_but_staff_refused(
    who, actor, round_record_in, section_b_storage
):
    record = round_record_in(D.DRAFT)
    before = _state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_submit(record=record, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.submit_record)"
    after = _state(section_b_storage, record)
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

    after = _state(section_b_storage, record)
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
    before = _state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_approve(
            record=record, by=actor(who), advice_confirmed=True, name="Olive Staff"
        )

    assert str(caught.value) == "You may not move a record that is awaiting officer approval"
    after = _state(section_b_storage, record)
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
    before = _state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_return(record=record, by=actor(who), comments="Start again.")

    assert str(caught.value) == message
    after = _state(section_b_storage, record)
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

    after = _state(section_b_storage, record)
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
    before = _state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_sign(
            record=record,
            by=person,
            outcome=Outcome.APPROVED,
            declaration="None",
            password=PASSWORD,
        )

    assert str(caught.value) == "You may not move a record that is awaiting PCC signature"
    after = _state(section_b_storage, record)
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

    after = _state(section_b_storage, record)
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


# --- Corrections and the signed PDF ------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_STAFF)
def test_decision_correct_by_anyone_but_staff_refused(who, actor, record_in, section_b_storage):
    record = record_in(D.PUBLISHED)
    before = _state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_correct(record=record, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.correct_record)"
    assert _state(section_b_storage, record) == before
    assert before["records"] == [record.pk]


def test_decision_correct_by_staff(record_in, staff_user):
    record = record_in(D.PUBLISHED)

    correction = services.decision_correct(record=record, by=staff_user)

    assert (correction.corrects, correction.status, correction.created_by) == (
        record,
        D.DRAFT,
        staff_user,
    )
    assert list(DecisionRecord.objects.order_by("pk")) == [record, correction]


NOT_STAFF_PEOPLE = ["provider_user", "panel_member_user", "ceo_user", "pcc_user", "anonymous"]


@pytest.mark.parametrize("who", NOT_STAFF_PEOPLE)
def test_document_queue_by_a_person_other_than_staff_refused(
    who, actor, record_in, section_b_storage
):
    record = record_in(D.PUBLISHED)
    before = _state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.document_queue(record=record, by=actor(who), reason="Logo changed")

    assert str(caught.value) == "You may not do this (decisions.regenerate_document)"
    assert _state(section_b_storage, record) == before
    assert before["documents"] == [(1, DocumentStatus.QUEUED, 0, "", "")]


@pytest.mark.parametrize("who", ["staff_user", "nobody"])
def test_document_queue_by_staff_or_the_portal_itself(who, actor, record_in):
    record = record_in(D.PUBLISHED)

    document = services.document_queue(record=record, by=actor(who), reason="Logo changed")

    assert (document.version, document.status, document.requested_by) == (
        2,
        DocumentStatus.QUEUED,
        actor(who),
    )


@pytest.fixture
def failed_document(record_in):
    record = record_in(D.PUBLISHED)
    DecisionDocument.objects.filter(record=record).update(
        status=DocumentStatus.FAILED, attempts=3, last_error="OSError: disk full"
    )
    return DecisionDocument.objects.get(record=record)


@pytest.mark.parametrize("who", NOT_STAFF_PEOPLE)
def test_document_retry_by_a_person_other_than_staff_refused(
    who, actor, failed_document, section_b_storage
):
    before = _state(section_b_storage, failed_document.record)

    with pytest.raises(PermissionDenied) as caught:
        services.document_retry(document=failed_document, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.regenerate_document)"
    assert _state(section_b_storage, failed_document.record) == before
    assert before["documents"] == [(1, DocumentStatus.FAILED, 3, "OSError: disk full", "")]


@pytest.mark.parametrize("who", ["staff_user", "nobody"])
def test_document_retry_by_staff_or_the_portal_itself(who, actor, failed_document):
    services.document_retry(document=failed_document, by=actor(who))

    document = DecisionDocument.objects.get(pk=failed_document.pk)
    assert (document.status, document.last_error, document.attempts) == (
        DocumentStatus.QUEUED,
        "",
        3,
    )

"""The record services (drafting, Section B, a round's record, corrections, the signed PDF)
check who is acting, whatever called it (a view, a shell, a task).

Each service is called by the wrong people, who are refused with PermissionDenied and change
nothing (the record's row, its history, its reference, its schedule of awards, its PDFs, its
files, the round and its applications), and then by the right person, who succeeds. The checks
are the `rules` permissions the views ask (decisions/rules.py).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from decisions import services
from decisions.enums import DecisionStatus, DocumentStatus
from decisions.models import (
    DecisionDocument,
    DecisionRecord,
)

from .conftest import RECORD
from .documents_helpers import stored_files
from .helpers import refusal_state

D = DecisionStatus


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
    before = refusal_state(section_b_storage)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_create_from_round(funding_round=recommended_round, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.create_record)"
    assert refusal_state(section_b_storage) == before
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
    before = refusal_state(section_b_storage, draft)

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
    after = refusal_state(section_b_storage, draft)
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


# --- Corrections and the signed PDF ------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_STAFF)
def test_decision_correct_by_anyone_but_staff_refused(who, actor, record_in, section_b_storage):
    record = record_in(D.PUBLISHED)
    before = refusal_state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.decision_correct(record=record, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.correct_record)"
    assert refusal_state(section_b_storage, record) == before
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
    before = refusal_state(section_b_storage, record)

    with pytest.raises(PermissionDenied) as caught:
        services.document_queue(record=record, by=actor(who), reason="Logo changed")

    assert str(caught.value) == "You may not do this (decisions.regenerate_document)"
    assert refusal_state(section_b_storage, record) == before
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
    before = refusal_state(section_b_storage, failed_document.record)

    with pytest.raises(PermissionDenied) as caught:
        services.document_retry(document=failed_document, by=actor(who))

    assert str(caught.value) == "You may not do this (decisions.regenerate_document)"
    assert refusal_state(section_b_storage, failed_document.record) == before
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

"""decisions.services.approval: signing a record, and publishing it when its deferral ends."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord, DecisionStatusChange
from tests.factories.partners import PASSWORD

from .conftest import DEFERRAL
from .helpers import frozen, history

D = DecisionStatus
UTC = datetime.UTC
# 28 March 2024, 15:00 in London (GMT, so 15:00 UTC): the day DN50-24 was signed.
SIGNING_TIME = datetime.datetime(2024, 3, 28, 15, 0, tzinfo=UTC)


# --- Sign ----------------------------------------------------------------------------------


def test_decision_sign_wrong_password_leaves_the_record_awaiting(make_record, sign):
    record = make_record(D.AWAITING_SIGNATURE)
    with pytest.raises(ValidationError) as caught:
        sign(record, password="not-the-password")
    assert caught.value.message_dict == {"password": ["The password is not right"]}
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.outcome, record.signed_by, record.signed_at) == (
        D.AWAITING_SIGNATURE,
        "",
        None,
        None,
    )
    assert len(history(record)) == 2


def test_decision_sign_another_persons_password_is_refused(make_record, sign, ceo_user):
    record = make_record(D.AWAITING_SIGNATURE)
    ceo_user.set_password("the-ceo-password")
    ceo_user.save()
    with pytest.raises(ValidationError) as caught:
        sign(record, password="the-ceo-password")
    assert caught.value.message_dict == {"password": ["The password is not right"]}


def test_decision_sign_unknown_outcome_is_refused(make_record, sign):
    record = make_record(D.AWAITING_SIGNATURE)
    with pytest.raises(ValidationError) as caught:
        sign(record, outcome="maybe")
    assert caught.value.message_dict == {"outcome": ["Choose approved or not approved"]}
    assert DecisionRecord.objects.get(pk=record.pk).status == D.AWAITING_SIGNATURE


def test_decision_sign_records_the_decision_and_publishes_at_once(make_record, pcc_user):
    record = make_record(D.AWAITING_SIGNATURE)
    with frozen(SIGNING_TIME):
        record = services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=Outcome.NOT_APPROVED,
            declaration="  I am a trustee of a charity in the area.  ",
            password=PASSWORD,
        )
    record = DecisionRecord.objects.get(pk=record.pk)
    assert record.status == D.PUBLISHED
    assert record.outcome == Outcome.NOT_APPROVED
    assert record.declaration == "I am a trustee of a charity in the area."
    assert record.signed_by == pcc_user
    assert record.signed_name == "Morgan Reid"
    assert record.signed_at == SIGNING_TIME
    assert record.signed_on == datetime.date(2024, 3, 28)
    assert record.published_at == SIGNING_TIME
    assert record.search_vector is not None


def test_decision_sign_blank_declaration_reads_none(make_record):
    record = make_record(D.PUBLISHED, declaration=" \n ")
    assert DecisionRecord.objects.get(pk=record.pk).declaration == "None"


def test_decision_sign_deferred_stays_signed_until_its_date(make_record, sign):
    record = make_record(
        D.AWAITING_SIGNATURE, **DEFERRAL, deferred_until=datetime.date(2024, 4, 30)
    )
    with frozen(SIGNING_TIME):
        record = sign(record)
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.published_at, record.signed_at) == (
        D.SIGNED,
        None,
        SIGNING_TIME,
    )


def test_decision_sign_deferred_to_the_signing_day_publishes_at_once(make_record, sign):
    record = make_record(
        D.AWAITING_SIGNATURE, **DEFERRAL, deferred_until=datetime.date(2024, 3, 28)
    )
    with frozen(SIGNING_TIME):
        record = sign(record)
    assert (record.status, record.published_at) == (D.PUBLISHED, SIGNING_TIME)


@pytest.mark.parametrize("status", [D.DRAFT, D.AWAITING_APPROVAL, D.SIGNED, D.PUBLISHED])
def test_decision_sign_refuses_a_record_not_awaiting_signature(record_in, sign, status):
    record = record_in(status)
    before = history(record)
    with pytest.raises(ValidationError):
        sign(record, outcome=Outcome.NOT_APPROVED)
    after = DecisionRecord.objects.get(pk=record.pk)
    assert (after.status, after.outcome) == (status, record.outcome)
    assert history(record) == before


# --- Scheduled publication -----------------------------------------------------------------


def make_deferred(make_record, until):
    return make_record(D.SIGNED, **DEFERRAL, deferred_until=until)


def test_decisions_publish_due_waits_for_the_date(make_record, future_day):
    record = make_deferred(make_record, future_day)
    assert services.decisions_publish_due(today=future_day - datetime.timedelta(days=1)) == []
    assert DecisionRecord.objects.get(pk=record.pk).status == D.SIGNED


def test_decisions_publish_due_publishes_on_the_date(make_record, future_day):
    record = make_deferred(make_record, future_day)
    moment = datetime.datetime.combine(future_day, datetime.time(9), tzinfo=UTC)
    with frozen(moment):
        assert services.decisions_publish_due(today=future_day) == [record.reference]
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.published_at) == (D.PUBLISHED, moment)
    assert record.search_vector is not None


def test_decisions_publish_due_twice_publishes_once(make_record, future_day):
    record = make_deferred(make_record, future_day)
    assert services.decisions_publish_due(today=future_day) == [record.reference]
    published_at = DecisionRecord.objects.get(pk=record.pk).published_at
    assert services.decisions_publish_due(today=future_day) == []
    assert DecisionRecord.objects.get(pk=record.pk).published_at == published_at
    assert DecisionStatusChange.objects.filter(record=record, to_status=D.PUBLISHED).count() == 1


def test_decisions_publish_due_catches_up_after_downtime(make_record, future_day):
    days = [future_day + datetime.timedelta(days=n) for n in (0, 3, 7, 30)]
    records = [make_deferred(make_record, day) for day in days]
    # The task did not run for ten days: the three that fell due meanwhile go out together.
    today = future_day + datetime.timedelta(days=10)
    assert services.decisions_publish_due(today=today) == [r.reference for r in records[:3]]
    assert list(
        DecisionRecord.objects.filter(pk__in=[r.pk for r in records])
        .order_by("pk")
        .values_list("status", flat=True)
    ) == [D.PUBLISHED, D.PUBLISHED, D.PUBLISHED, D.SIGNED]


def test_decisions_publish_due_leaves_other_statuses_alone(record_in, future_day):
    # Deferred to a date that has come, but not signed: the date alone publishes nothing.
    deferred = {**DEFERRAL, "deferred_until": future_day}
    records = [
        record_in(s, **deferred) for s in (D.DRAFT, D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE)
    ]
    assert services.decisions_publish_due(today=future_day + datetime.timedelta(days=365)) == []
    assert [DecisionRecord.objects.get(pk=r.pk).status for r in records] == [
        D.DRAFT,
        D.AWAITING_APPROVAL,
        D.AWAITING_SIGNATURE,
    ]


def test_decisions_publish_due_defaults_to_today(make_record, future_day):
    record = make_deferred(make_record, future_day)
    assert services.decisions_publish_due() == []
    with frozen(datetime.datetime.combine(future_day, datetime.time(0, 30), tzinfo=UTC)):
        assert services.decisions_publish_due() == [record.reference]
    assert timezone.localdate() < future_day

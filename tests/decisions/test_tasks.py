"""The hourly task that publishes deferred records, with a frozen clock."""

import datetime
from unittest.mock import patch

from django.conf import settings

from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord
from decisions.tasks import publish_due

from .conftest import DEFERRAL


def test_publish_due_is_scheduled_hourly():
    assert settings.CELERY_BEAT_SCHEDULE["decisions-publish-due"] == {
        "task": "decisions.publish_due",
        "schedule": 3600.0,
    }
    assert publish_due.name == "decisions.publish_due"


def test_publish_due_publishes_when_the_clock_reaches_the_date(make_record, future_day):
    record = make_record(DecisionStatus.SIGNED, **DEFERRAL, deferred_until=future_day)
    # 22:30 UTC the evening before is 22:30 or 23:30 in London: still the day before.
    evening_before = datetime.datetime.combine(
        future_day - datetime.timedelta(days=1), datetime.time(22, 30), tzinfo=datetime.UTC
    )
    with patch("django.utils.timezone.now", return_value=evening_before):
        assert publish_due.apply().get() == []
    assert DecisionRecord.objects.get(pk=record.pk).status == DecisionStatus.SIGNED

    morning = datetime.datetime.combine(future_day, datetime.time(6), tzinfo=datetime.UTC)
    with patch("django.utils.timezone.now", return_value=morning):
        assert publish_due.apply().get() == [record.reference]
        assert publish_due.apply().get() == []
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.published_at) == (DecisionStatus.PUBLISHED, morning)

"""A decision draft and a funding round holding each kind of date an edit form shows, and the
dates a round must keep when its form is saved unchanged: shared by the round-trip tests over
HTTP and in a browser."""

import datetime

from django.utils import timezone

from decisions import services as decisions
from decisions.models import DecisionRecord
from grants.enums import RoundStages, RoundStatus
from grants.models import FundingRound
from tests.factories import FundingRoundFactory, StrategicPriorityFactory

RECEIVED_ON = datetime.date(2026, 12, 2)


def at_minute(*args) -> datetime.datetime:
    """A moment on the minute, UK time: what a datetime-local input can show."""
    return timezone.make_aware(datetime.datetime(*args))


def deferred_draft(*, by) -> DecisionRecord:
    """A draft received on RECEIVED_ON whose publication is deferred for 30 days."""
    return decisions.decision_create(
        by=by,
        title="Knife crime awareness campaign in schools",
        received_on=RECEIVED_ON,
        section_a="A request to fund a knife crime awareness campaign in secondary schools.",
        decision_text="To approve the campaign.",
        publication_deferred=True,
        deferral_reasons="Staff affected must be consulted first.",
        deferred_until=timezone.localdate() + datetime.timedelta(days=30),
    )


def round_dates(*, two_stage: bool) -> dict:
    """A round's dates; the full stage's closing only in a round of two stages. 2 July is in
    summer time: 17:00 in London is 16:00 UTC."""
    return {
        "opens_at": at_minute(2026, 1, 5, 9, 0),
        "closes_at": at_minute(2026, 7, 2, 17, 0),
        "full_stage_closes_at": at_minute(2026, 8, 3, 12, 30) if two_stage else None,
        "delivery_starts_on": datetime.date(2026, 12, 2),
        "delivery_ends_on": datetime.date(2027, 3, 31),
    }


def dated_round(*, two_stage: bool, **kwargs) -> FundingRound:
    """A draft round with round_dates(two_stage=…)."""
    return FundingRoundFactory(
        status=RoundStatus.DRAFT,
        stages=RoundStages.TWO_STAGE if two_stage else RoundStages.SINGLE,
        priorities=[StrategicPriorityFactory()],
        **round_dates(two_stage=two_stage),
        **kwargs,
    )


def saved_dates(funding_round) -> dict:
    """The round's dates as the database holds them now."""
    saved = FundingRound.objects.get(pk=funding_round.pk)
    return {name: getattr(saved, name) for name in round_dates(two_stage=True)}

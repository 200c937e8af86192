"""References of decision records, allocated once under a row lock."""

import datetime

from ..models import (
    ReferenceCounter,
)
from ..references import format_reference, period_for


def allocate_reference(*, on: datetime.date) -> str:
    """The next reference of the period `on` falls in: unique, never reused, without gaps.

    The period's counter row is locked until the caller's transaction ends, so two
    records submitted at once get consecutive numbers.
    """
    period, end_year = period_for(on)
    ReferenceCounter.objects.get_or_create(period=period)
    counter = ReferenceCounter.objects.select_for_update().get(period=period)
    number = counter.next_number
    counter.next_number = number + 1
    counter.save(update_fields=["next_number"])
    return format_reference(seq=number, end_year=end_year)

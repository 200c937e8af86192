"""Decision references such as DN50-24: the period a date falls in, and the next number in it."""

import datetime

from django.conf import settings

from .enums import ReferenceYear


def period_for(day: datetime.date) -> tuple[str, int]:
    """The counter's key and the year the period ends in, by the configured scheme.

    A calendar year is its own; a financial year runs 1 April to 31 March and is
    named by the year it ends in (1 April 2023 to 31 March 2024 → 2024).
    """
    if settings.DECISION_REFERENCE_YEAR == ReferenceYear.FINANCIAL:
        end_year = day.year + 1 if day.month >= 4 else day.year
        return f"FY{end_year - 1}-{end_year % 100:02d}", end_year
    return f"CY{day.year}", day.year


def format_reference(*, seq: int, end_year: int) -> str:
    return settings.DECISION_REFERENCE_FORMAT.format(
        seq=seq, yy=f"{end_year % 100:02d}", yyyy=str(end_year)
    )

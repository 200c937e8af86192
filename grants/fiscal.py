"""Financial years as the OPCC and the Home Office count them: 1 April to 31 March, written
"2024-25". There is no carry-over: money a year allocates and does not spend by 31 March
is lost."""

import datetime
import re

from django.core.exceptions import ValidationError

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def year_of(day: datetime.date) -> str:
    """The financial year a day falls in: 31 March 2025 is in 2024-25, 1 April in 2025-26."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def quarter_of(day: datetime.date) -> str:
    """The financial quarter a day falls in: "2024-25 Q1" is April to June 2024."""
    return f"{year_of(day)} Q{(day.month - 4) % 12 // 3 + 1}"


def first_year(label: str) -> int:
    """The calendar year a financial year starts in ("2024-25" → 2024)."""
    validate_year(label)
    return int(label[:4])


def validate_year(label: str) -> None:
    match = YEAR_PATTERN.match(label or "")
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValidationError(f"“{label}” is not a financial year: write it as 2024-25")


def years_between(first: datetime.date, last: datetime.date) -> list[str]:
    """The financial years a period touches, in order."""
    start, end = first_year(year_of(first)), first_year(year_of(last))
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(start, end + 1)]


def starts_on(label: str) -> datetime.date:
    return datetime.date(first_year(label), 4, 1)


def ends_on(label: str) -> datetime.date:
    return datetime.date(first_year(label) + 1, 3, 31)


def third_quarter_starts_on(label: str) -> datetime.date:
    """1 October: from here the OPCC is warned of money forecast unspent by 31 March."""
    return datetime.date(first_year(label), 10, 1)


def periods_between(
    first: datetime.date, last: datetime.date, *, months: int
) -> list[tuple[datetime.date, datetime.date]]:
    """The financial year's quarters (`months`=3: April to June, July to September…) or
    halves (6) that a period touches, each cut to the period."""
    periods = []
    start = starts_on(year_of(first))
    while start <= last:
        month = start.month - 1 + months
        following = datetime.date(start.year + month // 12, month % 12 + 1, 1)
        end = following - datetime.timedelta(days=1)
        if end >= first:
            periods.append((max(start, first), min(end, last)))
        start = following
    return periods

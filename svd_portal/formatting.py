from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import dateformat


def money(value) -> str:
    """£5,000 for whole pounds, £4,500.50 otherwise; a dash for nothing."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"£{value:,.0f}"
    return f"£{value:,.2f}"


def count(value) -> str:
    """A whole number with thousands separated: 12,400."""
    return f"{value:,}"


def plural(number: int, noun: str) -> str:
    """1 year, 2 years, 1,204 records: a count with its noun."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def file_size(size: int) -> str:
    """10 MB, 1.5 MB, 512 KB: the way people write a limit."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = Decimal(size) / scale
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{size} bytes"


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Awaiting PCC signature" → "awaiting PCC signature"."""
    return label[:1].lower() + label[1:]


def duration(value: timedelta) -> str:
    """15 minutes, 1 hour, 2 hours 30 minutes: a wait as people say it."""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(plural(hours, "hour"))
    if minutes:
        parts.append(plural(minutes, "minute"))
    return " ".join(parts)


def date_time(value: datetime, format_string: str) -> str:
    """Django's date format, with "a" written the way people write it: 5:00pm, not 5:00p.m."""
    if value in (None, ""):
        return ""
    meridiem = "\\p\\m" if value.hour >= 12 else "\\a\\m"
    parts, escaped = [], False
    for char in format_string:
        if escaped:
            parts.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            parts.append(meridiem if char == "a" else char)
    return dateformat.format(value, "".join(parts))

"""Decision references: the period a date falls in, the format, and the counter."""

import datetime

import pytest
from django.test import override_settings

from decisions.models import ReferenceCounter
from decisions.references import format_reference, period_for
from decisions.services import allocate_reference

financial_years = override_settings(DECISION_REFERENCE_YEAR="financial")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2024, 1, 1), ("CY2024", 2024)),
        (datetime.date(2024, 3, 31), ("CY2024", 2024)),
        (datetime.date(2024, 4, 1), ("CY2024", 2024)),
        (datetime.date(2024, 12, 31), ("CY2024", 2024)),
        (datetime.date(2025, 1, 1), ("CY2025", 2025)),
    ],
)
def test_period_for_calendar_year_is_the_year(day, expected):
    assert period_for(day) == expected


@financial_years
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2023, 4, 1), ("FY2023-24", 2024)),
        (datetime.date(2024, 1, 15), ("FY2023-24", 2024)),
        (datetime.date(2024, 3, 31), ("FY2023-24", 2024)),
        (datetime.date(2024, 4, 1), ("FY2024-25", 2025)),
        (datetime.date(2024, 12, 31), ("FY2024-25", 2025)),
        (datetime.date(1999, 4, 1), ("FY1999-00", 2000)),
    ],
)
def test_period_for_financial_year_runs_from_1_april_named_by_its_end(day, expected):
    assert period_for(day) == expected


@pytest.mark.parametrize(
    ("seq", "end_year", "expected"),
    [(50, 2024, "DN50-24"), (1, 2025, "DN1-25"), (7, 2005, "DN7-05"), (1234, 2100, "DN1234-00")],
)
def test_format_reference_default_format(seq, end_year, expected):
    assert format_reference(seq=seq, end_year=end_year) == expected


@override_settings(DECISION_REFERENCE_FORMAT="PCC/{yyyy}/{seq:03d}")
def test_format_reference_custom_format_with_four_digit_year():
    assert format_reference(seq=7, end_year=2024) == "PCC/2024/007"


def test_allocate_reference_consecutive_numbers_in_a_year(db):
    on = datetime.date(2024, 3, 28)
    assert [allocate_reference(on=on) for _ in range(3)] == ["DN1-24", "DN2-24", "DN3-24"]
    assert ReferenceCounter.objects.get(period="CY2024").next_number == 4


def test_allocate_reference_restarts_in_a_new_calendar_year(db):
    assert allocate_reference(on=datetime.date(2024, 12, 31)) == "DN1-24"
    assert allocate_reference(on=datetime.date(2024, 12, 31)) == "DN2-24"
    assert allocate_reference(on=datetime.date(2025, 1, 1)) == "DN1-25"
    # The old year's counter is kept, not reused by the new one.
    assert allocate_reference(on=datetime.date(2024, 6, 1)) == "DN3-24"
    assert sorted(ReferenceCounter.objects.values_list("period", "next_number")) == [
        ("CY2024", 4),
        ("CY2025", 2),
    ]


@financial_years
def test_allocate_reference_restarts_on_1_april_in_financial_years(db):
    assert allocate_reference(on=datetime.date(2024, 3, 30)) == "DN1-24"
    assert allocate_reference(on=datetime.date(2024, 3, 31)) == "DN2-24"
    assert allocate_reference(on=datetime.date(2024, 4, 1)) == "DN1-25"
    assert allocate_reference(on=datetime.date(2025, 3, 31)) == "DN2-25"
    assert sorted(ReferenceCounter.objects.values_list("period", "next_number")) == [
        ("FY2023-24", 3),
        ("FY2024-25", 3),
    ]


def test_allocate_reference_continues_from_the_counter(db):
    ReferenceCounter.objects.create(period="CY2024", next_number=50)
    assert allocate_reference(on=datetime.date(2024, 3, 28)) == "DN50-24"
    assert ReferenceCounter.objects.get(period="CY2024").next_number == 51


@override_settings(DECISION_REFERENCE_FORMAT="OPCC-{yyyy}-{seq}")
def test_allocate_reference_uses_the_configured_format(db):
    assert allocate_reference(on=datetime.date(2024, 3, 28)) == "OPCC-2024-1"
    assert allocate_reference(on=datetime.date(2024, 3, 28)) == "OPCC-2024-2"

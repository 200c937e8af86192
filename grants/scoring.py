"""The panel's arithmetic, in Decimal, with one stated rounding rule.

A scorecard's weighted total is Σ(weight × score) / Σ(weight × scale maximum),
as a percentage. It is computed exactly, then rounded once to two decimal
places, halves away from zero (ROUND_HALF_UP): 66.665 → 66.67. The mean of the
members' totals is rounded the same way; the spread is the highest total less
the lowest, in percentage points. A criterion of weight zero counts for nothing
in either sum.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


def round_percent(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_total(marks: Iterable[tuple[Decimal, int, int]]) -> Decimal:
    """The weighted percentage of (weight, score, scale maximum) triples."""
    numerator = Decimal("0")
    denominator = Decimal("0")
    for weight, score, scale_max in marks:
        weight = Decimal(weight)
        numerator += weight * score
        denominator += weight * scale_max
    if denominator == 0:
        raise ValueError("Every criterion has weight zero: there is nothing to total")
    return round_percent(numerator * HUNDRED / denominator)


def mean(totals: list[Decimal]) -> Decimal | None:
    if not totals:
        return None
    return round_percent(sum(totals, Decimal("0")) / len(totals))


def spread(totals: list[Decimal]) -> Decimal | None:
    if not totals:
        return None
    return max(totals) - min(totals)

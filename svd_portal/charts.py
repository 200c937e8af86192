"""Bar charts drawn on the server as SVG rectangles, so that a page needs no script (the
CSP allows none inline) and prints as it shows. A chart is a list of bars; each bar has
its label, its figures written out (what a screen reader reads: the SVG itself is hidden
from it) and its coloured segments, placed in hundredths of the chart's width."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = int | Decimal


@dataclass(frozen=True)
class Part:
    """A kind of segment: its name in the legend and the CSS class that colours it."""

    name: str
    css: str


@dataclass(frozen=True)
class Segment:
    part: Part
    x: str
    width: str


@dataclass(frozen=True)
class Bar:
    label: str
    figures: str
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    title: str
    parts: list[Part]
    bars: list[Bar]


def _hundredths(value: Number, scale: Number) -> Decimal:
    if not scale or value <= 0:
        return Decimal(0)
    return min(Decimal(value) * 100 / Decimal(scale), Decimal(100))


def segments(values: Sequence[tuple[Part, Number]], scale: Number) -> list[Segment]:
    """Segments laid end to end, each as wide as its value is of `scale`; nothing drawn
    for a value of nothing, and nothing past the chart's edge."""
    drawn, start = [], Decimal(0)
    for part, value in values:
        width = min(_hundredths(value, scale), 100 - start)
        if width > 0:
            drawn.append(Segment(part, f"{start:.2f}", f"{width:.2f}"))
            start += width
    return drawn


def stacked(
    title: str,
    rows: Iterable,
    *,
    parts: Sequence[tuple[Part, Callable]],
    label: Callable,
    figures: Callable,
    own_scale: bool = False,
) -> Chart:
    """A bar per row, its parts stacked from the left. All bars are drawn to one scale,
    the largest row's parts added up; with `own_scale` each bar fills the chart's width
    (a bar of progress towards a target)."""
    rows = list(rows)
    values = [[(part, value(row)) for part, value in parts] for row in rows]
    totals = [sum(max(v, 0) for _, v in row) for row in values]
    largest = max(totals, default=0)
    bars = [
        Bar(label(row), figures(row), segments(row_values, total if own_scale else largest))
        for row, row_values, total in zip(rows, values, totals, strict=True)
    ]
    return Chart(title, [part for part, _ in parts], bars)

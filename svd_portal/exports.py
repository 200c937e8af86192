"""Spreadsheet downloads: CSV (streamed) and XLSX, with cells that cannot run as formulas.
Staff and panel exports are sent as confidential; open data (the grants register) is not.

An export names its columns: either a list of `Column(heading, value)` applied to each
item, or a NamedTuple row type whose fields are the columns, each annotated with its
heading (`total: Annotated[Decimal | str, "Total (%)"] = ""`).
"""

import csv
import io
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse

from .downloads import confidential

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an export: its heading, and how to read its cell from an item."""

    heading: str
    value: Callable[[typing.Any], object]


def headings(columns: Sequence[Column]) -> list[str]:
    return [column.heading for column in columns]


def cells(columns: Sequence[Column], items: Iterable) -> Iterator[list]:
    """A row of cells per item, one cell per column, in the columns' order."""
    getters = [column.value for column in columns]
    for item in items:
        yield [get(item) for get in getters]


def row_headings(row_type: type[tuple]) -> list[str]:
    """The headings of a NamedTuple row type, from each field's `Annotated[…, heading]`."""
    hints = typing.get_type_hints(row_type, include_extras=True)
    return [hints[name].__metadata__[0] for name in row_type._fields]


def safe_cell(value):
    """Spreadsheets run text that starts with = + - @ as a formula: quote it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def filters_refused(what: str, errors: dict | None = None) -> HttpResponseBadRequest:
    """The 400 an export answers when its list's filters cannot be used (the list page
    says which): the file would otherwise hold the unfiltered list. `errors` (a form's)
    are named too, for a download with no list page beside it."""
    reasons = "; ".join(
        f"{name}: {' '.join(messages)}" for name, messages in (errors or {}).items()
    )
    return HttpResponseBadRequest(
        f"Correct the filters on {what}, then download it again."
        + (f" {reasons}" if reasons else ""),
        content_type="text/plain; charset=utf-8",
    )


def csv_response(
    filename: str, header: list[str], rows: Iterable[list], *, public: bool = False
) -> StreamingHttpResponse:
    """Streams rows as CSV, UTF-8 with a byte-order mark so that Excel reads it right;
    confidential unless it is `public` open data."""

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response if public else confidential(response)


def xlsx_response(
    filename: str, sheet_title: str, header: list[str], rows: Iterable[list]
) -> HttpResponse:
    return xlsx_workbook_response(filename, [(sheet_title, header, rows)])


def xlsx_workbook_response(
    filename: str, sheets: list[tuple[str, list[str], Iterable[list]]]
) -> HttpResponse:
    """An XLSX file with one sheet per (title, header, rows), written in openpyxl's streaming mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return confidential(response)

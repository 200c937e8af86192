"""Spreadsheet downloads: CSV (streamed) and XLSX, with cells that cannot run as formulas.
Every one is a staff or panel export, so each is sent as confidential."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse

from .downloads import confidential

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Spreadsheets run text that starts with = + - @ as a formula: quote it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    """Streams rows as CSV, UTF-8 with a byte-order mark so that Excel reads it right."""

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
    return confidential(response)


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

"""Spreadsheet output people open in meetings: typed columns, Chinese headers, streamed.

- .xlsx: real Excel dates and times (local time, no text), percentages formatted as such, the header
  row frozen and filterable; written row by row (openpyxl write-only mode) to a temporary file, so
  memory stays flat whatever the number of rows.
- .csv: UTF-8 with a BOM (Excel reads the Chinese); 统一社会信用代码 and phone numbers are written as
  ="…" so Excel keeps them as text (never 9.16E+17); times as `YYYY-MM-DD HH:MM` local time.
- Text cells that a spreadsheet would run as a formula are prefixed with ' (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.timeutil import to_local

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What may sit inside an ="…" text cell: identifiers and (masked) phone numbers only.
TEXT_KEPT = re.compile(r"^[0-9A-Za-z*+\-() ]{1,40}$")
FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd", "percent": "0.00%", "int": "0", "number": "0.0",
           "amount": "0.00"}
WIDTHS = {"datetime": 17, "date": 12, "percent": 10, "int": 8, "number": 9, "amount": 14, "code": 21, "text": 14}


@dataclass(frozen=True)
class Column:
    """One export column: its Chinese header and the kind of value it holds.

    kind: text | code (identifier kept as text) | datetime | date | percent | int | number | amount (万元, two
    decimals)."""

    header: str
    kind: str = "text"
    width: int | None = None


def columns(*specs: str | tuple[str, str]) -> list[Column]:
    """Columns from headers, or (header, kind) pairs."""
    return [Column(s) if isinstance(s, str) else Column(*s) for s in specs]


def headers(cols: list[Column]) -> list[str]:
    """The header texts of the columns."""
    return [c.header for c in cols]


def safe_cell(value):
    """Text that a spreadsheet would read as a formula is kept as text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local_naive(value):
    """Excel has no time zones: times are written as local wall-clock time."""
    if isinstance(value, datetime):
        return to_local(value).replace(tzinfo=None) if value.tzinfo is not None else value
    return value


# --------------------------------------------------------------------------------------------- CSV

def _csv_value(column: Column, value):
    if value is None:
        return ""
    if column.kind == "datetime" and isinstance(value, datetime):
        return _local_naive(value).strftime("%Y-%m-%d %H:%M")
    if column.kind == "date" and isinstance(value, date):
        return value.isoformat()
    if column.kind == "percent" and isinstance(value, (int, float)):
        return f"{value * 100:.2f}%"
    if column.kind == "code" and isinstance(value, str) and TEXT_KEPT.match(value):
        return f'="{value}"'
    return safe_cell(value)


def csv_stream(cols: list[Column], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM, one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers(cols))
    for n, row in enumerate(rows, 1):
        writer.writerow([_csv_value(c, v) for c, v in zip(cols, row, strict=True)])
        if n % 200 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# -------------------------------------------------------------------------------------------- XLSX

def _xlsx_cell(sheet, column: Column, value):
    if value is None or value == "":
        return None
    if column.kind in ("datetime", "date", "percent", "int", "number", "amount") and not isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_local_naive(value))
        cell.number_format = FORMATS[column.kind]
        return cell
    return safe_cell(value)


def _write_sheet(book: Workbook, title: str, cols: list[Column], rows: Iterable[list]) -> None:
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(cols, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width or WIDTHS.get(column.kind, 14)
    bold = Font(bold=True)
    head = []
    for column in cols:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, c, v) for c, v in zip(cols, row, strict=True)])
        count += 1
    # Written when the sheet closes, so the range can cover every row streamed above.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{count + 1}"


def write_xlsx(sheets: Iterable[tuple[str, list[Column], Iterable[list]]], handle) -> None:
    """An .xlsx of one or more sheets written row by row (write-only mode) into an open binary file."""
    book = Workbook(write_only=True)
    for title, cols, rows in sheets:
        _write_sheet(book, title, cols, rows)
    book.save(handle)


def write_csv(cols: list[Column], rows: Iterable[list], handle) -> None:
    """The CSV of csv_stream written into an open binary file, batch by batch."""
    for data in csv_stream(cols, rows):
        handle.write(data)


def xlsx_stream(sheets: Iterable[tuple[str, list[Column], Iterable[list]]],
                chunk: int = 64 * 1024) -> Iterator[bytes]:
    """An .xlsx of one or more sheets written row by row to a temporary file, then streamed."""
    with tempfile.TemporaryFile() as handle:
        write_xlsx(sheets, handle)
        handle.seek(0)
        while data := handle.read(chunk):
            yield data


def xlsx_bytes(sheets: Iterable[tuple[str, list[Column], Iterable[list]]]) -> bytes:
    """A whole .xlsx workbook of the given sheets, in memory."""
    return b"".join(xlsx_stream(sheets))


def content_disposition(filename: str, ascii_name: str) -> str:
    """attachment with an ASCII `filename` for old clients beside the RFC 6266 / 5987 `filename*`."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name) or "export"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"

"""Spreadsheet output: Chinese headers, and text cells that can never run as formulas."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from io import BytesIO

from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would read as a formula is kept as text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """[(title, headers, rows)] -> .xlsx bytes."""
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def csv_stream(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel reads the Chinese), one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers)
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in row])
        if n % 200 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_stream(title: str, headers: list[str], rows: Iterable[list], chunk: int = 64 * 1024) -> Iterator[bytes]:
    """An .xlsx written row by row (openpyxl write-only mode) to a temporary file, then streamed:
    memory stays flat whatever the number of rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        handle.seek(0)
        while data := handle.read(chunk):
            yield data

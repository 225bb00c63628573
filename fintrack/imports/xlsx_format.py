"""Excel `.xlsx` exports: the first sheet, read like a CSV through the same column detection.

openpyxl reads in read-only mode (streamed, formulas as their cached values). Cells become
text the CSV reader knows: dates as ISO dates, numbers with a decimal point.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from decimal import Decimal

from fintrack.imports.model import ImportFileError

log = logging.getLogger(__name__)
MAX_COLUMNS = 64
MAX_ROWS = 500_000


def looks_like_xlsx(data: bytes) -> bool:
    """True for a ZIP archive holding an Excel workbook."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # The shortest text that reads back as the same float: 12.99, not 12.9900000001.
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def to_csv_text(data: bytes) -> str:
    """The first sheet as CSV text (comma-separated, quoted where needed)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on damaged archives
        log.info("xlsx read failed: %s", error)
        raise ImportFileError("this Excel file is damaged and cannot be read") from None
    try:
        sheet = workbook.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise ImportFileError(f"the sheet has more than {MAX_ROWS:,} rows")
            cells = [_cell(v) for v in row[:MAX_COLUMNS]]
            while cells and not cells[-1]:
                cells.pop()
            writer.writerow(cells)
    finally:
        workbook.close()
    return out.getvalue()

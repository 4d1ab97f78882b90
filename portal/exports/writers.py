"""CSV the way German Excel opens it, and XLSX, from the same rows.

* CSV: UTF-8 with BOM, ``;`` as separator, decimal comma, CRLF line ends.
* Cells that a spreadsheet would run as a formula (starting with ``= + - @``, TAB,
  CR or LF, also after leading spaces) get a ``'`` prefix.
* XLSX: openpyxl write-only mode; strings are never formulas; control characters
  removed; cells cut at 32,767 characters.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_CELL = 32767


def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would treat as a formula with an apostrophe."""
    stripped = text.lstrip(" ")
    if stripped.startswith(FORMULA_START) or text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return neutralise(str(value))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (bool, int, float, date)):
        return value
    text = _ILLEGAL_XLSX.sub("", str(value))
    if len(text) > XLSX_MAX_CELL:
        text = text[: XLSX_MAX_CELL - 1] + "…"
    return neutralise(text)


@dataclass
class Styled:
    """A cell value with formatting, for sheets laid out like a printed table."""

    value: Any
    bold: bool = False
    italic: bool = False
    fill: str | None = None  # background colour "RRGGBB"
    wrap: bool = False


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str] | None, Iterable[Sequence[Any]]]], *, title: str | None = None,
               widths: dict[str, Sequence[float]] | None = None) -> bytes:
    """One workbook; each sheet is (name, header, rows). Strings never become formulas.

    A sheet with header None has no header line (a laid-out sheet); its cells may be
    :class:`Styled`. ``widths`` gives column widths per sheet name."""
    wb = Workbook(write_only=True)
    if title:
        wb.properties.title = title
    for name, header, rows in sheets:
        ws = wb.create_sheet(title=_sheet_name(name))
        for index, width in enumerate((widths or {}).get(name, ())):
            ws.column_dimensions[chr(ord("A") + index)].width = width
        bold = Font(bold=True)
        if header is not None:
            header_cells = []
            for h in header:
                cell = WriteOnlyCell(ws, value=xlsx_value(h))
                cell.font = bold
                header_cells.append(cell)
            ws.append(header_cells)
        for row in rows:
            cells = []
            for v in row:
                style = v if isinstance(v, Styled) else None
                v = style.value if style else v
                cell = WriteOnlyCell(ws, value=xlsx_value(v))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a string is a string, never a formula
                if isinstance(v, date) and not isinstance(v, datetime):
                    cell.number_format = "DD.MM.YYYY"
                if style:
                    if style.bold or style.italic:
                        cell.font = Font(bold=style.bold, italic=style.italic)
                    if style.fill:
                        cell.fill = PatternFill("solid", fgColor=style.fill)
                    if style.wrap:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                cells.append(cell)
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'") or "Tabelle"
    return cleaned[:31]

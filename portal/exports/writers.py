"""CSV the way German Excel opens it, and XLSX, from the same rows.

* CSV: UTF-8 with BOM, ``;`` as separator, decimal comma, CRLF line ends.
* Cells that a spreadsheet would run as a formula (starting with ``= + - @``, TAB,
  CR or LF, also after leading spaces) get a ``'`` prefix.
* XLSX: XlsxWriter in constant-memory mode (rows streamed to a temporary file; about
  3× faster than openpyxl's write-only mode for the same rows, see ``bench/exports.py``);
  strings are always written as strings, never formulas, and keep the apostrophe; control
  characters removed; cells cut at 32,767 characters. Header sheets get a bold frozen
  header with an auto-filter, every sheet column widths; numbers and dates are typed.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import xlsxwriter
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML
# text that xlsx_value would leave as it is: no control character or line break, no formula
# start (also after spaces), at most 32,767 characters
_PLAIN_TEXT = re.compile(r"(?! *[=+\-@\t\r\n])[^\x00-\x1f\ufffe\uffff]{1,32767}\Z")
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


LEGEND_SHEET = "Erläuterungen"
LEGEND_HEADER = ["Begriff", "Erläuterung"]
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
MIN_WIDTH, MAX_WIDTH = 8, 60
PLAIN_ROW_MISSES = 8  # rows of a sheet that are not plain before it stops trying write_plain_row
PACK_IN_MEMORY_CELLS = 100_000  # up to this many cells the finished workbook is packed in memory


class _Worksheet(Worksheet):
    """A carriage return in a cell is written as the character reference ``&#13;``.

    XlsxWriter writes it as Excel's ``_x000D_`` escape, which Excel reads back as CR but
    other readers (openpyxl, scripts) show literally; ``&#13;`` is read as CR by all
    of them (openpyxl's own writer does the same). Every other character XlsxWriter
    escapes is already removed by :func:`xlsx_value`.
    """

    @staticmethod
    def _escape_control_characters(data: Any) -> Any:
        # xlsx_value left only TAB, LF and CR; what remains is Excel's escape of "_xHHHH_" text
        if isinstance(data, str) and "_x" in data:
            return _LITERAL_ESCAPE.sub(r"_x005F\1", data)
        return data

    def _escape_data(self, data: Any) -> Any:
        data = super()._escape_data(data)
        return data.replace("\r", "&#13;") if isinstance(data, str) and "\r" in data else data

    def write_plain_row(self, row: int, values: Sequence[Any]) -> list[int] | None:
        """Write a row of plain cells as one piece of XML; returns each cell's width, or None
        (nothing written) when a cell is anything else.

        Plain: text without control characters, formula start or "_x" escape and at most 16,383
        characters (so at most 32,767 UTF-16 units), integers, empty cells; no row or column
        formats. That is nearly every row of an export, and XlsxWriter spends about 2.5 µs per
        cell between storing it in its row table and writing it out. The XML is the same, byte
        for byte, as XlsxWriter's own for these cells (a test compares the sheets); the row is
        written where XlsxWriter's constant-memory mode would write it, after the row before.
        """
        if self.row_info or self.col_info or self.comments or row < self.previous_row:
            return None
        if row == self.previous_row and self.table.get(row):
            return None
        number = row + 1
        parts: list[str] = []
        widths: list[int] = []
        first = last = None
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str and value:
                if len(value) > 16383 or "_x" in value or not _PLAIN_TEXT.match(value):
                    return None
                space = ' xml:space="preserve"' if _preserve_whitespace(value) else ""
                parts.append(f'<c r="{_column_name(col)}{number}" t="inlineStr"><is><t{space}>'
                             f'{self._escape_data(value)}</t></is></c>')
                widths.append(len(value))
            elif kind is int:
                parts.append(f'<c r="{_column_name(col)}{number}"><v>{value:.16G}</v></c>')
                widths.append(len(str(value)))
            elif value is None or value == "":
                widths.append(0)
                continue
            else:
                return None
            if first is None:
                first = col
            last = col
        if first is None:
            return widths
        if self._check_dimensions(row, first) or self._check_dimensions(row, last):
            return None
        if row > self.previous_row:
            self._write_single_row(row)  # the row before, as a cell written into this row would
        self._write_row(row, None)
        self.fh.write("".join(parts))
        self._xml_end_tag("row")
        return widths


@lru_cache(maxsize=1024)
def _column_name(col: int) -> str:
    return xl_col_to_name(col)


_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")


class _Formats:
    """XlsxWriter formats, one per combination (a workbook keeps each only once)."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.cache: dict[tuple[Any, ...], Any] = {}

    def get(self, *, bold: bool = False, italic: bool = False, fill: str | None = None, wrap: bool = False,
            num_format: str | None = None) -> Any:
        key = (bold, italic, fill, wrap, num_format)
        if key == (False, False, None, False, None):
            return None
        if key not in self.cache:
            spec: dict[str, Any] = {"bold": bold, "italic": italic}
            if fill:
                spec.update(bg_color="#" + fill, pattern=1)
            if wrap:
                spec.update(text_wrap=True, valign="top")
            if num_format:
                spec["num_format"] = num_format
            self.cache[key] = self.workbook.add_format(spec)
        return self.cache[key]


def _write_cell(ws: Any, formats: _Formats, row: int, col: int, value: Any) -> int:
    """Write one typed cell; returns the width its text needs."""
    kind = type(value)
    if kind is str:  # the common case first; a string is a string, never a formula
        text = xlsx_value(value)
        if not text:  # an empty cell, as a spreadsheet has it
            return 0
        ws.write_string(row, col, text)
        return len(text) if "\n" not in text else max(len(line) for line in text.split("\n"))
    if kind is int:
        ws.write_number(row, col, value)
        return len(str(value))
    if value is None:
        return 0
    style = value if isinstance(value, Styled) else None
    look: dict[str, Any] = {}
    if style is not None:
        value = style.value
        look = {"bold": style.bold, "italic": style.italic, "fill": style.fill, "wrap": style.wrap}
    value = xlsx_value(value)
    if value is None or value == "":
        if look:
            ws.write_blank(row, col, None, formats.get(**look))
        return 0
    if isinstance(value, str):
        ws.write_string(row, col, value, formats.get(**look))
        return max((len(line) for line in value.split("\n")), default=0)
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, formats.get(**look))
        return 5
    if isinstance(value, datetime):
        ws.write_datetime(row, col, value, formats.get(**look, num_format=DATETIME_FORMAT))
        return 16
    if isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), formats.get(**look, num_format=DATE_FORMAT))
        return 10
    ws.write_number(row, col, value, formats.get(**look))
    return len(format(value, "g"))


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str] | None, Iterable[Sequence[Any]]]], *, title: str | None = None,
               widths: dict[str, Sequence[float]] | None = None,
               legend: Sequence[tuple[str, str]] | None = None, plain_rows: bool = True) -> bytes:
    """One workbook; each sheet is (name, header, rows). Strings never become formulas.

    Rows are streamed (XlsxWriter's constant-memory mode: each row goes to a temporary
    file as soon as it is complete). A sheet with a header gets it bold, frozen and with
    an auto-filter; every sheet gets column widths from its content unless ``widths``
    gives them per sheet name. Numbers, dates and times are typed cells. A sheet with
    header None has no header line (a laid-out sheet); its cells may be :class:`Styled`.
    ``legend`` (term, explanation) becomes a last sheet "Erläuterungen". With ``plain_rows``
    False every cell goes through XlsxWriter's own methods (:meth:`_Worksheet.write_plain_row`
    writes rows of plain cells at once; the tests compare both).
    """
    sheets = list(sheets)
    if legend:
        sheets.append((LEGEND_SHEET, LEGEND_HEADER, [list(item) for item in legend]))
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="portal-xlsx-") as tmp:
        workbook = xlsxwriter.Workbook(buf, {
            "constant_memory": True, "tmpdir": tmp, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "remove_timezone": True,
        })
        if title:
            workbook.set_properties({"title": title})
        formats = _Formats(workbook)
        used: set[str] = set()
        cells = 0
        for name, header, rows in sheets:
            ws = workbook.add_worksheet(_unique(_sheet_name(name), used), worksheet_class=_Worksheet)
            needed: list[int] = []
            index = 0
            if header is not None:
                for col, h in enumerate(header):
                    ws.write_string(0, col, xlsx_value(h), formats.get(bold=True))
                    needed.append(len(str(h)))
                index = 1
            # the common cells (text without line breaks, integers) straight to XlsxWriter's
            # cell store, without its public wrappers: most of the time of a big export
            put_string, put_number, put_date = ws._write_string, ws._write_number, ws._write_datetime
            tries = PLAIN_ROW_MISSES if plain_rows else 0
            date_format = formats.get(num_format=DATE_FORMAT)
            for row in rows:
                if len(row) > len(needed):
                    needed.extend([0] * (len(row) - len(needed)))
                plain = ws.write_plain_row(index, row) if tries else None
                if plain is None and tries:
                    tries -= 1  # a sheet whose rows hold dates or decimals stops trying soon
                elif plain is not None:
                    for col, width in enumerate(plain):
                        if width > needed[col]:
                            needed[col] = width
                    cells += len(row)
                    index += 1
                    continue
                for col, value in enumerate(row):
                    kind = type(value)
                    if kind is str and value and _PLAIN_TEXT.match(value):
                        put_string(index, col, value)
                        width = len(value)
                    elif kind is int:
                        put_number(index, col, value)
                        width = len(str(value))
                    elif kind is Decimal:
                        put_number(index, col, float(value))
                        width = len(str(value))
                    elif kind is date:
                        put_date(index, col, datetime(value.year, value.month, value.day), date_format)
                        width = 10
                    else:
                        width = _write_cell(ws, formats, index, col, value)
                    if width > needed[col]:
                        needed[col] = width
                cells += len(row)
                index += 1
            given = (widths or {}).get(name)
            for col, width in enumerate(given if given is not None else
                                        [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in needed]):
                ws.set_column(col, col, width)
            if header is not None and header:
                ws.freeze_panes(1, 0)
                ws.autofilter(0, 0, max(index - 1, 0), len(header) - 1)
        if cells <= PACK_IN_MEMORY_CELLS:
            # XlsxWriter packs a workbook through a dozen temporary files, which costs more
            # than a small sheet itself (40 of 60 ms for the Auswertungstabelle); a small
            # workbook is packed in memory, the rows were streamed all the same
            workbook.in_memory = True
        workbook.close()
    return buf.getvalue()


def _unique(name: str, used: set[str]) -> str:
    """XLSX refuses two sheets of the same name (case-insensitive): number the later ones."""
    candidate, n = name, 1
    while candidate.lower() in used:
        suffix = f" ({n + 1})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'") or "Tabelle"
    return cleaned[:31]

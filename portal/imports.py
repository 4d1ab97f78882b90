"""Read uploaded tables (CSV or XLSX) into rows with their line numbers.

CSV: UTF-8 with or without BOM, ``;`` or ``,`` (detected from the header line).
XLSX: the first sheet, read-only, values only (defusedxml is installed, so the
XML parser is hardened). The header must match exactly (case-insensitive).
Every problem is a German message naming the line.

Limits are checked before anything costs memory: the archive's member count and the
uncompressed sizes and compression ratios from its central directory (a zip bomb is
refused unopened), external links and macros refuse the file, and the first sheet's
XML is scanned as a stream for formulas, rows beyond ``MAX_ROWS`` and rows wider than
``MAX_COLUMNS`` before openpyxl reads it. A CSV file stops at the row limit while it
is read.
"""
from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from defusedxml.ElementTree import iterparse
from flask import current_app

from portal.domain import DomainError
from portal.templating import de_number

T = TypeVar("T")
Progress = Callable[[int, int], None] | None  # progress(done, total) after each row, or nothing

MAX_ROWS = 100_000
MAX_COLUMNS = 100
FORMULA_START = ("=", "+", "-", "@")

# archive limits (an XLSX or DOCX is a zip archive)
MAX_ARCHIVE_MEMBERS = 200
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 256 * 1024  # small members may compress better (empty styles, repeated tags)
_EOCD = b"PK\x05\x06"


class TableError(DomainError):
    """The file as a whole cannot be read (German message)."""


class ArchiveRefused(TableError):
    """A zip archive (XLSX, DOCX) exceeds the limits and is not opened (German message)."""


def read_upload(stream: Any) -> bytes:
    """An uploaded table's bytes, refused (TableError) above MAX_UPLOAD_MB instead of cut off."""
    limit_mb = int(current_app.config["MAX_UPLOAD_MB"])
    data = stream.read(limit_mb * 1024 * 1024 + 1)
    if len(data) > limit_mb * 1024 * 1024:
        raise TableError(f"Die Datei ist größer als {limit_mb} MB und wurde nicht übernommen. "
                         "Bitte teilen Sie sie in mehrere Dateien auf.")
    return data


@dataclass
class Row:
    line: int
    values: dict[str, str]


@dataclass
class ImportErrors:
    messages: list[str] = field(default_factory=list)

    def add(self, line: int, text: str) -> None:
        self.messages.append(f"Zeile {line}: {text}")

    def __bool__(self) -> bool:
        return bool(self.messages)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str, header: list[str]) -> list[Row]:
    """Rows as dicts keyed by the expected header; line numbers as a spreadsheet shows them."""
    if not data or not data.strip():
        raise TableError("Die Datei ist leer.")
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        raw_rows = _xlsx_rows(data)
    else:
        raw_rows = _csv_rows(data)
    if not raw_rows:
        raise TableError("Die Datei ist leer.")
    first_line, got = raw_rows[0]
    got_header = [h.strip().lower() for h in got]
    while got_header and got_header[-1] == "":
        got_header.pop()
    if got_header != [h.lower() for h in header]:
        raise TableError(
            "Die Kopfzeile passt nicht. Erwartet: „" + ";".join(header) + "“, gefunden: „" + ";".join(got_header) + "“."
        )
    rows: list[Row] = []
    for line, values in raw_rows[1:]:
        if not any(v.strip() for v in values):
            continue  # blank lines are ignored
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        padded = list(values) + [""] * (len(header) - len(values))
        extra = [v for v in padded[len(header):] if v.strip()]
        row = Row(line=line, values={h: padded[i].strip() for i, h in enumerate(header)})
        if extra:
            row.values["__extra__"] = ";".join(extra)
        rows.append(row)
    return rows


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            "Die Datei ist nicht in UTF-8 gespeichert. Bitte speichern Sie sie in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“."
        ) from exc
    if "\x00" in text:
        raise TableError("Die Datei ist keine Textdatei (CSV).")
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for values in reader:
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise TableError(f"Zeile {reader.line_num}: Die CSV-Datei ist fehlerhaft ({exc}).") from exc
    return rows


def _too_many_rows() -> TableError:
    return TableError(f"Die Datei hat mehr als {MAX_ROWS:,} Zeilen.".replace(",", ".")
                      + " Bitte teilen Sie sie in mehrere Dateien auf.")


def _declared_member_count(data: bytes) -> int | None:
    """The entry count of the zip's end record, read without parsing the directory."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        return None
    return struct.unpack("<H", data[at + 10:at + 12])[0]


def check_archive(data: bytes, kind: str = "Excel-Datei",
                  invalid: str = "Die Datei ist keine gültige Excel-Datei (XLSX).") -> list[str]:
    """Refuse a zip archive whose central directory promises too much; return the member names.

    Only the directory is read (the sizes it declares); Python's zip reader never returns more
    bytes than a member declares, so a lying directory cannot make a member bigger later."""
    count = _declared_member_count(data)
    if count is None:
        raise TableError(invalid)
    if count > MAX_ARCHIVE_MEMBERS or count == 0xFFFF:
        raise ArchiveRefused(f"Die {kind} besteht aus zu vielen Teilen ({count}); erlaubt sind höchstens "
                         f"{MAX_ARCHIVE_MEMBERS}. Bitte speichern Sie sie neu.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise TableError(invalid) from exc
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise ArchiveRefused(f"Die {kind} besteht aus zu vielen Teilen ({len(infos)}); erlaubt sind höchstens "
                         f"{MAX_ARCHIVE_MEMBERS}. Bitte speichern Sie sie neu.")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (info.file_size > MAX_MEMBER_BYTES or total > MAX_ARCHIVE_BYTES
                or (info.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO)):
            raise ArchiveRefused(f"Die {kind} ist entpackt zu groß oder ungewöhnlich stark gepackt und wurde nicht "
                             f"geöffnet (erlaubt sind entpackt höchstens {MAX_ARCHIVE_BYTES // 1024 // 1024} MB). "
                             "Bitte teilen Sie die Daten in mehrere Dateien auf.")
    return [info.filename for info in infos]


def _column_number(ref: str) -> int:
    number = 0
    for ch in ref:
        if not ch.isalpha():
            break
        number = number * 26 + (ord(ch.upper()) - 64)
    return number


def _scan_sheet(source: Any) -> None:
    """Stream the sheet's XML once (elements cleared as they end) and refuse formulas,
    rows beyond the row limit and rows wider than MAX_COLUMNS before openpyxl builds rows."""
    row_number = 0
    cells = 0
    try:
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    cells = 0
                    if row_number > MAX_ROWS + 1:
                        raise _too_many_rows()
                elif tag == "c":
                    cells += 1
                    ref = element.get("r") or ""
                    if cells > MAX_COLUMNS or _column_number(ref) > MAX_COLUMNS:
                        raise TableError(f"Zeile {row_number}: Die Zeile hat mehr als {MAX_COLUMNS} Spalten.")
                elif tag == "f":
                    raise TableError(f"Zeile {row_number}: Die Datei enthält eine Formel. Bitte speichern Sie "
                                     "nur Werte (in Excel: Inhalte einfügen – Werte).")
            elif tag in ("c", "row"):
                element.clear()
            elif tag == "sheetData":
                break
    except TableError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser error means: not a usable workbook
        raise TableError("Die Excel-Datei konnte nicht gelesen werden.") from exc


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # noqa: PLC0415 - openpyxl loads only when an XLSX file is read

    names = check_archive(data)
    if any(name.startswith("xl/externalLinks/") for name in names):
        raise TableError("Die Excel-Datei enthält Verknüpfungen zu anderen Dateien (externe Bezüge). "
                         "Bitte speichern Sie eine Kopie nur mit Werten.")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise TableError("Die Excel-Datei enthält Makros. Bitte speichern Sie sie als „Excel-Arbeitsmappe (*.xlsx)“.")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError("Die Datei ist keine gültige Excel-Datei (XLSX).") from exc
    except Exception as exc:  # noqa: BLE001 - any parser error means: not a usable workbook
        raise TableError("Die Excel-Datei konnte nicht gelesen werden.") from exc
    try:
        if not wb.worksheets:
            raise TableError("Die Excel-Datei enthält keine Tabelle.")
        ws = wb.worksheets[0]
        if (ws.max_row or 0) > MAX_ROWS + 1:
            raise _too_many_rows()
        with ws._get_source() as source:  # noqa: SLF001 - the sheet's XML as openpyxl will read it
            _scan_sheet(source)
        ws.reset_dimensions()  # read the rows that are there, not a declared (possibly false) size
        rows = []
        for index, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if index > MAX_ROWS + 1:
                raise _too_many_rows()
            texts = [_cell_text(v) for v in values]
            while texts and texts[-1] == "":
                texts.pop()
            rows.append((index, texts))
        return rows
    finally:
        wb.close()


def parse_date(text: str) -> date | None:
    """`31.12.2026` or `2026-12-31`; None when impossible."""
    text = (text or "").strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def starts_like_formula(text: str) -> bool:
    return text.lstrip().startswith(FORMULA_START)


@dataclass
class ImportResult:
    """What an import did (or, with --dry-run, would do), with one line per change."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    lines: list[str] = field(default_factory=list)
    read: int = 0  # data rows in the file

    @property
    def summary(self) -> str:
        return f"{de_number(self.added)} neu, {de_number(self.changed)} geändert, {de_number(self.unchanged)} unverändert"


def counted(items: list[T], progress: Progress) -> Iterator[T]:
    """Yield `items`, calling `progress(done, total)` after each (the command line's progress bar)."""
    total = len(items)
    for done, item in enumerate(items, 1):
        yield item
        if progress is not None:
            progress(done, total)

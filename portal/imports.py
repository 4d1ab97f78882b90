"""Read uploaded tables (CSV or XLSX) into rows with their line numbers.

CSV: UTF-8 with or without BOM, ``;`` or ``,`` (detected from the header line).
XLSX: the first sheet, read-only, values only (defusedxml is installed, so the
XML parser is hardened). The header must match exactly (case-insensitive).
Every problem is a German message naming the line.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MAX_ROWS = 100_000
FORMULA_START = ("=", "+", "-", "@")


class TableError(ValueError):
    """The file as a whole cannot be read (German message)."""


def read_upload(stream: Any) -> bytes:
    """An uploaded table's bytes, refused (TableError) above MAX_UPLOAD_MB instead of cut off."""
    from flask import current_app

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
            raise TableError(f"Die Datei hat mehr als {MAX_ROWS:,} Zeilen.".replace(",", "."))
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
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise TableError(f"Zeile {reader.line_num}: Die CSV-Datei ist fehlerhaft ({exc}).") from exc
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError("Die Datei ist keine gültige Excel-Datei (XLSX).") from exc
    except Exception as exc:  # noqa: BLE001 - any parser error means: not a usable workbook
        raise TableError("Die Excel-Datei konnte nicht gelesen werden.") from exc
    try:
        ws = wb.worksheets[0]
        rows = []
        for index, values in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((index, [_cell_text(v) for v in values]))
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

    @property
    def summary(self) -> str:
        return f"{self.added} neu, {self.changed} geändert, {self.unchanged} unverändert"

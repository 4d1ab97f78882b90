"""Formula injection: no cell of a CSV or XLSX export runs as a formula in a
spreadsheet (portal/exports/writers.py), whatever people typed into the portal."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.xml import LXML

from portal.exports.writers import neutralise, write_csv, write_xlsx

DANGEROUS = [
    "=1+1", "=HYPERLINK(\"http://evil.example\",\"Klick\")", "=cmd|' /C calc'!A0", "+41 351 4880",
    "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "\n=1+1", " =1+1", "   +1", "  -1", " @x",
    "\t", "\r\n=2", " \t=3", "=", "+", "-", "@",
]
HARMLESS = ["Amt 50", "Sozialamt", "50 %", "a=b", "Müller-Lüdenscheidt", "", "3,5 Stunden", "'=schon markiert"]


def test_dangerous_text_is_prefixed_with_an_apostrophe():
    for text in DANGEROUS:
        assert neutralise(text) == "'" + text, repr(text)
    for text in HARMLESS:
        assert neutralise(text) == text, repr(text)


def test_csv_cells_cannot_start_a_formula():
    data = write_csv(["Name", "=Kopf"], [[t, 1] for t in DANGEROUS])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["Name", "'=Kopf"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS]
    assert all(r[1] == "1" for r in rows[1:])  # numbers stay numbers
    for cell in (c for r in rows for c in r):
        assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n")), repr(cell)


def test_csv_numbers_and_dates_stay_values():
    data = write_csv(["Zahl", "Betrag", "Datum"], [[-5, Decimal("-2.50"), date(2026, 12, 31)]])
    row = data.decode("utf-8-sig").splitlines()[1]
    assert row == "-5;-2,5;31.12.2026"


def test_xlsx_cells_are_strings_never_formulas():
    data = write_xlsx([("Bericht", ["Name", "=Kopf"], [[t, -1] for t in DANGEROUS + ["\x00=1+1", "\x07@x"]])])
    ws = load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert ws["B1"].value == "'=Kopf"
    names = [ws.cell(row=i, column=1).value for i in range(2, ws.max_row + 1)]
    # lxml (installed with python-docx) keeps a stored CR; the standard library's parser reads it
    # back as LF. Either way the apostrophe is what matters.
    kept = (lambda t: t) if LXML else (lambda t: t.replace("\r\n", "\n").replace("\r", "\n"))
    assert names[: len(DANGEROUS)] == ["'" + kept(t) for t in DANGEROUS]
    assert names[len(DANGEROUS):] == ["'=1+1", "'@x"]  # control characters removed first
    assert ws.cell(row=2, column=2).value == -1 and ws.cell(row=2, column=2).data_type == "n"

"""The XLSX writer: typed cells, frozen header, auto-filter, widths, legend sheet, streaming."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from portal.exports.writers import LEGEND_SHEET, Styled, write_xlsx

HEADER = ["OE", "Stichtag", "Personen", "Stunden", "Bemerkung"]
ROWS = [
    ["Amt für Kultur und Denkmalschutz", date(2026, 12, 31), 12, Decimal("5.99"), "=SUMME(A1:A2)"],
    ["Bürgeramt", date(2025, 6, 30), 7, Decimal("16"), "+49 351 000"],
]


def test_header_is_frozen_filtered_and_columns_are_as_wide_as_their_text():
    ws = load_workbook(io.BytesIO(write_xlsx([("Liste", HEADER, ROWS)]))).active
    assert ws.title == "Liste"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E3"
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.column_dimensions["A"].width >= len("Amt für Kultur und Denkmalschutz")
    assert 8 <= ws.column_dimensions["C"].width < 20


def test_dates_and_numbers_are_typed_and_formula_text_stays_text():
    ws = load_workbook(io.BytesIO(write_xlsx([("Liste", HEADER, ROWS)]))).active
    assert ws["B2"].is_date and ws["B2"].value == datetime(2026, 12, 31) and ws["B2"].number_format == "DD.MM.YYYY"
    assert ws["C2"].data_type == "n" and ws["C2"].value == 12
    assert ws["D2"].data_type == "n" and ws["D2"].value == 5.99
    assert ws["E2"].data_type == "s" and ws["E2"].value == "'=SUMME(A1:A2)"
    assert ws["E3"].value == "'+49 351 000"


def test_legend_sheet_comes_last_and_given_widths_win():
    data = write_xlsx([("Liste", HEADER, ROWS), ("Layout", None, [[Styled("Titel", bold=True)], [], ["Text"]])],
                      widths={"Layout": (40, 12)}, legend=[("Personen", "Beschäftigte*r am Stichtag")])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Liste", "Layout", LEGEND_SHEET]
    assert [list(r) for r in wb[LEGEND_SHEET].iter_rows(values_only=True)] == [
        ["Begriff", "Erläuterung"], ["Personen", "Beschäftigte*r am Stichtag"]]
    layout = wb["Layout"]
    assert round(layout.column_dimensions["A"].width) == 41 and layout["A1"].font.b
    assert layout.freeze_panes is None and layout["A3"].value == "Text"


def test_rows_are_streamed_as_inline_strings_and_sheet_names_stay_unique():
    data = write_xlsx([("Bericht", ["A"], (["x"] for _ in range(3))), ("bericht", ["A"], [])])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "xl/sharedStrings.xml" not in z.namelist()  # constant-memory mode: no string table
        assert 't="inlineStr"' in z.read("xl/worksheets/sheet1.xml").decode()
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Bericht", "bericht (2)"]


def test_a_big_workbook_is_packed_through_files_with_the_same_content(monkeypatch):
    import portal.exports.writers as writers

    small = write_xlsx([("Liste", HEADER, ROWS + [["a\r\nb", None, True, 1.5, ""]])])
    monkeypatch.setattr(writers, "PACK_IN_MEMORY_CELLS", 0)
    big = write_xlsx([("Liste", HEADER, ROWS + [["a\r\nb", None, True, 1.5, ""]])])

    def values(data):
        return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]

    assert values(small) == values(big)
    assert values(big)[3] == ["a\r\nb", None, True, 1.5, None]


def test_characters_xml_cannot_hold_are_removed():
    ws = load_workbook(io.BytesIO(write_xlsx([("A", ["x"], [["a\ufffeb\uffff"], ["c\x01d"]])]))).active
    assert [ws["A2"].value, ws["A3"].value] == ["ab", "cd"]


def test_rows_of_plain_cells_give_the_same_sheets_as_xlsxwriter_itself(monkeypatch):
    import portal.exports.writers as writers

    """write_plain_row writes XlsxWriter's XML for plain rows itself: every part of the workbook
    is the same byte for byte as when every cell goes through XlsxWriter (only the creation time
    in docProps/core.xml differs), for plain rows, rows it leaves to XlsxWriter and mixes."""
    rows = [
        ["Amt 50", "Führungskräfte", 0, 7, -3, 10**17, None, ""],
        [" führende Leerzeichen", "Ende ", "A & B <c> \"d\"", "Straße\u00a0", "x" * 16383, 1, 2, 3],
        ["_x0041_ bleibt Text", "=1+2", " -3", "Zeile\numbruch", "Wagen\rrücklauf", True, Decimal("5.5"), date(2026, 12, 31)],
        [None, None, None],
        ["kurz"],
        ["x" * 16384, "😀" * 9000, 4],
        [Styled("fett", bold=True), 5, "normal"],
        ["", 0, None, "zuletzt"],
    ]
    sheets = [("Daten", ["A", "B", "C", "D", "E", "F", "G", "H"], rows), ("Ohne Kopf", None, rows[:2] + rows[4:])]

    def parts(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    written = []
    original = writers._Worksheet.write_plain_row
    monkeypatch.setattr(writers._Worksheet, "write_plain_row",
                        lambda self, row, values: written.append(original(self, row, values)) or written[-1])
    fast = parts(write_xlsx(sheets, title="T", plain_rows=True))
    assert sum(w is not None for w in written) == 5 + 4  # the plain rows of both sheets (an empty row is one too)
    written.clear()
    slow = parts(write_xlsx(sheets, title="T", plain_rows=False))
    assert not written
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name
    assert b'<c r="A2" t="inlineStr"><is><t>Amt 50</t></is></c>' in fast["xl/worksheets/sheet1.xml"]

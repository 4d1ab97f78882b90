"""Uploaded tables and archives are bounded before they cost memory: zip bombs, sparse-row
sheets, very wide rows, formulas, external links, endless CSV files and DOCX bombs are refused
with a German message, nothing is stored, and a refused file costs far less than 100 MB."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.gremien.files import check_minutes
from portal.imports import TableError, read_table
from portal.models.training import Person, RosterEntry
from portal.trainings import files as store
from portal.trainings.imports import ROSTER_HEADER
from tests.conftest import csrf_token_from

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT_MB = 100


def _workbook(extra=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(ROSTER_HEADER)
    ws.append(["300001", "Kraus", "Ida", "Amt 50", "Bürgerkontakt", "01.01.2024", None])
    if extra:
        extra(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rebuild(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
             stream: dict[str, tuple[bytes, bytes, bytes, int]] | None = None) -> bytes:
    """Copy an archive, replacing or adding members; `stream` adds head + body*n + tail in chunks."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
        for name, (head, body, tail, times) in (stream or {}).items():
            with dst.open(name, "w", force_zip64=True) as fh:
                fh.write(head)
                chunk = body * 10_000
                for _ in range(times // 10_000):
                    fh.write(chunk)
                fh.write(tail)
    return out.getvalue()


def zip_bomb() -> bytes:
    """≈0,2 MB that expands to ≈150 MB of shared strings (1,2 million strings of 100 characters)."""
    data = _workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").replace(b"</Types>", (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return _rebuild(data, replace={"[Content_Types].xml": types},
                    stream={"xl/sharedStrings.xml": (head, b"<si><t>" + b"a" * 100 + b"</t></si>", b"</sst>", 1_200_000)})


def sparse_rows() -> bytes:
    """A small sheet with one more cell at row 3,000,000 (beyond Excel's own limit, as an attacker writes it)."""
    data = _workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:G2"/>', b'<dimension ref="A1:G3000000"/>').replace(
        b"</sheetData>", b'<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    return _rebuild(data, replace={"xl/worksheets/sheet1.xml": sheet})


def wide_row() -> bytes:
    return _workbook(lambda ws: ws.cell(row=2, column=16_384, value="x"))


def _measure(tmp_path: Path, data: bytes, name: str) -> dict:
    """Read the file in a fresh interpreter and report the message and the growth of its peak memory."""
    path = tmp_path / name
    path.write_bytes(data)
    script = (
        "import json, resource, sys\n"
        "import openpyxl, openpyxl.reader.excel, defusedxml.ElementTree\n"
        "from portal.imports import TableError, read_table\n"
        "from portal.trainings.imports import ROSTER_HEADER\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    rows = read_table(data, sys.argv[2], ROSTER_HEADER)\n"
        "    message = f'ACCEPTED {len(rows)}'\n"
        "except TableError as exc:\n"
        "    message = str(exc)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'message': message, 'extra_mb': (after - before) / 1024}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path), name], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("build", "name", "message"), [
    (zip_bomb, "bombe.xlsx", "Die Excel-Datei ist entpackt zu groß oder ungewöhnlich stark gepackt"),
    (sparse_rows, "duenn.xlsx", "Die Datei hat mehr als 100.000 Zeilen."),
    (wide_row, "breit.xlsx", "Zeile 2: Die Zeile hat mehr als 100 Spalten."),
    (lambda: (";".join(ROSTER_HEADER) + "\n" * 3_000_000).encode(), "leer.csv", "Die Datei hat mehr als 100.000 Zeilen."),
])
def test_bombs_are_refused_with_little_memory(tmp_path, build, name, message):
    data = build()
    assert len(data) < 3 * 1024 * 1024
    result = _measure(tmp_path, data, name)
    assert message in result["message"]
    assert result["extra_mb"] < MEMORY_LIMIT_MB, result


def test_a_normal_workbook_is_still_read(tmp_path):
    result = _measure(tmp_path, _workbook(), "liste.xlsx")
    assert result["message"] == "ACCEPTED 1"


def test_formula_external_link_macro_and_not_a_zip():
    with_formula = _workbook(lambda ws: ws.cell(row=2, column=2, value="=A2&\"x\""))
    with pytest.raises(TableError, match=r"Zeile 2: Die Datei enthält eine Formel"):
        read_table(with_formula, "f.xlsx", ROSTER_HEADER)
    linked = _rebuild(_workbook(), add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    with pytest.raises(TableError, match="Verknüpfungen zu anderen Dateien"):
        read_table(linked, "l.xlsx", ROSTER_HEADER)
    macro = _rebuild(_workbook(), add={"xl/vbaProject.bin": b"\x00" * 10})
    with pytest.raises(TableError, match="enthält Makros"):
        read_table(macro, "m.xlsx", ROSTER_HEADER)
    with pytest.raises(TableError, match=r"keine gültige Excel-Datei \(XLSX\)"):
        read_table(b"Personalnummer;Name\n1;x\n", "kein-zip.xlsx", ROSTER_HEADER)
    many = _rebuild(_workbook(), add={f"xl/media/bild{i}.png": b"x" for i in range(300)})
    with pytest.raises(TableError, match=r"besteht aus zu vielen Teilen \(3\d\d\)"):
        read_table(many, "viele.xlsx", ROSTER_HEADER)


def test_a_false_dimension_does_not_hide_rows():
    def lie(ws):
        ws.append(["300002", "Lang", "Eva", "Amt 50", "Bürgerkontakt", "01.01.2024", None])
    data = _workbook(lie)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").replace(b'<dimension ref="A1:G3"/>', b'<dimension ref="A1:G2"/>')
    rows = read_table(_rebuild(data, replace={"xl/worksheets/sheet1.xml": sheet}), "x.xlsx", ROSTER_HEADER)
    assert [r.values["personalnummer"] for r in rows] == ["300001", "300002"]


def test_roster_upload_of_a_bomb_stores_nothing(client, db, login_as):
    login_as("fortbildungsbeauftragte", oe="Amt 50")
    token = csrf_token_from(client.get("/trainings/liste/import").get_data(as_text=True))
    for data, message in ((zip_bomb(), "Die Excel-Datei ist entpackt zu groß"),
                          (sparse_rows(), "Die Datei hat mehr als 100.000 Zeilen.")):
        response = client.post("/trainings/liste/import", content_type="multipart/form-data",
                               data={"csrf_token": token, "file": (io.BytesIO(data), "liste.xlsx")})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(RosterEntry)) == 0
    assert db.scalar(select(func.count()).select_from(Person)) == 0


def test_minutes_docx_bomb_is_refused_from_the_directory():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"<w:p/>" * 100_000
            for _ in range(200):
                fh.write(chunk)
    with pytest.raises(store.CertificateError, match="Die Word-Datei ist entpackt zu groß"):
        check_minutes(out.getvalue(), "protokoll.docx", 10 * 1024 * 1024)
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
        for i in range(500):
            z.writestr(f"word/media/{i}.bin", b"")
    with pytest.raises(store.CertificateError, match="besteht aus zu vielen Teilen"):
        check_minutes(many.getvalue(), "protokoll.docx", 10 * 1024 * 1024)

"""The assembled report as Word (DOCX, real headings "Heading 1/2" and tables with a
repeated header row) and as PDF (WeasyPrint through exports/pdf.py). Both are
reproducible: the same data gives the same bytes (fixed document dates and ZIP times)."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, time

from portal.bericht.assembly import Block, Report

ZIP_TIME = (2022, 1, 1, 0, 0, 0)
AUTHOR = "Landeshauptstadt Dresden, Integrations- und Ausländerbeauftragte"


def to_docx(report: Report) -> bytes:
    from docx import Document  # noqa: PLC0415 - python-docx loads only when a report is written
    from docx.oxml import OxmlElement  # noqa: PLC0415 - python-docx loads only when a report is written
    from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx loads only when a report is written
    from docx.shared import Pt  # noqa: PLC0415 - python-docx loads only when a report is written

    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    props = document.core_properties
    stamp = datetime.combine(report.stamp, time(0, 0))
    props.title, props.subject, props.author, props.last_modified_by = report.title, report.subtitle, AUTHOR, AUTHOR
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.language = "de-DE"
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    for block in report.blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "bullets":
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif block.kind == "table":
            _docx_table(document, block, OxmlElement, qn)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip_times(out.getvalue())


def _docx_table(document, block: Block, OxmlElement, qn) -> None:  # noqa: ANN001,N803 - python-docx helpers
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, text in zip(header.cells, block.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    row_props = header._tr.get_or_add_trPr()  # noqa: SLF001
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_props.append(repeat)
    for row in block.rows:
        cells = table.add_row().cells
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            merged.text = ""
            merged.paragraphs[0].add_run(row).italic = True
            continue
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _fixed_zip_times(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def to_pdf(report: Report) -> bytes:
    from portal.exports.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint loads only when a PDF is made

    return render_pdf("pdf/bericht.html", report=report)

"""Benchmark: the XLSX writer against the CSV writer, and the city-wide compliance export XLSX vs CSV.

* writer alone: the same 20,000 rows (text, numbers, decimals, dates) through
  ``write_csv`` and ``write_xlsx``, and through openpyxl's write-only mode (the writer the
  portal used before, kept here as the reference the choice was measured against).
  Target: XLSX / CSV <= 8.
* whole export: ``portal.trainings.exports.render`` of the city-wide Auswertungstabelle
  as XLSX and as CSV (query, rows, file), on SQLite and PostgreSQL at 1× and 10× city
  scale (the data of ``bench.compliance``). Target: XLSX / CSV <= 1.5.

Each pair is measured back to back; the median of the per-pair ratios is reported.

    python -m bench.exports            # writes bench/results/exports.md
"""
from __future__ import annotations

import io
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench import machine_line, on_both_databases, record
from bench.compliance import SCALES, build
from sqlalchemy.orm import Session

from portal.db import make_engine
from portal.exports.writers import write_csv, write_xlsx, xlsx_value
from portal.trainings.exports import render
from portal.trainings.rules import DEFAULT_CUTOFF

WRITER_ROWS = 20_000
WRITER_REPEAT = 5
EXPORT_REPEAT = {"1×": 9, "10×": 5}
WRITER_TARGET = 8.0
EXPORT_TARGET = 1.5
RESULTS = Path(__file__).resolve().parent / "results" / "exports.md"
HEADER = ["OE", "Zielgruppe", "Personalnummer", "Name", "Datum", "Stunden", "Personen", "erfüllt", "nicht erfüllt",
          "in Prüfung"]


def writer_rows() -> list[list[object]]:
    rnd = random.Random(20261204)
    return [[f"Amt {rnd.randint(1, 1500):04d}", rnd.choice(["Führungskräfte", "Beschäftigte"]), f"B{i:06d}",
             f"Person {i}, Vorname", date(2021, 1, 1) + timedelta(days=rnd.randint(0, 2000)),
             Decimal(rnd.choice(["3", "4.5", "6", "7.5", "16"])), *(rnd.randint(0, 400) for _ in range(4))]
            for i in range(WRITER_ROWS)]


def openpyxl_write_only(header: list[str], rows: list[list[object]]) -> bytes:
    """The previous writer: openpyxl's write-only mode, one WriteOnlyCell per value."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tabelle")
    bold = Font(bold=True)
    cells = []
    for h in header:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    for row in rows:
        out = []
        for v in row:
            cell = WriteOnlyCell(ws, value=xlsx_value(v))
            if isinstance(cell.value, str):
                cell.data_type = "s"
            if isinstance(v, date):
                cell.number_format = "DD.MM.YYYY"
            out.append(cell)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pairs(fns: dict[str, object], repeat: int) -> dict[str, list[float]]:
    for fn in fns.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> tuple[float, float, float]:
    ratios = sorted(x / y for x, y in zip(times[a], times[b], strict=True))
    q1, _, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (ratios[0],) * 3
    return statistics.median(ratios), q1, q3


def measure_export(url: str, scale: str) -> dict[str, list[float]]:
    engine = make_engine(url)
    try:
        build(engine, *SCALES[scale])
        with Session(engine) as db:
            return pairs({"csv": lambda: render(db, "csv", DEFAULT_CUTOFF, None),
                          "xlsx": lambda: render(db, "xlsx", DEFAULT_CUTOFF, None)}, EXPORT_REPEAT[scale])
    finally:
        engine.dispose()


def main() -> int:
    rows = writer_rows()
    writer = pairs({"csv": lambda: write_csv(HEADER, rows), "xlsx": lambda: write_xlsx([("Tabelle", HEADER, rows)]),
                    "openpyxl": lambda: openpyxl_write_only(HEADER, rows)}, WRITER_REPEAT)
    exports = on_both_databases(measure_export, SCALES, "bench-exports-")
    ms = {name: statistics.median(t) * 1000 for name, t in writer.items()}
    xlsx_ratio, q1, q3 = ratio(writer, "xlsx", "csv")
    openpyxl_ratio, oq1, oq3 = ratio(writer, "openpyxl", "csv")
    ok = xlsx_ratio <= WRITER_TARGET
    lines = [
        "# Benchmark: XLSX and CSV exports",
        "",
        f"## Writer alone ({WRITER_ROWS:,} rows × {len(HEADER)} columns: text, dates, decimals, integers)",
        "",
        f"Median of {WRITER_REPEAT} runs after one warm-up, the writers alternating; ratio = median of the "
        "per-run ratios to the CSV writer (quartiles in brackets).",
        "",
        "| writer | ms | ratio to CSV | target |",
        "|---|---:|---:|---:|",
        f"| CSV (`write_csv`) | {ms['csv']:.0f} | 1 | |",
        f"| XLSX (`write_xlsx`: XlsxWriter, constant memory, widths, frozen header, filter) | {ms['xlsx']:.0f} "
        f"| {xlsx_ratio:.2f} ({q1:.2f}–{q3:.2f}) | ≤ {WRITER_TARGET:g} |",
        f"| XLSX with openpyxl write-only (the previous writer, for comparison) | {ms['openpyxl']:.0f} "
        f"| {openpyxl_ratio:.2f} ({oq1:.2f}–{oq3:.2f}) | |",
        "",
        "## City-wide Auswertungstabelle: whole export XLSX vs CSV",
        "",
        "`portal.trainings.exports.render` (query, rows, file) with the data of `bench.compliance`; "
        f"median of {EXPORT_REPEAT['1×']} (1×) or {EXPORT_REPEAT['10×']} (10×) pairs.",
        "",
        "| database | scale | CSV (ms) | XLSX (ms) | ratio | ratio quartiles | target |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (name, scale), times in exports.items():
        r, eq1, eq3 = ratio(times, "xlsx", "csv")
        ok &= r <= EXPORT_TARGET
        lines.append(f"| {name} | {scale} | {statistics.median(times['csv']) * 1000:.0f} "
                     f"| {statistics.median(times['xlsx']) * 1000:.0f} | {r:.2f} | {eq1:.2f}–{eq3:.2f} "
                     f"| ≤ {EXPORT_TARGET:g} |")
    lines += ["", machine_line(), ""]
    return record(lines, RESULTS, ok)


if __name__ == "__main__":
    sys.exit(main())

"""The combined table of every benchmark's results: `bench/results/README.md`.

Reads whatever result files `bench/results/*.md` exist (each written by one `python -m bench.<name>`),
takes every table row that has a ratio and a target (and the "Growth …" lines with their target),
and writes one table: scenario, database, scale, ratio, target, met — with when and on what each
file was measured. `make bench` runs it last and passes the wall time of the whole run.

    python -m bench.summary [--seconds N]     # writes bench/results/README.md
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import machine_line

RESULTS = Path(__file__).resolve().parent / "results"
SUMMARY = RESULTS / "README.md"
TIME_LIMIT = 15 * 60  # one `make bench` in under 15 minutes
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
TARGET = re.compile(r"([≤≥<>]=?)\s*(\d+(?:\.\d+)?)")
GROWTH = re.compile(r"^\* Growth (\w+): (\d+(?:\.\d+)?)×")
GROWTH_TARGET = re.compile(r"target ≤ (\d+(?:\.\d+)?) on (\w+)")


@dataclass
class Row:
    scenario: str
    database: str
    scale: str
    ratio: float
    target: str
    met: bool


def meets(value: float, target: str) -> bool | None:
    """Whether `value` meets a target written as "≤ 2" or "≥ 0.35"; None if there is none."""
    m = TARGET.search(target)
    if not m:
        return None
    op, limit = m.group(1), float(m.group(2))
    return value <= limit if op in ("≤", "<=", "<") else value >= limit


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def rows_of(name: str, text: str) -> list[Row]:
    """Every measured ratio with a target in one result file."""
    rows: list[Row] = []
    section = ""
    header: list[str] | None = None
    growth_targets = {db: t for t, db in GROWTH_TARGET.findall(text)}
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        if not line.startswith("|"):
            header = None
            if (g := GROWTH.match(line)) and g.group(1) in growth_targets:
                target = f"≤ {growth_targets[g.group(1)]}"
                value = float(g.group(2))
                rows.append(Row(f"{name}: growth 10×/1×", g.group(1), "10× / 1×", value, target,
                                bool(meets(value, target))))
            continue
        cells = _cells(line)
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the line under the header
        record = dict(zip(header, cells, strict=False))
        ratio_key = next((k for k in header if k.startswith("ratio") and "quartile" not in k), None)
        target = record.get("target", "")
        if ratio_key is None or not TARGET.search(target):
            continue
        number = NUMBER.search(record.get(ratio_key, ""))
        if number is None:
            continue
        value = float(number.group().replace(",", "."))
        met = meets(value, target)
        if "met" in record:
            met = bool(met) and record["met"].lower() in ("yes", "ja", "✓")
        label = (record.get("writer") or record.get("phase") or "").split(" (")[0]
        scenario = " – ".join(p for p in (name, section.split(" (")[0].split(":")[0], label) if p)
        rows.append(Row(scenario, record.get("database", "–"), record.get("scale", "–"), value, target, bool(met)))
    return rows


def measured_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.startswith("Measured:")), "Measured: unbekannt")


def build(seconds: float | None = None, results: Path = RESULTS) -> tuple[list[str], bool]:
    files = sorted(p for p in results.glob("*.md") if p.name != SUMMARY.name)
    all_rows: list[tuple[str, Row]] = []
    for path in files:
        all_rows += [(path.name, r) for r in rows_of(path.stem, path.read_text(encoding="utf-8"))]
    ok = bool(all_rows) and all(r.met for _f, r in all_rows)
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m bench.summary` (the last step of `make bench`) from the result files in this "
        "folder; each file describes its scenario and method. Ratio = the scenario against its baseline "
        "(the file says which).",
        "",
        "| scenario | database | scale | ratio | target | met | file |",
        "|---|---|---|---:|---:|---|---|",
    ]
    for name, r in all_rows:
        lines.append(f"| {r.scenario} | {r.database} | {r.scale} | {r.ratio:.2f} | {r.target} "
                     f"| {'yes' if r.met else '**no**'} | [{name}]({name}) |")
    lines += ["", f"Targets met: {sum(r.met for _f, r in all_rows)} of {len(all_rows)}.", ""]
    if seconds is not None:
        in_time = seconds <= TIME_LIMIT
        ok &= in_time
        lines += [f"Whole `make bench` run: {seconds / 60:.1f} min (target < {TIME_LIMIT // 60} min: "
                  f"{'met' if in_time else 'not met'}).", ""]
    lines += ["Measured per file:", ""]
    lines += [f"* {path.name}: {measured_line(path.read_text(encoding='utf-8')).removeprefix('Measured: ')}"
              for path in files]
    lines += ["", f"Summary written: {machine_line().removeprefix('Measured: ')}", ""]
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, help="wall time of the whole run, for the record")
    args = parser.parse_args(argv)
    lines, ok = build(args.seconds)
    report = "\n".join(lines)
    print(report)
    SUMMARY.write_text(report, encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

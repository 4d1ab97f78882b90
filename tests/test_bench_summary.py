"""bench.summary: the combined table reads every result file's ratios and targets."""
from __future__ import annotations

from bench.summary import build, meets, rows_of

QUEUE = """# Benchmark: review queue page

| database | 1,500 (ms) | 24,000 (ms) | ratio | ratio quartiles | target |
|---|---:|---:|---:|---:|---:|
| SQLite | 38.9 | 54.2 | 1.32 | 1.12–1.63 | ≤ 2 |
| PostgreSQL | 32.1 | 96.7 | 3.13 | 2.98–3.22 | ≤ 2 |

Measured: 2026-12-04 06:07 UTC, Python 3.11.7, 2 CPUs, load average 8.0 at the end.
"""

COMPLIANCE = """Growth = table time at 10× / at 1× (target ≤ 11 on PostgreSQL).

| database | scale | table (ms) | raw GROUP BY (ms) | ratio | ratio quartiles | target |
|---|---|---:|---:|---:|---:|---:|
| PostgreSQL | 10× | 289.9 | 88.4 | 1.90 | 1.80–2.10 | ≤ 2 |

* Growth SQLite: 11.2× (raw GROUP BY: 24.5×).
* Growth PostgreSQL: 11.5× (raw GROUP BY: 10.8×).
"""

EXPORTS = """## Writer alone (20,000 rows)

| writer | ms | ratio to CSV | target |
|---|---:|---:|---:|
| CSV (`write_csv`) | 692 | 1 | |
| XLSX (`write_xlsx`: XlsxWriter) | 4424 | 7.44 (5.28–11.62) | ≤ 8 |
"""

MIXED = """| database | ratio | target | errors | met |
|---|---:|---:|---:|---|
| SQLite | 0.18 |  | 0 |  |
| PostgreSQL | 0.40 | ≥ 0.35 | 2 | no |
"""


def test_targets_both_ways():
    assert meets(1.99, "≤ 2") is True and meets(2.01, "≤ 2") is False
    assert meets(0.35, "≥ 0.35") is True and meets(0.34, "≥ 0.35") is False
    assert meets(5, "") is None


def test_rows_with_targets_are_read_and_judged():
    rows = rows_of("queue", QUEUE)
    assert [(r.database, r.ratio, r.target, r.met) for r in rows] == [
        ("SQLite", 1.32, "≤ 2", True), ("PostgreSQL", 3.13, "≤ 2", False)]
    rows = rows_of("compliance", COMPLIANCE)
    assert [(r.scenario, r.database, r.scale, r.ratio, r.met) for r in rows] == [
        ("compliance", "PostgreSQL", "10×", 1.90, True),
        ("compliance: growth 10×/1×", "PostgreSQL", "10× / 1×", 11.5, False)]  # SQLite's growth has no target
    rows = rows_of("exports", EXPORTS)
    assert [(r.scenario, r.ratio, r.met) for r in rows] == [("exports – Writer alone – XLSX", 7.44, True)]
    # a "met" column (errors count too) overrides a ratio that alone would pass
    assert [(r.database, r.ratio, r.met) for r in rows_of("mixed", MIXED)] == [("PostgreSQL", 0.40, False)]


def test_summary_table_with_the_run_time(tmp_path):
    (tmp_path / "queue.md").write_text(QUEUE, encoding="utf-8")
    (tmp_path / "README.md").write_text("an older summary, not read", encoding="utf-8")
    lines, ok = build(840, tmp_path)
    text = "\n".join(lines)
    assert not ok
    assert "| queue | PostgreSQL | – | 3.13 | ≤ 2 | **no** | [queue.md](queue.md) |" in text
    assert "Targets met: 1 of 2." in text
    assert "Whole `make bench` run: 14.0 min (target < 15 min: met)." in text
    assert "* queue.md: 2026-12-04 06:07 UTC" in text
    assert "Whole `make bench` run: 16.0 min (target < 15 min: not met)." in "\n".join(build(16 * 60, tmp_path)[0])

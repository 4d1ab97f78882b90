"""Benchmark: the citywide Auswertungstabelle vs one raw SQL GROUP BY, on SQLite and PostgreSQL.

1× = 16,000 people in 100 OEs, 24,000 trainings (fixed random seed); 10× = 160,000
people in 1,500 OEs, 240,000 trainings. Both queries run in
the same process against the same tables; each is repeated and the median is
taken, at 1× and at 10× city scale. Targets: table / GROUP BY <= 3 on SQLite, <= 2 on
PostgreSQL (default settings), and on PostgreSQL time(10×) <= 11 × time(1×).

    python -m bench.compliance            # writes bench/results/compliance.md
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench import machine_line, on_both_databases, record, settle
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

import portal.models  # noqa: F401 - registers every table
from portal.db import Base, make_engine, utcnow
from portal.models.org import OrgUnit
from portal.models.training import Person, RosterEntry, Training
from portal.trainings.rules import DEFAULT_CUTOFF
from portal.trainings.tables import compliance_table

PEOPLE = 16_000
UNITS = 100
TRAININGS = 24_000
REPEAT = 21
RESULTS = Path(__file__).resolve().parent / "results" / "compliance.md"

RAW_GROUP_BY = """
SELECT re.org_unit_id, re.target_group, COUNT(*) AS n,
       SUM(CASE WHEN t.state = 'accepted' THEN 1 ELSE 0 END) AS accepted
FROM roster_entries re
JOIN trainings t ON t.person_id = re.person_id
GROUP BY re.org_unit_id, re.target_group
"""


def build(engine, people: int = PEOPLE, units: int = UNITS, trainings_count: int = TRAININGS) -> None:  # noqa: ANN001
    Base.metadata.create_all(engine)
    rnd = random.Random(20261231)
    now = utcnow()
    groups = ["fuehrungskraft", "buergerkontakt", "oeffentlichkeitsarbeit"]
    states = ["accepted"] * 7 + ["submitted", "returned", "rejected"]
    with engine.begin() as conn:
        conn.execute(insert(OrgUnit), [
            {"id": i, "code": f"Bench {i:03d}", "name": None, "kind": "Amt", "created_at": now, "updated_at": now}
            for i in range(1, units + 1)
        ])
        conn.execute(insert(Person), [
            {"id": i, "personnel_number": f"B{i:06d}", "last_name": f"Person {i}", "first_name": "", "created_at": now}
            for i in range(1, people + 1)
        ])
        entries = []
        for i in range(1, people + 1):
            unit = rnd.randint(1, units)
            group = rnd.choices(groups, weights=[2, 6, 1])[0]
            begins = date(2020, 1, 1) + timedelta(days=rnd.randint(0, 2400))
            ends = begins + timedelta(days=rnd.randint(30, 1500)) if rnd.random() < 0.15 else None
            entries.append({"person_id": i, "org_unit_id": unit, "target_group": group, "begins_on": begins,
                            "ends_on": ends, "created_at": now, "updated_at": now})
            if group != "fuehrungskraft" and rnd.random() < 0.1:  # also a Führungskraft
                entries.append({"person_id": i, "org_unit_id": unit, "target_group": "fuehrungskraft",
                                "begins_on": begins, "ends_on": None, "created_at": now, "updated_at": now})
        conn.execute(insert(RosterEntry), entries)
        trainings = []
        for _ in range(trainings_count):
            state = rnd.choice(states)
            contents = rnd.sample(["demokratisch", "interkulturell", "mehrsprachigkeit", "buergernah"], rnd.choice([1, 1, 2]))
            trainings.append({
                "person_id": rnd.randint(1, people), "title": "Schulung", "provider": "Anbieter",
                "completed_on": date(2019, 6, 1) + timedelta(days=rnd.randint(0, 2900)),
                "hours": Decimal(rnd.choice(["3", "4.5", "5.99", "6", "7.5", "8", "16"])),
                **{f"c_{c}": c in contents for c in ("demokratisch", "interkulturell", "mehrsprachigkeit", "buergernah")},
                "format": "praesenz", "internal": True, "source": "import", "state": state,
                "state_changed_at": now, "submitted_at": now,
                "decision_comment": "Begründung" if state in ("returned", "rejected") else None,
            })
        conn.execute(insert(Training), trainings)
    settle(engine)


def _interleaved(a, b, repeat: int = REPEAT) -> dict[str, float]:  # noqa: ANN001
    """a and b run alternately, so each pair sees the same machine load.

    Returns the median seconds of each and the median (and quartiles) of the per-pair ratio a/b.
    """
    a(), b()  # warm-up
    times_a, times_b = [], []
    for _ in range(repeat):
        for fn, times in ((a, times_a), (b, times_b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    ratios = sorted(x / y for x, y in zip(times_a, times_b, strict=True))
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return {"table": statistics.median(times_a), "raw": statistics.median(times_b),
            "ratio": statistics.median(ratios), "q1": q1, "q3": q3}


SCALES = {"1×": (PEOPLE, UNITS, TRAININGS), "10×": (160_000, 1_500, 240_000)}
REPEATS = {"1×": REPEAT, "10×": 7}
GROWTH_TARGET = 11.0  # time(10×) <= 11 × time(1×)
TARGETS = {"SQLite": 3.0, "PostgreSQL": 2.0}


def measure(url: str, scale: str) -> dict[str, float]:
    people, units, trainings = SCALES[scale]
    engine = make_engine(url)
    try:
        build(engine, people, units, trainings)
        with Session(engine) as db:
            rows = compliance_table(db, DEFAULT_CUTOFF)
            assert rows[-1].oe_code == "Gesamt" and len(rows) == 2 * units + 2
            persons = rows[-1].counts.persons + rows[-2].counts.persons
            result = _interleaved(lambda: compliance_table(db, DEFAULT_CUTOFF),
                                  lambda: db.execute(text(RAW_GROUP_BY)).all(), REPEATS[scale])
        return {**result, "persons": persons}
    finally:
        engine.dispose()


def main() -> int:
    results = on_both_databases(measure, SCALES, "bench-compliance-")
    lines = [
        "# Benchmark: Auswertungstabelle (compliance table)",
        "",
        f"Data (fixed seed): 1× = {PEOPLE:,} people in {UNITS} OEs, {TRAININGS:,} trainings; "
        "10× = 160,000 people in 1,500 OEs, 240,000 trainings. "
        f"Median of {REPEAT} (1×) or {REPEATS['10×']} (10×) runs each after one warm-up, the two queries "
        "alternating, same process, same tables. PostgreSQL runs with its default settings (JIT on).",
        "",
        "* **table**: `compliance_table()` — all OEs plus the citywide rows, Stichtag 31.12.2026 "
        "(the SQL in `portal/trainings/rules.py` plus the OE list).",
        "* **raw GROUP BY**: one `SELECT … FROM roster_entries JOIN trainings GROUP BY org_unit_id, target_group`.",
        "",
        "Ratio = median of the per-pair ratios table/raw (each pair measured back to back); "
        "the quartiles show how much the machine's load moved it. Growth = table time at 10× / at 1× "
        f"(target ≤ {GROWTH_TARGET:g} on PostgreSQL).",
        "",
        "| database | scale | table (ms) | raw GROUP BY (ms) | ratio | ratio quartiles | target |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    ok = True
    for (name, scale), r in results.items():
        ok &= r["ratio"] <= TARGETS[name]
        lines.append(f"| {name} | {scale} | {r['table'] * 1000:.1f} | {r['raw'] * 1000:.1f} | {r['ratio']:.2f} "
                     f"| {r['q1']:.2f}–{r['q3']:.2f} | ≤ {TARGETS[name]:g} |")
    lines.append("")
    for name in TARGETS:
        growth = results[(name, "10×")]["table"] / results[(name, "1×")]["table"]
        if name == "PostgreSQL":
            ok &= growth <= GROWTH_TARGET
        lines.append(f"* Growth {name}: {growth:.1f}× (raw GROUP BY: "
                     f"{results[(name, '10×')]['raw'] / results[(name, '1×')]['raw']:.1f}×).")
    lines += ["", "Persons counted on the Stichtag (citywide): "
              + ", ".join(f"{scale} {int(results[('SQLite', scale)]['persons']):,}" for scale in SCALES) + ".",
              machine_line(), ""]
    return record(lines, RESULTS, ok)


if __name__ == "__main__":
    sys.exit(main())

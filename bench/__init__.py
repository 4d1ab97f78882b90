"""Benchmarks: `python -m bench.<name>` from the repository root."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def machine_line() -> str:
    """When and on what the figures were measured (for the recorded results)."""
    return (f"Measured: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end.")


def record(lines: list[str], results_file: Path, ok: bool) -> int:
    """Print the report, write it to bench/results/, and return the exit status."""
    report = "\n".join(lines)
    print(report)
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(report, encoding="utf-8")
    return 0 if ok else 1


def ratio_report(lines: list[str], results: dict, first: tuple[str, str], second: tuple[str, str], target: float,
                 results_file: Path) -> int:
    """`lines` and then the table "| database | first | second | ratio | quartiles | ≤ target |" (first and second:
    (key in each result, column label)), recorded like :func:`record`; ok when every ratio meets `target`."""
    lines = [*lines, f"| database | {first[1]} (ms) | {second[1]} (ms) | ratio | ratio quartiles | target |",
             "|---|---:|---:|---:|---:|---:|"]
    ok = True
    for name, r in results.items():
        ok &= r["ratio"] <= target
        lines.append(f"| {name} | {r[first[0]] * 1000:.1f} | {r[second[0]] * 1000:.1f} | {r['ratio']:.2f} "
                     f"| {r['q1']:.2f}–{r['q3']:.2f} | ≤ {target:g} |")
    return record([*lines, "", machine_line(), ""], results_file, ok)


def settle(engine) -> None:  # noqa: ANN001
    """After loading the data: the tables as production keeps them (autovacuum's VACUUM ANALYZE on
    PostgreSQL, ANALYZE on SQLite).

    The throwaway PostgreSQL cluster commits asynchronously (tests.support.pgcluster). VACUUM marks a
    page all-visible only once the commits of its rows are known to be on disk, and PostgreSQL
    judges that per group of transactions: the asynchronous commits of the ANALYZE steps of the same
    VACUUM ANALYZE kept it from marking any page of the tables loaded just before, so no query
    could use an index-only scan, unlike on a server with the default synchronous_commit = on. So
    this session commits synchronously, as such a server does.
    """
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("SET synchronous_commit = on"))
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("RESET synchronous_commit"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def on_both_databases(measure, scales, prefix: str) -> dict:  # noqa: ANN001
    """{(database, scale): measure(url, scale)} on SQLite files and a throwaway PostgreSQL cluster."""
    import tempfile

    from tests.support.pgcluster import PostgresCluster

    results = {}
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        for n, scale in enumerate(scales):
            results[("SQLite", scale)] = measure(f"sqlite:///{tmp}/bench-{n}.sqlite3", scale)
        cluster = PostgresCluster(Path(tmp) / "pg")
        cluster.start()
        try:
            for n, scale in enumerate(scales):
                results[("PostgreSQL", scale)] = measure(cluster.create_database(f"bench{n}"), scale)
        finally:
            cluster.stop()
    return results

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

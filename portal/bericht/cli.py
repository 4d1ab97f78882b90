"""`portal report abschlussbericht`: the report of a period as DOCX or PDF."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.bericht.build import build
from portal.commandline import TerminalProgress, fail
from portal.db import get_session
from portal.models.measure import ReportingPeriod


@click.command("abschlussbericht")
@click.option("--period", "period_id", type=int, required=True, help="ID des Berichtszeitraums")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf"]), default="docx", show_default=True,
              help="Dateiformat: Word (docx) oder PDF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True, help="Zieldatei")
@with_appcontext
def report_abschlussbericht(period_id: int, fmt: str, output: str) -> None:
    """Bericht an den Stadtrat (Zwischen- oder Abschlussbericht) als Word- oder PDF-Datei schreiben."""
    db = get_session()
    period = db.get(ReportingPeriod, period_id)
    if period is None:
        fail(f"Berichtszeitraum {period_id} gibt es nicht. Vorhanden: "
             + ", ".join(f"{p.id} ({p.name})" for p in db.query(ReportingPeriod).order_by(ReportingPeriod.id)))
        return
    with TerminalProgress("Bericht erstellen") as progress:
        data, _name = build(db, period, fmt, progress)
    Path(output).write_bytes(data)
    click.echo(f"{period.name}: {output} geschrieben ({len(data) // 1024} KB).")

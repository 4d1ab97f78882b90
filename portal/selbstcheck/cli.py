"""`portal selbstcheck …`: the yearly overview as a file, for operators and scheduled jobs."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal import audit
from portal.commandline import fail
from portal.db import get_session
from portal.models.people import Role, User, UserRole
from portal.selbstcheck import tables


@click.group("selbstcheck")
def selbstcheck_group() -> None:
    """Selbstcheck: Übersicht exportieren."""


@selbstcheck_group.command("uebersicht")
@click.option("--jahr", "year", type=int, required=True, help="Berichtsjahr, z. B. 2025.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True,
              help="Dateiformat.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Zieldatei.")
@with_appcontext
def overview_command(year: int, fmt: str, output: Path) -> None:
    """Übersicht aller OE für ein Berichtsjahr (mit Vorjahresvergleich) als CSV oder XLSX schreiben."""
    if not 2000 <= year <= 2100:
        fail(f"Das Berichtsjahr {year} ist ungültig (erwartet 2000 bis 2100).")
    db = get_session()
    # the command line acts for the integration office (citywide), without a stored user
    operator = User(username="portal-cli", display_name="Kommandozeile", role_grants=[UserRole(role=Role.INTEGRATIONSBUERO, scope="")])
    rows = tables.overview_rows(db, year, operator)
    try:
        output.write_bytes(tables.export(rows, year, fmt))
    except OSError as exc:
        fail(f"Die Datei {output} konnte nicht geschrieben werden: {exc.strerror}.")
    audit.record(db, "selbstcheck_overview_export", detail={"jahr": year, "format": fmt, "zeilen": len(rows), "quelle": "cli"})
    db.commit()
    submitted = sum(1 for r in rows if r.submitted)
    click.echo(f"{len(rows)} Zeilen ({submitted} eingereicht) nach {output} geschrieben.")

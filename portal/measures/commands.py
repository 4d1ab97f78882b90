"""`portal catalogue export|import`, `portal report measures` and `portal notifications reminders`."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from portal import audit, tasks
from portal.commandline import EACH_OPTION, TerminalProgress, fail, parse_day
from portal.db import get_session
from portal.measures import tables
from portal.measures.catalogue import CatalogueError, export_bytes, export_rows, import_catalogue, shipped_export_rows
from portal.measures.reminders import enqueue_reminders
from portal.models.measure import ReportingPeriod
from portal.runlock import single_run

FORMATS = ["csv", "xlsx"]


@click.group("catalogue")
def catalogue_group() -> None:
    """Maßnahmenkatalog exportieren und importieren."""


@catalogue_group.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True, help="Dateiformat")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True), help="Zieldatei")
@click.option("--mitgeliefert", "shipped", is_flag=True,
              help="Den mit dem Portal mitgelieferten Katalog schreiben statt des gespeicherten (zum Übernehmen von Korrekturen).")
@with_appcontext
def catalogue_export(fmt: str, output: str, shipped: bool) -> None:
    """Den Maßnahmenkatalog als CSV oder XLSX schreiben (eine Zeile je Maßnahme und Teil)."""
    db = get_session()
    data = export_bytes(db, fmt, shipped=shipped)
    Path(output).write_bytes(data)
    rows = len(shipped_export_rows() if shipped else export_rows(db))
    audit.record(db, "catalogue_exported", object_type="Measure",
                 detail={"format": fmt, "zeilen": rows, "datei": Path(output).name, "mitgeliefert": shipped})
    db.commit()
    click.echo(f"{rows} Zeilen nach {output} geschrieben.")


@catalogue_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts speichern.")
@EACH_OPTION
@with_appcontext
def catalogue_import(file: str, dry_run: bool, each: bool) -> None:
    """Einen Maßnahmenkatalog (CSV oder XLSX im Exportformat) einlesen – alle Zeilen oder keine."""
    db = get_session()
    path = Path(file)
    try:
        result = import_catalogue(db, path.read_bytes(), path.name, dry_run=dry_run)
    except CatalogueError as exc:
        db.rollback()
        fail(f"{path.name}: nichts gespeichert.\n" + "\n".join(exc.messages))
        return
    if each:
        for line in result.lines:
            click.echo(line)
    summary = f"{result.added} neu, {result.changed} geändert, {result.unchanged} unverändert."
    if dry_run:
        db.rollback()
        click.echo("Probelauf: " + summary + " Nichts gespeichert.")
    else:
        db.commit()
        click.echo("Gespeichert: " + summary)


@click.command("measures")
@click.option("--period", "period_id", required=True, type=int, help="Nummer (ID) des Berichtszeitraums")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="xlsx", show_default=True,
              help="Dateiformat.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Zieldatei.")
@with_appcontext
def report_measures(period_id: int, fmt: str, output: str) -> None:
    """Die Tabelle für den Stadtratsbericht (Erfüllungsstand je Maßnahme) schreiben."""
    db = get_session()
    period = db.get(ReportingPeriod, period_id)
    if period is None:
        fail(f"Einen Berichtszeitraum mit der Nummer {period_id} gibt es nicht.")
        return
    with TerminalProgress("Tabelle erstellen") as progress:
        data = tables.council_export(db, period, fmt, progress)
    Path(output).write_bytes(data)
    audit.record(db, "council_table_exported", obj=period, detail={"format": fmt, "datei": Path(output).name})
    db.commit()
    click.echo(f"Tabelle für „{period.name}“ nach {output} geschrieben.")


@click.command("reminders")
@click.option("--tage", "days", type=click.IntRange(min=0, max=365), default=14, show_default=True,
              help="Erinnern, wenn der Stichtag in höchstens so vielen Tagen ist.")
@click.option("--heute", default=None, help="Datum, das als heute gilt (JJJJ-MM-TT), für Probeläufe.")
@with_appcontext
@single_run("notifications-reminders", "portal notifications reminders")
def notifications_reminders(days: int, heute: str | None) -> None:
    """Erinnerungen an OE mit fehlenden Sachstandsberichten vor dem Stichtag vormerken (täglich aufrufen)."""
    db = get_session()
    result = enqueue_reminders(db, days, parse_day(heute))
    db.commit()
    click.echo(f"{result.enqueued} Erinnerung(en) vorgemerkt ({result.periods} Berichtszeitraum/-räume mit Stichtag "
               f"in den nächsten {days} Tagen, {result.units} OE mit fehlenden Berichten).")


@tasks.periodic("portal.notifications.reminders", "30 6 * * 1", "notifications-reminders")
def _reminders(app: Flask, db: Session) -> str:
    return f"{enqueue_reminders(db, 14, date.today()).enqueued} Erinnerung(en) vorgemerkt"

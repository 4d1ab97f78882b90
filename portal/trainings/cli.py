"""`portal roster import`, `portal trainings import`, `portal report compliance`."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portal.cli import fail
from portal.db import get_session


def _import(kind: str, path: str, dry_run: bool) -> None:
    from portal.trainings.imports import ImportRefused, import_roster, import_trainings

    db = get_session()
    file = Path(path)
    run = import_roster if kind == "roster" else import_trainings
    try:
        result = run(db, file.read_bytes(), file.name, None, dry_run=dry_run)
    except ImportRefused as exc:
        db.rollback()
        fail(f"{file.name}: Die Datei wurde nicht übernommen, nichts wurde gespeichert.\n" + "\n".join(exc.messages))
        return
    for line in result.lines:
        click.echo(line)
    _finish(db, dry_run, f"Nur geprüft (nichts gespeichert): {result.summary}.", f"Übernommen: {result.summary}.")


def _finish(db, dry_run: bool, checked: str, done: str) -> None:  # noqa: ANN001
    """Roll back a dry run, commit a real one, and say which it was."""
    if dry_run:
        db.rollback()
        click.echo(checked)
    else:
        db.commit()
        click.echo(done)


@click.group("roster")
def roster_group() -> None:
    """Zielgruppenlisten des Schulungsauftrags."""


@click.group("trainings")
def trainings_group() -> None:
    """Schulungsnachweise."""


def _add_import_command(group: click.Group, kind: str, help_text: str) -> None:
    @group.command("import", help=help_text)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts speichern.")
    @with_appcontext
    def command(file: str, dry_run: bool) -> None:
        _import(kind, file, dry_run)


_add_import_command(roster_group, "roster", "Zielgruppenliste aus CSV oder XLSX einlesen (alle Zeilen oder keine).")
_add_import_command(trainings_group, "trainings",
                    "Schulungen aus dem zentralen Fortbildungsprogramm einlesen (gelten als anerkannt).")


@trainings_group.command("purge-files")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Aufbewahrungsfrist in Tagen (Standard: Einstellung CERTIFICATE_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Nur anzeigen, nichts löschen.")
@with_appcontext
def trainings_purge_files(days: int | None, dry_run: bool) -> None:
    """Nachweis-Dateien nach Ablauf der Aufbewahrungsfrist löschen (die Zählungen bleiben)."""
    from flask import current_app

    from portal.trainings.services import purge_certificate_files

    days = days or current_app.config.get("CERTIFICATE_RETENTION_DAYS")
    if not days:
        fail("Keine Aufbewahrungsfrist: Bitte --days angeben oder CERTIFICATE_RETENTION_DAYS einstellen.")
        return
    db = get_session()
    due = purge_certificate_files(db, int(days), dry_run=dry_run)
    _finish(db, dry_run, f"Nur geprüft: {len(due)} Dateien wären zu löschen (entschieden vor mehr als {days} Tagen).",
            f"{len(due)} Nachweis-Dateien gelöscht (entschieden vor mehr als {days} Tagen). Die Zählungen bleiben.")


@click.command("compliance")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), required=True, help="Dateiformat.")
@click.option("--oe", "oe_code", default=None, help="Nur diese OE (Kürzel, z. B. „Amt 50“).")
@click.option("--stichtag", default=None, help="Stichtag JJJJ-MM-TT (Standard 2026-12-31).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="Zieldatei.")
@with_appcontext
def report_compliance(fmt: str, oe_code: str | None, stichtag: str | None, output: str) -> None:
    """Auswertungstabelle des Schulungsauftrags als CSV, XLSX oder PDF."""
    from portal import audit
    from portal.models.org import OrgUnit
    from portal.trainings import exports, rules

    db = get_session()
    cutoff = rules.DEFAULT_CUTOFF
    if stichtag:
        try:
            cutoff = date.fromisoformat(stichtag)
        except ValueError:
            fail(f"Der Stichtag „{stichtag}“ ist kein gültiges Datum (JJJJ-MM-TT).")
            return
    scope = None
    if oe_code:
        scope = db.scalar(select(OrgUnit).where(func.lower(OrgUnit.code) == " ".join(oe_code.split()).lower()))
        if scope is None:
            fail(f"Die OE „{oe_code}“ ist unbekannt.")
            return
    data, _name, _mime = exports.render(db, fmt, cutoff, scope)
    Path(output).write_bytes(data)
    audit.record(db, "compliance_exported", org_unit_code=scope.code if scope else None,
                 detail={"format": fmt, "stichtag": cutoff.isoformat(), "oe": scope.code if scope else "Gesamt", "cli": True})
    db.commit()
    click.echo(f"Auswertungstabelle ({fmt.upper()}, Stichtag {cutoff:%d.%m.%Y}) geschrieben: {output}")

"""`portal roster import`, `portal trainings import`, `portal report compliance`, `portal certificates purge`,
`portal person import|export`."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit, scanning, tasks
from portal.commandline import EACH_OPTION, TerminalProgress, fail, import_file, parse_day
from portal.db import get_session
from portal.models.org import OrgUnit
from portal.runlock import single_run
from portal.trainings import concept, exports, rules, scans, services
from portal.trainings.imports import import_roster, import_trainings
from portal.trainings.person_export import PersonNotFound, export_bytes
from portal.trainings.persons import import_persons


def _import(kind: str, path: str, dry_run: bool, each: bool = False) -> None:
    run = {"roster": import_roster, "trainings": import_trainings, "persons": import_persons}[kind]
    import_file(path, lambda data, name, progress: run(get_session(), data, name, None, dry_run=dry_run,
                                                       progress=progress), dry_run=dry_run, each=each)


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
    @EACH_OPTION
    @with_appcontext
    def command(file: str, dry_run: bool, each: bool) -> None:
        _import(kind, file, dry_run, each)


_add_import_command(roster_group, "roster", (
    "Zielgruppenliste aus CSV oder XLSX einlesen (alle Zeilen oder keine).\n\n"
    "Zielgruppen laut Schulungskonzept: Führungskraft (ab Hierarchieebene Sachgebietsleitung, einschließlich "
    "Amtsleitungen, Beigeordnete und Oberbürgermeister), Bürgerkontakt (persönlich, telefonisch, schriftlich oder "
    "elektronisch), Öffentlichkeitsarbeit (Verantwortung für Kommunikation und Auftreten der Stadtverwaltung, in allen "
    "Organisationseinheiten). Die Beurteilung, welche Beschäftigten hierunter fallen, obliegt den Organisationseinheiten. "
    "Frist laut Festlegungen des Oberbürgermeisters: T: bis 12/2025."))
_add_import_command(trainings_group, "trainings", (
    "Schulungen aus dem zentralen Fortbildungsprogramm einlesen (gelten als anerkannt).\n\n"
    f"Gemeint ist das {concept.PROGRAMME_SHORT} des Sachgebiets Fortbildung im Haupt- und Personalamt; "
    "anerkannt werden Schulungen ab 6 Stunden mit demokratischer oder interkultureller Kompetenz, Mehrsprachigkeit "
    "oder bürgernaher Kommunikation, absolviert seit 2021."))


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts speichern.")
@EACH_OPTION
@with_appcontext
def persons_import(file: str, dry_run: bool, each: bool) -> None:
    """Personalbestand des Personalamts einlesen: Personalnummer, Name und aktuelle OE (CSV oder XLSX,
    alle Zeilen oder keine).

    Spalten: personalnummer;nachname;vorname;oe. Neue Personalnummern werden angelegt, Namen und OE
    bekannter Personen aktualisiert. Eine neue OE ist ein Wechsel: Er steht im Protokoll, und die offenen
    Einträge der Person in den Zielgruppenlisten der bisherigen OE enden am Vortag. Personen, die in der
    Datei fehlen, bleiben unverändert."""
    _import("persons", file, dry_run, each)


@trainings_group.command("scan")
@click.option("--alle", "everything", is_flag=True,
              help="Alle gespeicherten Dateien neu prüfen, auch schon geprüfte (z. B. nach neuen Signaturen).")
@with_appcontext
@single_run("trainings-scan", "portal trainings scan")
def trainings_scan(everything: bool) -> None:
    """Nachweis-Dateien auf Viren prüfen, die noch warten oder deren Prüfung fehlgeschlagen ist (für cron)."""
    db = get_session()
    refused = _cannot_scan(db)
    if refused is not None:
        message, blocked = refused
        if blocked:
            fail(message)
        click.echo(message)  # nothing is blocked: a cron job on a portal without a scanner is fine
        return
    outcomes = scans.scan_due(db, everything)
    for outcome in outcomes:
        click.echo(f"Nachweis {outcome.training_id}: {scans.label(outcome.status)} – {outcome.detail}")
    summary, failed = _scan_summary(outcomes)
    if failed:
        fail(summary)
    click.echo(summary)


def _cannot_scan(db: Session) -> tuple[str, bool] | None:
    """Why no scan can run (German, and whether files stay blocked for it), or None: scan."""
    try:
        enabled = scanning.scanning_enabled()
    except scanning.ScanConfigError as exc:
        return f"Die Einstellung VIRUS_SCAN_COMMAND ist fehlerhaft: {exc}", True
    if enabled:
        return None
    waiting = len(scans.due_ids(db))
    if not waiting:
        return "Keine Virenprüfung eingerichtet (VIRUS_SCAN_COMMAND ist leer) – es wartet keine Datei.", False
    return ("Keine Virenprüfung eingerichtet (VIRUS_SCAN_COMMAND ist leer)."
            f" {waiting} Dateien bleiben gesperrt, bis ein Scanner eingerichtet ist."), True


def _scan_summary(outcomes: list[scans.Outcome]) -> tuple[str, bool]:
    """The German summary of a scan run, and whether a scan failed."""
    count = {status: sum(1 for o in outcomes if o.status == status) for status in scans.LABELS}
    summary = (f"{len(outcomes)} Dateien geprüft: {count[scanning.CLEAN]} ohne Befund, "
               f"{count[scanning.INFECTED]} mit Schadsoftware (gelöscht), {count[scanning.ERROR]} fehlgeschlagen.")
    if count[scanning.ERROR]:
        return summary + " Die fehlgeschlagenen Dateien bleiben gesperrt; der nächste Lauf versucht es erneut.", True
    return summary, False


@click.command("compliance")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), required=True, help="Dateiformat.")
@click.option("--oe", "oe_code", default=None, help="Nur diese OE (Kürzel, z. B. „Amt 50“).")
@click.option("--stichtag", default=None, help="Stichtag JJJJ-MM-TT (Standard 2026-12-31).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="Zieldatei.")
@with_appcontext
def report_compliance(fmt: str, oe_code: str | None, stichtag: str | None, output: str) -> None:
    """Auswertungstabelle des Schulungsauftrags als CSV, XLSX oder PDF."""
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
    with TerminalProgress("Auswertungstabelle erstellen") as progress:
        data, _name, _mime = exports.render(db, fmt, cutoff, scope, progress)
    Path(output).write_bytes(data)
    audit.record(db, "compliance_exported", org_unit_code=scope.code if scope else None,
                 detail={"format": fmt, "stichtag": cutoff.isoformat(), "oe": scope.code if scope else "Gesamt", "cli": True})
    db.commit()
    click.echo(f"Auswertungstabelle ({fmt.upper()}, Stichtag {cutoff:%d.%m.%Y}) geschrieben: {output}")


@tasks.periodic("portal.trainings.scan", "2-59/5 * * * *", "trainings-scan")
def _scan(app: Flask, db: Session) -> str:
    """As `portal trainings scan`; what the command ends with an error is logged as a warning."""
    refused = _cannot_scan(db)
    if refused is not None:
        message, blocked = refused
        if blocked:
            app.logger.warning(message)
        return message
    summary, failed = _scan_summary(scans.scan_due(db))
    if failed:
        app.logger.warning(summary)
    return summary


@click.group("certificates")
def certificates_group() -> None:
    """Nachweis-Dateien (Aufbewahrung)."""


@certificates_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Nur anzeigen, nichts löschen.")
@click.option("--tage", "days", type=click.IntRange(min=1), default=None,
              help="Aufbewahrungsfrist in Tagen (Standard: Einstellung CERTIFICATE_RETENTION_DAYS).")
@click.option("--heute", default=None, help="Datum, das als heute gilt (JJJJ-MM-TT), für Probeläufe.")
@with_appcontext
@single_run("certificates-purge", "portal certificates purge")
def certificates_purge(dry_run: bool, days: int | None, heute: str | None) -> None:
    """Nachweis-Dateien löschen, wenn die Aufbewahrungsfrist nach dem Ende des Schulungsauftrags
    abgelaufen ist. Nachweise, Entscheidungen und alle Zahlen bleiben; jede Löschung wird protokolliert."""
    days = days or current_app.config["CERTIFICATE_RETENTION_DAYS"]
    db = get_session()
    try:
        due = services.purge_certificate_files(db, int(days), today=parse_day(heute), dry_run=dry_run)
    except services.PurgeTooEarly as exc:
        click.echo(f"Nichts zu tun: {exc}")
        return
    for t in due:
        click.echo(f"Nachweis {t.id} ({t.person.personnel_number}, „{t.title}“, entschieden am "
                   f"{t.state_changed_at:%d.%m.%Y}): {'würde gelöscht' if dry_run else 'Datei gelöscht'}")
    if dry_run:
        db.rollback()
        click.echo(f"Nur geprüft: {len(due)} Datei(en) wären zu löschen. Es wurde nichts geändert.")
        return
    db.commit()
    click.echo(f"{len(due)} Nachweis-Datei(en) gelöscht. Nachweise, Entscheidungen und Zahlen bleiben erhalten.")


@tasks.periodic("portal.certificates.purge", "0 3 * * 0", "certificates-purge")
def _certificates_purge(app: Flask, db: Session) -> str:
    try:
        due = services.purge_certificate_files(db, int(app.config["CERTIFICATE_RETENTION_DAYS"]), today=date.today())
    except services.PurgeTooEarly as exc:
        return f"Nichts zu tun: {exc}"
    return f"{len(due)} Nachweis-Datei(en) gelöscht"


@click.group("person")
def person_group() -> None:
    """Personen: Personalbestand einlesen, Auskunft über die gespeicherten Daten einer Person."""


person_group.add_command(persons_import)


@person_group.command("export")
@click.argument("personalnummer")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Zieldatei: .json, oder .zip (mit den gespeicherten Nachweis-Dateien).")
@with_appcontext
def person_export(personalnummer: str, output: str) -> None:
    """Alles, was das Portal über eine Person speichert, als JSON- oder ZIP-Datei (Auskunftsrecht)."""
    as_zip = output.lower().endswith(".zip")
    if not as_zip and not output.lower().endswith(".json"):
        fail("Die Zieldatei muss auf .json oder .zip enden.")
        return
    db = get_session()
    try:
        data, files_included = export_bytes(db, personalnummer, as_zip)
    except PersonNotFound:
        fail(f"Zur Personalnummer „{personalnummer.strip()}“ sind keine Daten gespeichert.")
        return
    Path(output).write_bytes(data)
    audit.record(db, "person_exported", object_type="Person", object_id=personalnummer.strip(),
                 detail={"datei": Path(output).name, "format": "zip" if as_zip else "json", "nachweis_dateien": files_included})
    db.commit()
    click.echo(f"Auskunft für Personalnummer {personalnummer.strip()} geschrieben: {output}"
               + (f" ({files_included} Nachweis-Datei(en))" if as_zip else ""))

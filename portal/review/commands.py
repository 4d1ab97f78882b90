"""Commands of the review desk: reminders before a Stichtag, certificate retention and
the right of access (`portal person export`)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.db import get_session
from portal.runlock import single_run


def _today(value: str | None) -> date:
    from portal.cli import fail

    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"Ungültiges Datum „{value}“ – bitte im Format JJJJ-MM-TT angeben.")
        raise


@click.command("reminders")
@click.option("--tage", "days", type=click.IntRange(min=0, max=365), default=14, show_default=True,
              help="Erinnern, wenn der Stichtag in höchstens so vielen Tagen ist.")
@click.option("--heute", default=None, help="Datum, das als heute gilt (JJJJ-MM-TT), für Probeläufe.")
@with_appcontext
@single_run("notifications-reminders", "portal notifications reminders")
def notifications_reminders(days: int, heute: str | None) -> None:
    """Erinnerungen an OE mit fehlenden Sachstandsberichten vor dem Stichtag vormerken (täglich aufrufen)."""
    from portal.review.reminders import enqueue_reminders

    db = get_session()
    result = enqueue_reminders(db, days, _today(heute))
    db.commit()
    click.echo(f"{result.enqueued} Erinnerung(en) vorgemerkt ({result.periods} Berichtszeitraum/-räume mit Stichtag "
               f"in den nächsten {days} Tagen, {result.units} OE mit fehlenden Berichten).")


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
    from portal.trainings.services import PurgeTooEarly, purge_certificate_files

    days = days or current_app.config["CERTIFICATE_RETENTION_DAYS"]
    db = get_session()
    try:
        due = purge_certificate_files(db, int(days), today=_today(heute), dry_run=dry_run)
    except PurgeTooEarly as exc:
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


@click.group("person")
def person_group() -> None:
    """Auskunft über die gespeicherten Daten einer Person."""


@person_group.command("export")
@click.argument("personalnummer")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Zieldatei: .json, oder .zip (mit den gespeicherten Nachweis-Dateien).")
@with_appcontext
def person_export(personalnummer: str, output: str) -> None:
    """Alles, was das Portal über eine Person speichert, als JSON- oder ZIP-Datei (Auskunftsrecht)."""
    from portal import audit
    from portal.cli import fail
    from portal.review.person_export import PersonNotFound, export_bytes

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

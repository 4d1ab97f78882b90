"""The `portal` command: setup, demo data, database and the feature commands."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from portal.db import get_session
from portal.runlock import single_run


def create_app_or_exit() -> Flask:
    """The app of a command-line process (every `portal` command, a background worker): the
    configuration is checked and the database must answer once; a mistake ends the process
    with one German line on stderr and exit status 2, without a traceback."""
    from portal import create_app
    from portal.config import ConfigError, check_database_reachable

    try:
        app = create_app()
        check_database_reachable(app.extensions["portal.db"].engine)
    except ConfigError as exc:
        click.echo(f"Konfigurationsfehler: {exc}", err=True)
        sys.exit(2)
    return app


def _create_app() -> Flask:
    return create_app_or_exit()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
@click.version_option(package_name="portal-aktionsplan", prog_name="portal", message="%(prog)s %(version)s")
def main() -> None:
    """Portal Aktionsplan Integration – Verwaltungsbefehle."""


def fail(message: str, code: int = 1) -> None:
    """End a command with a German message on stderr and a non-zero exit status."""
    click.echo(message, err=True)
    sys.exit(code)


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Datenbank anlegen oder aktualisieren und Referenzdaten laden (wiederholbar)."""
    from portal import migrate, reference

    migrate.upgrade(current_app)
    click.echo("Datenbank ist auf dem neuesten Stand.")
    db = get_session()
    for line in reference.load_all(db):
        click.echo(line)
    db.commit()
    click.echo("Einrichtung abgeschlossen.")


@click.group("demo")
def demo_group() -> None:
    """Demodaten für das Demo-Verzeichnis."""


@demo_group.command("load")
@with_appcontext
def demo_load() -> None:
    """Demodaten laden (wiederholbar)."""
    from portal import demo

    db = get_session()
    for line in demo.load(db):
        click.echo(line)
    db.commit()
    click.echo("Demodaten geladen.")


@click.group("db")
def db_group() -> None:
    """Datenbankschema (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Schema auf REVISION bringen (Standard: neuester Stand)."""
    from portal import migrate

    migrate.upgrade(current_app, revision)


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes-delete-all-data", "delete_all", is_flag=True,
              help="Nötig für REVISION base: löscht alle Tabellen mit allen Daten.")
@with_appcontext
def db_downgrade(revision: str, delete_all: bool) -> None:
    """Schema auf REVISION zurücksetzen (z. B. -1)."""
    from portal import migrate

    if revision.strip().lower() == "base" and not delete_all:
        fail("Abgebrochen: „portal db downgrade base“ löscht alle Tabellen und damit alle Daten des Portals. "
             "Wenn Sie das wirklich wollen, rufen Sie den Befehl mit --yes-delete-all-data auf.")
    migrate.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Neue Migration aus den Modellen erzeugen (danach lesen und anpassen)."""
    from portal import migrate

    migrate.revision(current_app, message)


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Aktuellen Stand anzeigen."""
    from portal import migrate

    migrate.current(current_app)


@click.group("notifications")
def notifications_group() -> None:
    """E-Mail-Benachrichtigungen."""


@notifications_group.command("send")
@with_appcontext
@single_run("notifications-send", "portal notifications send")
def notifications_send() -> None:
    """Fällige Benachrichtigungen senden (regelmäßig aufrufen, z. B. alle 5 Minuten)."""
    from portal import mail

    if not current_app.config.get("MAIL_SERVER"):
        click.echo("Kein MAIL_SERVER eingestellt – es wird nichts gesendet.")
        return
    result = mail.send_due(get_session(), current_app.config)
    click.echo(f"{result.sent} gesendet, {result.failed} fehlgeschlagen (werden später erneut versucht).")
    if result.failed and not result.sent:
        sys.exit(1)


@notifications_group.command("digest")
@click.option("--tag", "day", default=None, help="Tag (JJJJ-MM-TT), Standard: gestern")
@with_appcontext
@single_run("notifications-digest", "portal notifications digest")
def notifications_digest(day: str | None) -> None:
    """Tägliche Übersicht neuer Einreichungen an das Integrationsbüro vormerken (täglich aufrufen)."""
    from datetime import date, timedelta

    from portal import mail

    try:
        target = date.fromisoformat(day) if day else date.today() - timedelta(days=1)
    except ValueError:
        fail(f"Ungültiges Datum „{day}“ – bitte im Format JJJJ-MM-TT angeben.")
    db = get_session()
    made = mail.enqueue_office_digest(db, target)
    db.commit()
    click.echo(f"{made} Übersicht(en) für den {target:%d.%m.%Y} vorgemerkt.")


@click.group("sessions")
def sessions_group() -> None:
    """Sitzungen und Anmeldeversuche."""


@sessions_group.command("purge")
@with_appcontext
@single_run("sessions-purge", "portal sessions purge")
def sessions_purge() -> None:
    """Abgelaufene Sitzungen und alte Anmeldeversuche löschen (täglich aufrufen)."""
    from portal.auth import sessions, throttle

    db = get_session()
    ended = sessions.purge_expired(db)
    attempts = throttle.purge_old(db)
    db.commit()
    click.echo(f"{ended} abgelaufene Sitzung(en) und {attempts} alte(r) Anmeldeversuch(e) gelöscht.")


@click.group("exports")
def exports_group() -> None:
    """Exportdateien (Dossier-ZIP, Berichte)."""


@exports_group.command("purge")
@with_appcontext
@single_run("exports-purge", "portal exports purge")
def exports_purge() -> None:
    """Exportdateien nach Ablauf von EXPORT_RETENTION_HOURS löschen (stündlich aufrufen)."""
    from portal.exports import jobs

    db = get_session()
    expired, orphans = jobs.purge_expired(current_app, db)
    db.commit()
    click.echo(f"{expired} abgelaufene Exportdatei(en) und {orphans} Datei(en) ohne Auftrag gelöscht.")


@click.group("config")
def config_group() -> None:
    """Einstellungen."""


@config_group.command("docs")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Zieldatei (Standard: Ausgabe auf dem Bildschirm).")
def config_docs(output: str | None) -> None:
    """Die Beschreibung aller Einstellungen (docs/configuration.md) aus ihrer Deklaration erzeugen."""
    from pathlib import Path

    from portal.config import render_docs

    text = render_docs()
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Geschrieben: {output}")
    else:
        click.echo(text, nl=False)


@click.command("worker")
@click.option("--parallel", "concurrency", default=1, show_default=True, help="Aufträge gleichzeitig")
@click.option("--stalled-seconds", default=30.0, show_default=True,
              help="Nach so vielen Sekunden ohne Lebenszeichen eines Workers wird sein Auftrag neu gestartet")
@with_appcontext
def worker_command(concurrency: int, stalled_seconds: float) -> None:
    """Aufträge der Warteschlange (JOB_QUEUE, PostgreSQL) ausführen, bis SIGTERM/SIGINT kommt."""
    from portal import tasks

    if not tasks.enabled(current_app):
        click.echo("JOB_QUEUE ist aus: Exporte laufen im Webprozess, ein Worker wird nicht gebraucht.")
        sys.exit(1)
    click.echo(f"Worker gestartet ({concurrency} gleichzeitig).")
    tasks.run_worker(current_app._get_current_object(), concurrency=concurrency,  # type: ignore[attr-defined]
                     stalled_seconds=stalled_seconds)


@click.group("report")
def report_group() -> None:
    """Auswertungen und Berichte schreiben."""


from portal.measures.commands import catalogue_group, report_measures  # noqa: E402
from portal.selbstcheck.cli import selbstcheck_group  # noqa: E402 - feature commands after the core ones
from portal.trainings.cli import persons_import, report_compliance, roster_group, trainings_group  # noqa: E402
from portal.review.commands import certificates_group, notifications_reminders, person_group  # noqa: E402
from portal.bericht.cli import report_abschlussbericht  # noqa: E402
from portal.storage.commands import storage_group  # noqa: E402

report_group.add_command(report_compliance)
report_group.add_command(report_measures)
report_group.add_command(report_abschlussbericht)
notifications_group.add_command(notifications_reminders)
person_group.add_command(persons_import)

COMMANDS = [setup_command, demo_group, db_group, notifications_group, roster_group, trainings_group,
            selbstcheck_group, catalogue_group, report_group, certificates_group, person_group,
            sessions_group, exports_group, config_group, storage_group, worker_command]

for _command in COMMANDS:  # listed and found without loading the app (and its configuration)
    main.add_command(_command)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)

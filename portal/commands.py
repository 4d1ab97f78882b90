"""The core `portal` commands: setup, demo data, database, notifications, sessions, settings,
stored files and the job worker. Features add theirs through their `Feature` (portal/features.py);
`report` and `notifications` are groups features add sub-commands to."""
from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal import demo, mail, migrate, reference, tasks
from portal.auth import sessions, throttle
from portal.commandline import fail, parse_day
from portal.config import render_docs
from portal.db import get_session
from portal.exports import jobs
from portal.features import Feature
from portal.runlock import single_run
from portal.storage.commands import storage_group
from sqlalchemy.orm import Session


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Datenbank anlegen oder aktualisieren und Referenzdaten laden (wiederholbar)."""
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
    migrate.upgrade(current_app, revision)


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes-delete-all-data", "delete_all", is_flag=True,
              help="Nötig für REVISION base: löscht alle Tabellen mit allen Daten.")
@with_appcontext
def db_downgrade(revision: str, delete_all: bool) -> None:
    """Schema auf REVISION zurücksetzen (z. B. -1)."""
    if revision.strip().lower() == "base" and not delete_all:
        fail("Abgebrochen: „portal db downgrade base“ löscht alle Tabellen und damit alle Daten des Portals. "
             "Wenn Sie das wirklich wollen, rufen Sie den Befehl mit --yes-delete-all-data auf.")
    migrate.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="Kurzbeschreibung der Migration (englisch, wird Teil des Dateinamens).")
@with_appcontext
def db_revision(message: str) -> None:
    """Neue Migration aus den Modellen erzeugen (danach lesen und anpassen)."""
    migrate.revision(current_app, message)


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Aktuellen Stand anzeigen."""
    migrate.current(current_app)


@click.group("notifications")
def notifications_group() -> None:
    """E-Mail-Benachrichtigungen."""


@notifications_group.command("send")
@with_appcontext
@single_run("notifications-send", "portal notifications send")
def notifications_send() -> None:
    """Fällige Benachrichtigungen senden (regelmäßig aufrufen, z. B. alle 5 Minuten)."""
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
    target = parse_day(day, default=date.today() - timedelta(days=1))
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
    db = get_session()
    summary = _sessions_purge(current_app, db)
    db.commit()
    click.echo(summary + ".")


@tasks.periodic("portal.notifications.send", "*/5 * * * *", "notifications-send")
def _send_mail(app: Flask, db: Session) -> str:
    if not app.config.get("MAIL_SERVER"):
        return "Kein MAIL_SERVER eingestellt – es wird nichts gesendet."
    result = mail.send_due(db, app.config)
    return f"{result.sent} gesendet, {result.failed} fehlgeschlagen"


@tasks.periodic("portal.notifications.digest", "15 6 * * *", "notifications-digest")
def _digest(app: Flask, db: Session) -> str:
    return f"{mail.enqueue_office_digest(db, date.today() - timedelta(days=1))} Übersicht(en) vorgemerkt"


@tasks.periodic("portal.sessions.purge", "45 2 * * *", "sessions-purge")
def _sessions_purge(app: Flask, db: Session) -> str:
    """The work of `portal sessions purge`, also run by the queue."""
    ended = sessions.purge_expired(db)
    attempts = throttle.purge_old(db)
    return f"{ended} abgelaufene Sitzung(en) und {attempts} alte(r) Anmeldeversuch(e) gelöscht"


@click.group("exports")
def exports_group() -> None:
    """Exportdateien (Dossier-ZIP, Berichte)."""


@exports_group.command("purge")
@with_appcontext
@single_run("exports-purge", "portal exports purge")
def exports_purge() -> None:
    """Exportdateien nach Ablauf von EXPORT_RETENTION_HOURS löschen (stündlich aufrufen)."""
    db = get_session()
    summary = _exports_purge(current_app, db)
    db.commit()
    click.echo(summary + ".")


@tasks.periodic("portal.exports.purge", "17 * * * *", "exports-purge")
def _exports_purge(app: Flask, db: Session) -> str:
    """The work of `portal exports purge`, also run by the queue."""
    expired, orphans = jobs.purge_expired(app, db)
    return f"{expired} abgelaufene Exportdatei(en) und {orphans} Datei(en) ohne Auftrag gelöscht"


@click.group("config")
def config_group() -> None:
    """Einstellungen."""


@config_group.command("docs")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Zieldatei (Standard: Ausgabe auf dem Bildschirm).")
def config_docs(output: str | None) -> None:
    """Die Beschreibung aller Einstellungen (docs/configuration.md) aus ihrer Deklaration erzeugen."""
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
    if not tasks.enabled(current_app):
        click.echo("JOB_QUEUE ist aus: Exporte laufen im Webprozess, ein Worker wird nicht gebraucht.")
        sys.exit(1)
    click.echo(f"Worker gestartet ({concurrency} gleichzeitig).")
    tasks.run_worker(current_app._get_current_object(), concurrency=concurrency,  # type: ignore[attr-defined]
                     stalled_seconds=stalled_seconds)


@click.group("report")
def report_group() -> None:
    """Auswertungen und Berichte schreiben."""


def all_commands(features: Sequence[Feature]) -> list[click.Command]:
    """The core commands and every feature's commands; sub-commands join the shared groups."""
    for feature in features:
        for group_name, command in feature.subcommands:
            SHARED[group_name].add_command(command)
    return [*CORE, *(command for feature in features for command in feature.commands)]


CORE = [setup_command, demo_group, db_group, notifications_group, sessions_group, exports_group, config_group, storage_group,
        worker_command, report_group]
SHARED = {"report": report_group, "notifications": notifications_group}

"""The `portal` command: setup, demo data, database and the feature commands."""
from __future__ import annotations

import copy
import re
import sys
from typing import IO, Any

import click
from flask import Flask, current_app
from flask import cli as flask_cli
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


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False,
             add_default_commands=False)
@click.version_option(package_name="portal-aktionsplan", prog_name="portal", message="%(prog)s %(version)s",
                      help="Version anzeigen und beenden.")
def main() -> None:
    """Portal Aktionsplan Integration – Verwaltungsbefehle."""


def _in_german(command: click.Command, help_text: str, short: str, options: dict[str, str]) -> click.Command:
    """A copy of one of Flask's commands (or of the group) with German help; the function is the same."""
    copied = copy.copy(command)
    copied.help, copied.short_help = help_text, short
    params = []
    for param in command.params:
        if param.name in options:
            param = copy.copy(param)
            param.help = options[param.name]  # type: ignore[attr-defined]
        params.append(param)
    copied.params = params
    return copied


main.params = _in_german(main, main.help or "", "", {
    "env_file": "Umgebungsvariablen aus dieser Datei laden (braucht python-dotenv; "
                "Variablen aus der Umgebung haben Vorrang).",
    "app": "Eine andere Flask-Anwendung laden (Modul:Name); für das Portal nicht nötig.",
    "debug": "Debug-Modus ein- oder ausschalten (nur für die Entwicklung).",
}).params
_RUN_OPTIONS = {
    "debug": "Debug-Modus ein- oder ausschalten (nur für die Entwicklung).",
    "host": "Adresse, an der der Server lauscht.",
    "port": "Port, an dem der Server lauscht.",
    "cert": "Zertifikatsdatei für HTTPS.",
    "key": "Schlüsseldatei zum Zertifikat.",
    "reload": "Bei Codeänderungen neu laden (Standard: im Debug-Modus an).",
    "debugger": "Debugger im Browser (Standard: im Debug-Modus an).",
    "with_threads": "Anfragen in mehreren Threads beantworten.",
    "extra_files": "Weitere Dateien, deren Änderung ein Neuladen auslöst (getrennt durch „:“).",
    "exclude_patterns": "Dateimuster (fnmatch), deren Änderung kein Neuladen auslöst (getrennt durch „:“).",
}
for _flask_command, _help, _short, _options in (
    (flask_cli.run_command, "Entwicklungsserver starten (nur für Entwicklung und Vorführung; im Betrieb gunicorn, "
                            "siehe docs/operations.md).", "Entwicklungsserver starten.", _RUN_OPTIONS),
    (flask_cli.shell_command, "Python-Konsole mit geladener Anwendung öffnen (für Wartungsarbeiten).",
     "Python-Konsole mit geladener Anwendung.", {}),
    (flask_cli.routes_command, "Alle Adressen (Routen) der Anwendung mit Endpunkt und Methoden anzeigen.",
     "Adressen der Anwendung anzeigen.", {
         "sort": "Sortierung: endpoint, methods, domain, rule oder match (die Reihenfolge, in der Flask sucht).",
         "all_methods": "Auch HEAD und OPTIONS anzeigen."}),
):
    main.add_command(_in_german(_flask_command, _help, _short, _options))


def fail(message: str, code: int = 1) -> None:
    """End a command with a German message on stderr and a non-zero exit status."""
    click.echo(message, err=True)
    sys.exit(code)


class TerminalProgress:
    """A progress bar while a command works, on a terminal only: when stdout is not a terminal
    (cron, a log file, a pipe) nothing is drawn. Call it as `progress(done, total)`."""

    def __init__(self, label: str, stream: IO[str] | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stdout
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= 0 or not self.stream.isatty():
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=self.stream, show_pos=True)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


_LINE = re.compile(r"^Zeile (\d+):")


def line_numbers(numbers: list[int]) -> str:
    """"3, 7, 12–20": sorted, runs of three or more as a range."""
    numbers = sorted(set(numbers))
    parts: list[str] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{numbers[start]}–{numbers[end]}")
        else:
            parts.extend(str(n) for n in numbers[start:end + 1])
        start = end + 1
    return ", ".join(parts)


def import_summary(read: int | None, messages: list[str] = ()) -> str:  # type: ignore[assignment]
    """The closing line of an import: rows read, rows refused with their numbers (from the
    messages "Zeile N: …"); the counts of new and changed rows follow on the next line."""
    from portal.templating import plural

    refused = sorted({int(m.group(1)) for m in map(_LINE.match, messages) if m})
    text = f"Gelesen: {plural(read, 'Datenzeile', 'Datenzeilen')}, " if read is not None else ""
    if refused:
        where = f"Zeile {refused[0]}" if len(refused) == 1 else f"Zeilen {line_numbers(refused)}"
        return f"{text}abgelehnt: {plural(len(refused), 'Zeile', 'Zeilen')} ({where})."
    if messages:
        return f"{text}abgelehnt: die ganze Datei."
    return f"{text}abgelehnt: 0."


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
@click.option("-m", "--message", required=True, help="Kurzbeschreibung der Migration (englisch, wird Teil des Dateinamens).")
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
            sessions_group, config_group, storage_group, worker_command]

for _command in COMMANDS:  # listed and found without loading the app (and its configuration)
    main.add_command(_command)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)

"""The `portal` command line: the app of a command-line process, and the group with the core
commands (portal/commands.py) and every feature's commands."""
from __future__ import annotations

import copy
import sys

import click
from flask import Flask
from flask import cli as flask_cli
from flask.cli import FlaskGroup

from portal import FEATURES, create_app
from portal.commands import all_commands
from portal.config import ConfigError, check_database_reachable
from portal.features import load


def create_app_or_exit() -> Flask:
    """The app of a command-line process (every `portal` command, a background worker): the
    configuration is checked and the database must answer once; a mistake ends the process
    with one German line on stderr and exit status 2, without a traceback."""
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


for _command in all_commands(load(FEATURES)):  # listed and found without loading the app (and its configuration)
    main.add_command(_command)

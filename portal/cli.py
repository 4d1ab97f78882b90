"""The `portal` command line: the app of a command-line process, and the group with the core
commands (portal/commands.py) and every feature's commands."""
from __future__ import annotations

import sys

import click
from flask import Flask
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


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
@click.version_option(package_name="portal-aktionsplan", prog_name="portal", message="%(prog)s %(version)s")
def main() -> None:
    """Portal Aktionsplan Integration – Verwaltungsbefehle."""


for _command in all_commands(load(FEATURES)):  # listed and found without loading the app (and its configuration)
    main.add_command(_command)

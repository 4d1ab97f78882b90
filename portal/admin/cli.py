"""`portal oe import`: the city's list of Organisationseinheiten."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.admin.oe_import import import_org_units
from portal.commandline import EACH_OPTION, import_file
from portal.db import get_session


@click.group("oe")
def oe_group() -> None:
    """Organisationseinheiten (OE)."""


@oe_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts speichern.")
@EACH_OPTION
@with_appcontext
def oe_import(file: str, dry_run: bool, each: bool) -> None:
    """Die OE-Liste der Stadt einlesen (CSV oder XLSX, Kopfzeile kuerzel;name;art): neue Kürzel werden
    angelegt, Name und Art bekannter OE aktualisiert; nichts wird gelöscht. Alle Zeilen oder keine."""
    import_file(file, lambda data, name, progress: import_org_units(
        get_session(), data, name, dry_run=dry_run, progress=progress), dry_run=dry_run, each=each)

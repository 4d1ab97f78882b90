"""`portal storage check` and `portal storage migrate`."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import storage
from portal.db import get_session
from portal.models.gremien import GremiumMeeting
from portal.models.training import Training
from portal.storage import AREAS, Storage, StorageError


def referenced_keys(db: Session) -> dict[str, str]:
    """Every stored file a row points at: key → what the row is (German)."""
    keys = {f"certificates/{name}": f"Nachweis {tid}" for tid, name in db.execute(
        select(Training.id, Training.file_name)
        .where(Training.file_name.is_not(None), Training.file_deleted_at.is_(None)))}
    keys.update({f"minutes/{name}": f"Protokoll der Sitzung {mid}" for mid, name in db.execute(
        select(GremiumMeeting.id, GremiumMeeting.minutes_file).where(GremiumMeeting.minutes_file.is_not(None)))})
    return keys


@dataclass
class Comparison:
    rows_without_objects: list[tuple[str, str]] = field(default_factory=list)
    objects_without_rows: list[str] = field(default_factory=list)


def compare(db: Session, target: Storage) -> Comparison:
    rows = referenced_keys(db)
    objects = {key for area in AREAS for key in target.keys(f"{area}/")}
    return Comparison(sorted((key, what) for key, what in rows.items() if key not in objects),
                      sorted(objects - rows.keys()))


@dataclass
class Migration:
    copied: int = 0
    present: int = 0
    failed: list[str] = field(default_factory=list)


def migrate(source: Storage, target: Storage) -> Migration:
    """Copy every object of the areas from `source` to `target`, streaming, and verify each copy's
    SHA-256 by reading it back. An object already in `target` with the same checksum is left alone."""
    result = Migration()
    for area in AREAS:
        for key in source.keys(f"{area}/"):
            size, checksum = storage.sha256_of(source, key)
            try:
                if target.size(key) == size and storage.sha256_of(target, key) == (size, checksum):
                    result.present += 1
                    continue
            except FileNotFoundError:
                pass
            with source.open(key) as fh:
                written = target.put(key, storage.read_chunks(fh))
            if written.sha256 != checksum or storage.sha256_of(target, key) != (size, checksum):
                target.delete(key)
                result.failed.append(key)
            else:
                result.copied += 1
    return result


@click.group("storage")
def storage_group() -> None:
    """Dateispeicher (Nachweise, Protokolle): prüfen und umziehen."""


@storage_group.command("check")
@with_appcontext
def storage_check() -> None:
    """Zeilen ohne Datei und Dateien ohne Zeile auflisten (Ende 1, wenn es welche gibt)."""
    target = storage.get_storage()
    try:
        found = compare(get_session(), target)
    except StorageError as exc:
        click.echo(str(exc))
        sys.exit(1)
    click.echo(f"Dateispeicher {target.url}:")
    click.echo(f"{len(found.rows_without_objects)} Eintrag/Einträge ohne Datei")
    for key, what in found.rows_without_objects:
        click.echo(f"  fehlt: {key} ({what})")
    click.echo(f"{len(found.objects_without_rows)} Datei(en) ohne Eintrag")
    for key in found.objects_without_rows:
        click.echo(f"  übrig: {key}")
    if found.rows_without_objects or found.objects_without_rows:
        sys.exit(1)


@storage_group.command("migrate")
@click.option("--von", "source_url", default=None,
              help="Bisheriger Speicher, z. B. file:/var/lib/portal/uploads (Standard: UPLOAD_DIR)")
@with_appcontext
def storage_migrate(source_url: str | None) -> None:
    """Dateien aus dem bisherigen Ordner in den eingestellten Speicher (STORAGE_URL) kopieren und prüfen."""
    source = storage.from_url(source_url or f"file:{current_app.config['UPLOAD_DIR']}",
                              base=Path(current_app.instance_path).parent)
    target = storage.get_storage()
    if source.url == target.url:
        click.echo(f"Quelle und Ziel sind derselbe Speicher ({target.url}). Stellen Sie STORAGE_URL auf das neue "
                   "Ziel (z. B. s3://bucket/portal) und geben Sie den bisherigen Ordner mit --von an.")
        sys.exit(1)
    try:
        result = migrate(source, target)
    except StorageError as exc:
        click.echo(str(exc))
        sys.exit(1)
    click.echo(f"{result.copied} Datei(en) nach {target.url} kopiert und geprüft, {result.present} schon vorhanden, "
               f"{len(result.failed)} fehlerhaft.")
    for key in result.failed:
        click.echo(f"  Prüfsumme stimmt nicht: {key}")
    if result.failed:
        sys.exit(1)

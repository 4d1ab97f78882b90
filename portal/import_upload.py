"""The upload form of an import (all rows or none), shared by every feature's import page."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from portal.db import get_session
from portal.domain import Refused
from portal.forms.trainings import ImportForm
from portal.imports import TableError, read_upload


def run_upload_import(form: ImportForm, run: Callable[[Session, bytes, str, bool], Any], what: str,
                      done: str) -> tuple[Any, list[str]]:
    """Read the uploaded file and run the import `run(db, data, file name, dry_run)`: (result,
    problems). A dry run is rolled back, a real one committed (with a flash message); a refused
    file stores nothing and its problems name every bad row."""
    if not form.validate_on_submit():
        return None, []
    upload = request.files.get(form.file.name)
    if not isinstance(upload, FileStorage) or not upload.filename:
        form.file.errors.append("Bitte wählen Sie eine Datei aus.")
        return None, []
    db = get_session()
    try:
        result = run(db, read_upload(upload), upload.filename, form.dry_run.data)
    except TableError as exc:
        return None, [str(exc)]
    except Refused as exc:
        db.rollback()
        return None, exc.messages
    except IntegrityError:  # the same rows were saved by someone else a moment ago
        db.rollback()
        return None, [f"{what} wurde gerade gleichzeitig geändert. Bitte lesen Sie die Datei noch einmal ein."]
    if form.dry_run.data:
        db.rollback()
        flash(f"Prüfung ohne Fehler: {result.summary}. Es wurde nichts gespeichert.", "success")
    else:
        db.commit()
        flash(f"{done}: {result.summary}.", "success")
    return result, []

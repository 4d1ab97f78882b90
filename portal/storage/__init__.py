"""Stored files behind one small interface: a local directory (the default) or S3-compatible
object storage (`STORAGE_URL`, see docs/configuration.md).

Keys name an area and a generated file name: `certificates/<uuid>.pdf`, `minutes/<uuid>.docx`.
Writing streams: `put(key, chunks)` takes an iterable of byte chunks, so an upload goes from the
request to the storage in one pass with bounded memory, and a check that raises while the chunks
are read leaves no object behind.

The order of database row and object keeps the two consistent: an object is written before its
row (a failed write leaves no row; a failed row removes the object again), and an object is
deleted only after the transaction that stopped pointing at it has committed
(`delete_after_commit`), so a row never points at a missing object.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.storage.base import (  # noqa: F401 - the interface, importable from the package
    AREAS,
    CHUNK_SIZE,
    FULL,
    UNAVAILABLE,
    Digest,
    Storage,
    StorageError,
    StorageFull,
    StorageUnavailable,
    StoredObject,
    check_key,
    read_chunks,
    sha256_of,
)
from portal.storage.local import LocalStorage


def from_url(url: str, *, base: Path, endpoint_url: str | None = None) -> Storage:
    """`file:<dir>` (relative to `base`) or `s3://<bucket>/<prefix>`."""
    if url.startswith("file:"):
        path = Path(url[len("file:"):].removeprefix("//"))
        return LocalStorage(path if path.is_absolute() else base / path)
    if url.startswith("s3://"):
        from portal.storage.s3 import S3Storage  # noqa: PLC0415 - boto3 loads only where S3 is configured

        bucket, _, prefix = url[len("s3://"):].partition("/")
        return S3Storage(bucket, prefix.strip("/"), endpoint_url=endpoint_url or None)
    raise ValueError(url)


def url_of(config: dict[str, Any]) -> str:
    return config.get("STORAGE_URL") or f"file:{config['UPLOAD_DIR']}"


def for_app(app: Any) -> Storage:
    storage = app.extensions.get("portal.storage")
    if storage is None:
        storage = from_url(url_of(app.config), base=Path(app.instance_path).parent,
                           endpoint_url=app.config.get("S3_ENDPOINT_URL"))
        app.extensions["portal.storage"] = storage
    return storage


def get_storage() -> Storage:
    return for_app(current_app)


# --- deletions that wait for the commit ---------------------------------------------------

_PENDING = "portal.storage.delete_after_commit"


def delete_after_commit(db: Session, key: str, storage: Storage | None = None) -> None:
    """Delete `key` once `db`'s transaction has committed; nothing happens if it rolls back."""
    storage = storage or get_storage()
    pending: list[tuple[Storage, str]] | None = db.info.get(_PENDING)
    if pending is None:
        pending = db.info[_PENDING] = []
        event.listen(db, "after_commit", _run_pending)
        event.listen(db, "after_rollback", _drop_pending)
    pending.append((storage, key))


def _run_pending(db: Session) -> None:
    pending = db.info.get(_PENDING) or []
    while pending:
        storage, key = pending.pop(0)
        try:
            storage.delete(key)
        except StorageError:  # the object stays; `portal storage check` lists it as without row

            logging.getLogger("portal.storage").warning("Datei %s konnte nicht gelöscht werden", key)


def _drop_pending(db: Session) -> None:
    db.info.get(_PENDING, []).clear()


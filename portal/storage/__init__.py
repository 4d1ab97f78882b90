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

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

CHUNK_SIZE = 64 * 1024
AREAS = ("certificates", "minutes")  # the areas whose objects belong to rows (exports: see exports/jobs.py)

FULL = ("Speicher voll: Die Datei konnte nicht gespeichert werden, weil der Dateispeicher des Portals voll ist. "
        "Es wurde nichts gespeichert. Bitte versuchen Sie es später erneut; der Betrieb ist informiert.")
UNAVAILABLE = ("Speicher nicht erreichbar: Der Dateispeicher des Portals antwortet gerade nicht. "
               "Es wurde nichts gespeichert. Bitte versuchen Sie es später erneut.")


class StorageError(Exception):
    """The storage refused or failed; str() is a German message for the person in front of the screen."""

    message = UNAVAILABLE

    def __init__(self, detail: str = "") -> None:
        super().__init__(self.message)
        self.detail = detail  # technical cause, for the log only


class StorageFull(StorageError):
    message = FULL


class StorageUnavailable(StorageError):
    message = UNAVAILABLE


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


class Storage(Protocol):
    url: str

    def put(self, key: str, chunks: Iterable[bytes]) -> StoredObject: ...
    def open(self, key: str) -> BinaryIO: ...  # FileNotFoundError if there is no such object
    def size(self, key: str) -> int: ...  # FileNotFoundError if there is no such object
    def delete(self, key: str) -> None: ...  # a missing object is no error
    def keys(self, prefix: str = "") -> Iterator[str]: ...
    def local_path(self, key: str) -> AbstractContextManager[Path]: ...  # a file a program can read
    def check(self) -> None: ...  # raises StorageError when not usable


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise FileNotFoundError(key)
    return key


class Digest:
    """Passes chunks through while counting bytes and computing SHA-256."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self._hash = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            if chunk:
                self._hash.update(chunk)
                self.size += len(chunk)
                yield chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def read_chunks(fileobj: Any, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    while chunk := fileobj.read(size):
        yield chunk


def sha256_of(storage: Storage, key: str) -> tuple[int, str]:
    """Size and SHA-256 of a stored object, read as a stream."""
    with storage.open(key) as fh:
        digest = Digest(read_chunks(fh))
        for _chunk in digest:
            pass
    return digest.size, digest.sha256


def from_url(url: str, *, base: Path, endpoint_url: str | None = None) -> Storage:
    """`file:<dir>` (relative to `base`) or `s3://<bucket>/<prefix>`."""
    from portal.storage.local import LocalStorage

    if url.startswith("file:"):
        path = Path(url[len("file:"):].removeprefix("//"))
        return LocalStorage(path if path.is_absolute() else base / path)
    if url.startswith("s3://"):
        from portal.storage.s3 import S3Storage

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
    from flask import current_app

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
            import logging

            logging.getLogger("portal.storage").warning("Datei %s konnte nicht gelöscht werden", key)


def _drop_pending(db: Session) -> None:
    db.info.get(_PENDING, []).clear()


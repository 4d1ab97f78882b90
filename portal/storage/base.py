"""The parts of the storage interface the backends share: the protocol, errors, checksums."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

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
    sha256: str | None  # None: not computed while it was stored (`sha256_of` reads the object)


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

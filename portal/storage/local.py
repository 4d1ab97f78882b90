"""Stored files in a local directory: written to a hidden temporary name first and renamed when
complete (a crash never leaves half a file under a real name); files 0600, folders 0700.

An upload can be written into the storage's folder while the request is parsed (`incoming`,
an `Incoming` file counted on the way) and then given its key without a copy
(`keep`: fsync, rename); closed without being kept, it is removed."""
from __future__ import annotations

import errno
import io
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from portal.storage.base import Digest, StorageFull, StorageUnavailable, StoredObject, check_key

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _error(exc: OSError) -> StorageFull | StorageUnavailable:
    detail = f"{type(exc).__name__}: {exc}"
    return StorageFull(detail) if exc.errno in FULL_ERRNOS else StorageUnavailable(detail)


class Incoming(io.FileIO):
    """An uploaded file as the form parser writes it: a hidden file in the storage's folder, its size
    counted on the way (no checksum: nothing needs one for every upload; `sha256_of` reads the stored
    object when a comparison does). A write that fails (disk full) is remembered, not raised, so the
    page can say so (`check`); closing it without `LocalStorage.keep` deletes it."""

    def __init__(self, root: Path) -> None:
        self.path = root / f".tmp-{uuid.uuid4().hex}"
        self.size, self.kept, self.error = 0, False, None
        super().__init__(self.path, "x+", opener=lambda path, flags: os.open(path, flags, 0o600))

    def write(self, data: bytes) -> int:  # type: ignore[override] - writes everything, as the form parser expects
        if self.error is None:
            try:
                view = memoryview(data)
                while view:
                    view = view[super().write(view):]
            except OSError as exc:
                self.error = exc
            else:
                self.size += len(data)
        return len(data)

    def check(self) -> None:
        """Raises StorageFull or StorageUnavailable when a write failed."""
        if self.error is not None:
            raise _error(self.error)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if not self.kept:
                self.path.unlink(missing_ok=True)


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.url = f"file:{self.root}"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, chunks: Iterable[bytes]) -> StoredObject:
        target = self._path(key)
        tmp = target.parent / f".tmp-{uuid.uuid4().hex}"
        digest = Digest(chunks)
        fd = -1
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            for chunk in digest:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
            os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, target)
        except OSError as exc:
            raise _error(exc) from exc
        finally:
            if fd >= 0:
                os.close(fd)
            if tmp.exists():
                tmp.unlink()
        return StoredObject(key, digest.size, digest.sha256)

    def incoming(self) -> Incoming:
        """A new file for an upload that is being received (see `Incoming`)."""
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            return Incoming(self.root)
        except OSError as exc:
            raise _error(exc) from exc

    def keep(self, incoming: Incoming, key: str) -> StoredObject:
        """Store a received upload under `key` without copying it: flushed to disk, then renamed."""
        if incoming.path.parent != self.root or incoming.kept or incoming.closed:
            raise ValueError(key)
        incoming.check()
        target = self._path(key)
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.fsync(incoming.fileno())
            os.replace(incoming.path, target)
        except OSError as exc:
            raise _error(exc) from exc
        incoming.kept = True
        return StoredObject(key, incoming.size, None)

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise _error(exc) from exc

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _error(exc) from exc

    def keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                key = (Path(folder) / name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        yield self._path(key)

    def check(self) -> None:
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            probe = self.root / f".check-{uuid.uuid4().hex}"
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            probe.unlink()
        except OSError as exc:
            raise _error(exc) from exc

"""One run at a time for the periodic commands (cron, systemd timers).

PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its
own, held for the whole command and released when that connection ends, even if the
process dies. SQLite: `fcntl.flock` on a lock file next to the database file (the
instance folder by default); the kernel releases it when the process ends.

A second run started while the first holds the lock does nothing, says so in German
and exits 0 — overlapping cron runs are expected, not an error.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import text

# all advisory locks of the portal share this first key, the second names the command
LOCK_NAMESPACE = 0x504F5254  # "PORT"


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


def _lock_file(app: Flask, name: str) -> Path:
    engine = app.extensions["portal.db"].engine
    database = engine.url.database
    folder = Path(database).resolve().parent if database and database != ":memory:" else Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"portal-{name}.lock"


@contextmanager
def exclusive(app: Flask, name: str) -> Iterator[bool]:
    """Yields True while this process holds the lock `name`, False if another run holds it."""
    engine = app.extensions["portal.db"].engine
    if engine.dialect.name == "postgresql":
        conn = engine.connect()
        try:
            key = _lock_key(name)
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                    {"ns": LOCK_NAMESPACE, "key": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": key})
                    conn.commit()
        finally:
            conn.close()
        return

    fd = os.open(_lock_file(app, name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def single_run(name: str, command_line: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator for a click command (inside `with_appcontext`): run only if no other run holds the lock."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with exclusive(current_app._get_current_object(), name) as got:  # type: ignore[attr-defined]
                if not got:
                    click.echo(f"Ein anderer Lauf von „{command_line}“ ist noch aktiv – dieser Aufruf "
                               "endet, ohne etwas zu tun.")
                    return None
                return func(*args, **kwargs)

        return wrapper

    return decorate

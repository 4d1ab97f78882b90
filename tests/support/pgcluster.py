"""A throwaway PostgreSQL cluster for tests.

    with PostgresCluster(tmp_path) as pg:
        url = pg.create_database("portal_test")   # postgresql+psycopg://postgres@127.0.0.1:<port>/portal_test

start() runs initdb (trust authentication, UTF-8, C.UTF-8 locale) and
`pg_ctl start` with durability switched off, listening on a free port of
127.0.0.1 and with its Unix socket in the cluster directory. As root, initdb and
the server run as the `postgres` user (initdb refuses root); its files
live in `workdir/postgres`, owned by that user, if the user can reach `workdir`;
if not (pytest's tmp_path lies below /tmp/pytest-of-root, mode 0700), in a
private directory under the system temp dir that stop() removes again.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
)
START_ATTEMPTS = 3  # a free port can be taken between probing and the server's bind
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def find_pg_bindir() -> str | None:
    """Directory holding initdb/pg_ctl: `pg_config --bindir`, else the highest
    /usr/lib/postgresql/<major>/bin that contains initdb."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            bindir = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            bindir = ""
        if bindir and os.access(os.path.join(bindir, "initdb"), os.X_OK):
            return bindir
    candidates = [
        Path(path).parent
        for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if os.access(path, os.X_OK)
    ]

    def major(bindir: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name)) or (0,)

    return str(max(candidates, key=major)) if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], what: str, cwd: Path | str = "/") -> subprocess.CompletedProcess:
    # cwd "/": the postgres user may not be allowed into the caller's directory
    result = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=cwd)
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {result.returncode}): {' '.join(args)}\n"
            f"{result.stdout}{result.stderr}"
        )
    return result


class PostgresCluster:
    """One PostgreSQL server (superuser `postgres`, trust auth) on 127.0.0.1."""

    user = "postgres"
    host = "127.0.0.1"

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.bindir = find_pg_bindir()
        self.as_root = os.geteuid() == 0
        self.port: int | None = None
        self.base_dir: Path | None = None  # holds data/, the socket and server.log
        self.data_dir: Path | None = None
        self.log_file: Path | None = None
        self._private_dir: Path | None = None
        self._running = False

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> PostgresCluster:
        if self._running:
            raise RuntimeError("PostgreSQL is already running")
        if self.bindir is None:
            raise RuntimeError("initdb not found (install the Debian package postgresql)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.base_dir = self._make_base_dir()
        self.data_dir = self.base_dir / "data"
        self.log_file = self.base_dir / "server.log"
        self._as_postgres(
            [self._bin("initdb"), "-D", str(self.data_dir), "-U", self.user, "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
            "initdb",
        )
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            try:
                self._as_postgres(
                    [self._bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file), "-w",
                     "-t", "30", "-o", f"-p {self.port} -k {self.base_dir} {SERVER_OPTIONS}", "start"],
                    "pg_ctl start",
                )
                break
            except RuntimeError as error:
                log = self._log()
                if attempt < START_ATTEMPTS and "could not bind" in log:
                    continue
                raise RuntimeError(f"{error}\nserver log:\n{log}") from None
        self._running = True
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self._running:
            self._running = False
            atexit.unregister(self.stop)
            self._as_postgres(
                [self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"],
                "pg_ctl stop",
            )
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None

    def stop_server(self) -> None:
        """Stop the server but keep its data (an outage); start_server() brings it back."""
        self._as_postgres([self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
                          "pg_ctl stop")

    def start_server(self) -> None:
        """Start the stopped server again on the same port."""
        self._as_postgres(
            [self._bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "30",
             "-o", f"-p {self.port} -k {self.base_dir} {SERVER_OPTIONS}", "start"],
            "pg_ctl start",
        )

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<PostgresCluster 127.0.0.1:{self.port or '-'} {self.data_dir or 'not started'}>"

    # -- databases ---------------------------------------------------------

    def url(self, name: str = "postgres") -> str:
        """SQLAlchemy URL of database `name` (psycopg 3 driver)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """CREATE DATABASE name (UTF-8, from template0); returns its SQLAlchemy URL."""
        self._admin(f'CREATE DATABASE "{self._check_name(name)}" TEMPLATE template0 ENCODING \'UTF8\'')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE IF EXISTS, closing any connections still open to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{self._check_name(name)}" WITH (FORCE)')

    # -- internals ---------------------------------------------------------

    def _admin(self, statement: str) -> None:
        import psycopg

        if not self._running:
            raise RuntimeError("PostgreSQL is not running; call start() first")
        with psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname="postgres", autocommit=True,
            connect_timeout=10,
        ) as conn:
            conn.execute(statement)

    @staticmethod
    def _check_name(name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(f"database name must match {_NAME.pattern}: {name!r}")
        return name

    def _bin(self, name: str) -> str:
        return os.path.join(self.bindir, name)

    def _as_postgres(self, args: list[str], what: str) -> subprocess.CompletedProcess:
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        return _run(args, what)

    def _log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except (AttributeError, FileNotFoundError, PermissionError):
            return ""

    def _make_base_dir(self) -> Path:
        """A directory owned by the server's user: data/, socket, server.log."""
        base = self.workdir / "postgres"
        if base.exists():
            shutil.rmtree(base)  # left over from an earlier run with the same workdir
        if not self.as_root:
            base.mkdir(mode=0o700)
            return base
        if not self._postgres_can_enter(self.workdir):
            self._private_dir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
            self._private_dir.chmod(0o755)
            base = self._private_dir / "postgres"
        _run(["install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0700", str(base)],
             "install -d (cluster directory)")
        return base

    @staticmethod
    def _postgres_can_enter(path: Path) -> bool:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-x", str(path)],
            stdin=subprocess.DEVNULL, capture_output=True, cwd="/",
        ).returncode == 0

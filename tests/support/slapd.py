"""A throwaway OpenLDAP server for tests.

    with SlapdServer(tmp_path, [Path("tests/ldap/base.ldif")]) as ldap:
        Connection(Server(ldap.url), ldap.root_dn, ldap.root_password, auto_bind=True)

start() writes slapd.conf into workdir, loads the LDIF files offline with slapadd,
and runs `slapd -d 0` in the foreground as a child process on a free port of
127.0.0.1, so the PID we hold is slapd's own. Works as root (no -u) and as a
normal user. With tls=True a throwaway CA and a server certificate for 127.0.0.1
are made with the openssl CLI and StartTLS is offered; `ca_file` trusts it,
`wrong_ca_file` is an unrelated CA that must be rejected.

Access rules (as in a real directory): userPassword is only usable for binding;
every other attribute is readable by bound users only, so anonymous searches find
nothing (result 32). The root DN bypasses the rules.

memberOf: with memberof=True (default) the dynlist overlay computes memberOf on
every entry that a groupOfNames names in `member` — also for entries loaded with
slapadd. It is operational: ask for it by name ("memberOf" or "+").
"""

from __future__ import annotations

import atexit
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from collections.abc import Iterable

SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
BASE_SCHEMAS = ("core", "cosine", "inetorgperson", "nis")

START_TIMEOUT = 10.0
START_ATTEMPTS = 3  # a free port can be taken between probing and slapd's bind


def find_slapd() -> str | None:
    """Path of the slapd binary, or None."""
    for candidate in (shutil.which("slapd"), "/usr/sbin/slapd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _find_tool(name: str, slapd: str) -> str:
    """slapadd etc.: next to slapd first, then PATH."""
    sibling = Path(slapd).with_name(name)
    if os.access(sibling, os.X_OK):
        return str(sibling)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found (package ldap-utils/slapd)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _run(args: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {result.returncode}): {' '.join(args)}\n"
            f"{result.stdout}{result.stderr}"
        )
    return result


class SlapdServer:
    """One slapd process with one mdb database under `suffix`."""

    def __init__(
        self,
        workdir: Path,
        ldif: Iterable[Path],
        *,
        suffix: str = "dc=dresden,dc=test",
        tls: bool = False,
        extra_schema: Iterable[Path] = (),
        memberof: bool = True,
    ) -> None:
        self.workdir = Path(workdir)
        self.ldif = [Path(p) for p in ldif]
        self.suffix = suffix
        self.tls = tls
        self.extra_schema = [Path(p) for p in extra_schema]
        self.memberof = memberof
        self.root_dn = f"cn=admin,{suffix}"
        self.root_password = "Root-" + secrets.token_urlsafe(12)
        self.port: int | None = None
        self.url: str | None = None
        self.ca_file: Path | None = None
        self.wrong_ca_file: Path | None = None
        self.conf_file = self.workdir / "slapd.conf"
        self.log_file = self.workdir / "slapd.log"
        self.db_dir = self.workdir / "db"
        self.process: subprocess.Popen | None = None
        self._slapd = find_slapd()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> SlapdServer:
        if self.process is not None:
            raise RuntimeError("slapd is already running")
        if self._slapd is None:
            raise RuntimeError("slapd not found (install the Debian package slapd)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.tls:
            self._make_certificates()
        self.conf_file.write_text(self._config(), encoding="utf-8")
        self._load_ldif()

        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            # no trailing slash: ldap3's Server() rejects "host:port/"
            self.url = f"ldap://127.0.0.1:{self.port}"
            try:
                self._spawn_and_wait()
                break
            except _PortTaken:
                if attempt == START_ATTEMPTS:
                    raise RuntimeError(f"slapd could not bind a free port:\n{self._log()}") from None
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None:
            return
        atexit.unregister(self.stop)
        if proc.poll() is None:
            proc.terminate()  # SIGTERM to slapd's own PID
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def __enter__(self) -> SlapdServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SlapdServer {self.suffix} {self.url or 'not started'}>"

    # -- internals ---------------------------------------------------------

    def _log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _spawn_and_wait(self) -> None:
        with open(self.log_file, "wb") as log:
            self.process = subprocess.Popen(
                [self._slapd, "-d", "0", "-h", f"{self.url}/", "-f", str(self.conf_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                output = self._log()
                if "Address already in use" in output:
                    raise _PortTaken()
                raise RuntimeError(f"slapd exited with status {code} before answering:\n{output}")
            try:
                if self._bind_works():
                    return
            except Exception as error:  # noqa: BLE001 - still starting
                last_error = error
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(
            f"slapd did not answer a bind on {self.url} within {START_TIMEOUT:.0f} s "
            f"(last error: {last_error!r}); its output:\n{self._log()}"
        )

    def _bind_works(self) -> bool:
        from ldap3 import Connection, Server

        server = Server(self.url, connect_timeout=0.5)
        conn = Connection(server, self.root_dn, self.root_password, receive_timeout=2)
        try:
            return bool(conn.bind())
        finally:
            conn.unbind()

    def _load_ldif(self) -> None:
        if self.db_dir.exists():
            shutil.rmtree(self.db_dir)
        self.db_dir.mkdir(mode=0o700)
        slapadd = _find_tool("slapadd", self._slapd)
        for path in self.ldif:
            _run([slapadd, "-q", "-f", str(self.conf_file), "-l", str(path)], f"slapadd {path.name}")

    def _config(self) -> str:
        schemas = [SCHEMA_DIR / f"{name}.schema" for name in BASE_SCHEMAS]
        modules = ["back_mdb"]
        if self.memberof:
            schemas.append(SCHEMA_DIR / "dyngroup.schema")
            modules.append("dynlist")
        schemas += [p.resolve() for p in self.extra_schema]
        for path in schemas:
            if not path.is_file():
                raise RuntimeError(f"schema file missing: {path}")

        lines = [f"include {p}" for p in schemas]
        lines += ["", f"modulepath {MODULE_DIR}"]
        lines += [f"moduleload {m}" for m in modules]
        if self.tls:
            lines += [
                "",
                f"TLSCACertificateFile {self.workdir / 'ca.pem'}",
                f"TLSCertificateFile {self.workdir / 'server.pem'}",
                f"TLSCertificateKeyFile {self.workdir / 'server.key'}",
                "TLSVerifyClient never",
            ]
        lines += [
            "",
            "database mdb",
            f"suffix \"{self.suffix}\"",
            f"rootdn \"{self.root_dn}\"",
            f"rootpw {self.root_password}",
            f"directory {self.db_dir}",
            "maxsize 67108864",
            "index objectClass,uid,cn,member eq",
            "",
            "access to attrs=userPassword",
            "  by self write",
            "  by anonymous auth",
            "  by * none",
            "access to *",
            "  by users read",
            "  by * none",
        ]
        if self.memberof:
            lines += [
                "",
                "overlay dynlist",
                "dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames",
            ]
        return "\n".join(lines) + "\n"

    def _make_certificates(self) -> None:
        openssl = shutil.which("openssl")
        if not openssl:
            raise RuntimeError("openssl not found (install the Debian package openssl)")
        d = self.workdir
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ca_ext = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]

        def make_ca(name: str, subject: str) -> None:
            _run(
                [openssl, "req", "-x509", *ec, "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.pem"),
                 "-days", "2", "-subj", subject, *ca_ext],
                f"openssl ({name})",
            )

        make_ca("ca", "/O=Portal Tests/CN=Portal Test CA")
        make_ca("wrong-ca", "/O=Unrelated/CN=Unrelated Test CA")
        _run(
            [openssl, "req", *ec, "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"),
             "-subj", "/O=Portal Tests/CN=127.0.0.1"],
            "openssl (server key)",
        )
        (d / "server.ext").write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n",
            encoding="ascii",
        )
        _run(
            [openssl, "x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"),
             "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-days", "2", "-extfile", str(d / "server.ext"),
             "-out", str(d / "server.pem")],
            "openssl (server certificate)",
        )
        (d / "server.key").chmod(0o600)
        self.ca_file = d / "ca.pem"
        self.wrong_ca_file = d / "wrong-ca.pem"


class _PortTaken(Exception):
    pass

"""The release (wheel, runtime lock, deploy/) installed outside the checkout, as docs/operations.md says.

The install and production steps are read from the code blocks of docs/operations.md and run
with the documented paths moved into a temporary folder: /opt/portal, /etc/portal and
/var/lib/portal. One release build and one installation serve every test of the module.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from tests.support.pdfcheck import assert_tagged_pdf
from tests.support.requirements import require_binary

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"
DOC_PATHS = ("/opt/portal", "/etc/portal", "/var/lib/portal")

# Every command of the `sh` blocks in docs/operations.md → the test here that runs it.
# tests/test_operations_docs.py fails on a documented command missing from this list.
DOCUMENTED_COMMANDS: dict[str, str] = {
    "make dist": "release",
    "python3 -m venv /opt/portal/venv": "server",
    "/opt/portal/venv/bin/pip install --no-deps --require-hashes -r requirements-runtime.txt": "server",
    "/opt/portal/venv/bin/pip install --no-deps portal_aktionsplan-*.whl": "server",
    "/opt/portal/venv/bin/portal --version": "server",
    "cp deploy/gunicorn.conf.py /opt/portal/gunicorn.conf.py": "server",
    "mkdir -p /etc/portal /var/lib/portal/uploads": "server",
    "set -a; . /etc/portal/portal.env; set +a": "test_production_steps_on_postgresql",
    "/opt/portal/venv/bin/portal setup": "test_production_steps_on_postgresql",
    "/opt/portal/venv/bin/gunicorn --config /opt/portal/gunicorn.conf.py": "test_production_steps_on_postgresql",
    "pg_dump --format=custom --file=portal-backup.dump": "test_production_steps_on_postgresql",
    'pg_restore --clean --if-exists --no-owner --dbname="$PGDATABASE" portal-backup.dump':
        "test_production_steps_on_postgresql",
}


def doc_blocks(language: str) -> list[list[str]]:
    """The lines of every fenced block of docs/operations.md in `language` (comments dropped)."""
    text = OPERATIONS.read_text(encoding="utf-8")
    blocks = re.findall(r"^[ \t]*```" + re.escape(language) + r"\n(.*?)^[ \t]*```", text, re.M | re.S)
    return [[line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
            for block in blocks]


def doc_block_with(first_command: str) -> list[str]:
    for block in doc_blocks("sh"):
        if block and block[0] == first_command:
            return block
    raise AssertionError(f"docs/operations.md has no sh block starting with {first_command!r}")


def outside_env(**extra: str) -> dict[str, str]:
    """The environment without the checkout's venv and without PORTAL_* settings."""
    venv_bin = str(ROOT / ".venv" / "bin")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PORTAL_", "GUNICORN_", "PYTHON")) and k not in ("VIRTUAL_ENV", "WEB_CONCURRENCY")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    env.update(extra)
    return env


def run(args: list[str] | str, cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    shell = isinstance(args, str)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", args] if shell else args, cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@dataclass
class Server:
    base: Path  # stands for /
    release: Path

    def local(self, text: str) -> str:
        for path in DOC_PATHS:
            text = text.replace(path, str(self.base) + path)
        return text

    @property
    def bin(self) -> Path:
        return Path(self.local("/opt/portal/venv/bin"))


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    make = require_binary("make", shutil.which("make"))
    dist = tmp_path_factory.mktemp("release")
    assert doc_block_with("make dist") == ["make dist"]
    run([make, "--no-print-directory", "-C", str(ROOT), "dist", f"DIST={dist}"], ROOT, dict(os.environ))
    return dist


@pytest.fixture(scope="session")
def server(release: Path, tmp_path_factory: pytest.TempPathFactory) -> Server:
    base = tmp_path_factory.mktemp("server")
    assert ROOT not in base.parents and ROOT not in release.parents
    srv = Server(base, release)
    steps = doc_block_with("python3 -m venv /opt/portal/venv")
    run(srv.local("\n".join(steps)), release, outside_env())
    return srv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Plain HTTP with cookies kept by hand (the session cookie may be marked Secure)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        text = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, dict(response.getheaders()), text

    def wait_until_up(self, process: subprocess.Popen, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert process.poll() is None, "gunicorn ended early"
            try:
                if self.request("GET", "/auth/anmelden")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("gunicorn did not answer")

    def sign_in(self, username: str, password: str = "aktionsplan") -> None:
        status, headers, html = self.request("GET", "/")
        assert status in (302, 303) and "/auth/anmelden" in headers["Location"]
        status, _, html = self.request("GET", "/auth/anmelden")
        assert status == 200 and 'name="username"' in html
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        status, headers, _ = self.request("POST", "/auth/anmelden",
                                          {"csrf_token": token, "username": username, "password": password})
        assert status in (302, 303), status
        assert "/auth/anmelden" not in headers["Location"]


def start_process(script: str, cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    out = log.open("w")
    return subprocess.Popen(["bash", "-c", script], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop_gunicorn(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


def serve_and_sign_in(script: str, cwd: Path, env: dict[str, str], log: Path, port: int, username: str,
                      page: str) -> tuple[str, str]:
    """Start gunicorn with `script`, sign in as `username`, GET `page`, stop; the page and the log."""
    process = start_process(script, cwd, env, log)
    try:
        browser = Browser(port)
        browser.wait_until_up(process)
        browser.sign_in(username)
        status, _, html = browser.request("GET", page)
        assert status == 200 and "Abmelden" in html, status
    finally:
        assert stop_gunicorn(process) == 0
    text = log.read_text()
    assert re.search(r'"POST /auth/anmelden HTTP/1.1" 302', text), text[-2000:]
    return html, text


# --- the wheel ------------------------------------------------------------------

def test_wheel_carries_migrations_templates_static_files_and_data(release: Path):
    wheels = list(release.glob("portal_aktionsplan-*-py3-none-any.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    versions = sorted(n.rsplit("/", 1)[1] for n in names if re.fullmatch(r"portal/migrations/versions/[^/]+\.py", n))
    in_checkout = sorted(p.name for p in (ROOT / "portal" / "migrations" / "versions").glob("*.py"))
    assert versions == in_checkout and len(versions) >= 7
    for needed in ("portal/migrations/env.py", "portal/migrations/script.py.mako", "portal/templates/base.html",
                   "portal/templates/pdf/trainings_compliance.html", "portal/static/css/pdf.css",
                   "portal/data/org_units.json", "portal/data/demo/directory.json"):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert (release / "requirements-runtime.txt").read_bytes() == (ROOT / "requirements" / "runtime.txt").read_bytes()
    assert sorted(p.name for p in (release / "deploy" / "systemd").iterdir()) == \
        sorted(p.name for p in (ROOT / "deploy" / "systemd").iterdir())


def test_wheel_alone_sets_up_loads_demo_exports_a_pdf_and_serves_signed_in_pages(server: Server, tmp_path: Path):
    from importlib.metadata import version

    work = tmp_path / "trial"
    work.mkdir()
    env = outside_env(PORTAL_DATABASE_URL=f"sqlite:///{work / 'portal.sqlite3'}",
                      PORTAL_UPLOAD_DIR=str(work / "uploads"), PORTAL_SECRET_KEY=secrets.token_hex(32),
                      PORTAL_LDAP_URL="demo")
    portal = str(server.bin / "portal")
    assert run([portal, "--version"], work, env).strip() == f"portal {version('portal-aktionsplan')}"
    where = run([str(server.bin / "python"), "-c", "import portal, sys; print(portal.__file__)"], work, env).strip()
    assert where.startswith(str(server.base)), where
    assert "Einrichtung abgeschlossen." in run([portal, "setup"], work, env)
    assert "Demodaten geladen." in run([portal, "demo", "load"], work, env)
    run([portal, "report", "compliance", "--format", "pdf", "-o", "X.pdf"], work, env)
    assert_tagged_pdf((work / "X.pdf").read_bytes(), "Auswertungstabelle")

    port = free_port()
    gunicorn_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    page, log = serve_and_sign_in(f"exec {server.bin / 'gunicorn'} --config {ROOT / 'deploy' / 'gunicorn.conf.py'}",
                                  work, gunicorn_env, tmp_path / "gunicorn.log", port, "oe.sozialamt", "/selbstcheck/")
    assert "Selbstcheck" in page
    assert re.search(r'"GET /selbstcheck/ HTTP/1.1" 200', log)


# --- production on PostgreSQL ---------------------------------------------------------

def test_production_steps_on_postgresql(server: Server, pg_cluster, tmp_path: Path):
    url = pg_cluster.create_database("portal_production")
    port = free_port()
    (tmp_path / "etc").mkdir()
    settings = {"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": secrets.token_hex(32), "PORTAL_LDAP_URL": "demo",
                "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
                # as portal-web.service sets it: metrics of all workers, the child_exit hook active
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    [env_lines] = doc_blocks("ini")
    written = []
    for line in env_lines:
        name, _, value = line.partition("=")
        written.append(f"{name}={settings.pop(name, server.local(value))}")
    written += [f"{k}={v}" for k, v in settings.items()]
    env_file = Path(server.local("/etc/portal/portal.env"))
    env_file.write_text("\n".join(written) + "\n", encoding="utf-8")

    steps = doc_block_with("set -a; . /etc/portal/portal.env; set +a")
    assert steps[-1].startswith("/opt/portal/venv/bin/gunicorn ")
    work = Path(server.local("/var/lib/portal"))
    output = run(server.local("\n".join(steps[:-1])), work, outside_env())
    assert "Einrichtung abgeschlossen." in output
    page, log = serve_and_sign_in(server.local(f"{steps[0]}\nexec {steps[-1]}"), work, outside_env(),
                                  tmp_path / "gunicorn.log", port, "integrationsbuero", "/")
    assert "Prüfliste" in page
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", log))) == 2, log[-2000:]

    from portal.models.people import User, UserSession

    def counts() -> tuple[int, int]:
        engine = create_engine(url)
        with engine.connect() as conn:
            users = conn.scalar(select(func.count()).select_from(User).where(User.username == "integrationsbuero"))
            sessions = conn.scalar(select(func.count()).select_from(UserSession))
        engine.dispose()
        return users, sessions

    users, sessions = counts()
    assert users == 1 and sessions >= 1

    # Backup and restore as documented: dump, lose the sessions, restore them.
    require_binary("pg_dump", shutil.which("pg_dump"))
    target = make_url(url)
    pg_env = outside_env(PGHOST=target.host, PGPORT=str(target.port), PGUSER=target.username,
                         PGDATABASE=target.database, **({"PGPASSWORD": target.password} if target.password else {}))
    [dump] = doc_block_with("pg_dump --format=custom --file=portal-backup.dump")
    run(dump, tmp_path, pg_env)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(UserSession.__table__.delete())
    engine.dispose()
    assert counts() == (1, 0)
    [restore] = [b[0] for b in doc_blocks("sh") if b[0].startswith("pg_restore ")]
    run(restore, tmp_path, pg_env)
    assert counts() == (users, sessions)


def test_systemd_units_verify_and_run_existing_commands(server: Server, tmp_path: Path):
    analyze = require_binary("systemd-analyze", shutil.which("systemd-analyze"))
    units = tmp_path / "units"
    units.mkdir()
    Path(server.local("/etc/portal")).mkdir(parents=True, exist_ok=True)
    Path(server.local("/etc/portal/portal.env")).touch()
    shutil.copy(ROOT / "deploy" / "gunicorn.conf.py", server.local("/opt/portal/gunicorn.conf.py"))
    commands = []
    for unit in sorted((ROOT / "deploy" / "systemd").iterdir()):
        text = unit.read_text(encoding="utf-8")
        (units / unit.name).write_text(server.local(text), encoding="utf-8")
        commands += re.findall(r"^ExecStart=/opt/portal/venv/bin/portal (.+)$", text, re.M)
        if unit.suffix == ".timer":
            assert (ROOT / "deploy" / "systemd" / (unit.stem + ".service")).exists(), unit.name
    assert len(commands) == 8
    result = subprocess.run([analyze, "verify", *sorted(str(p) for p in units.iterdir())],
                            capture_output=True, text=True, timeout=120)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "portal" in line and "user" not in line.lower()]
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr
    for command in commands:
        run(f"{server.bin / 'portal'} {command} --help", tmp_path, outside_env())



# --- the quick start -------------------------------------------------------------------

def test_make_run_serves_the_sign_in_form_on_the_chosen_port(tmp_path: Path):
    make = require_binary("make", shutil.which("make"))
    port = free_port()
    process = start_process(f"exec {make} --no-print-directory run PORT={port}", ROOT, outside_env(),
                             tmp_path / "make-run.log")
    try:
        browser = Browser(port)
        browser.wait_until_up(process, seconds=180)
        status, _, html = browser.request("GET", "/auth/anmelden")
        assert status == 200 and 'name="username"' in html and 'name="password"' in html
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    log = (tmp_path / "make-run.log").read_text()
    assert f"http://127.0.0.1:{port}/" in log

"""Benchmark: mixed load, 16 signed-in clients at once against gunicorn, on SQLite and PostgreSQL.

gunicorn runs as deployed (``deploy/gunicorn.conf.py``, ``portal.wsgi:app``, the worker
count from its default for this machine), against a database (SQLite, then PostgreSQL) with the data of
``bench.compliance`` at 1× (16,000 persons in 100 OEs, 24,000 trainings, about 2,400 of
them waiting for review). Sixteen client threads, each with its own keep-alive
connection and its own signed-in person, send requests for a fixed time:

* **cheapest page**: ``GET /readyz`` (one query, no template), all sixteen clients;
* **mixed**: the pages people open most, in turn per client: the start page, the review
  queue (Integrationsbüro) or "Meine Maßnahmen" (OE-Verantwortliche*r), and "Meine
  Schulungen" — half of the clients work in the Integrationsbüro, half in OEs.

Throughput = answered requests per second; target on PostgreSQL: mixed >= 0.35 × cheapest,
no error (every answer 200); SQLite is measured the same way for comparison. p50 and p95
latency are reported.

    python -m bench.mixed            # writes bench/results/mixed.md
"""
from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import machine_line, on_both_databases, record
from sqlalchemy import insert

from portal.db import make_engine, utcnow

CLIENTS = 16
SECONDS = 20
TARGET = 0.35
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mixed.md"
OFFICE_PAGES = ["/", "/review/", "/trainings/"]
OE_PAGES = ["/", "/measures/meine", "/trainings/"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_users(url: str) -> list[tuple[str, str]]:
    """Sixteen people with a live session each; [(token, role)]."""
    from portal.auth.sessions import _hash
    from portal.models.people import User, UserRole, UserSession

    engine = make_engine(url)
    now = utcnow()
    people = []
    try:
        with engine.begin() as conn:
            for n in range(1, CLIENTS + 1):
                role = "integrationsbuero" if n % 2 else "oe_verantwortliche"
                conn.execute(insert(User), [{"id": 1000 + n, "external_id": f"bench{n}", "dn": f"uid=bench{n}",
                                             "username": f"bench{n}", "display_name": f"Bench {n}",
                                             "org_unit_id": 1 + n % 100, "created_at": now}])
                conn.execute(insert(UserRole), [{"user_id": 1000 + n, "role": role, "scope": ""}])
                token = secrets.token_urlsafe(24)
                conn.execute(insert(UserSession), [{"token_hash": _hash(token), "user_id": 1000 + n,
                                                    "created_at": now, "last_seen_at": now}])
                people.append((token, role))
    finally:
        engine.dispose()
    return people


def cookie_for(secret: str, token: str, user_id: int) -> str:
    """The signed Flask session cookie a browser would hold after signing in."""
    from flask import Flask

    from portal.auth.sessions import SESSION_KEY

    app = Flask("cookie")
    app.secret_key = secret
    value = app.session_interface.get_signing_serializer(app).dumps(
        {SESSION_KEY: token, "_user_id": str(user_id), "_fresh": True})
    return f"portal_session={value}"


def run_clients(port: int, plans: list[tuple[str | None, list[str]]], seconds: float) -> dict[str, object]:
    """Each client loops over its pages until time is up; latencies of every answer."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(cookie: str | None, pages: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        mine, bad, n = [], [], 0
        while time.monotonic() < stop:
            path = pages[n % len(pages)]
            n += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad.append(f"{path}: {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - start)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=plan) for plan in plans]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "n": len(latencies), "errors": errors,
            "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))]}


def start_gunicorn(url: str, tmp: Path, secret: str) -> tuple[subprocess.Popen, int]:
    """gunicorn as deployed (deploy/gunicorn.conf.py, its default worker count), ready to answer."""
    port = free_port()
    uploads = tmp / "uploads"
    uploads.mkdir(exist_ok=True)
    env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": secret, "PORTAL_LDAP_URL": "demo",
           "PORTAL_UPLOAD_DIR": str(uploads), "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_ACCESS_LOG": "/dev/null", "GUNICORN_LOG_LEVEL": "warning"}
    env.pop("WEB_CONCURRENCY", None)
    log_file = tmp / "gunicorn.log"
    log = log_file.open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
                              cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.kill()
    server.wait(60)
    raise RuntimeError(log_file.read_text()[-2000:])


def measure(url: str, _scale: str) -> dict[str, dict[str, object]]:
    """The two phases against one database: {"cheapest": …, "mixed": …}."""
    with tempfile.TemporaryDirectory(prefix="bench-mixed-server-") as tmp:
        return _measure(url, Path(tmp))


def _measure(url: str, tmp: Path) -> dict[str, dict[str, object]]:
    from bench.compliance import build

    secret = secrets.token_hex(32)
    engine = make_engine(url)
    try:
        build(engine)
    finally:
        engine.dispose()
    people = add_users(url)
    server, port = start_gunicorn(url, tmp, secret)
    try:
        cookies = [(cookie_for(secret, token, 1001 + n), role) for n, (token, role) in enumerate(people)]
        mixed_plans = [(cookie, OFFICE_PAGES if role == "integrationsbuero" else OE_PAGES) for cookie, role in cookies]
        run_clients(port, mixed_plans, 3)  # warm-up: every worker has loaded its templates
        cheapest = run_clients(port, [(None, ["/readyz"])] * CLIENTS, SECONDS)
        mixed = run_clients(port, mixed_plans, SECONDS)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    return {"cheapest": cheapest, "mixed": mixed}


def main() -> int:
    results = {name: r for (name, _scale), r in on_both_databases(measure, ["1×"], "bench-mixed-").items()}
    lines = [
        "# Benchmark: mixed load, 16 clients, gunicorn",
        "",
        f"gunicorn per `deploy/gunicorn.conf.py` (`portal.wsgi:app`, default worker count for {os.cpu_count()} CPUs), "
        f"on SQLite and on PostgreSQL with the 1× data of `bench.compliance`; {CLIENTS} client threads with keep-alive, "
        f"{SECONDS} s each phase after a 3 s warm-up. Clients and server share the machine.",
        "",
        "* **cheapest**: `GET /readyz` (one query).",
        f"* **mixed**: half Integrationsbüro ({', '.join(OFFICE_PAGES)}), half OE-Verantwortliche*r "
        f"({', '.join(OE_PAGES)}), each signed in with its own session.",
        "",
        "| database | phase | requests | req/s | p50 (ms) | p95 (ms) | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, phases in results.items():
        for phase, r in phases.items():
            lines.append(f"| {name} | {phase} | {r['n']:,} | {r['rps']:.1f} | {r['p50'] * 1000:.0f} "
                         f"| {r['p95'] * 1000:.0f} | {len(r['errors'])} |")
    lines += ["", "Throughput mixed / cheapest on the same server (target ≥ "
              f"{TARGET:g} on PostgreSQL with 0 errors; SQLite for comparison):", "",
              "| database | ratio | target | errors | met |", "|---|---:|---:|---:|---|"]
    ok = True
    errors: list[str] = []
    for name, phases in results.items():
        ratio = phases["mixed"]["rps"] / phases["cheapest"]["rps"]
        bad = phases["mixed"]["errors"] + phases["cheapest"]["errors"]
        errors += [f"{name} {e}" for e in bad]
        met = ratio >= TARGET and not bad
        if name == "PostgreSQL":
            ok &= met
        lines.append(f"| {name} | {ratio:.2f} | {'≥ ' + format(TARGET, 'g') if name == 'PostgreSQL' else ''} "
                     f"| {len(bad)} | {('yes' if met else 'no') if name == 'PostgreSQL' else ''} |")
    lines.append("")
    if errors:
        lines += ["First errors: " + "; ".join(errors[:5]), ""]
    lines += [machine_line(), ""]
    return record(lines, RESULTS, ok)


if __name__ == "__main__":
    sys.exit(main())

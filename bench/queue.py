"""Benchmark: the review queue page at 24,000 open certificates vs at 1,500, same run.

Two databases are built with the same shape (persons in 100 OEs, one roster entry
each, open certificates, plus a few Selbstchecks and measure reports); the page
``GET /review/`` (first page, counts per kind, full request with template) is
requested alternately from each, so each pair sees the same machine load. Median of
the per-pair ratios large/small. Target: <= 2 on SQLite and on PostgreSQL.

    python -m bench.queue            # writes bench/results/queue.md
"""
from __future__ import annotations

import random
import secrets
import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench import ratio_report, settle
from sqlalchemy import insert

import portal.models  # noqa: F401 - registers every table
from portal.db import Base, utcnow
from portal.models.org import OrgUnit
from portal.models.people import User, UserRole, UserSession
from portal.models.training import Person, RosterEntry, Training

SMALL, LARGE = 1_500, 24_000
UNITS = 100
REPEAT = 15
TARGET = 2.0
RESULTS = Path(__file__).resolve().parent / "results" / "queue.md"


def build(engine, certificates: int) -> None:  # noqa: ANN001
    Base.metadata.create_all(engine)
    rnd = random.Random(20261125)
    now = utcnow()
    persons = max(certificates * 2 // 3, 1)
    with engine.begin() as conn:
        conn.execute(insert(OrgUnit), [
            {"id": i, "code": f"Bench {i:03d}", "name": None, "kind": "Amt", "created_at": now, "updated_at": now}
            for i in range(1, UNITS + 1)])
        conn.execute(insert(Person), [
            {"id": i, "personnel_number": f"B{i:06d}", "last_name": f"Person {i}", "first_name": "Vorname", "created_at": now}
            for i in range(1, persons + 1)])
        conn.execute(insert(RosterEntry), [
            {"person_id": i, "org_unit_id": rnd.randint(1, UNITS), "target_group": "buergerkontakt",
             "begins_on": date(2023, 1, 1), "ends_on": None, "created_at": now, "updated_at": now}
            for i in range(1, persons + 1)])
        rows = []
        for n in range(certificates):
            at = now - timedelta(minutes=rnd.randint(0, 60 * 24 * 200))
            rows.append({
                "person_id": rnd.randint(1, persons), "title": f"Schulung {n}", "provider": "Anbieter",
                "completed_on": date(2025, 1, 1), "hours": Decimal("8"), "c_interkulturell": True,
                "c_demokratisch": False, "c_mehrsprachigkeit": False, "c_buergernah": False,
                "format": "praesenz", "internal": False, "source": "import", "state": "submitted",
                "state_changed_at": at, "submitted_at": at})
        conn.execute(insert(Training), rows)
        conn.execute(insert(User), [{"id": 1, "external_id": "bench", "dn": "uid=bench", "username": "bench",
                                     "display_name": "Bench", "created_at": now}])
        conn.execute(insert(UserRole), [{"user_id": 1, "role": "integrationsbuero", "scope": ""}])
    settle(engine)


def client_for(url: str, **config):  # noqa: ANN003,ANN201
    """The app on `url` and a test client signed in as user 1 (a live server-side session)."""
    from portal import create_app
    from portal.auth.sessions import SESSION_KEY, _hash

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16), "SESSION_COOKIE_SECURE": False,
                      "LDAP_URL": "demo", "TESTING": True, **config})
    engine = app.extensions["portal.db"].engine
    token = secrets.token_urlsafe(24)
    with engine.begin() as conn:
        conn.execute(insert(UserSession), [{"token_hash": _hash(token), "user_id": 1, "created_at": utcnow(),
                                            "last_seen_at": utcnow()}])
    client = app.test_client()
    with client.session_transaction() as sess:
        sess[SESSION_KEY] = token
        sess["_user_id"] = "1"
        sess["_fresh"] = True
    return app, client


def page(client, expected: int):  # noqa: ANN001,ANN201
    def run() -> None:
        response = client.get("/review/")
        body = response.get_data(as_text=True)
        wanted = "Einträge, älteste zuerst (" + f"{expected:,}".replace(",", ".") + ")"
        assert response.status_code == 200 and wanted in body, (response.status_code, wanted, body[:300])
    return run


def interleaved(small, large) -> dict[str, float]:  # noqa: ANN001
    """The pairs alternate, as in bench.compliance; ratio = large/small per pair."""
    from bench.compliance import _interleaved

    r = _interleaved(large, small, REPEAT)
    return {"small": r["raw"], "large": r["table"], "ratio": r["ratio"], "q1": r["q1"], "q3": r["q3"]}


def measure(small_url: str, large_url: str) -> dict[str, float]:
    from portal.db import make_engine

    for url, n in ((small_url, SMALL), (large_url, LARGE)):
        engine = make_engine(url)
        build(engine, n)
        engine.dispose()
    apps = []
    try:
        app_s, client_s = client_for(small_url)
        app_l, client_l = client_for(large_url)
        apps = [app_s, app_l]
        return interleaved(page(client_s, SMALL), page(client_l, LARGE))
    finally:
        for app in apps:
            app.extensions["portal.db"].dispose()


def main() -> int:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        results["SQLite"] = measure(f"sqlite:///{tmp}/small.sqlite3", f"sqlite:///{tmp}/large.sqlite3")
        from tests.support.pgcluster import PostgresCluster

        cluster = PostgresCluster(Path(tmp) / "pg")
        cluster.start()
        try:
            results["PostgreSQL"] = measure(cluster.create_database("queue_small"), cluster.create_database("queue_large"))
        finally:
            cluster.stop()
    lines = [
        "# Benchmark: review queue page",
        "",
        f"`GET /review/` as the integration office (first page of 50, counts per kind, whole request with template), "
        f"at {SMALL:,} and at {LARGE:,} open certificates (persons in {UNITS} OEs, fixed seed). "
        f"The two databases are requested alternately in the same process; {REPEAT} pairs after one warm-up each. "
        "Ratio = median of the per-pair ratios large/small; quartiles show how much the machine's load moved it.",
        "",
    ]
    return ratio_report(lines, results, ("small", f"{SMALL:,}"), ("large", f"{LARGE:,}"), TARGET, RESULTS)


if __name__ == "__main__":
    sys.exit(main())

"""The periodic commands (cron, systemd timers): exit 0 on a fresh install, idempotent,
never two runs at once (advisory lock on PostgreSQL, lock file on SQLite)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from portal.db import utcnow
from portal.models.people import LoginAttempt, UserSession
from portal.runlock import exclusive

ROOT = Path(__file__).resolve().parent.parent
PERIODIC = [
    ["notifications", "send"],
    ["notifications", "digest"],
    ["notifications", "reminders"],
    ["trainings", "scan"],
    ["certificates", "purge", "--heute", "2026-12-01"],
    ["sessions", "purge"],
    ["exports", "purge"],
]


@pytest.mark.parametrize("args", PERIODIC, ids=[" ".join(a[:2]) for a in PERIODIC])
def test_fresh_install_exits_0_and_a_second_run_changes_nothing(runner, args):
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=args)
    assert second.exit_code == 0, second.output
    assert second.output == first.output  # idempotent: the same answer, nothing new done


def test_certificates_purge_before_the_retention_period_says_nothing_is_due(runner):
    result = runner.invoke(args=["certificates", "purge", "--heute", "2027-03-01"])
    assert result.exit_code == 0
    assert result.output.startswith("Nichts zu tun: Der Schulungsauftrag endet am 31.12.2026")


def test_a_second_run_while_the_first_holds_the_lock_exits_0_and_does_nothing(app, runner):
    with exclusive(app, "certificates-purge") as got:
        assert got
        with exclusive(app, "certificates-purge") as again:
            assert not again
        blocked = runner.invoke(args=["certificates", "purge", "--heute", "2026-12-01"])
        other = runner.invoke(args=["sessions", "purge"])  # another command has its own lock
    assert blocked.exit_code == 0
    assert blocked.output == ("Ein anderer Lauf von „portal certificates purge“ ist noch aktiv – dieser Aufruf "
                              "endet, ohne etwas zu tun.\n")
    assert other.exit_code == 0 and "gelöscht" in other.output
    after = runner.invoke(args=["certificates", "purge", "--heute", "2026-12-01"])
    assert after.exit_code == 0 and after.output.startswith("Nichts zu tun:")


def test_sessions_purge_deletes_expired_sessions_and_old_sign_in_failures(app, db, runner, make_user):
    user = make_user()
    now = utcnow()
    db.add_all([
        UserSession(token_hash="a" * 64, user_id=user.id, created_at=now - timedelta(hours=1), last_seen_at=now),
        UserSession(token_hash="b" * 64, user_id=user.id, created_at=now - timedelta(hours=3),
                    last_seen_at=now - timedelta(minutes=61)),  # idle too long
        UserSession(token_hash="c" * 64, user_id=user.id, created_at=now - timedelta(hours=11),
                    last_seen_at=now),  # past the absolute limit of 10 hours
        LoginAttempt(account="x", address="10.0.0.1", at=now - timedelta(minutes=5)),
        LoginAttempt(account="x", address="10.0.0.1", at=now - timedelta(minutes=16)),
        LoginAttempt(account="y", address="10.0.0.2", at=now - timedelta(days=3)),
    ])
    db.commit()
    result = runner.invoke(args=["sessions", "purge"])
    assert result.exit_code == 0
    assert result.output == "2 abgelaufene Sitzung(en) und 2 alte(r) Anmeldeversuch(e) gelöscht.\n"
    db.expire_all()
    assert db.scalars(select(UserSession.token_hash)).all() == ["a" * 64]
    assert db.scalar(select(func.count()).select_from(LoginAttempt)) == 1
    again = runner.invoke(args=["sessions", "purge"])
    assert again.output == "0 abgelaufene Sitzung(en) und 0 alte(r) Anmeldeversuch(e) gelöscht.\n"


def test_downgrade_to_base_refuses_without_the_explicit_flag(app, runner):
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 1
    assert ("Abgebrochen: „portal db downgrade base“ löscht alle Tabellen und damit alle Daten des Portals. "
            "Wenn Sie das wirklich wollen, rufen Sie den Befehl mit --yes-delete-all-data auf.") in result.output
    assert "user_sessions" in inspect(app.extensions["portal.test_connection"]).get_table_names()


# --- two runs started at the same moment, in two processes ------------------------------

SLOW = """
import sys, time
import {module} as target
original = target.{function}
def slow(*args, **kwargs):
    time.sleep(4)  # the work takes a while: the other run starts meanwhile
    return original(*args, **kwargs)
target.{function} = slow
from portal.cli import main
main(sys.argv[1:], prog_name="portal")
"""


def run_twice_at_once(env: dict[str, str], module: str, function: str, args: list[str]) -> list[subprocess.CompletedProcess]:
    barrier = threading.Barrier(2)
    results: list[subprocess.CompletedProcess] = []

    def one() -> None:
        barrier.wait()
        results.append(subprocess.run(
            [sys.executable, "-c", SLOW.format(module=module, function=function), *args],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=180,
        ))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize(("module", "function", "args", "work_done"), [
    ("portal.mail", "send_due", ["notifications", "send"], "0 gesendet, 0 fehlgeschlagen"),
    ("portal.trainings.services", "purge_certificate_files",
     ["certificates", "purge", "--tage", "30", "--heute", "2026-12-01"], "Nichts zu tun:"),
], ids=["notifications-send", "certificates-purge"])
def test_two_runs_started_together_one_works_the_other_exits_0(request, tmp_path, backend, module, function,
                                                                 args, work_done):
    url = request.getfixturevalue(f"{backend}_url")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({
        "PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "3f9a7c1e5b2d8f4a6c0e9b1d3f5a7c9e",
        "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"), "PORTAL_MAIL_SERVER": "127.0.0.1", "PORTAL_MAIL_PORT": "9",
    })
    results = run_twice_at_once(env, module, function, args)
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    outputs = sorted(r.stdout for r in results)
    busy = f"Ein anderer Lauf von „portal {' '.join(args[:2])}“ ist noch aktiv – dieser Aufruf endet, ohne etwas zu tun.\n"
    assert busy in outputs, outputs
    worked = [o for o in outputs if o != busy]
    assert len(worked) == 1 and work_done in worked[0], outputs

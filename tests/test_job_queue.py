"""The durable job queue (procrastinate on a real PostgreSQL): `portal worker` processes build the
exports; a worker killed with SIGKILL in the middle of a job leaves it to another worker, which
builds the whole file again — a half-built file is never offered."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app
from portal.exports import jobs
from portal.models.export_job import ExportJob
from portal.storage import for_app
from tests.test_notifications_exactly_once import fresh_database

ROOT = Path(__file__).resolve().parent.parent
KIND = "probe-langsam"

WORKER = f"""
import os, sys, time
from portal.exports import jobs

@jobs.register({KIND!r})
def build(db, params, progress):
    for step in range(params["n"]):
        progress(step + 1, params["n"])
        time.sleep(params["pause"])
    return b"PK gebaut von " + str(os.getpid()).encode(), "probe.zip"

from portal.cli import main
main(["worker", "--stalled-seconds", "3"], prog_name="portal")
"""


@pytest.fixture
def queue_app(request, tmp_path):
    url = fresh_database(request, "postgresql", tmp_path)
    config = {"TESTING": True, "SECRET_KEY": "x" * 32, "LDAP_URL": "demo", "DATABASE_URL": url,
              "UPLOAD_DIR": str(tmp_path / "uploads"), "JOB_QUEUE": True}
    app = create_app(config)
    jobs.BUILDERS[KIND] = lambda db, params, progress: (b"", "x")  # known here; built by the workers
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "3f9a7c1e5b2d8f4a6c0e9b1d3f5a7c9e",
                "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"), "PORTAL_JOB_QUEUE": "true"})
    workers: list[subprocess.Popen] = []

    def start_worker(extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(workers)}.log", "wb")  # noqa: SIM115
        workers.append(subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env={**env, **(extra_env or {})},
                                        stdout=log, stderr=subprocess.STDOUT))
        return workers[-1]

    app.start_worker = start_worker  # type: ignore[attr-defined]
    yield app
    for process in workers:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
    del jobs.BUILDERS[KIND]
    app.extensions["portal.db"].dispose()
    request.getfixturevalue("pg_cluster").drop_database(url.rpartition("/")[2])


def request_export(app, n: int, pause: float) -> int:
    with app.app_context():
        db = app.extensions["portal.db"].new_session()
        job = jobs.create(db, KIND, {"n": n, "pause": pause}, None)
        db.commit()
        jobs.start(job.id)  # defers to the queue: nothing is built in this process
        job_id = job.id
        db.close()
    return job_id


def job_row(app, job_id: int) -> ExportJob:
    db = app.extensions["portal.db"].new_session()
    try:
        return db.get(ExportJob, job_id)
    finally:
        db.close()


def wait_for(app, job_id: int, condition, seconds: float) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = job_row(app, job_id)
        if condition(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id}: {job.state} {job.done}/{job.total}")


@pytest.mark.slow
def test_a_worker_builds_the_export_and_a_killed_worker_s_job_is_rebuilt_by_another(queue_app):
    app = queue_app
    quick = request_export(app, 2, 0.05)
    assert job_row(app, quick).state == "queued"  # deferred, not built in the web process
    first = app.start_worker()
    done = wait_for(app, quick, lambda j: j.state == "done", 60)
    with app.app_context(), for_app(app).open(f"exports/{done.file_name}") as fh:
        assert fh.read() == b"PK gebaut von " + str(first.pid).encode()

    slow = request_export(app, 40, 0.25)  # 10 s of work
    wait_for(app, slow, lambda j: j.state == "running" and j.done >= 3, 60)
    os.kill(first.pid, signal.SIGKILL)  # the worker dies in the middle of the job
    first.wait(timeout=10)
    half = job_row(app, slow)
    assert half.state == "running" and half.file_name is None  # nothing offered
    second = app.start_worker()
    finished = wait_for(app, slow, lambda j: j.state == "done", 90)
    assert (finished.done, finished.total) == (40, 40)
    with app.app_context(), for_app(app).open(f"exports/{finished.file_name}") as fh:
        assert fh.read() == b"PK gebaut von " + str(second.pid).encode()
    assert [k for k in for_app(app).keys("exports/")] == sorted([f"exports/{done.file_name}",
                                                                  f"exports/{finished.file_name}"])
    with app.extensions["portal.db"].engine.connect() as conn:
        statuses = conn.execute(text("SELECT status, attempts FROM procrastinate_jobs WHERE task_name = 'portal.export' ORDER BY id")).all()
    assert [s for s, _a in statuses] == ["succeeded", "succeeded"]


def test_job_queue_needs_postgresql(tmp_path):
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="JOB_QUEUE: Die Auftragswarteschlange braucht PostgreSQL"):
        create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "LDAP_URL": "demo", "JOB_QUEUE": True,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}"})


@pytest.mark.slow
def test_a_new_upload_is_scanned_by_a_worker_of_the_queue(queue_app, tmp_path):
    """With JOB_QUEUE the scan of a new upload is a task of the queue (not a thread of the web
    server, which a restart would lose): a `portal worker` scans it with the real ClamAV."""
    import io
    import json
    import shutil
    from datetime import date
    from decimal import Decimal

    from portal.models.people import User
    from portal.models.training import Person
    from portal.trainings import files, scans, services
    from tests.support.requirements import require_binary
    from tests.test_trainings_scanning import CLEAN_PDF, PATTERN

    clamscan = require_binary("ClamAV (clamscan)", shutil.which("clamscan"))
    signatures = tmp_path / "signaturen"
    signatures.mkdir()
    (signatures / "portal-test.ndb").write_text(f"Portal.Test.Muster:0:*:{PATTERN.hex()}\n")
    scanner = json.dumps([clamscan, "--no-summary", "-d", str(signatures), "{path}"])
    queue_app.config.update(VIRUS_SCAN_COMMAND=scanner, VIRUS_SCAN_IN_BACKGROUND=True)
    with queue_app.app_context():
        db = queue_app.extensions["portal.db"].new_session()
        actor = User(external_id="fb", dn="uid=fb", username="fb", display_name="FB", personnel_number="P-1")
        person = Person(personnel_number="P-1", last_name="Muster")
        db.add_all([actor, person])
        db.flush()
        data = services.CertificateData(title="Kurs", provider="VHS", completed_on=date(2025, 3, 1),
                                        hours=Decimal(4), contents=["demokratisch"], format="praesenz", internal=False)
        checked = files.check_upload(io.BytesIO(CLEAN_PDF), "n.pdf", files.max_bytes())
        training = services.submit_certificate(db, person, actor, data, checked)
        db.commit()
        training_id = training.id
        assert training.scan_status == "pending"
        scans.start(training_id)  # after the commit, as the upload page does: a task, no thread
        db.close()
    with queue_app.extensions["portal.db"].engine.connect() as conn:
        queued = conn.execute(text("SELECT task_name, args::text, queue_name FROM procrastinate_jobs")).all()
    assert [(name, json.loads(args), q) for name, args, q in queued] == [
        (scans.SCAN_TASK, {"training_id": training_id}, "scans")]

    worker = queue_app.start_worker(extra_env={"PORTAL_VIRUS_SCAN_COMMAND": scanner})
    deadline = time.monotonic() + 90
    status = None
    while time.monotonic() < deadline and status != "clean":
        time.sleep(0.5)
        with queue_app.extensions["portal.db"].engine.connect() as conn:
            status = conn.execute(text("SELECT scan_status FROM trainings WHERE id = :id"), {"id": training_id}).scalar()
    assert status == "clean", (tmp_path / "worker-0.log").read_text(errors="replace")[-2000:]
    assert worker.poll() is None  # still serving

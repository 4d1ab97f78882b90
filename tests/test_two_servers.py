"""Two app servers (separate gunicorn processes on their own ports and their own local folders)
and two `portal worker`s on one PostgreSQL and one S3 server: a certificate uploaded through server A
is downloaded through server B, with the same session (it lives in the database); the city-wide
dossier ZIP requested on A is built by a worker and downloaded from B; the worker building the next
ZIP is killed (SIGKILL) in the middle and the other worker delivers it, downloaded from B; a
`portal notifications send` on each server at the same time delivers every pending mail once."""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.support.pgcluster import free_port
from tests.support.smtpsink import SmtpSink
from tests.test_notifications_exactly_once import SENDER

ROOT = Path(__file__).resolve().parent.parent
PORTAL = "import sys; from portal.cli import main; main(sys.argv[1:], prog_name='portal')"
PDF = b"%PDF-1.4\n" + b"% Teilnahmebescheinigung " * 4000 + b"\n%%EOF\n"


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _download_when_ready(browser, url: str, worker: subprocess.Popen, log: Path):  # noqa: ANN001,ANN202
    deadline = time.monotonic() + 180
    while (response := browser.get(url)).status_code == 404 and time.monotonic() < deadline:
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
    assert response.status_code == 200, log.read_text(errors="replace")[-3000:]
    return response


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.mark.slow
def test_upload_on_server_a_is_downloaded_from_server_b(pg_cluster, s3_server, tmp_path):
    import requests

    url = pg_cluster.create_database(f"two_{secrets.token_hex(4)}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(s3_server.env())
    env.update({"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": secrets.token_hex(32), "PORTAL_LDAP_URL": "demo",
                "PORTAL_SESSION_COOKIE_SECURE": "false", "PORTAL_STORAGE_URL": f"s3://portal-test/zwei{secrets.token_hex(3)}",
                "PORTAL_S3_ENDPOINT_URL": s3_server.endpoint_url, "PORTAL_JOB_QUEUE": "true"})
    for args in (["setup"], ["demo", "load"]):
        done = subprocess.run([sys.executable, "-c", PORTAL, *args], env={**env, "PORTAL_UPLOAD_DIR": str(tmp_path)},
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    import psycopg

    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain_url, autocommit=True) as conn:
        conn.execute("UPDATE org_units SET retired_on = '2020-01-01' WHERE code NOT IN ('Amt 50', 'Amt 51')")
    servers, processes = {}, []
    try:
        worker_log = tmp_path / "worker.log"
        processes.append(subprocess.Popen([sys.executable, "-c", PORTAL, "worker", "--stalled-seconds", "5"], cwd=ROOT,
                                          env={**env, "PORTAL_UPLOAD_DIR": str(tmp_path / "local-w")},
                                          stdout=worker_log.open("wb"), stderr=subprocess.STDOUT))
        for name in ("a", "b"):
            port, log = free_port(), tmp_path / f"{name}.log"
            folder = tmp_path / f"local-{name}"
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "portal.wsgi:app"],
                env={**env, "PORTAL_UPLOAD_DIR": str(folder)}, cwd=ROOT, stdout=log.open("wb"),
                stderr=subprocess.STDOUT))
            servers[name] = (f"http://127.0.0.1:{port}", folder)
            _wait(servers[name][0], processes[-1], log)
        a, b = servers["a"][0], servers["b"][0]
        browser = requests.Session()
        signed_in = browser.post(f"{a}/auth/anmelden", data={
            "csrf_token": _token(browser.get(f"{a}/auth/anmelden").text),
            "username": "anna.beispiel", "password": "aktionsplan"}, allow_redirects=False)
        assert signed_in.status_code == 302, signed_in.text[:500]
        form = browser.get(f"{a}/trainings/nachweis/neu")
        uploaded = browser.post(f"{a}/trainings/nachweis/neu", data={
            "csrf_token": _token(form.text), "title": "Interkulturelle Öffnung", "provider": "VHS Dresden",
            "completed_on": "14.03.2025", "hours": "4", "contents": ["interkulturell"], "format": "praesenz",
            "internal": "extern"}, files={"file": ("Bescheinigung.pdf", PDF, "application/pdf")}, allow_redirects=False)
        assert uploaded.status_code == 302, uploaded.text[:2000]
        certificate = uploaded.headers["Location"]
        assert re.search(r"/trainings/nachweis/\d+$", certificate)
        download = browser.get(f"{b}{certificate.removeprefix(a)}/datei")
        assert download.status_code == 200
        assert download.content == PDF
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Length"] == str(len(PDF))
        for _url, folder in servers.values():  # nothing on either server's own disk
            assert not [p for p in folder.rglob("*") if p.is_file() and p.suffix == ".pdf"]
        assert browser.get(f"{b}/readyz").json()["checks"]["storage"] == "ok"

        office = requests.Session()
        assert office.post(f"{a}/auth/anmelden", data={
            "csrf_token": _token(office.get(f"{a}/auth/anmelden").text),
            "username": "integrationsbuero", "password": "aktionsplan"}, allow_redirects=False).status_code == 302
        started = office.post(f"{a}/review/dossier/alle", data={"csrf_token": _token(office.get(f"{a}/review/dossier").text)},
                              allow_redirects=False)
        assert started.status_code == 302, started.text[:1000]
        job_path = started.headers["Location"].removeprefix(a)
        zipped = _download_when_ready(office, f"{b}{job_path}/datei", processes[0], worker_log)
        names = sorted(zipfile.ZipFile(io.BytesIO(zipped.content)).namelist())
        assert names == ["Dossier_Amt_50.pdf", "Dossier_Amt_50.xlsx", "Dossier_Amt_51.pdf", "Dossier_Amt_51.xlsx"]

        # every OE: the worker building the ZIP dies in the middle, the second worker delivers it
        with psycopg.connect(plain_url, autocommit=True) as conn:
            conn.execute("UPDATE org_units SET retired_on = NULL WHERE retired_on = '2020-01-01'")
            units = conn.execute("SELECT count(*) FROM org_units WHERE retired_on IS NULL").fetchone()[0]
        assert units >= 30
        started = office.post(f"{a}/review/dossier/alle", data={"csrf_token": _token(office.get(f"{a}/review/dossier").text)},
                              allow_redirects=False)
        assert started.status_code == 302, started.text[:1000]
        job_path = started.headers["Location"].removeprefix(a)
        job_id = int(job_path.rsplit("/", 1)[1])
        deadline = time.monotonic() + 120
        with psycopg.connect(plain_url, autocommit=True) as conn:
            while time.monotonic() < deadline:
                state, done = conn.execute("SELECT state, done FROM export_jobs WHERE id = %s", (job_id,)).fetchone()
                if state == "running" and done >= 2:
                    break
                time.sleep(0.1)
            assert (state, done >= 2) == ("running", True), worker_log.read_text(errors="replace")[-3000:]
            second_log = tmp_path / "worker-2.log"
            processes.append(subprocess.Popen([sys.executable, "-c", PORTAL, "worker", "--stalled-seconds", "5"],
                                              cwd=ROOT, env={**env, "PORTAL_UPLOAD_DIR": str(tmp_path / "local-w2")},
                                              stdout=second_log.open("wb"), stderr=subprocess.STDOUT))
            os.kill(processes[0].pid, signal.SIGKILL)  # the building worker dies mid-job
            processes[0].wait(timeout=10)
            state, done, stored = conn.execute("SELECT state, done, file_name FROM export_jobs WHERE id = %s",
                                               (job_id,)).fetchone()
            assert state == "running" and done < units and stored is None  # half-built: nothing offered
            assert office.get(f"{b}{job_path}/datei").status_code == 404
        zipped = _download_when_ready(office, f"{b}{job_path}/datei", processes[-1], second_log)
        archive = zipfile.ZipFile(io.BytesIO(zipped.content))
        assert archive.testzip() is None and len(archive.namelist()) == 2 * units
        assert {"Dossier_Amt_50.pdf", "Dossier_Amt_51.xlsx"} <= set(archive.namelist())
        with psycopg.connect(plain_url, autocommit=True) as conn:
            attempts = conn.execute("SELECT status, attempts FROM procrastinate_jobs WHERE task_name = 'portal.export' "
                                    "AND args->>'job_id' = %s", (str(job_id),)).fetchall()
        assert [status for status, _n in attempts] == ["succeeded"]

        # two mail senders (one on each server) at the same moment: every pending mail once
        from portal import create_app, mail

        outbox = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "LDAP_URL": "demo", "DATABASE_URL": url,
                             "UPLOAD_DIR": str(tmp_path / "local-t")})
        with outbox.app_context():
            db = outbox.extensions["portal.db"].new_session()
            for n in range(30):
                mail.enqueue(db, key=f"zwei-server:{n}", kind="decided", subject=f"Mitteilung {n}", body="Text",
                             email=f"person{n}@dresden.test")
            db.commit()
            db.close()
        outbox.extensions["portal.db"].dispose()
        with psycopg.connect(plain_url, autocommit=True) as conn:
            pending = conn.execute("SELECT count(*) FROM notifications WHERE sent_at IS NULL").fetchone()[0]
        assert pending >= 30
        with SmtpSink(delay=0.02) as sink:
            start = time.time() + 4  # the outbox sender of each server, both beginning at the same moment
            senders = [subprocess.Popen([sys.executable, "-c", SENDER, str(start)], cwd=ROOT,
                                        env={**env, "PORTAL_UPLOAD_DIR": str(folder), "PORTAL_MAIL_SERVER": "127.0.0.1",
                                             "PORTAL_MAIL_PORT": str(sink.port)},
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                       for _url, folder in servers.values()]
            outputs = [sender.communicate(timeout=120)[0] for sender in senders]
        assert [sender.returncode for sender in senders] == [0, 0], outputs
        per_message = Counter(m["Message-ID"] for m in sink.messages)
        assert (len(per_message), sum(n - 1 for n in per_message.values())) == (pending, 0), outputs
        results = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
        assert all(r["sent"] > 0 for r in results) and sum(r["sent"] for r in results) == pending, results
        with psycopg.connect(plain_url, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM notifications WHERE sent_at IS NULL").fetchone()[0] == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        pg_cluster.drop_database(url.rpartition("/")[2])

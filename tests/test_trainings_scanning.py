"""Certificate files and the virus scanner: the real ClamAV `clamscan` with a signature
database built here. Scans run synchronously (the CLI or the service), never in a thread."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.db import get_session
from portal.models.audit import AuditEvent
from portal.models.training import Training
from portal.trainings import scans
from tests.conftest import csrf_token_from
from tests.support.requirements import require_binary
from tests.test_trainings_uploads import form_data

# a harmless pattern that the test database calls malware (like the EICAR test file, but our own)
PATTERN = b"PORTAL-TEST-SIGNATURE-STANDARD-ANTIVIRUS-TEST-FILE!"
CLEAN_PDF = b"%PDF-1.4\n% Teilnahmebescheinigung\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
INFECTED_PDF = b"%PDF-1.4\n% " + PATTERN + b"\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

PENDING_TEXT = "Die Datei wird noch auf Viren geprüft."


@pytest.fixture
def app_config():
    return {"VIRUS_SCAN_IN_BACKGROUND": False}


@pytest.fixture
def clamscan() -> str:
    return require_binary("ClamAV (clamscan)", shutil.which("clamscan"))


@pytest.fixture
def signatures(tmp_path: Path) -> Path:
    """A ClamAV body-signature database (.ndb: name:target:offset:hex) that knows PATTERN."""
    folder = tmp_path / "signaturen"
    folder.mkdir()
    (folder / "portal-test.ndb").write_text(f"Portal.Test.Muster:0:*:{PATTERN.hex()}\n")
    return folder


def command(clamscan: str, database: Path) -> str:
    return json.dumps([clamscan, "--no-summary", "-d", str(database), "{path}"])


@pytest.fixture
def scanner(app, clamscan, signatures) -> str:
    app.config["VIRUS_SCAN_COMMAND"] = command(clamscan, signatures)
    return app.config["VIRUS_SCAN_COMMAND"]


@pytest.fixture
def employee(make_user):
    return make_user(username="lena", personnel_number="P-777", name="Lena Łukasz")


@pytest.fixture
def office(make_user):
    return make_user(username="ib", roles=("integrationsbuero",), oe="INAUSLB")


def upload(client, csrf, data: bytes, name: str = "nachweis.pdf", title: str = "Interkulturelle Öffnung"):
    token = csrf("/trainings/nachweis/neu")
    return client.post("/trainings/nachweis/neu", data=form_data(token, (data, name), title=title),
                       content_type="multipart/form-data", follow_redirects=True)


def decide(client, training_id: int, decision: str, comment: str = ""):
    token = csrf_token_from(client.get(f"/trainings/nachweis/{training_id}").get_data(as_text=True))
    return client.post(f"/trainings/nachweis/{training_id}/entscheidung",
                       data={"csrf_token": token, "decision": decision, "comment": comment}, follow_redirects=True)


def the_training(db) -> Training:
    db.expire_all()
    return db.scalars(select(Training).order_by(Training.id.desc())).first()


def scan_results(db, training_id: int) -> list[dict]:
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "certificate_scanned",
                                                 AuditEvent.object_id == str(training_id)).order_by(AuditEvent.id))
    return [json.loads(e.detail) if isinstance(e.detail, str) else e.detail for e in events]


def stored_path(app, training: Training) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "certificates" / training.file_name


def test_a_clean_file_waits_for_the_scan_and_is_then_released(app, client, db, runner, login_as, csrf,
                                                             employee, office, scanner):
    login_as(user=employee)
    page = upload(client, csrf, CLEAN_PDF).get_data(as_text=True)
    assert "Die Datei wird jetzt auf Viren geprüft; danach prüft das Integrationsbüro den Nachweis." in page
    training = the_training(db)
    assert training.scan_status == "pending" and training.scanned_at is None
    assert stored_path(app, training).read_bytes() == CLEAN_PDF
    assert "wird auf Viren geprüft" in page and PENDING_TEXT in page
    assert f'href="/trainings/nachweis/{training.id}/datei"' not in page

    # nobody gets the file before the scan: not the uploader, not the office
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 403
    assert PENDING_TEXT in response.get_data(as_text=True)
    login_as(user=office)
    queue = client.get("/trainings/pruefung").get_data(as_text=True)
    assert "<td>wird auf Viren geprüft</td>" in queue
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 403 and PENDING_TEXT in response.get_data(as_text=True)
    page = decide(client, training.id, "anerkennen").get_data(as_text=True)
    assert "Der Nachweis kann noch nicht anerkannt werden: Die Datei wird noch auf Viren geprüft." in page
    assert the_training(db).state == "submitted"

    result = runner.invoke(args=["trainings", "scan"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Nachweis {training.id}: auf Viren geprüft, ohne Befund – Keine Schadsoftware gefunden.",
        "1 Dateien geprüft: 1 ohne Befund, 0 mit Schadsoftware (gelöscht), 0 fehlgeschlagen.",
    ]
    training = the_training(db)
    assert training.scan_status == "clean" and training.scanned_at is not None
    assert scan_results(db, training.id) == [
        {"status": "clean", "vorher": "pending", "ergebnis": "Keine Schadsoftware gefunden.", "datei": "nachweis.pdf"}
    ]
    queue = client.get("/trainings/pruefung").get_data(as_text=True)
    assert "<td>auf Viren geprüft, ohne Befund</td>" in queue
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 200 and response.data == CLEAN_PDF
    page = decide(client, training.id, "anerkennen").get_data(as_text=True)
    assert "Der Nachweis ist anerkannt." in page
    assert the_training(db).state == "accepted"

    # nothing left to do for the next cron run
    again = runner.invoke(args=["trainings", "scan"])
    assert again.exit_code == 0 and again.output.strip() == (
        "0 Dateien geprüft: 0 ohne Befund, 0 mit Schadsoftware (gelöscht), 0 fehlgeschlagen.")


def test_an_infected_file_is_deleted_and_cannot_be_downloaded_or_recognised(app, client, db, runner, login_as, csrf,
                                                                            employee, office, scanner):
    login_as(user=employee)
    upload(client, csrf, INFECTED_PDF, name="befall.pdf")
    training = the_training(db)
    path = stored_path(app, training)
    assert training.scan_status == "pending" and path.exists()

    with app.app_context():
        outcomes = scans.scan_due(get_session())
    assert outcomes == [scans.Outcome(training.id, "infected", "Schadsoftware gefunden: Portal.Test.Muster.UNOFFICIAL")]
    training = the_training(db)
    assert training.scan_status == "infected"
    assert not path.exists() and training.file_deleted_at is not None
    # the record and its metadata stay
    assert (training.file_name, training.file_original_name, training.file_size) == (path.name, "befall.pdf", len(INFECTED_PDF))
    assert training.state == "submitted"
    assert scan_results(db, training.id) == [{"status": "infected", "vorher": "pending", "datei": "befall.pdf",
                                              "ergebnis": "Schadsoftware gefunden: Portal.Test.Muster.UNOFFICIAL"}]

    page = client.get(f"/trainings/nachweis/{training.id}").get_data(as_text=True)
    assert "befall.pdf: wegen Schadsoftware gelöscht" in page
    assert "gesperrt: Schadsoftware gefunden, die Datei wurde gelöscht" in page
    assert "Der Virenscanner hat in der hochgeladenen Datei Schadsoftware gefunden." in page
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 403
    assert "In dieser Datei wurde Schadsoftware gefunden. Die Datei wurde gelöscht" in response.get_data(as_text=True)

    login_as(user=office)
    assert client.get(f"/trainings/nachweis/{training.id}/datei").status_code == 403
    page = decide(client, training.id, "anerkennen").get_data(as_text=True)
    assert "Der Nachweis kann nicht anerkannt werden: In der Datei wurde Schadsoftware gefunden" in page
    assert the_training(db).state == "submitted"
    # returning it is allowed, so that a clean file can be uploaded as a correction
    page = decide(client, training.id, "zurueckgeben", "Bitte laden Sie eine saubere Datei hoch.").get_data(as_text=True)
    assert "Der Nachweis wurde zur Korrektur zurückgegeben." in page

    login_as(user=employee)
    form = client.get(f"/trainings/nachweis/{training.id}/korrigieren").get_data(as_text=True)
    response = client.post(f"/trainings/nachweis/{training.id}/korrigieren", content_type="multipart/form-data",
                           data=form_data(csrf_token_from(form), (CLEAN_PDF, "neu.pdf")))
    assert response.status_code == 302
    correction = the_training(db)
    assert correction.replaces_id == training.id and correction.scan_status == "pending"
    result = runner.invoke(args=["trainings", "scan"])
    assert result.exit_code == 0, result.output
    assert "1 Dateien geprüft: 1 ohne Befund, 0 mit Schadsoftware (gelöscht), 0 fehlgeschlagen." in result.output
    assert the_training(db).scan_status == "clean"
    assert client.get(f"/trainings/nachweis/{correction.id}/datei").data == CLEAN_PDF


def test_a_failing_scanner_keeps_the_file_blocked_until_a_later_run_succeeds(app, client, db, runner, login_as, csrf,
                                                                            employee, office, clamscan, signatures,
                                                                            tmp_path):
    # clamscan without its signature database exits 2: an error, never "clean"
    app.config["VIRUS_SCAN_COMMAND"] = command(clamscan, tmp_path / "keine-signaturen")
    login_as(user=employee)
    upload(client, csrf, CLEAN_PDF)
    training = the_training(db)

    result = runner.invoke(args=["trainings", "scan"])
    assert result.exit_code == 1
    assert f"Nachweis {training.id}: gesperrt: Virenprüfung fehlgeschlagen, sie wird wiederholt – " \
           "Das Prüfprogramm meldet einen Fehler (Code 2)" in result.output
    assert ("1 Dateien geprüft: 0 ohne Befund, 0 mit Schadsoftware (gelöscht), 1 fehlgeschlagen. Die fehlgeschlagenen "
            "Dateien bleiben gesperrt; der nächste Lauf versucht es erneut.") in result.output
    training = the_training(db)
    assert training.scan_status == "error" and stored_path(app, training).exists()
    [audit] = scan_results(db, training.id)
    assert audit["status"] == "error" and audit["ergebnis"].startswith("Das Prüfprogramm meldet einen Fehler (Code 2)")

    login_as(user=office)
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 403
    assert "Die Datei wird noch auf Viren geprüft: Die letzte Prüfung ist fehlgeschlagen" in response.get_data(as_text=True)
    assert "<td>gesperrt: Virenprüfung fehlgeschlagen, sie wird wiederholt</td>" in client.get("/trainings/pruefung").get_data(as_text=True)
    page = decide(client, training.id, "anerkennen").get_data(as_text=True)
    assert "Die Virenprüfung der Datei ist fehlgeschlagen und wird wiederholt." in page
    assert the_training(db).state == "submitted"

    # a scanner that cannot be started at all is a failure too
    app.config["VIRUS_SCAN_COMMAND"] = json.dumps(["/usr/bin/gibt-es-nicht-scan", "{path}"])
    assert runner.invoke(args=["trainings", "scan"]).exit_code == 1
    assert scan_results(db, training.id)[-1]["ergebnis"] == "Das Prüfprogramm „/usr/bin/gibt-es-nicht-scan“ wurde nicht gefunden."
    assert the_training(db).scan_status == "error"

    # configuration fixed: the next cron run retries and releases the file
    app.config["VIRUS_SCAN_COMMAND"] = command(clamscan, signatures)
    result = runner.invoke(args=["trainings", "scan"])
    assert result.exit_code == 0, result.output
    assert the_training(db).scan_status == "clean"
    assert [a["status"] for a in scan_results(db, training.id)] == ["error", "error", "clean"]
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 200 and response.data == CLEAN_PDF
    assert "Der Nachweis ist anerkannt." in decide(client, training.id, "anerkennen").get_data(as_text=True)


def test_without_a_scanner_nothing_changes(app, client, db, runner, login_as, csrf, employee, office):
    assert app.config["VIRUS_SCAN_COMMAND"] == ""
    login_as(user=employee)
    page = upload(client, csrf, INFECTED_PDF).get_data(as_text=True)
    assert "Der Nachweis wurde eingereicht. Das Integrationsbüro prüft ihn." in page
    training = the_training(db)
    assert training.scan_status is None and training.scanned_at is None
    assert "Virenprüfung" not in page and PENDING_TEXT not in page
    login_as(user=office)
    assert "<td>ohne Virenprüfung</td>" in client.get("/trainings/pruefung").get_data(as_text=True)
    response = client.get(f"/trainings/nachweis/{training.id}/datei")
    assert response.status_code == 200 and response.data == INFECTED_PDF
    assert "Der Nachweis ist anerkannt." in decide(client, training.id, "anerkennen").get_data(as_text=True)
    assert scan_results(db, training.id) == []
    result = runner.invoke(args=["trainings", "scan"])  # a cron job without a scanner: nothing blocked, exit 0
    assert result.exit_code == 0
    assert "Keine Virenprüfung eingerichtet (VIRUS_SCAN_COMMAND ist leer) – es wartet keine Datei." in result.output


def test_rescan_all_checks_files_stored_before_the_scanner_was_set_up(app, client, db, runner, login_as, csrf,
                                                                      employee, clamscan, signatures):
    login_as(user=employee)
    upload(client, csrf, CLEAN_PDF, title="Vorher sauber")
    upload(client, csrf, INFECTED_PDF, name="alt.pdf", title="Vorher befallen")
    before = db.scalars(select(Training).order_by(Training.id)).all()
    assert [t.scan_status for t in before] == [None, None]

    app.config["VIRUS_SCAN_COMMAND"] = command(clamscan, signatures)
    plain = runner.invoke(args=["trainings", "scan"])  # only waiting or failed files
    assert plain.exit_code == 0 and plain.output.startswith("0 Dateien geprüft")
    result = runner.invoke(args=["trainings", "scan", "--alle"])
    assert result.exit_code == 0, result.output
    assert "2 Dateien geprüft: 1 ohne Befund, 1 mit Schadsoftware (gelöscht), 0 fehlgeschlagen." in result.output
    db.expire_all()
    after = db.scalars(select(Training).order_by(Training.id)).all()
    assert [(t.scan_status, t.file_deleted_at is None) for t in after] == [("clean", True), ("infected", False)]
    assert [a["vorher"] for a in scan_results(db, after[1].id)] == [None]
    # an infected record is not scanned again (its file is gone)
    again = runner.invoke(args=["trainings", "scan", "--alle"])
    assert "1 Dateien geprüft: 1 ohne Befund" in again.output


def test_the_upload_starts_a_background_scan_only_when_asked(app, client, db, login_as, csrf, employee, scanner,
                                                             monkeypatch):
    started: list[int] = []
    monkeypatch.setattr(scans.threading, "Thread",
                        lambda target, args, name, daemon: type("T", (), {"start": lambda self: started.append(args[1])})())
    login_as(user=employee)
    upload(client, csrf, CLEAN_PDF)
    assert started == []  # VIRUS_SCAN_IN_BACKGROUND is off in these tests
    app.config["VIRUS_SCAN_IN_BACKGROUND"] = True
    upload(client, csrf, CLEAN_PDF, title="Zweiter Nachweis")
    second = the_training(db)
    assert started == [second.id]
    # the thread's body, run here: its own session, scans and stores the result
    scans.run(app, second.id)
    assert the_training(db).scan_status == "clean"

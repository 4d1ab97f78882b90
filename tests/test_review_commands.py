"""Reminders before a Stichtag, certificate retention after the mandate, right of access."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from portal.measures.services import expected_pairs
from portal.models.audit import AuditEvent
from portal.models.notification import Notification
from portal.models.training import Training
from portal.models.workflow import WorkflowEvent
from portal.trainings.tables import compliance_table
from tests.conftest import org_unit
from tests.measures_support import make_period
from tests.review_support import person, report, training


def test_reminders_go_once_to_oes_with_missing_reports(runner, db, make_user):
    a50 = org_unit(db, "Amt 50")
    today = date(2026, 12, 1)
    period = make_period(db, "Abschlussbericht 2026", today + timedelta(days=10), True)
    make_period(db, "Später", today + timedelta(days=40), False)
    leader = make_user("leiterin", roles=("oe_verantwortliche",), oe="Amt 50")
    leader.email = "leiterin@dresden.test"
    make_user("ohne_mail", roles=("oe_verantwortliche",), oe="Amt 50")
    make_user("kollege", roles=(), oe="Amt 50").email = "kollege@dresden.test"
    db.commit()
    pairs = expected_pairs()
    rows50 = list(db.scalars(select(pairs.c.measure_row_id).where(pairs.c.org_unit_id == a50.id)))
    from portal.models.measure import MeasureRow

    report(db, period, db.get(MeasureRow, rows50[0]), a50, state="submitted")
    result = runner.invoke(args=["notifications", "reminders", "--tage", "14", "--heute", today.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 Erinnerung(en) vorgemerkt" in result.output
    notes = db.scalars(select(Notification).where(Notification.kind == "reminder")).all()
    assert [(n.recipient_email, n.subject) for n in notes] == [("leiterin@dresden.test", "Erinnerung: Sachstandsberichte bis 11.12.2026")]
    assert f"ist 1 von {len(rows50)} Maßnahmenteilen eingereicht; {len(rows50) - 1} fehlen noch" in notes[0].body
    assert "(in 10 Tagen)" in notes[0].body
    again = runner.invoke(args=["notifications", "reminders", "--heute", today.isoformat()])
    assert "0 Erinnerung(en) vorgemerkt" in again.output
    early = runner.invoke(args=["notifications", "reminders", "--tage", "5", "--heute", today.isoformat()])
    assert "0 Erinnerung(en) vorgemerkt (0 Berichtszeitraum" in early.output


def stored_certificate(app, content: bytes = b"%PDF-1.4 Nachweis") -> str:
    with app.app_context():
        from portal.storage import get_storage
        from portal.trainings import files

        name = "a" * 32 + ".pdf"
        get_storage().put(files.key_of(name), [content])
        return name


def test_purge_waits_for_the_end_of_the_mandate_then_deletes_files_and_keeps_counts(app, runner, db):
    a50 = org_unit(db, "Amt 50")
    p = person(db, "P-9", "Alt", a50)
    name = stored_certificate(app)
    old = training(db, p, state="accepted", days_ago=40, file_name=name)
    old.file_original_name = "nachweis.pdf"
    pending = training(db, p, state="submitted", days_ago=40, file_name="b" * 32 + ".pdf")
    db.commit()
    before = [r.values() for r in compliance_table(db, org_unit=a50)]
    early = runner.invoke(args=["certificates", "purge", "--tage", "30", "--heute", "2026-11-25"])
    assert early.exit_code == 0 and "Vor dem 31.01.2027 wird keine Datei gelöscht." in early.output
    dry = runner.invoke(args=["certificates", "purge", "--tage", "30", "--heute", "2027-02-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Nachweis {old.id} (P-9, „Interkulturelle Kompetenz“" in dry.output and "würde gelöscht" in dry.output
    assert "Nur geprüft: 1 Datei(en) wären zu löschen." in dry.output
    path = app.config["UPLOAD_DIR"] + "/certificates/" + name
    assert Path(path).exists()
    done = runner.invoke(args=["certificates", "purge", "--tage", "30", "--heute", "2027-02-01"])
    assert done.exit_code == 0 and "1 Nachweis-Datei(en) gelöscht." in done.output
    assert not Path(path).exists()
    db.expire_all()
    assert db.get(Training, old.id).file_deleted_at is not None and db.get(Training, pending.id).file_deleted_at is None
    assert [r.values() for r in compliance_table(db, org_unit=a50)] == before
    purged = db.scalar(select(AuditEvent).where(AuditEvent.action == "certificate_files_purged"))
    assert json.loads(purged.detail)["ids"] == [old.id]
    # without --tage the declared default retention (365 days) applies: nothing is due yet, exit 0
    default = runner.invoke(args=["certificates", "purge", "--heute", "2027-06-01"])
    assert default.exit_code == 0, default.output
    assert default.output.startswith("Nichts zu tun:") and "Aufbewahrungsfrist von 365 Tagen" in default.output
    assert "Vor dem 01.01.2028 wird keine Datei gelöscht." in default.output


def test_person_export_holds_everything_about_the_person(app, runner, db, make_user, tmp_path):
    a50 = org_unit(db, "Amt 50")
    user = make_user("paula", roles=("fortbildungsbeauftragte",), oe="Amt 50", personnel_number="P-42")
    p = person(db, "P-42", "Paula", a50, first="Pia")
    name = stored_certificate(app, b"%PDF-1.4 Paulas Nachweis")
    t = training(db, p, state="returned", comment="Stunden fehlen", file_name=name, submitter=user)
    t.file_original_name = "Zertifikat.PDF"
    db.add(WorkflowEvent(subject_type="training", subject_id=t.id, from_state="submitted", to_state="returned",
                         comment="Stunden fehlen"))
    db.add(AuditEvent(action="certificate_downloaded", object_type="Training", object_id=str(t.id), actor_name="buero"))
    db.add(AuditEvent(action="login", actor_id=user.id, actor_name="paula"))
    other = person(db, "P-43", "Andere", a50)
    training(db, other, state="accepted")
    db.commit()
    out = tmp_path / "auskunft.zip"
    result = runner.invoke(args=["person", "export", "P-42", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "(1 Nachweis-Datei(en))" in result.output
    archive = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    assert sorted(archive.namelist()) == ["auskunft.json", f"nachweise/nachweis-{t.id}.pdf"]
    assert archive.read(f"nachweise/nachweis-{t.id}.pdf") == b"%PDF-1.4 Paulas Nachweis"
    data = json.loads(archive.read("auskunft.json"))
    assert data["person"]["last_name"] == "Paula"
    assert (data["person"]["oe"], data["person"]["oe_source"]) == ("Amt 50", "personalamt")  # current OE, its source
    assert [(e["oe"], e["target_group"]) for e in data["zielgruppenlisten"]] == [("Amt 50", "buergerkontakt")]
    assert [(n["id"], n["state"], n["decision_comment"]) for n in data["nachweise"]] == [(t.id, "returned", "Stunden fehlen")]
    assert [(v["von"], v["nach"]) for v in data["nachweise"][0]["verlauf"]] == [(None, "submitted"), ("submitted", "returned")]
    assert [(u["username"], u["rollen"]) for u in data["benutzerkonten"]] == [("paula", ["beschaeftigte", "fortbildungsbeauftragte"])]
    assert {a["action"] for a in data["protokoll"]} == {"certificate_downloaded", "login"}
    assert "Andere" not in json.dumps(data, ensure_ascii=False)
    logged = db.scalar(select(AuditEvent).where(AuditEvent.action == "person_exported"))
    assert logged.object_id == "P-42" and '"nachweis_dateien": 1' in logged.detail
    plain = tmp_path / "auskunft.json"
    assert runner.invoke(args=["person", "export", "P-42", "-o", str(plain)]).exit_code == 0
    assert json.loads(plain.read_text("utf-8"))["personalnummer"] == "P-42"
    missing = runner.invoke(args=["person", "export", "X-1", "-o", str(plain)])
    assert missing.exit_code == 1 and "Zur Personalnummer „X-1“ sind keine Daten gespeichert." in missing.output
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person_exported")) == 2


def test_reminder_for_one_missing_part_tomorrow_is_singular(app, runner, db, make_user):
    """„1 fehlen noch“, „in 1 Tagen“: the reminder says one part in the singular, tomorrow as „morgen“."""
    from portal.models.measure import MeasureRow

    a50 = org_unit(db, "Amt 50")
    today = date(2026, 12, 1)
    period = make_period(db, "Abschlussbericht 2026", today + timedelta(days=1), True)
    make_user("leiterin", roles=("oe_verantwortliche",), oe="Amt 50").email = "leiterin@dresden.test"
    db.commit()
    pairs = expected_pairs()
    rows50 = list(db.scalars(select(pairs.c.measure_row_id).where(pairs.c.org_unit_id == a50.id)))
    for row_id in rows50[:-1]:
        report(db, period, db.get(MeasureRow, row_id), a50, state="submitted")
    app.config["BASE_URL"] = "https://aktionsplan.test"
    result = runner.invoke(args=["notifications", "reminders", "--tage", "14", "--heute", today.isoformat()])
    assert result.exit_code == 0, result.output
    [note] = db.scalars(select(Notification).where(Notification.kind == "reminder")).all()
    assert "ist der 02.12.2026 (morgen)." in note.body
    assert "Was ist zu tun? Bitte melden Sie sich im Portal an" in note.body
    assert "Zu „Meine Maßnahmen“: https://aktionsplan.test/measures/meine" in note.body
    assert "Warum erhalten Sie diese Nachricht? Sie sind OE-Verantwortliche*r für Amt 50" in note.body
    assert f"sind {len(rows50) - 1} von {len(rows50)} Maßnahmenteilen eingereicht; 1 fehlt noch." in note.body

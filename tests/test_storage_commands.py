"""`portal storage check` (rows without objects, objects without rows) and `portal storage migrate`
(local folder → a real S3 server, checksums verified)."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from portal.models.training import Person
from portal.storage import for_app
from portal.storage.local import LocalStorage
from tests.support import training_scenario as sc


def people(db) -> dict[str, Person]:
    made = {key: Person(personnel_number=f"S-{key}", last_name=key.title()) for key in ("p1", "p2")}
    db.add_all(made.values())
    db.commit()
    return made


def certificate(db, person, name: str):
    t = sc.training(db, person, on=date(2025, 2, 1), hours="4", contents=("demokratisch",), state="submitted",
                    source="upload")
    t.file_name = name
    db.commit()
    return t


def test_check_lists_rows_without_objects_and_objects_without_rows(app, db, runner):
    P = people(db)
    kept = certificate(db, P["p1"], "a" * 32 + ".pdf")
    lost = certificate(db, P["p2"], "b" * 32 + ".pdf")
    with app.app_context():
        files = for_app(app)
        files.put(f"certificates/{kept.file_name}", [b"%PDF-1.4 eins"])
        files.put("certificates/" + "c" * 32 + ".pdf", [b"%PDF-1.4 uebrig"])
        files.put("minutes/" + "d" * 32 + ".docx", [b"PK"])
    result = runner.invoke(args=["storage", "check"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[1:] == [
        "1 Eintrag/Einträge ohne Datei",
        f"  fehlt: certificates/{'b' * 32}.pdf (Nachweis {lost.id})",
        "2 Datei(en) ohne Eintrag",
        f"  übrig: certificates/{'c' * 32}.pdf",
        f"  übrig: minutes/{'d' * 32}.docx",
    ]
    with app.app_context():
        for_app(app).put(f"certificates/{lost.file_name}", [b"%PDF-1.4 zwei"])
        for_app(app).delete("certificates/" + "c" * 32 + ".pdf")
        for_app(app).delete("minutes/" + "d" * 32 + ".docx")
    clean = runner.invoke(args=["storage", "check"])
    assert clean.exit_code == 0
    assert clean.output.splitlines()[1:] == ["0 Eintrag/Einträge ohne Datei", "0 Datei(en) ohne Eintrag"]


@pytest.fixture
def app_config(request):
    return request.getfixturevalue("s3_settings") if "s3" in request.node.name else {}


def test_migrate_copies_local_files_into_s3_verified_and_only_once(app, db, runner):
    assert app.config["STORAGE_URL"].startswith("s3://")
    old = LocalStorage(Path(app.config["UPLOAD_DIR"]))
    contents = {"certificates/" + "e" * 32 + ".pdf": b"%PDF-1.4 " + bytes(range(256)) * 900,
                "minutes/" + "f" * 32 + ".pdf": b"%PDF-1.4 Protokoll"}
    for key, content in contents.items():
        old.put(key, [content])
    old.put("exports/job-1.zip", [b"PK"])  # export files are not part of the move
    P = people(db)
    certificate(db, P["p1"], "e" * 32 + ".pdf")
    before = runner.invoke(args=["storage", "check"])
    assert before.exit_code == 1 and "1 Eintrag/Einträge ohne Datei" in before.output
    same = runner.invoke(args=["storage", "migrate", "--von", app.config["STORAGE_URL"]])
    assert same.exit_code == 1 and "Quelle und Ziel sind derselbe Speicher" in same.output
    result = runner.invoke(args=["storage", "migrate"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"2 Datei(en) nach {app.config['STORAGE_URL']} kopiert und geprüft, "
                             "0 schon vorhanden, 0 fehlerhaft.\n")
    target = for_app(app)
    assert sorted(target.keys()) == sorted(contents)
    for key, content in contents.items():
        with target.open(key) as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(content).hexdigest()
    again = runner.invoke(args=["storage", "migrate"])
    assert again.output.startswith("0 Datei(en) nach") and "2 schon vorhanden, 0 fehlerhaft." in again.output
    after = runner.invoke(args=["storage", "check"])
    assert "0 Eintrag/Einträge ohne Datei" in after.output and "1 Datei(en) ohne Eintrag" in after.output
    assert f"  übrig: minutes/{'f' * 32}.pdf" in after.output  # no meeting row points at it in this test

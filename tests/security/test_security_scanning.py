"""Upload scanning with the real ClamAV `clamscan` and a signature database built here
(the public signature download is not reachable, and not needed)."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal import scanning
from portal.scanning import CLEAN, ERROR, INFECTED, PENDING, ScanConfigError, parse_command, scan_file
from tests.support.requirements import require_binary

# a harmless file whose MD5 the test database calls malware
BAD = b"%PDF-1.4\n% portal test pattern, harmless - 4711\n%%EOF\n"
GOOD = b"%PDF-1.4\n% ein ganz normaler Nachweis\n%%EOF\n"


@pytest.fixture(scope="module")
def clamscan() -> str:
    return require_binary("ClamAV (clamscan)", shutil.which("clamscan"))


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    bad = tmp_path / "nachweis verdächtig.pdf"  # a space in the name on purpose
    bad.write_bytes(BAD)
    good = tmp_path / "nachweis.pdf"
    good.write_bytes(GOOD)
    return {"bad": bad, "good": good}


@pytest.fixture
def signatures(tmp_path: Path, files: dict[str, Path]) -> Path:
    """A ClamAV hash database: one hand-written MD5 line and one written by sigtool."""
    db = tmp_path / "signaturen"
    db.mkdir()
    md5 = hashlib.md5(BAD).hexdigest()  # noqa: S324 - ClamAV's .hdb format is MD5
    (db / "portal-test.hdb").write_text(f"{md5}:{len(BAD)}:Portal.Test.Signatur\n")
    sigtool = shutil.which("sigtool")
    if sigtool:
        other = tmp_path / "zweite.bin"
        other.write_bytes(b"second pattern 0815\n")
        line = subprocess.run([sigtool, "--md5", str(other)], capture_output=True, text=True, check=True).stdout
        assert line.startswith(hashlib.md5(b"second pattern 0815\n").hexdigest() + ":20:")  # noqa: S324
        (db / "sigtool.hdb").write_text(line)
    return db


def config(command, timeout=30) -> dict:
    return {"VIRUS_SCAN_COMMAND": command, "VIRUS_SCAN_TIMEOUT": timeout}


def test_clamscan_finds_the_signature_and_passes_the_clean_file(clamscan, files, signatures):
    cfg = config([clamscan, "--no-summary", "-d", str(signatures), "{path}"])
    bad = scan_file(files["bad"], cfg)
    assert bad.status == INFECTED and bad.blocked
    assert bad.detail == "Schadsoftware gefunden: Portal.Test.Signatur.UNOFFICIAL"
    assert bad.label == "gesperrt: Schadsoftware gefunden"
    good = scan_file(files["good"], cfg)
    assert good == scanning.ScanResult(CLEAN, "Keine Schadsoftware gefunden.")
    assert not good.blocked and good.label == "geprüft"


def test_command_as_json_string_and_as_command_line(clamscan, files, signatures):
    as_json = json.dumps([clamscan, "--no-summary", "-d", str(signatures), "{path}"])
    assert scan_file(files["bad"], config(as_json)).status == INFECTED
    # a plain command line; without {path} the file is appended
    line = f"{clamscan} --no-summary -d '{signatures}'"
    assert scan_file(files["bad"], config(line)).status == INFECTED
    assert scan_file(files["good"], config(line)).status == CLEAN


def test_a_broken_scanner_blocks_the_file(clamscan, files, tmp_path):
    # clamscan with a missing database exits 2: an error, never "clean"
    result = scan_file(files["good"], config([clamscan, "--no-summary", "-d", str(tmp_path / "fehlt"), "{path}"]))
    assert result.status == ERROR and result.blocked
    assert result.detail.startswith("Das Prüfprogramm meldet einen Fehler (Code 2)")
    assert result.label == "gesperrt: Prüfung fehlgeschlagen"


def test_a_missing_scanner_program_blocks_the_file(files):
    result = scan_file(files["good"], config(["/usr/bin/gibt-es-nicht-scan", "{path}"]))
    assert result.status == ERROR
    assert result.detail == "Das Prüfprogramm „/usr/bin/gibt-es-nicht-scan“ wurde nicht gefunden."


def test_a_scanner_that_hangs_is_stopped_and_blocks_the_file(files):
    hang = [sys.executable, "-c", "import time; time.sleep(30)", "{path}"]
    result = scan_file(files["good"], config(hang, timeout=0.5))
    assert result.status == ERROR
    assert result.detail == "Die Prüfung hat länger als 0.5 Sekunden gedauert und wurde abgebrochen."


def test_unknown_exit_codes_and_missing_files_are_errors(files, tmp_path):
    weird = [sys.executable, "-c", "import sys; sys.exit(3)", "{path}"]
    assert scan_file(files["good"], config(weird)).status == ERROR
    ok = [sys.executable, "-c", "import sys; sys.exit(0)", "{path}"]
    assert scan_file(tmp_path / "weg.pdf", config(ok)) == scanning.ScanResult(ERROR, "Die Datei zum Prüfen fehlt.")


def test_no_scanner_configured_means_clean_but_not_scanned(files):
    for empty in ("", "   ", None, []):
        result = scan_file(files["bad"], config(empty))
        assert result.status == CLEAN and result.scanned is False
        assert scanning.initial_status(config(empty)) is None  # stored as "not scanned", not as "scanned clean"


def test_uploads_start_as_pending_and_only_clean_is_downloadable(clamscan, signatures):
    cfg = config([clamscan, "{path}"])
    assert scanning.initial_status(cfg) == PENDING
    assert scanning.STATUS_LABELS[PENDING] == "wird geprüft"
    assert [s for s in (PENDING, CLEAN, INFECTED, ERROR, None) if scanning.is_downloadable(s)] == [CLEAN, None]


def test_bad_configuration_is_reported_and_fails_closed(files):
    with pytest.raises(ScanConfigError, match="JSON"):
        parse_command('["clamscan", ')
    with pytest.raises(ScanConfigError, match="Zeichenketten"):
        parse_command('["clamscan", 3]')
    result = scan_file(files["good"], config('["clamscan", '))
    assert result.status == ERROR and "JSON" in result.detail


def test_the_app_reads_the_command_from_its_configuration(app, clamscan, files, signatures):
    assert app.config["VIRUS_SCAN_COMMAND"] == "" and app.config["VIRUS_SCAN_TIMEOUT"] == 120
    app.config["VIRUS_SCAN_COMMAND"] = json.dumps([clamscan, "--no-summary", "-d", str(signatures), "{path}"])
    with app.app_context():
        assert scanning.scanning_enabled()
        assert scan_file(files["bad"]).status == INFECTED

"""The command line: German help on every command, a summary instead of a line per row, and a
progress bar only on a terminal."""
from __future__ import annotations

import os
import re
from select import select as readable

import click
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from portal.cli import main
from portal.commandline import TerminalProgress, import_summary, line_numbers
from portal.models.training import Person
from tests.support import training_scenario as sc

HEADER = "personalnummer;nachname;vorname;oe"
# words of English help texts; click's own "Usage:", "Options:", "Commands:" and
# "Show this message and exit." are left out before the check
ENGLISH = ("the ", " the", " file ", " files", "Import ", "Show ", "Run ", " to ", " and ", " of ", " for ", "Set ",
           " with ", "Load ", "Enable ", "Disable ", " version", " server", " directory")
CLICK_OWN = re.compile(r"^(Usage: .*|Options:|Commands:|  --help +Show this message and exit\.)$")


def _walk(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _walk(sub, [*path, name])


def test_every_command_has_german_help(app):
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    walked, english = 0, []
    for path, command in _walk(main, []):
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"portal {' '.join(path)} {param.opts[0]}: Hilfetext fehlt"
        result = runner.invoke(main, [*path, "--help"], obj=info)
        assert result.exit_code == 0, (path, result.output)
        walked += 1
        for line in result.output.splitlines():
            if CLICK_OWN.match(line):
                continue
            english += [f"portal {' '.join(path)}: {word!r} in {line.strip()!r}" for word in ENGLISH if word in line]
    assert walked >= 43  # every group and command, the top level included
    assert english == []


def test_help_walk_would_find_english(app):
    """The check above can fail: Flask's own English help is what it would find."""
    from flask.cli import routes_command

    text = CliRunner().invoke(routes_command, ["--help"], obj=ScriptInfo(create_app=lambda: app)).output
    assert any(word in text for word in ENGLISH)


def _persons(tmp_path, *rows: str) -> str:
    path = tmp_path / "personal.csv"
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode())
    return str(path)


def test_import_prints_a_summary_not_a_line_per_row(runner, db, tmp_path):
    sc.unit(db, "Amt 50"), sc.unit(db, "Amt 51")
    db.commit()
    rows = [f"P-{n};Name{n};Vorname;Amt 50" for n in range(1, 41)]
    result = runner.invoke(args=["person", "import", _persons(tmp_path, *rows)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Gelesen: 40 Datenzeilen, abgelehnt: 0.",
                                          "Übernommen: 40 neu, 0 geändert, 0 unverändert."]
    rows[4] = "P-5;Anders;Vorname;Amt 51"
    rows[9] = "P-10;Neu;Vorname;Amt 50"
    result = runner.invoke(args=["person", "import", _persons(tmp_path, *rows, "P-41;Neu;Nina;Amt 50"), "--dry-run"])
    assert result.output.splitlines() == ["Gelesen: 41 Datenzeilen, abgelehnt: 0.",
                                          "Nur geprüft (nichts gespeichert): 1 neu, 2 geändert, 38 unverändert."]
    assert db.scalar(select(func.count()).select_from(Person)) == 40


def test_a_refused_import_names_the_rows(runner, db, tmp_path):
    sc.unit(db, "Amt 50")
    db.commit()
    path = _persons(tmp_path, "P-1;A;B;Amt 50", ";Ohne;Nummer;Amt 50", "P-3;;B;Amt 50", "P-4;C;D;Amt 999",
                    "P-5;E;F;Amt 50", "P-1;Doppelt;G;Amt 50", "P-7;H;I;Amt 50")
    result = runner.invoke(args=["person", "import", path])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "personal.csv: Die Datei wurde nicht übernommen, nichts wurde gespeichert."
    assert lines[-1] == "Gelesen: 7 Datenzeilen, abgelehnt: 4 Zeilen (Zeilen 3–5, 7)."
    assert len(lines) == 2 + 4  # one message per refused row, no line for the good ones
    assert db.scalar(select(func.count()).select_from(Person)) == 0


def test_summary_words():
    assert line_numbers([9, 1, 2, 3, 5, 7, 8, 10, 2]) == "1–3, 5, 7–10"
    assert line_numbers([4, 5]) == "4, 5"
    assert import_summary(1) == "Gelesen: 1 Datenzeile, abgelehnt: 0."
    assert import_summary(12000, ["Zeile 12001: Die OE fehlt."]) == \
        "Gelesen: 12.000 Datenzeilen, abgelehnt: 1 Zeile (Zeile 12001)."
    assert import_summary(None, ["Die Datei enthält keine Datenzeilen."]) == "abgelehnt: die ganze Datei."


def test_progress_bar_on_a_terminal_only(tmp_path):
    master, slave = os.openpty()  # a real terminal device
    with open(slave, "w", encoding="utf-8") as terminal:
        with TerminalProgress("liste.csv einlesen", terminal) as progress:
            for done in range(1, 51):
                progress(done, 50)
        terminal.flush()
    chunks = []
    while readable([master], [], [], 0.2)[0]:
        try:
            chunks.append(os.read(master, 65536))
        except OSError:  # the terminal's other end is closed
            break
    os.close(master)
    drawn = b"".join(chunks).decode("utf-8", "replace")
    assert "liste.csv einlesen" in drawn and "50/50" in drawn

    log = tmp_path / "log.txt"
    with open(log, "w", encoding="utf-8") as stream:  # a log file: no bar at all
        with TerminalProgress("liste.csv einlesen", stream) as progress:
            for done in range(1, 51):
                progress(done, 50)
    assert log.read_text(encoding="utf-8") == ""


def test_the_counts_of_an_import_are_written_with_german_digits():
    from portal.imports import ImportResult

    assert ImportResult(added=150, changed=12, unchanged=11838).summary == "150 neu, 12 geändert, 11.838 unverändert"

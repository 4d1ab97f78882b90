"""What every `portal` command shares: a refusal with a German message, reading a date, a progress
bar on a terminal, and a file import with its closing summary."""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from portal.db import get_session
from portal.domain import Refused
from portal.templating import plural


class CommandError(click.ClickException):
    """Ends a command: the German message on stderr (without click's English "Error:"), exit status 1."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = code

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=file is None, file=file)


def fail(message: str, code: int = 1) -> NoReturn:
    """End a command with a German message on stderr and a non-zero exit status."""
    raise CommandError(message, code)


def parse_day(value: str | None, default: date | None = None) -> date:
    """A date given as JJJJ-MM-TT on the command line (default: today)."""
    if not value:
        return default or date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"Ungültiges Datum „{value}“ – bitte im Format JJJJ-MM-TT angeben.")


EACH_OPTION = click.option("--einzeln", "each", is_flag=True,
                           help="Jede neue und geänderte Zeile ausgeben (sonst nur die Zusammenfassung).")


class TerminalProgress:
    """A progress bar while a command works, on a terminal only: when stdout is not a terminal
    (cron, a log file, a pipe) nothing is drawn. Call it as `progress(done, total)`."""

    def __init__(self, label: str, stream: IO[str] | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stdout
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= 0 or not self.stream.isatty():
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=self.stream, show_pos=True)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


_LINE = re.compile(r"^Zeile (\d+):")


def line_numbers(numbers: list[int]) -> str:
    """"3, 7, 12–20": sorted, runs of three or more as a range."""
    numbers = sorted(set(numbers))
    parts: list[str] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{numbers[start]}–{numbers[end]}")
        else:
            parts.extend(str(n) for n in numbers[start:end + 1])
        start = end + 1
    return ", ".join(parts)


def import_summary(read: int | None, messages: Sequence[str] = ()) -> str:
    """The closing line of an import: rows read, rows refused with their numbers (from the
    messages "Zeile N: …"); the counts of new and changed rows follow on the next line."""
    refused = sorted({int(m.group(1)) for m in map(_LINE.match, messages) if m})
    text = f"Gelesen: {plural(read, 'Datenzeile', 'Datenzeilen')}, " if read is not None else ""
    if refused:
        where = f"Zeile {refused[0]}" if len(refused) == 1 else f"Zeilen {line_numbers(refused)}"
        return f"{text}abgelehnt: {plural(len(refused), 'Zeile', 'Zeilen')} ({where})."
    if messages:
        return f"{text}abgelehnt: die ganze Datei."
    return f"{text}abgelehnt: 0."


def import_file(path: str, run: Callable[[bytes, str, Callable[[int, int], None]], Any], *, dry_run: bool,
                each: bool) -> None:
    """A file import from the command line: `run(data, file name, progress)` checks every row and
    stores all or none (a `Refused` names every bad row); a progress bar on a terminal, then the
    summary; a dry run is rolled back. `each` adds one line per new or changed row."""
    db = get_session()
    file = Path(path)
    try:
        with TerminalProgress(f"{file.name} einlesen") as progress:
            result = run(file.read_bytes(), file.name, progress)
    except Refused as exc:
        db.rollback()
        fail(f"{file.name}: Die Datei wurde nicht übernommen, nichts wurde gespeichert.\n" + "\n".join(exc.messages)
             + "\n" + import_summary(getattr(exc, "read", None), exc.messages))
    if each:
        for line in result.lines:
            click.echo(line)
    click.echo(import_summary(result.read))
    if dry_run:
        db.rollback()
        click.echo(f"Nur geprüft (nichts gespeichert): {result.summary}.")
    else:
        db.commit()
        click.echo(f"Übernommen: {result.summary}.")

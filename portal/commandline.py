"""What every `portal` command shares: a refusal with a German message, and reading a date."""
from __future__ import annotations

from datetime import date
from typing import IO, Any, NoReturn

import click


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

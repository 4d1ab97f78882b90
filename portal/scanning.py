"""Virus scanning of uploaded files with a configurable command (e.g. ClamAV).

``VIRUS_SCAN_COMMAND`` is a list of arguments or a string (a JSON list, or a
command line split like a shell would, without running a shell). ``{path}`` is
replaced by the file to scan; without it the path is appended. Empty means: no
scanning is set up.

The scanner's exit status decides (ClamAV's convention, also used by most other
command-line scanners): 0 clean, 1 infected, anything else an error. A scanner
that cannot be started, fails or takes longer than ``VIRUS_SCAN_TIMEOUT`` seconds
is an error, and an error keeps the file blocked (fail closed): only a ``clean``
result makes a file downloadable.

Usage for uploads: store the file with :func:`initial_status` (:data:`PENDING`,
"wird geprüft", when a scanner is set up), call :func:`scan_file`, then store
``result.status``; offer the file for download only while :func:`is_downloadable`
says so.
"""
from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

PENDING = "pending"
CLEAN = "clean"
INFECTED = "infected"
ERROR = "error"

STATUS_LABELS = {
    PENDING: "wird geprüft",
    CLEAN: "geprüft",
    INFECTED: "gesperrt: Schadsoftware gefunden",
    ERROR: "gesperrt: Prüfung fehlgeschlagen",
}

DEFAULT_TIMEOUT = 120
_DETAIL_LIMIT = 500


class ScanConfigError(ValueError):
    """VIRUS_SCAN_COMMAND cannot be understood."""


@dataclass(frozen=True)
class ScanResult:
    status: str  # CLEAN, INFECTED or ERROR
    detail: str  # German, for the audit log and the office; never file contents
    scanned: bool = True  # False when no scanner is set up

    @property
    def blocked(self) -> bool:
        return self.status != CLEAN

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def parse_command(value: Any) -> list[str]:
    """The configured command as a list of arguments ([] = no scanning)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        args = [str(v) for v in value]
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ScanConfigError(f"VIRUS_SCAN_COMMAND ist keine gültige JSON-Liste: {exc}") from exc
            if not isinstance(loaded, list) or not all(isinstance(v, str) for v in loaded):
                raise ScanConfigError("VIRUS_SCAN_COMMAND: JSON-Liste aus Zeichenketten erwartet")
            args = loaded
        else:
            args = shlex.split(text)
    else:
        raise ScanConfigError("VIRUS_SCAN_COMMAND: Liste oder Zeichenkette erwartet")
    if args and not args[0]:
        raise ScanConfigError("VIRUS_SCAN_COMMAND: das Programm fehlt")
    return args


def scanning_enabled(config: Mapping[str, Any] | None = None) -> bool:
    config = current_app.config if config is None else config
    return bool(parse_command(config.get("VIRUS_SCAN_COMMAND")))


def initial_status(config: Mapping[str, Any] | None = None) -> str | None:
    """The status a new upload gets: "wird geprüft" when a scanner is set up, else None
    (stored without a scan, never to be scanned)."""
    return PENDING if scanning_enabled(config) else None


def is_downloadable(status: str | None) -> bool:
    """A file scanned clean, or one stored while no scanner was set up (None); pending,
    infected and failed stay blocked."""
    return status is None or status == CLEAN


def _command_for(args: list[str], path: Path) -> list[str]:
    if any("{path}" in a for a in args):
        return [a.replace("{path}", str(path)) for a in args]
    return [*args, str(path)]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text[:_DETAIL_LIMIT]


def _finding(output: str, path: Path) -> str:
    """The signature name from a line like '<path>: Eicar-Signature FOUND'."""
    for line in output.splitlines():
        line = line.strip()
        if line.endswith(" FOUND"):
            name = line[: -len(" FOUND")]
            prefix = f"{path}:"
            if name.startswith(prefix):
                name = name[len(prefix):]
            elif ": " in name:
                name = name.rsplit(": ", 1)[1]
            return name.strip()
    return ""


def scan_file(path: str | Path, config: Mapping[str, Any] | None = None) -> ScanResult:
    """Scan one file with the configured command. Never raises for scanner trouble."""
    config = current_app.config if config is None else config
    try:
        args = parse_command(config.get("VIRUS_SCAN_COMMAND"))
    except ScanConfigError as exc:
        return ScanResult(ERROR, str(exc))
    if not args:
        return ScanResult(CLEAN, "Keine Virenprüfung eingerichtet (VIRUS_SCAN_COMMAND ist leer).", scanned=False)
    path = Path(path)
    if not path.is_file():
        return ScanResult(ERROR, "Die Datei zum Prüfen fehlt.")
    timeout = float(config.get("VIRUS_SCAN_TIMEOUT") or DEFAULT_TIMEOUT)
    command = _command_for(args, path)
    try:
        done = subprocess.run(  # noqa: S603 - a list of arguments, no shell
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        return ScanResult(ERROR, f"Das Prüfprogramm „{args[0]}“ wurde nicht gefunden.")
    except subprocess.TimeoutExpired:
        return ScanResult(ERROR, f"Die Prüfung hat länger als {timeout:g} Sekunden gedauert und wurde abgebrochen.")
    except OSError as exc:
        return ScanResult(ERROR, f"Das Prüfprogramm konnte nicht gestartet werden: {exc.strerror or exc}")
    if done.returncode == 0:
        return ScanResult(CLEAN, "Keine Schadsoftware gefunden.")
    if done.returncode == 1:
        name = _finding(done.stdout, path)
        return ScanResult(INFECTED, f"Schadsoftware gefunden: {name}" if name else "Schadsoftware gefunden.")
    message = _short(done.stderr or done.stdout)
    return ScanResult(ERROR, f"Das Prüfprogramm meldet einen Fehler (Code {done.returncode}): {message}".rstrip(": "))

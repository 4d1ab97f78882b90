"""The one base of the portal's refusals: a rule of the Aktionsplan or of the input says no.

Each feature subclasses it for its own refusals (``MeasureError``, ``RosterError``, ``ImportRefused`` …);
``str()`` is the German message shown to the person, so a view or a command passes it on unchanged.
A ValueError, so code that checks values keeps catching it."""
from __future__ import annotations

from collections.abc import Iterable


class DomainError(ValueError):
    """A refusal with a German message."""


class Refused(DomainError):
    """Input refused as a whole (a file, a table): ``messages`` name every bad line; nothing was stored."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))

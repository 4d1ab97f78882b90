"""CSV and XLSX files with times as people in Dresden read them.

The database keeps times in UTC; every export writes them in Europe/Berlin (summer and winter
time), like the pages do (`templating.de_datetime`). Callers use these two functions instead of
`portal.exports.writers` directly; they convert every datetime cell (also inside a `Styled`
cell) and leave the writing to the writers."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from portal.exports import writers

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(value: Any) -> Any:
    """A datetime as Berlin time (a naive one is UTC, as stored); anything else unchanged."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(BERLIN)
    if isinstance(value, writers.Styled) and isinstance(value.value, datetime):
        return dataclasses.replace(value, value=berlin(value.value))
    return value


def _rows(rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
    """A list, not a generator: a writer may read the rows more than once (column widths)."""
    return [[berlin(v) for v in row] for row in rows]


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return writers.write_csv(header, _rows(rows))


def write_xlsx(sheets: Sequence[tuple[str, Sequence[str] | None, Iterable[Sequence[Any]]]], **kwargs: Any) -> bytes:
    return writers.write_xlsx([(name, header, _rows(rows)) for name, header, rows in sheets], **kwargs)

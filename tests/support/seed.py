"""Chapter 3 of the seed (the interim report's measure tables) read from the text file.

The repository carries a byte-identical copy of the seed in ``tests/data/seed/`` (its
SHA-256 is pinned below), so the tests run from a clone in any folder. Where the original
lies beside the checkout (``../shared/seeds/``), a test checks that the copy equals it.

The text is tab-separated: a table starts with the header line ``Nr.\tMaßnahme\t…``; a
measure line starts with its number; a line starting with tabs continues the measure above
(a page break inside a cell, or a further part with its own responsibility and deadline).
Some cells carry HTML markup (``<p>``, ``<ul>``); :func:`norm` removes markup and
whitespace differences, and nothing else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SEED_NAME = "000_582f58fa23169cfa.txt"
SEED_SHA256 = "48a4a9035fea890ab45bb1ddcd0a27338ae9d11bcc92e5e9835728485ff38412"
ROOT = Path(__file__).resolve().parents[2]
SEED_COPY = ROOT / "tests" / "data" / "seed" / SEED_NAME

FIELD_NAMES = [
    "Spracherwerb und Sprachförderung",
    "Arbeit, Wirtschaft, Berufsausbildung und Studium",
    "Wohnen",
    "Frühkindliche Bildung",
    "Schulische Bildung",
    "Kinder- und Jugendhilfe",
    "Gesellschaftliche und soziale Integration, Selbstorganisation und politische Teilhabe",
    "Soziale Beratung und Betreuung",
    "Gesundheit und Sport",
    "Kulturelle und religiöse Vielfalt",
    "Interkulturelle Orientierung und Öffnung der Stadtverwaltung",
]
PART_NAMES = ["Gesundheit", "Sport", "Kulturelle Vielfalt", "Religiöse Vielfalt"]
HEADER = "Nr.\tMaßnahme\tInhalt, Erläuterungen\tVerantwortung, weitere Beteiligte\tTermin oder Laufzeit\tPriorität\tErfüllungsstand"


def seed_path() -> Path:
    """The seed: the repository's copy (it is always there; a missing copy fails the test)."""
    assert SEED_COPY.is_file(), f"the repository's copy of the seed is missing: {SEED_COPY.name}"
    return SEED_COPY


def original_seed_path() -> Path | None:
    """The original seed in a ``shared/seeds`` folder beside the checkout or further up."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "seeds" / SEED_NAME
        if candidate.is_file():
            return candidate
    return None


def norm(text: str | None) -> str:
    """Whitespace and markup only: HTML tags, ``**`` bold marks, runs of blanks."""
    text = re.sub(r"<[^>]*>", " ", text or "")
    text = text.replace("**", "")
    return " ".join(text.split())


@dataclass
class SeedMeasure:
    field_number: int
    part: str
    number: int
    title: str
    content: list[str] = field(default_factory=list)       # cells of the column, in order
    responsibility: list[str] = field(default_factory=list)
    deadline: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    merged_title_content: bool = False  # title and content stand in one cell
    goals: list[str] = field(default_factory=list)
    heading: str | None = None

    @property
    def label(self) -> str:
        return f"{self.field_number}.{self.number}" + (f" ({self.part})" if self.part else "")


@dataclass
class SeedTable:
    field_number: int
    part: str
    goals: list[str]
    heading: str | None
    measures: list[SeedMeasure] = field(default_factory=list)


def _chapter_lines(text: str) -> list[str]:
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("3. Umsetzungsstand der Maßnahmen")]
    ends = [i for i, line in enumerate(lines) if line.startswith("4. Herausforderungen und Ausblick")]
    return lines[starts[-1] + 1:ends[-1]]


def _add_cells(measure: SeedMeasure, cells: list[str]) -> None:
    for name, value in zip(("content", "responsibility", "deadline", "priority"), cells, strict=False):
        if norm(value):
            getattr(measure, name).append(value)


def parse_chapter3(path: Path) -> list[SeedTable]:
    tables: list[SeedTable] = []
    field_number, part = 0, ""
    goals: list[str] = []
    heading: str | None = None
    current: SeedMeasure | None = None
    for raw in _chapter_lines(path.read_text("utf-8")):
        line = raw.replace("\xa0", " ")
        stripped = line.strip()
        if not stripped or re.fullmatch(r"[-\s\t]+", line):
            continue
        if stripped in FIELD_NAMES:
            field_number, part, goals, heading, current = FIELD_NAMES.index(stripped) + 1, "", [], None, None
        elif stripped in PART_NAMES:
            part, goals, heading, current = stripped, [], None, None
        elif stripped.startswith("Die Stadtverwaltung "):
            goals.append(stripped)
            current = None
        elif stripped.startswith("Abschließend "):
            heading, goals, current = stripped, [], None
        elif line.startswith(HEADER):
            tables.append(SeedTable(field_number, part, goals, heading))
            goals, heading = [], None
        elif m := re.match(r"^(\d+)\t", line):
            cells = line.split("\t")
            table = tables[-1]
            if len(cells) >= 7:
                current = SeedMeasure(field_number, part, int(m.group(1)), cells[1], goals=table.goals, heading=table.heading)
                _add_cells(current, cells[2:6])
            else:  # title and content merged into one cell: nr, title+content, responsibility, deadline, priority
                current = SeedMeasure(field_number, part, int(m.group(1)), cells[1], goals=table.goals,
                                      heading=table.heading, merged_title_content=True)
                _add_cells(current, [""] + cells[2:5])
            table.measures.append(current)
        elif line.startswith("\t") and current is not None:
            cells = line.split("\t")
            _add_cells(current, cells[2:6])
        else:
            raise ValueError(f"unexpected line in chapter 3 of the seed: {line[:80]!r}")
    return tables


def seed_measures(path: Path) -> dict[str, SeedMeasure]:
    return {m.label: m for table in parse_chapter3(path) for m in table.measures}

"""The shipped catalogue word for word against chapter 3 of the seed.

Every field of every measure (Maßnahme, Inhalt, Verantwortung, Termin, Priorität, the goal
statements before its table and the sub-heading) is compared with the seed's text after
normalising markup and whitespace only. A difference passes only when docs/measures.md lists
it as a repair, with the original beside it; a listed repair that is no longer needed fails too.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.seed import norm, parse_chapter3, seed_measures, seed_path

ROOT = Path(__file__).resolve().parents[1]
PLAN = json.loads((ROOT / "portal/data/catalogue/aktionsplan-2022-2026.json").read_text("utf-8"))
FIELD_NUMBER = {f["code"]: f["number"] for f in PLAN["fields"]}
REPAIR_RE = re.compile(r"^\| (\d+\.\d+(?: \([^)]+\))?) \| (Maßnahme|Inhalt|Verantwortung|Termin|Priorität) \| `([^`]*)` \| `([^`]*)` \| [^|]+ \|$")


@pytest.fixture(scope="module")
def seed() -> Path:
    return seed_path()


def repairs() -> dict[tuple[str, str], list[tuple[str, str]]]:
    text = (ROOT / "docs/measures.md").read_text("utf-8")
    section = text.split("### Berichtigte Schreibfehler", 1)[1].split("\n## ", 1)[0]
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for line in section.splitlines():
        if m := REPAIR_RE.match(line):
            found.setdefault((m.group(1), m.group(2)), []).append((m.group(3), m.group(4)))
    return found


def label(m: dict) -> str:
    return f"{FIELD_NUMBER[m['field']]}.{m['number']}" + (f" ({m['part']})" if m["part"] else "")


def catalogue_columns(m: dict, merged: bool) -> dict[str, str]:
    extra = " ".join(row["content"] or "" for row in m["rows"])
    columns = {"Maßnahme": f"{m['title']} {m['content']} {extra}"} if merged else {
        "Maßnahme": m["title"], "Inhalt": f"{m['content']} {extra}"}
    columns["Verantwortung"] = " ".join(row["responsibility"] for row in m["rows"])
    columns["Termin"] = " ".join(row["deadline"] for row in m["rows"])
    columns["Priorität"] = " ".join(row["priority"] or "" for row in m["rows"])
    return {name: norm(value) for name, value in columns.items()}


def test_repair_list_is_read_from_the_docs():
    listed = repairs()
    assert sum(len(v) for v in listed.values()) >= 60
    assert ("7.8", "Maßnahme") in listed  # "Migrantenvvereine"
    # the reverted edits are not in the list
    flat = [pair for pairs in listed.values() for pair in pairs]
    assert not any("Kulturmöglichkeiten" in seed_text or "SGB" in seed_text or "Zusammenarbeit" in seed_text
                   for seed_text, _ in flat)


def test_seed_chapter3_has_every_measure_and_table(seed):
    tables = parse_chapter3(seed)
    measures = seed_measures(seed)
    assert len(measures) == len(PLAN["measures"]) == 144
    assert len(tables) == 25  # 1 + 2 + 2 + 2 + 2 + 2 + 3 + 2 + (2 + 2) + (2 + 1) + 2
    # fields whose measures stand under a further goal statement in a second table
    second_goal = {(t.field_number, t.part) for t, before in zip(tables[1:], tables, strict=False)
                   if (t.field_number, t.part) == (before.field_number, before.part) and t.goals}
    assert len(second_goal) >= 6
    assert [m.number for t in tables if t.heading for m in t.measures] == [25, 26, 27, 28]


def test_every_catalogue_field_equals_the_seed_or_a_listed_repair(seed):
    measures = seed_measures(seed)
    listed = repairs()
    used: set[tuple[str, str, int]] = set()
    differences = []
    for m in PLAN["measures"]:
        name = label(m)
        s = measures[name]
        wanted = {"Maßnahme": s.title if not s.merged_title_content else s.title, "Inhalt": " ".join(s.content),
                  "Verantwortung": " ".join(s.responsibility), "Termin": " ".join(s.deadline), "Priorität": " ".join(s.priority)}
        for column, got in catalogue_columns(m, s.merged_title_content).items():
            expected = norm(wanted[column])
            for index, (original, repaired) in enumerate(listed.get((name, column), [])):
                if original in expected:
                    expected = expected.replace(original, repaired)
                    used.add((name, column, index))
            if got != expected:
                differences.append(f"{name} {column}:\n  seed {expected}\n  cat  {got}")
        assert m["goals"] == s.goals, name
        assert m["heading"] == s.heading, name
    assert differences == []
    unused = [(key, pair) for key, pairs in listed.items() for index, pair in enumerate(pairs) if (*key, index) not in used]
    assert unused == []


def test_lead_markers_only_where_the_seed_has_them(seed):
    measures = seed_measures(seed)
    not_set = []
    for m in PLAN["measures"]:
        seed_text = norm(" ".join(measures[label(m)].responsibility))
        marked_in_seed = "führend" in seed_text or "federfrend" in seed_text
        modes = {row["lead_mode"] for row in m["rows"]}
        if not marked_in_seed:
            assert modes <= {"allein", "nicht festgelegt"}, label(m)
        not_set += [label(m) for row in m["rows"] if row["lead_mode"] == "nicht festgelegt"]
    assert not_set == ["6.4", "11.5", "11.8", "11.10", "11.14", "11.16", "11.21"]


def test_no_priority_the_seed_does_not_give(seed):
    measures = seed_measures(seed)
    for m in PLAN["measures"]:
        given = [p for p in (row["priority"] for row in m["rows"]) if p]
        if label(m) != "7.1":  # one cell for both responsibility groups (listed as a repair)
            in_seed = re.findall(r"sehr hoch|hoch|mittel", " ".join(measures[label(m)].priority))
            assert given == in_seed, label(m)

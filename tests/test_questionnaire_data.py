"""Checks on the shipped Selbstcheck questionnaire data files."""

import json
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[1] / "portal" / "data" / "questionnaires"
SELBSTCHECK_2025 = DATA_DIR / "selbstcheck-2025.json"


def _load(path):
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def form():
    return _load(SELBSTCHECK_2025)


def _all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_strings(value)


def test_identity(form):
    assert form["code"] == "selbstcheck-2025"
    assert form["valid_from"] == "2025-05-07"
    assert form["title"] == (
        "Selbstcheck – Zugang von Migrant*innen zu den Angeboten und "
        "Dienstleistungen der Stadtverwaltung Dresden"
    )


def test_eight_questions_numbered_1_to_8(form):
    numbers = [q["number"] for q in form["questions"]]
    assert numbers == [1, 2, 3, 4, 5, 6, 7, 8]


def test_categories_cover_questions_exactly(form):
    cats = {c["code"]: c for c in form["categories"]}
    assert cats["sprache"]["questions"] == [1, 2, 3]
    assert cats["organisation"]["questions"] == [4, 5]
    assert cats["sensibilitaet"]["questions"] == [6, 7, 8]
    assert cats["sprache"]["name"] == "Sprache/Kommunikation"
    assert cats["organisation"]["name"] == "Organisation/Behörde"
    assert cats["sensibilitaet"]["name"] == "Interkulturelle Sensibilität/Menschenbilder"
    covered = sorted(n for c in form["categories"] for n in c["questions"])
    assert covered == [1, 2, 3, 4, 5, 6, 7, 8]
    for q in form["questions"]:
        assert q["number"] in cats[q["category"]]["questions"]


def test_scale_values_5_to_1(form):
    assert [s["value"] for s in form["scale"]] == [5, 4, 3, 2, 1]
    assert [s["label"] for s in form["scale"]] == [
        "stimme voll zu",
        "stimme eher zu",
        "stimme teilweise zu",
        "stimme eher nicht zu",
        "stimme gar nicht zu",
    ]


def test_bands_contiguous_and_cover_total_range(form):
    scale_values = [s["value"] for s in form["scale"]]
    n = len(form["questions"])
    lowest, highest = n * min(scale_values), n * max(scale_values)
    assert (lowest, highest) == (8, 40)
    bands = form["evaluation"]["bands"]
    assert [b["color"] for b in bands] == ["rot", "gelb", "gruen"]
    assert [(b["min"], b["max"]) for b in bands] == [(8, 20), (21, 30), (31, 40)]
    assert bands[0]["min"] == lowest
    assert bands[-1]["max"] == highest
    for prev, nxt in zip(bands, bands[1:]):
        assert nxt["min"] == prev["max"] + 1
    for b in bands:
        assert b["min"] <= b["max"]
    for total in range(lowest, highest + 1):
        assert sum(b["min"] <= total <= b["max"] for b in bands) == 1, total


def test_every_text_non_empty(form):
    for q in form["questions"]:
        assert q["text"].strip()
        assert q["hint"] is None or q["hint"].strip()
    strings = list(_all_strings(form))
    assert len(strings) > 40
    for s in strings:
        assert s.strip(), "empty string in questionnaire data"
        assert "**" not in s
    for key in ("title", "intro"):
        assert form[key].strip()
    for b in form["evaluation"]["bands"]:
        assert b["advice"].startswith(b["label"] + " ")
    assert form["evaluation"]["intro"].strip()
    assert form["closing"]["label"].strip()
    assert len(form["cooperation"]["options"]) == 6
    assert form["cooperation"]["other"]["label"] == "andere, und zwar …"


def test_conditional_entries_reference_existing_questions(form):
    numbers = {q["number"] for q in form["questions"]}
    values = {s["value"] for s in form["scale"]}
    conditionals = form["conditional_texts"] + [form["cooperation"]]
    assert [c["after_question"] for c in conditionals] == [5, 5, 8]
    for c in conditionals:
        assert c["after_question"] in numbers
        assert c["min_value"] in values
        assert c["min_value"] == 3
        assert c["label"].startswith("Wenn mindestens „teilweise“ zugestimmt wurde:")
    for c in form["conditional_texts"]:
        assert c["max_length"] == 4000
    assert form["closing"]["max_length"] == 4000


def test_codes_unique(form):
    codes = [c["code"] for c in form["conditional_texts"]]
    codes += [o["code"] for o in form["cooperation"]["options"]]
    codes += [form["cooperation"]["other"]["code"], form["closing"]["code"]]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code.isascii() and code == code.lower()


def test_every_version_file_matches_its_code():
    files = sorted(DATA_DIR.glob("*.json"))
    assert SELBSTCHECK_2025 in files
    for path in files:
        data = _load(path)
        assert data["code"] == path.stem
        assert len(data["valid_from"]) == 10

"""Shipped reference data: the measure catalogue of the Aktionsplan Integration 2022 bis 2026 and the OE directory.

The expected numbers are counted by hand from chapter 3 of the seed (interim report, status 31.12.2024).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "portal" / "data"
CATALOGUE_PATH = DATA / "catalogue" / "aktionsplan-2022-2026.json"
ORG_UNITS_PATH = DATA / "org_units.json"

PRIORITIES = {"sehr hoch", "hoch", "mittel"}
LEAD_MODES = {"federführend", "federführend im Zuständigkeitsbereich", "allein", "nicht festgelegt"}
KINDS = {"Amt", "Eigenbetrieb", "Geschäftsbereich", "Stadtbezirksamt", "Ortschaft", "Stabsstelle", "Sonstige"}

EXPECTED_FIELDS = [
    ("sprache", "Spracherwerb und Sprachförderung", []),
    ("arbeit", "Arbeit, Wirtschaft, Berufsausbildung und Studium", []),
    ("wohnen", "Wohnen", []),
    ("fruehe-bildung", "Frühkindliche Bildung", []),
    ("schulische-bildung", "Schulische Bildung", []),
    ("jugendhilfe", "Kinder- und Jugendhilfe", []),
    ("teilhabe", "Gesellschaftliche und soziale Integration, Selbstorganisation und politische Teilhabe", []),
    ("soziale-beratung", "Soziale Beratung und Betreuung", []),
    ("gesundheit-sport", "Gesundheit und Sport", ["Gesundheit", "Sport"]),
    ("vielfalt", "Kulturelle und religiöse Vielfalt", ["Kulturelle Vielfalt", "Religiöse Vielfalt"]),
    ("verwaltung", "Interkulturelle Orientierung und Öffnung der Stadtverwaltung", []),
]

EXPECTED_PER_FIELD = {
    "sprache": 6,
    "arbeit": 12,
    "wohnen": 9,
    "fruehe-bildung": 10,
    "schulische-bildung": 15,
    "jugendhilfe": 7,
    "teilhabe": 16,
    "soziale-beratung": 7,
    "gesundheit-sport": 21,
    "vielfalt": 13,
    "verwaltung": 28,
}
EXPECTED_PER_PART = {
    ("gesundheit-sport", "Gesundheit"): 10,
    ("gesundheit-sport", "Sport"): 11,
    ("vielfalt", "Kulturelle Vielfalt"): 9,
    ("vielfalt", "Religiöse Vielfalt"): 4,
}

GOAL_ZUGANG = ("Die Stadtverwaltung gewährleistet den gleichberechtigten Zugang der Menschen mit "
               "Migrationsgeschichte zu allen kommunalen Angeboten und Dienstleistungen.")
GOAL_MITEINANDER = ("Die Stadtverwaltung fördert das solidarische Miteinander und den Zusammenhalt der "
                    "Dresdner*innen. Sie setzt sich engagiert für Vielfalt, Demokratie, Respekt und "
                    "gleichberechtigte Teilhabe ein.")
GOAL_DISKRIMINIERUNG = ("Die Stadtverwaltung positioniert sich deutlich gegen die Erscheinungsformen "
                        "Gruppenbezogener Menschenfeindlichkeit und gegen Diskriminierung. Sie unterstützt "
                        "aktiv deren Abbau.")


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measures(catalogue) -> list[dict]:
    return catalogue["measures"]


@pytest.fixture(scope="module")
def org_units() -> list[dict]:
    return json.loads(ORG_UNITS_PATH.read_text(encoding="utf-8"))


def find(measures, field, number, part=None):
    hits = [m for m in measures if m["field"] == field and m["part"] == part and m["number"] == number]
    assert len(hits) == 1, (field, part, number, len(hits))
    return hits[0]


def all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)


# ------------------------------------------------------------------ plan, fields, working groups

def test_plan_header(catalogue):
    assert catalogue["plan"] == {"code": "AP-2022-2026", "title": "Aktionsplan Integration 2022 bis 2026"}


def test_eleven_fields_in_seed_order(catalogue):
    fields = catalogue["fields"]
    assert [(f["code"], f["name"], f["parts"]) for f in fields] == EXPECTED_FIELDS
    assert [f["number"] for f in fields] == list(range(1, 12))
    assert all(re.fullmatch(r"[a-z-]+", f["code"]) for f in fields)


def test_working_groups_cover_every_field_once(catalogue):
    groups = {g["code"]: g for g in catalogue["working_groups"]}
    assert list(groups) == ["AG1", "AG2", "AG3", "KG"]
    assert groups["AG1"]["fields"] == ["arbeit", "sprache", "soziale-beratung", "wohnen"]
    assert groups["AG2"]["fields"] == ["fruehe-bildung", "jugendhilfe", "schulische-bildung"]
    assert groups["AG3"]["fields"] == ["teilhabe", "vielfalt", "gesundheit-sport"]
    assert groups["KG"] == {"code": "KG", "name": "Koordinierungsgruppe", "fields": ["verwaltung"]}
    covered = Counter(code for g in groups.values() for code in g["fields"])
    assert covered == Counter(code for code, _, _ in EXPECTED_FIELDS)


# ------------------------------------------------------------------ counts

def test_total_measure_count(measures):
    assert len(measures) == 144


def test_count_per_field(measures):
    assert Counter(m["field"] for m in measures) == EXPECTED_PER_FIELD
    assert sum(EXPECTED_PER_FIELD.values()) == 144


def test_count_per_part(measures):
    per_part = Counter((m["field"], m["part"]) for m in measures if m["part"] is not None)
    assert per_part == EXPECTED_PER_PART


def test_numbers_unique_and_consecutive_per_field_and_part(measures):
    numbers: dict[tuple, list[str]] = {}
    for m in measures:
        numbers.setdefault((m["field"], m["part"]), []).append(m["number"])
    for key, nums in numbers.items():
        assert len(nums) == len(set(nums)), key
        assert nums == [str(i) for i in range(1, len(nums) + 1)], key


def test_parts_belong_to_their_field(catalogue, measures):
    parts = {f["code"]: f["parts"] for f in catalogue["fields"]}
    for m in measures:
        if parts[m["field"]]:
            assert m["part"] in parts[m["field"]], (m["field"], m["number"])
        else:
            assert m["part"] is None, (m["field"], m["number"])


def test_extra_rows_are_kept(measures):
    multi = {(m["field"], m["part"], m["number"]): len(m["rows"]) for m in measures if len(m["rows"]) > 1}
    assert multi == {
        ("wohnen", None, "3"): 2,
        ("teilhabe", None, "1"): 2,
        ("soziale-beratung", None, "3"): 2,
        ("gesundheit-sport", "Gesundheit", "4"): 2,
        ("verwaltung", None, "10"): 3,
    }


# ------------------------------------------------------------------ single measures, checked against the seed

def test_sprache_2_each_lead_in_own_area(measures):
    m = find(measures, "sprache", "2")
    assert m["title"] == ("Unterstützung der Arbeit der ehrenamtlichen Stadtteilbündnisse sowie der "
                          "Migrantenorganisationen und -gruppen")
    assert m["goal"].startswith("Die Stadtverwaltung versteht Integration als Querschnittsaufgabe")
    assert "\n- Ausbau anwendungsorientierter Austausch- und Begegnungsformate (z. B. Dialogrunden, Gespräche)\n" in m["content"]
    (row,) = m["rows"]
    assert row["lead_oes"] == ["Amt 15", "Amt 50"]
    assert row["lead_mode"] == "federführend im Zuständigkeitsbereich"
    assert row["lead_all_units"] is False
    assert row["participants"] == ("INAUSLB, ehrenamtliche Stadtteilbündnisse, MSA, Migrantenorganisationen, "
                                   "weitere Beteiligte")
    assert row["participant_oes"] == ["INAUSLB"]
    assert (row["deadline"], row["end_year"], row["priority"]) == ("2022 bis 2026", 2026, "sehr hoch")
    assert row["content"] is None


def test_arbeit_4_typo_in_oe_code_normalised(measures):
    (row,) = find(measures, "arbeit", "4")["rows"]
    assert row["lead_oes"] == ["Amt 15", "Amt 50"]
    assert row["participant_oes"] == ["INAUSLB"]
    assert "IN-AUSLB" not in row["participants"]


def test_wohnen_3_extra_row_with_own_lead_and_deadline(measures):
    m = find(measures, "wohnen", "3")
    main, extra = m["rows"]
    assert main["lead_oes"] == ["Amt 50"] and main["lead_mode"] == "federführend"
    assert main["participant_oes"] == ["Amt 13"]
    assert (main["deadline"], main["end_year"], main["priority"]) == ("2022 bis 2025", 2025, "hoch")
    assert extra["lead_oes"] == ["INAUSLB"] and extra["lead_mode"] == "federführend"
    assert extra["participants"] == "Amt 50, Amt 61, weitere Beteiligte"
    assert extra["participant_oes"] == ["Amt 50", "Amt 61"]
    assert (extra["deadline"], extra["end_year"], extra["priority"]) == ("2024", 2024, "hoch")
    assert "„Orientierungshilfe Wohnen“" in extra["content"]
    assert "Orientierungshilfe Wohnen" not in m["content"]


def test_fruehe_bildung_2_soft_hyphens_repaired(measures):
    m = find(measures, "fruehe-bildung", "2")
    assert m["title"] == ("Fortführung und bedarfsgerechter Ausbau von Angeboten zur Vermittlung von Wissen, "
                          "insbesondere zu migrationssensibler und vorurteils-/diversitätsbewusster Bildung")
    (row,) = m["rows"]
    assert row["lead_oes"] == ["EB 55", "Amt 58"]
    assert row["lead_mode"] == "federführend im Zuständigkeitsbereich"  # seed: "förderführend"


def test_schulische_bildung_1_single_oe_leads_alone(measures):
    (row,) = find(measures, "schulische-bildung", "1")["rows"]
    assert row["lead_oes"] == ["Amt 40"] and row["lead_mode"] == "allein"
    assert row["participants"] is None and row["participant_oes"] == []


def test_jugendhilfe_7_priority_mittel(measures):
    m = find(measures, "jugendhilfe", "7")
    (row,) = m["rows"]
    assert row["lead_oes"] == ["Amt 51"] and row["lead_mode"] == "federführend"
    assert row["participants"] == "Träger der Kinder- und Jugendhilfe, weitere Beteiligte"
    assert row["priority"] == "mittel"
    assert m["content"].startswith("Ziel: junge Menschen mit Migrationsgeschichte nehmen verstärkt")


def test_teilhabe_1_two_responsibility_groups(measures):
    first, second = find(measures, "teilhabe", "1")["rows"]
    assert first["lead_oes"] == ["Amt 15"] and first["participant_oes"] == ["Amt 30", "INAUSLB", "IAB"]
    assert second["lead_oes"] == ["INAUSLB"] and second["participant_oes"] == ["IAB", "Amt 10", "Amt 15"]
    assert first["deadline"] == second["deadline"] == "2022 bis 2023"


def test_soziale_beratung_3_merged_columns_split_into_two_parts(measures):
    m = find(measures, "soziale-beratung", "3")
    main, extra = m["rows"]
    assert main["lead_oes"] == ["Amt 50"]
    assert main["participant_oes"] == ["INAUSLB", "Amt 13", "Amt 53"]
    assert (main["deadline"], main["end_year"], main["priority"]) == ("2022 bis 2025", 2025, "sehr hoch")
    assert extra["lead_oes"] == ["INAUSLB"] and extra["lead_mode"] == "federführend"
    assert extra["participant_oes"] == ["Amt 50"]
    assert (extra["deadline"], extra["end_year"], extra["priority"]) == ("2023", 2023, "sehr hoch")
    assert "„Orientierungshilfe Soziale Beratung und Betreuung“" in extra["content"]


def test_soziale_beratung_4_merged_title_and_content_split(measures):
    m = find(measures, "soziale-beratung", "4")
    assert m["title"] == "aktive Einbeziehung von zugewanderten Menschen in Beteiligungsprozesse und Beteiligungsformate"
    assert m["content"] == "(siehe Handlungsfeld „Interkulturelle Orientierung und Öffnung der Stadtverwaltung“)"


def test_gesundheit_4_extra_row(measures):
    m = find(measures, "gesundheit-sport", "4", part="Gesundheit")
    main, extra = m["rows"]
    assert main["lead_oes"] == ["Amt 53"] and main["deadline"] == "2023 bis 2025"
    assert extra["lead_oes"] == ["INAUSLB"] and extra["participant_oes"] == ["Amt 53"]
    assert (extra["deadline"], extra["end_year"], extra["priority"]) == ("2024", 2024, None)  # the plan gives no priority
    assert "„Orientierungshilfe Gesundheit“" in extra["content"]


def test_sport_5_in_part_sport(measures):
    m = find(measures, "gesundheit-sport", "5", part="Sport")
    assert m["title"] == "Neugestaltung der Sportdatenbank"
    assert m["goal"] == GOAL_ZUGANG
    (row,) = m["rows"]
    assert row["lead_oes"] == ["EB 17", "EB 52"]
    assert row["lead_mode"] == "federführend im Zuständigkeitsbereich"
    assert row["participants"] == "SSB Dresden e. V." and row["participant_oes"] == []
    assert (row["deadline"], row["end_year"], row["priority"]) == ("ab 2023", 2026, "hoch")


def test_religioese_vielfalt_2(measures):
    m = find(measures, "vielfalt", "2", part="Religiöse Vielfalt")
    assert m["title"] == "Einbindung von religiösen Gemeinden in die Kultur- und Nachbarschaftsarbeit der Stadtteile"
    assert m["goal"] == GOAL_MITEINANDER
    assert m["goals"] == [GOAL_MITEINANDER, GOAL_DISKRIMINIERUNG]
    (row,) = m["rows"]
    assert row["lead_oes"] == ["Amt 41", "Amt 42", "Amt 43", "Amt 50", "Amt 51", "Amt 61"]
    assert row["lead_mode"] == "federführend im Zuständigkeitsbereich"
    assert row["participants"] == "Gemeinden, Stadtteilrunden, ehrenamtliche Stadtteilbündnisse, weitere Beteiligte"
    assert (row["deadline"], row["end_year"], row["priority"]) == ("2022 bis 2026", 2026, "sehr hoch")


def test_religioese_vielfalt_has_four_measures(measures):
    titles = [m["title"] for m in measures if m["part"] == "Religiöse Vielfalt"]
    assert titles == [
        "Vorbereitung und Durchführung des „Friedensfestes der Kinder Abrahams“",
        "Einbindung von religiösen Gemeinden in die Kultur- und Nachbarschaftsarbeit der Stadtteile",
        "Unterstützung der Etablierung eines „Runden Tisches der Religionen“",
        "Konfliktvermittlung zwischen religiösen Gemeinden und staatlichen Stellen",
    ]


def test_verwaltung_1_all_units_lead_in_own_area(measures):
    m = find(measures, "verwaltung", "1")
    assert m["title"] == "weitere interkulturelle Öffnung der Stadtverwaltung"
    (row,) = m["rows"]
    assert row["lead_all_units"] is True
    assert row["lead_all_scope"] == "Ämter und Eigenbetriebe"
    assert row["lead_oes"] == []
    assert row["lead_mode"] == "federführend im Zuständigkeitsbereich"
    assert row["participant_oes"] == ["INAUSLB", "Amt 10", "Amt 13", "IAB"]
    assert (row["deadline"], row["end_year"], row["priority"]) == ("2022 bis 2026", 2026, "sehr hoch")


def test_verwaltung_10_three_parts(measures):
    m = find(measures, "verwaltung", "10")
    assert [(r["deadline"], r["end_year"]) for r in m["rows"]] == [("2023", 2023), ("2022", 2022),
                                                                    ("2022 bis 2026", 2026)]
    assert [r["lead_oes"] for r in m["rows"]] == [["INAUSLB"], ["INAUSLB"], []]
    assert m["rows"][2]["lead_all_units"] is True
    assert m["rows"][1]["content"].startswith("Aktualisierung der „Checkliste Zugangshemmnisse“")


def test_verwaltung_11_all_units_with_named_leads(measures):
    (row,) = find(measures, "verwaltung", "11")["rows"]
    assert row["lead_all_units"] is True
    assert row["lead_oes"] == ["Stadtbezirksämter", "Amt 15", "Amt 41", "Amt 50", "EB 52", "Amt 53", "GB 3"]


def test_measures_after_the_closing_remark_have_no_goal(measures):
    no_goal = [(m["field"], m["number"]) for m in measures if m["goal"] is None]
    assert no_goal == [("verwaltung", "25"), ("verwaltung", "26"), ("verwaltung", "27"), ("verwaltung", "28")]


# ------------------------------------------------------------------ invariants over the whole catalogue

def test_every_measure_is_complete(measures):
    for m in measures:
        key = (m["field"], m["part"], m["number"])
        assert m["title"].strip() and m["content"].strip(), key
        assert m["rows"], key
        assert m["rows"][0]["content"] is None, key
        if m["goal"] is not None:
            assert m["goal"] == m["goals"][0], key
        assert all(g.startswith("Die Stadtverwaltung ") for g in m["goals"]), key


def test_every_row_has_a_lead(measures):
    for m in measures:
        for row in m["rows"]:
            assert row["lead_mode"] in LEAD_MODES, m["number"]
            # a lead mode other than "allein" is exactly a marker the plan's text has
            marked = "(federführend" in row["responsibility"] or "(förderführend" in row["responsibility"]
            assert (row["lead_mode"] in {"federführend", "federführend im Zuständigkeitsbereich"}) == marked, (m["field"], m["number"])
            assert row["lead_oes"] or row["lead_all_units"], (m["field"], m["number"])
            if row["lead_mode"] == "allein":
                assert len(row["lead_oes"]) == 1 or row["lead_all_units"], (m["field"], m["number"])


def test_priorities_are_known(measures):
    priorities = Counter(r["priority"] for m in measures for r in m["rows"])
    assert set(priorities) <= PRIORITIES | {None}
    assert priorities["mittel"] == 1
    # only Gesundheit 4, part 2 has none in the plan; every main row has one
    assert [(m["field"], m["part"], m["number"], i) for m in measures for i, r in enumerate(m["rows"], 1) if r["priority"] is None] == [
        ("gesundheit-sport", "Gesundheit", "4", 2)]


def test_end_years_follow_the_deadline(measures):
    for m in measures:
        for row in m["rows"]:
            deadline, end_year = row["deadline"], row["end_year"]
            assert 2022 <= end_year <= 2026, (m["field"], m["number"], deadline)
            if re.fullmatch(r"ab \d{4}", deadline):
                assert end_year == 2026
            elif match := re.fullmatch(r"(\d{4}) bis (\d{4})", deadline):
                assert end_year == int(match.group(2)) and int(match.group(1)) <= end_year
            else:
                assert re.fullmatch(r"\d{4}", deadline) and end_year == int(deadline), deadline


def test_no_html_or_seed_typos_left(catalogue):
    for text in all_strings(catalogue):
        assert "<" not in text and ">" not in text, text[:80]
        for typo in ("IN-AUSLB", "BE-AUFTR", "BEAUFR", "förderführend", "federfrend", "Stadtbezirksamter",
                     "fröhkindlich", "Migrantenvverein", "Kindertages-einrichtung", "  "):
            assert typo not in text.replace("\n  - ", "\n- "), (typo, text[:80])


def test_content_lists_use_dash_bullets(measures):
    for m in measures:
        for line in m["content"].split("\n"):
            assert line == line.rstrip() and line, (m["field"], m["number"])
            if line.startswith(" "):
                assert line.startswith("  - "), line


# ------------------------------------------------------------------ OE directory

def test_org_units_shape_and_order(org_units):
    codes = [u["code"] for u in org_units]
    assert len(codes) == len(set(codes))
    assert all(set(u) == {"code", "name", "kind"} for u in org_units)
    assert all(u["kind"] in KINDS for u in org_units)
    assert org_units == sorted(org_units, key=lambda u: (u["kind"], u["code"]))


def test_org_unit_names_from_the_seed(org_units):
    names = {u["code"]: u["name"] for u in org_units}
    assert names["Amt 10"] == "Haupt- und Personalamt"
    assert names["Amt 40"] == "Amt für Schulen"
    assert names["Amt 50"] == "Sozialamt"
    assert names["Amt 51"] == "Jugendamt"
    assert names["EB 52"] == "Eigenbetrieb Sportstätten"
    assert names["EB 56"] == "Städtisches Klinikum"
    assert names["INAUSLB"] == "Büro der Integrations- und Ausländerbeauftragten"
    kinds = {u["code"]: u["kind"] for u in org_units}
    assert kinds["JC"] == "Sonstige"
    assert kinds["Stadtbezirksämter"] == "Stadtbezirksamt"
    assert kinds["GB 5"] == "Geschäftsbereich"


def test_every_catalogue_oe_is_in_the_directory(measures, org_units):
    codes = {u["code"] for u in org_units}
    lead = {c for m in measures for r in m["rows"] for c in r["lead_oes"]}
    participating = {c for m in measures for r in m["rows"] for c in r["participant_oes"]}
    assert lead <= codes, lead - codes
    assert participating <= codes, participating - codes
    assert len(lead) == 32

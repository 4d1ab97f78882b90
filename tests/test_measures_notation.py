"""The lead-OE notation and the deadline rule of the catalogue file."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.measures.catalogue import end_year_of, format_leads, parse_leads
from portal.models.measure import LEAD_MODES, MeasureRow
from portal.models.org import OrgUnit

CODES = ["Amt 50", "Amt 51", "EB 52", "INAUSLB", "GB 3", "Stadtbezirksämter", "Stadtbezirksamt Plauen/Cotta", "OB"]
UNITS = {code.lower(): OrgUnit(code=code, kind="Amt") for code in CODES}


@st.composite
def lead_specs(draw):
    scope = draw(st.sampled_from([None, "Ämter und Eigenbetriebe", "Eigenbetriebe"]))
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=6, min_size=0 if scope else 1))
    if scope or len(codes) > 1:
        mode = draw(st.sampled_from(["federführend", "federführend im Zuständigkeitsbereich"]))
    else:
        mode = draw(st.sampled_from(LEAD_MODES))
    return scope, codes, mode


@given(lead_specs())
def test_format_then_parse_gives_the_same_leads(spec):
    scope, codes, mode = spec
    row = MeasureRow(lead_mode=mode, lead_all_scope=scope)
    row.lead_units = [UNITS[c.lower()] for c in codes]
    parsed = parse_leads(format_leads(row), UNITS)
    assert (parsed.scope, [u.code for u in parsed.units], parsed.mode) == (scope, codes, mode)


@pytest.mark.parametrize(("text", "message"), [
    ("", "Es ist keine federführende OE angegeben."),
    ("(federführend)", "Es ist keine federführende OE angegeben."),
    ("Amt 50, Amt 51", "Mehrere federführende OE brauchen den Zusatz „(federführend)“ oder „(federführend im Zuständigkeitsbereich)“."),
    ("alle Ämter", "„alle Ämter“ ist unbekannt. Möglich sind „alle Ämter und Eigenbetriebe“ und „alle Eigenbetriebe“."),
    ("Amt 5O, XY (federführend)", "Unbekannte OE „Amt 5O“, „XY“. Bitte das Kürzel aus dem OE-Verzeichnis verwenden."),
])
def test_bad_lead_notation_is_explained(text, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        parse_leads(text, UNITS)


def test_codes_are_matched_case_insensitively():
    parsed = parse_leads("amt 50,  inauslb (federführend)", UNITS)
    assert [u.code for u in parsed.units] == ["Amt 50", "INAUSLB"]


@pytest.mark.parametrize(("deadline", "end_year"), [
    ("2024", 2024), ("2022 bis 2026", 2026), ("2022  bis 2025", 2025), ("ab 2023", 2026), ("ab 2027", 2027),
    ("2026 bis 2022", None), ("Ende 2024", 2024), ("bis 12/2025", 2025), ("fortlaufend", 2026), ("demnächst", None),
    ("", None), ("24", None),
])
def test_end_year_of_a_deadline(deadline, end_year):
    assert end_year_of(deadline) == end_year

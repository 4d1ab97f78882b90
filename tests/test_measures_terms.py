"""Terms of measure rows and the list "Termin überschritten" (docs/measures.md, "Termine und
„Termin überschritten“"): every form of term has one meaning, every term of the shipped
catalogue is readable, and the list at a Stichtag in 2026 holds exactly the rows the rule names."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.measures.tables import council_table, overdue_lines
from portal.measures.terms import UnknownTerm, is_overdue, parse_term
from portal.models.org import OrgUnit
from tests.measures_support import CATALOGUE, accepted_report, make_period, row_of


@pytest.mark.parametrize(("text", "due_on"), [
    ("2024", date(2024, 12, 31)),
    ("2022 bis 2026", date(2026, 12, 31)),
    ("2022  bis  2025", date(2025, 12, 31)),
    ("2023–2024", date(2024, 12, 31)),
    ("bis 2025", date(2025, 12, 31)),
    ("Ende 2024", date(2024, 12, 31)),
    ("bis 12/2025", date(2025, 12, 31)),
    ("06/2025", date(2025, 6, 30)),
    ("bis 2/2024", date(2024, 2, 29)),  # a leap year
    ("3. Quartal 2025", date(2025, 9, 30)),
    ("bis 1. Quartal 2026", date(2026, 3, 31)),
    ("Q2/2025", date(2025, 6, 30)),
    ("IV. Quartal 2024", date(2024, 12, 31)),
    ("1. Halbjahr 2025", date(2025, 6, 30)),
    ("2. Halbjahr 2025", date(2025, 12, 31)),
    ("bis 30.06.2025", date(2025, 6, 30)),
    ("ab 2023", None),
    ("ab 2022 fortlaufend", None),
    ("seit 2022", None),
    ("fortlaufend", None),
    ("laufend", None),
    ("dauerhaft", None),
])
def test_every_form_of_term_has_one_due_day(text, due_on):
    assert parse_term(text).due_on == due_on


@pytest.mark.parametrize("text", ["", "irgendwann", "2026 bis 2022", "24", "31.02.2025", "5. Quartal 2025", "13/2025",
                                  "2024, 2025", "ab sofort", "Mitte 2025"])
def test_an_unknown_form_is_refused_not_taken_as_overdue(text):
    with pytest.raises(UnknownTerm) as refused:
        parse_term(text)
    assert str(refused.value).startswith(("Der Termin", "Bitte geben Sie den Termin an", "Den Tag im Termin"))
    with pytest.raises(UnknownTerm):
        is_overdue(text, date(2026, 12, 31), done=False)


def test_the_due_day_itself_is_not_overdue_the_day_after_is():
    for text in ("2022 bis 2026", "2026"):
        assert not is_overdue(text, date(2026, 12, 31), done=False)
        assert is_overdue(text, date(2027, 1, 1), done=False)
    assert is_overdue("2024", date(2025, 1, 1), done=False)
    assert not is_overdue("2024", date(2025, 1, 1), done=True)  # "umgesetzt": never listed
    assert is_overdue("bis 12/2025", date(2026, 6, 30), done=False)
    assert not is_overdue("3. Quartal 2026", date(2026, 9, 30), done=False)
    assert is_overdue("3. Quartal 2026", date(2026, 10, 1), done=False)
    assert not is_overdue("ab 2022", date(2099, 12, 31), done=False)
    assert not is_overdue("fortlaufend", date(2099, 12, 31), done=False)


CATALOGUE_TERMS = sorted({row["deadline"] for m in CATALOGUE["measures"] for row in m["rows"]})


@pytest.mark.parametrize("text", CATALOGUE_TERMS)
def test_every_term_of_the_shipped_catalogue_is_readable(text):
    term = parse_term(text)  # an unknown form fails here
    assert term.sort_year == next(row["end_year"] for m in CATALOGUE["measures"] for row in m["rows"] if row["deadline"] == text)


def _by_documented_rule(text: str, cutoff: date) -> bool:
    """The rule as docs/measures.md states it for the forms the catalogue uses, written out
    independently of portal.measures.terms: "ab JJJJ" never; "JJJJ" and "… bis JJJJ" when
    31.12.JJJJ lies before the Stichtag."""
    if text.startswith("ab "):
        return False
    return date(int(text[-4:]), 12, 31) < cutoff


@pytest.mark.parametrize("cutoff", [date(2026, 12, 31), date(2026, 6, 30), date(2026, 1, 1)])
def test_overdue_list_in_2026_follows_the_rule_on_every_catalogue_row(db, cutoff):
    period = make_period(db, f"Prüfung {cutoff.isoformat()}", cutoff, True)
    # one overdue row is reported "umgesetzt": it leaves the list; one "in Umsetzung": it stays
    done, going = row_of(db, "verwaltung", 10, 1), row_of(db, "verwaltung", 10, 2)  # terms "2023" and "2022"
    amt50 = db.scalar(select(OrgUnit).where(OrgUnit.code == "Amt 50"))
    accepted_report(db, period, done, amt50, "umgesetzt")
    accepted_report(db, period, going, amt50, "in_umsetzung")

    table = council_table(db, period)
    rows_in_catalogue = sum(len(m["rows"]) for m in CATALOGUE["measures"])
    assert len(table.lines) == rows_in_catalogue  # every catalogue row is looked at
    listed = {line.row_id for line in overdue_lines(table)}
    expected = {line.row_id for line in table.lines
                if _by_documented_rule(line.deadline, cutoff) and line.row_id != done.id}
    assert listed == expected
    terms_listed = {line.deadline for line in table.lines if line.row_id in listed}
    assert not any(t.endswith("bis 2026") or t.startswith("ab ") for t in terms_listed), terms_listed
    assert going.id in listed and done.id not in listed
    if cutoff > date(2026, 1, 1):  # every term that ended in 2025 or earlier is passed
        assert {"2022", "2022 bis 2025", "2024", "2023 bis 2024"} <= terms_listed
        assert len(listed) < rows_in_catalogue / 2  # not "all 150 rows"
    else:  # 01.01.2026: the terms of 2025 ended the day before
        assert "2022 bis 2025" in terms_listed

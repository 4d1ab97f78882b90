"""Every rule boundary of the training mandate (annex 4), as pure functions."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.models.training import RosterEntry, Training
from portal.trainings import rules
from tests.support import training_scenario as sc

CUTOFF = date(2026, 12, 31)


@dataclass
class T:
    hours: Decimal = Decimal("6")
    completed_on: date = date(2024, 1, 1)
    contents: set[str] = field(default_factory=lambda: {"interkulturell"})
    state: str = "accepted"
    title: str = "Schulung"
    decision_comment: str | None = None


@pytest.mark.parametrize(("hours", "problem"), [
    ("5.99", "zu kurz (5,99 Std.)"), ("5.5", "zu kurz (5,5 Std.)"), ("6", None), ("6.0", None), ("12.25", None),
])
def test_minimum_six_hours(hours, problem):
    assert rules.qualification_problem(T(hours=Decimal(hours)), CUTOFF) == problem


@pytest.mark.parametrize(("day", "problem"), [
    (date(2020, 12, 31), "vor 2021"), (date(2021, 1, 1), None),
    (date(2026, 12, 31), None), (date(2027, 1, 1), "nach dem Stichtag 31.12.2026"),
])
def test_completed_between_2021_and_the_cutoff(day, problem):
    assert rules.qualification_problem(T(completed_on=day), CUTOFF) == problem


def test_a_later_cutoff_moves_the_boundary():
    assert rules.qualifies(T(completed_on=date(2027, 1, 1)), date(2027, 1, 1))
    assert not rules.qualifies(T(completed_on=date(2027, 1, 2)), date(2027, 1, 1))


@pytest.mark.parametrize(("state", "problem"), [
    ("accepted", None), ("submitted", "Nachweis in Prüfung"),
    ("returned", "zur Korrektur zurückgegeben: unleserlich"), ("rejected", "nicht anerkannt: unleserlich"),
])
def test_only_recognised_trainings_qualify(state, problem):
    assert rules.qualification_problem(T(state=state, decision_comment="unleserlich"), CUTOFF) == problem


@pytest.mark.parametrize(("content", "lead", "staff"), [
    ("interkulturell", True, True), ("demokratisch", True, True),
    ("mehrsprachigkeit", False, True), ("buergernah", False, True),
])
def test_content_fit_per_group(content, lead, staff):
    assert rules.content_fits({content}, rules.ROW_LEAD) is lead
    assert rules.content_fits({content}, rules.ROW_STAFF) is staff


def test_group_precedence_lead_wins():
    assert rules.row_of({"fuehrungskraft", "buergerkontakt"}) == rules.ROW_LEAD
    assert rules.row_of({"oeffentlichkeitsarbeit", "buergerkontakt"}) == rules.ROW_STAFF
    assert rules.row_of(set()) is None
    result = rules.judge_person({"fuehrungskraft", "buergerkontakt"}, [T(contents={"mehrsprachigkeit"})], CUTOFF)
    assert not result.fulfilled
    assert result.reason == "„Schulung“: Inhalt passt nicht zur Zielgruppe Führungskraft"


def test_a_training_with_two_contents_fits_a_lead():
    result = rules.judge_person({"fuehrungskraft"}, [T(contents={"mehrsprachigkeit", "demokratisch"})], CUTOFF)
    assert result.fulfilled and result.reason == "erfüllt durch „Schulung“ vom 01.01.2024"


def test_reasons_in_german():
    assert rules.judge_person({"buergerkontakt"}, [], CUTOFF).reason == "kein Nachweis"
    pending = rules.judge_person({"buergerkontakt"}, [T(state="submitted")], CUTOFF)
    assert (pending.fulfilled, pending.pending, pending.reason) == (False, True, "Nachweis in Prüfung")
    short = rules.judge_person({"buergerkontakt"}, [T(hours=Decimal("5.5"), title="Kurs")], CUTOFF)
    assert short.reason == "„Kurs“: zu kurz (5,5 Std.)"
    old = rules.judge_person({"fuehrungskraft"}, [T(completed_on=date(2020, 6, 1), title="Alt")], CUTOFF)
    assert old.reason == "„Alt“: vor 2021"
    nobody = rules.judge_person(set(), [T()], CUTOFF)
    assert nobody.row is None and nobody.reason == "am Stichtag 31.12.2026 in keiner Zielgruppenliste"


def test_pending_does_not_hide_a_fulfilment():
    result = rules.judge_person({"buergerkontakt"}, [T(), T(state="submitted")], CUTOFF)
    assert result.fulfilled and result.pending


@dataclass
class E:
    target_group: str
    begins_on: date
    ends_on: date | None = None
    org_unit_id: int = 1


def test_leaver_and_joiner_around_the_cutoff():
    entries = [
        E("buergerkontakt", date(2020, 1, 1), date(2026, 12, 30)),  # left the day before
        E("oeffentlichkeitsarbeit", date(2027, 1, 1)),  # joins the day after
        E("fuehrungskraft", date(2026, 12, 31), date(2026, 12, 31)),  # exactly the day
    ]
    assert rules.groups_on(entries, CUTOFF) == {"fuehrungskraft"}
    assert rules.groups_on(entries, date(2027, 1, 1)) == {"oeffentlichkeitsarbeit"}
    assert rules.groups_on(entries, date(2026, 12, 30)) == {"buergerkontakt"}


def test_group_precedence_across_oes():
    """Führungskraft in OE 1, Bürgerkontakt in OE 2: counts once, as Führungskraft, only in OE 1."""
    entries = [E("fuehrungskraft", date(2020, 1, 1), org_unit_id=1), E("buergerkontakt", date(2020, 1, 1), org_unit_id=2)]
    assert rules.placements(entries, CUTOFF) == {1: rules.ROW_LEAD}
    assert rules.placement(entries, CUTOFF, 1) == rules.ROW_LEAD
    assert rules.placement(entries, CUTOFF, 2) is None
    assert rules.placement(entries, CUTOFF) == rules.ROW_LEAD  # citywide
    result = rules.judge(entries, [T(contents={"mehrsprachigkeit"}, title="Spanisch A1")], CUTOFF)
    assert (result.row, result.fulfilled) == (rules.ROW_LEAD, False)
    assert result.reason == "„Spanisch A1“: Inhalt passt nicht zur Zielgruppe Führungskraft"
    # Führungskraft in both OEs: the Führungskräfte row of both, never a Beschäftigte row
    both = [*entries, E("fuehrungskraft", date(2020, 1, 1), org_unit_id=2), E("oeffentlichkeitsarbeit", date(2020, 1, 1), org_unit_id=3)]
    assert rules.placements(both, CUTOFF) == {1: rules.ROW_LEAD, 2: rules.ROW_LEAD}
    # no active Führungskraft entry (ended the day before, begins the day after): Beschäftigte wherever active
    ended = [E("fuehrungskraft", date(2020, 1, 1), date(2026, 12, 30), org_unit_id=1),
             E("fuehrungskraft", date(2027, 1, 1), org_unit_id=3),
             E("buergerkontakt", date(2020, 1, 1), org_unit_id=2), E("oeffentlichkeitsarbeit", date(2020, 1, 1), org_unit_id=1)]
    assert rules.placements(ended, CUTOFF) == {1: rules.ROW_STAFF, 2: rules.ROW_STAFF}
    assert rules.judge(ended, [T(contents={"mehrsprachigkeit"})], CUTOFF).fulfilled
    # the Führungskraft entry ends on the Stichtag itself: still Führungskraft
    last_day = [E("fuehrungskraft", date(2020, 1, 1), CUTOFF, org_unit_id=1), E("buergerkontakt", date(2020, 1, 1), org_unit_id=2)]
    assert rules.placements(last_day, CUTOFF) == {1: rules.ROW_LEAD}
    assert rules.placements(last_day, date(2027, 1, 1)) == {2: rules.ROW_STAFF}
    assert rules.placements([], CUTOFF) == {} and rules.placement([], CUTOFF) is None


def test_python_rules_and_sql_agree_on_every_person(app, db):
    """The pure rules and the SQL of the table judge each person of the scenario alike."""
    P = sc.build(db)
    for oe_code in ("Amt 50", "Amt 51"):
        unit = sc.unit(db, oe_code)
        for row in (rules.ROW_LEAD, rules.ROW_STAFF):
            for cp in rules.cell_persons(db, unit.id, row, CUTOFF):
                entries = db.scalars(select(RosterEntry).where(RosterEntry.person_id == cp.person_id)).all()
                trainings = db.scalars(select(Training).where(Training.person_id == cp.person_id)).all()
                result = rules.judge(entries, trainings, CUTOFF)
                assert rules.placement(entries, CUTOFF, unit.id) == result.row == row
                assert result.fulfilled == cp.fulfilled, (oe_code, cp.person_id, result.reason)
                assert result.pending == cp.pending
    # P2 is Führungskraft in Amt 50 and Bürgerkontakt in Amt 51: only in Amt 50's Führungskräfte row
    lead_50 = rules.cell_persons(db, sc.unit(db, "Amt 50").id, rules.ROW_LEAD, CUTOFF)
    assert P["p2"].id in {cp.person_id for cp in lead_50}
    assert rules.cell_persons(db, sc.unit(db, "Amt 51").id, rules.ROW_STAFF, CUTOFF) == []

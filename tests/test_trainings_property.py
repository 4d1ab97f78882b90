"""Random rosters and trainings: the SQL table equals the pure rules, person by person."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models.training import CONTENTS, Person, RosterEntry, Training
from portal.trainings import rules
from portal.trainings.tables import compliance_table
from tests.support import training_scenario as sc

CUTOFF = date(2026, 12, 31)
DAYS = st.sampled_from([date(2020, 12, 31), date(2021, 1, 1), date(2024, 6, 1), CUTOFF, CUTOFF + timedelta(days=1)])
ENTRY = st.tuples(st.integers(0, 2), st.sampled_from(["fuehrungskraft", "buergerkontakt", "oeffentlichkeitsarbeit"]),
                  DAYS, st.one_of(st.none(), DAYS))
TRAINING = st.tuples(DAYS, st.sampled_from(["5.99", "6", "8"]), st.sets(st.sampled_from(sorted(CONTENTS)), min_size=1),
                     st.sampled_from(["accepted", "accepted", "submitted", "returned", "rejected"]))
PERSON = st.tuples(st.lists(ENTRY, min_size=0, max_size=3), st.lists(TRAINING, max_size=3))


def expected_table(people, units):
    """The table computed with the pure functions of rules.py only."""
    table = defaultdict(lambda: [0] * 8)

    def add(key, row, trainings, result):
        cell = table[(key, row)]
        cell[0] += 1
        for i, content in enumerate(rules.CONTENTS_ORDER, start=1):
            cell[i] += sum(1 for t in trainings if rules.qualifies(t, CUTOFF) and content in t.contents)
        cell[5] += result.fulfilled
        cell[6] += not result.fulfilled
        cell[7] += (not result.fulfilled) and result.pending

    for entries, trainings in people:
        result = rules.judge(entries, trainings, CUTOFF)
        for unit in units:
            row = rules.placement(entries, CUTOFF, unit.id)
            if row:
                assert row == result.row  # one row, one verdict, in every OE the person counts in
                add(unit.code, row, trainings, result)
        if result.row:
            add("Gesamt", result.row, trainings, result)
    return table


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PERSON, min_size=1, max_size=8))
def test_sql_table_equals_pure_rules(app, people):
    check_table_against_pure_rules(app, people)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PERSON, min_size=1, max_size=8))
def test_sql_table_in_two_halves_equals_pure_rules(app, people):
    """PostgreSQL counts a large city in two halves of the persons (run in parallel): the
    same numbers, also when the split falls anywhere between the few persons here."""
    previous, rules.HALVES_FROM = rules.HALVES_FROM, 0
    try:
        check_table_against_pure_rules(app, people)
    finally:
        rules.HALVES_FROM = previous


def check_table_against_pure_rules(app, people):
    db = app.extensions["portal.db"].new_session()
    try:
        units = [sc.unit(db, code) for code in ("Amt 50", "Amt 51", "Amt 52")]
        stored = []
        for n, (entries, trainings) in enumerate(people):
            person = Person(personnel_number=f"H{n}", last_name=f"H{n}")
            db.add(person)
            db.flush()
            seen, kept_entries, kept_trainings = set(), [], []
            for unit_index, group, begins, ends in entries:
                if ends is not None and ends < begins or (unit_index, group, begins) in seen:
                    continue
                seen.add((unit_index, group, begins))
                entry = RosterEntry(person_id=person.id, org_unit_id=units[unit_index].id, target_group=group,
                                    begins_on=begins, ends_on=ends)
                db.add(entry)
                kept_entries.append(entry)
            for day, hours, contents, state in trainings:
                t = Training(person_id=person.id, title="S", provider="A", completed_on=day, hours=Decimal(hours),
                             format="online", internal=False, source="import", state=state,
                             decision_comment="x" if state in ("returned", "rejected") else None,
                             **{f"c_{c}": c in contents for c in CONTENTS})
                db.add(t)
                kept_trainings.append(t)
            stored.append((kept_entries, kept_trainings))
        db.flush()
        want = expected_table(stored, units)
        got = {(r.oe_code, r.row): [v for _, v in r.numbers] for r in compliance_table(db, CUTOFF)
               if r.oe_code in ("Amt 50", "Amt 51", "Amt 52", "Gesamt")}
        for key, values in got.items():
            assert values == want.get(key, [0] * 8), key
        for unit in units:  # the table of one OE (its own query) says the same, and so do its lists
            for r in compliance_table(db, CUTOFF, org_unit=unit):
                values = [v for _, v in r.numbers]
                assert values == want.get((unit.code, r.row), [0] * 8), (unit.code, r.row)
                persons = rules.cell_persons(db, unit.id, r.row, CUTOFF)
                assert len(persons) == values[0]
                assert sum(p.fulfilled for p in persons) == values[5]
    finally:
        db.rollback()
        db.close()

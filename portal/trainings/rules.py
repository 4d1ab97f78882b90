"""The rules of the training mandate (annex 4, "Schulungskonzept") in one place.

Pure functions decide for one person and one training (used by the person pages and
the employee's own page, with a German reason for every result). The same rules
in SQL compute the Auswertungstabelle (:func:`compliance_counts`) and the persons
behind each of its numbers (:func:`cell_persons`, :func:`cell_trainings`); a test
checks that both agree on built scenarios.

* A training qualifies when it is recognised (state ``accepted``), lasted at least
  6 hours, and was completed on or after 01.01.2021 and on or before the Stichtag.
* Führungskräfte need interkulturelle or demokratische Kompetenz; the other groups
  any of the four contents.
* A person counts for the OEs and groups of the roster entries active on the
  Stichtag (begin on or before it, no end or end on or after it); a Führungskraft
  who is also in another group counts once, as Führungskraft: whoever holds an
  active Führungskraft entry in ANY OE counts only in the Führungskräfte row of each
  OE where they hold one (never in a Beschäftigte row, not even of another OE) and
  is judged everywhere by the Führungskraft content rule (:func:`placement`).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Date, Numeric, ScalarSelect, bindparam, func, select, text
from sqlalchemy.orm import Session

from portal.models.training import CONTENTS, LEAD, TARGET_GROUPS, RosterEntry
from portal.templating import de_number

EARLIEST = date(2021, 1, 1)
DEFAULT_CUTOFF = date(2026, 12, 31)
MIN_HOURS = Decimal(6)
LEAD_CONTENTS = frozenset({"interkulturell", "demokratisch"})
ALL_CONTENTS = frozenset(CONTENTS)

# rows of the Auswertungstabelle
ROW_LEAD = "fuehrungskraefte"
ROW_STAFF = "beschaeftigte"
ROW_LABELS = {ROW_LEAD: "Führungskräfte", ROW_STAFF: "Beschäftigte"}


class TrainingFacts(Protocol):
    title: str
    state: str
    hours: Decimal
    completed_on: date
    decision_comment: str | None

    @property
    def contents(self) -> set[str]: ...


def _hours_text(hours: Decimal) -> str:
    return de_number(Decimal(hours).normalize() if hours is not None else None)


def row_of(groups: Iterable[str]) -> str | None:
    """The table row a person counts in, from their groups active on the Stichtag in all OEs."""
    groups = set(groups)
    if not groups:
        return None
    return ROW_LEAD if LEAD in groups else ROW_STAFF


def allowed_contents(row: str) -> frozenset[str]:
    return LEAD_CONTENTS if row == ROW_LEAD else ALL_CONTENTS


def content_fits(contents: Iterable[str], row: str) -> bool:
    return bool(set(contents) & allowed_contents(row))


def qualification_problem(training: TrainingFacts, cutoff: date = DEFAULT_CUTOFF) -> str | None:
    """Why a training does not qualify (German), or None when it does (content aside)."""
    if training.state == "submitted":
        return "Nachweis in Prüfung"
    if training.state == "returned":
        return "zur Korrektur zurückgegeben" + (f": {training.decision_comment}" if training.decision_comment else "")
    if training.state == "rejected":
        return "nicht anerkannt" + (f": {training.decision_comment}" if training.decision_comment else "")
    if training.state != "accepted":
        return "nicht anerkannt"
    if Decimal(training.hours) < MIN_HOURS:
        return f"zu kurz ({_hours_text(training.hours)} Std.)"
    if training.completed_on < EARLIEST:
        return "vor 2021"
    if training.completed_on > cutoff:
        return f"nach dem Stichtag {cutoff:%d.%m.%Y}"
    return None


def qualifies(training: TrainingFacts, cutoff: date = DEFAULT_CUTOFF) -> bool:
    return qualification_problem(training, cutoff) is None


def training_verdict(training: TrainingFacts, row: str | None, cutoff: date = DEFAULT_CUTOFF) -> str | None:
    """Why this training does not fulfil the mandate for a person in `row`; None when it does."""
    problem = qualification_problem(training, cutoff)
    if problem:
        return problem
    if row is not None and not content_fits(training.contents, row):
        return "Inhalt passt nicht zur Zielgruppe " + ("Führungskraft" if row == ROW_LEAD else "Beschäftigte")
    return None


@dataclass
class PersonResult:
    row: str | None
    fulfilled: bool
    pending: bool
    reason: str
    verdicts: list[tuple[Any, str | None]] = field(default_factory=list)

    @property
    def row_label(self) -> str:
        return ROW_LABELS.get(self.row or "", "keine Zielgruppe am Stichtag")


def judge_person(groups: Iterable[str], trainings: Sequence[TrainingFacts], cutoff: date = DEFAULT_CUTOFF) -> PersonResult:
    """Result for one person: `groups` active on the Stichtag in ALL OEs, `trainings` = current versions.

    The result does not depend on the OE: pass every active group (:func:`judge`), not
    only those of one OE, or a Führungskraft of another OE would be judged as Beschäftigte.
    """
    row = row_of(groups)
    verdicts = [(t, training_verdict(t, row, cutoff)) for t in trainings]
    pending = any(t.state == "submitted" for t in trainings)
    fulfilling = [t for t, v in verdicts if v is None]
    if row is None:
        return PersonResult(None, False, pending, f"am Stichtag {cutoff:%d.%m.%Y} in keiner Zielgruppenliste", verdicts)
    if fulfilling:
        first = min(fulfilling, key=lambda t: t.completed_on)
        return PersonResult(row, True, pending, f"erfüllt durch „{first.title}“ vom {first.completed_on:%d.%m.%Y}", verdicts)
    if not trainings:
        return PersonResult(row, False, False, "kein Nachweis", verdicts)
    if pending:
        return PersonResult(row, False, True, "Nachweis in Prüfung", verdicts)
    reasons = "; ".join(f"„{t.title}“: {v}" for t, v in verdicts)
    return PersonResult(row, False, False, reasons, verdicts)


def what_counts(row: str | None, cutoff: date = DEFAULT_CUTOFF) -> str:
    """Plain German: what kind of training would fulfil the mandate."""
    if row == ROW_LEAD:
        content = "zur interkulturellen oder demokratischen Kompetenz"
    else:
        content = ("zur interkulturellen oder demokratischen Kompetenz, zur Mehrsprachigkeit "
                   "(auch ein Sprachkurs in jeder Sprache) oder zur bürgernahen Kommunikation")
    return (f"Es zählt eine anerkannte Schulung {content}, die mindestens 6 Stunden gedauert hat "
            f"und zwischen dem 01.01.2021 und dem {cutoff:%d.%m.%Y} abgeschlossen wurde.")


def groups_on(entries: Iterable[Any], cutoff: date, org_unit_id: int | None = None) -> set[str]:
    """Target groups of the roster entries active on the Stichtag (optionally of one OE)."""
    return {
        e.target_group
        for e in entries
        if e.begins_on <= cutoff and (e.ends_on is None or e.ends_on >= cutoff)
        and (org_unit_id is None or e.org_unit_id == org_unit_id)
    }


def judge(entries: Sequence[Any], trainings: Sequence[TrainingFacts], cutoff: date = DEFAULT_CUTOFF) -> PersonResult:
    """Result for one person from all their roster entries: the same in every OE they count in."""
    return judge_person(groups_on(entries, cutoff), trainings, cutoff)


def placements(entries: Sequence[Any], cutoff: date = DEFAULT_CUTOFF) -> dict[int, str]:
    """{org_unit_id: row} of every OE whose table rows the person counts in.

    Whoever is Führungskraft on the Stichtag in any OE counts only in the Führungskräfte
    row of the OEs where they hold an active Führungskraft entry; everybody else in the
    Beschäftigte row of every OE with an active entry. Citywide the row is
    :func:`row_of` of all active groups.
    """
    row = row_of(groups_on(entries, cutoff))
    active = [e for e in entries if e.begins_on <= cutoff and (e.ends_on is None or e.ends_on >= cutoff)]
    if row == ROW_LEAD:
        return {e.org_unit_id: ROW_LEAD for e in active if e.target_group == LEAD}
    return {e.org_unit_id: ROW_STAFF for e in active}


def placement(entries: Sequence[Any], cutoff: date = DEFAULT_CUTOFF, org_unit_id: int | None = None) -> str | None:
    """The row the person counts in for OE `org_unit_id` (None = citywide), or None when not at all."""
    if org_unit_id is None:
        return row_of(groups_on(entries, cutoff))
    return placements(entries, cutoff).get(org_unit_id)


# --- the same rules in SQL ----------------------------------------------------------

def _flag(column: str) -> str:
    return f"CASE WHEN t.{column} THEN 1 ELSE 0 END"


def qualifying_trainings_where(cutoff_param: str = ":cutoff") -> str:
    """SQL condition (alias t) for a qualifying training: the table's counts and the lists behind them.

    With the values written in (PostgreSQL, :func:`_with_literals`) it implies the predicate of the
    partial index ix_trainings_can_qualify (models/training.py), which PostgreSQL then reads alone."""
    return (f"t.state = 'accepted' AND t.hours >= :min_hours AND t.completed_on >= :earliest "
            f"AND t.completed_on <= {cutoff_param}")


_ACTIVE = "{e}.begins_on <= :cutoff AND ({e}.ends_on IS NULL OR {e}.ends_on >= :cutoff)"
_IS_LEAD = f"CASE WHEN re.target_group = '{LEAD}' THEN 1 ELSE 0 END"

# `judged` has one row per person and OE the person counts in: is_lead, is_first, the
# number of qualifying trainings per content (NULL = none), fulfilled and has_pending.
# Everything the table shows is an aggregate of it.
# A person counts in an OE when lead_here = is_lead (lead_here: a Führungskraft entry in
# this OE, is_lead: one in any OE): a Führungskraft only where they lead, everybody else
# wherever they have an entry; always in the row of is_lead. Citywide they count once: in
# the first OE they count in (is_first, the smallest OE id), so the citywide rows are the
# sum of the OE rows' is_first part and no person row is joined twice.
# `persons` has one row per person with an active entry: is_lead and the first OE they
# count in (first_lead_oe for a Führungskraft, else first_oe); that is every is_first row.
# The other rows (a person counting in more than one OE) come from `active`, one row per
# person and OE, computed only for the persons with active entries in more than one OE
# (`multi`: the rows of `persons` whose first and last OE differ; a few against all
# persons in `persons`), joined to their is_lead and first OEs. One grouping per
# person instead of windows over everyone halves the roster part of the query
# (PostgreSQL, 160,000 persons: 51 instead of 104 ms of CPU time); and a window function
# anywhere in the query keeps PostgreSQL from running it in parallel workers.
# `lead_here >= is_lead` says `lead_here = is_lead` (lead_here <= is_lead always): with
# `=` PostgreSQL guesses almost no row passes and picks a much slower plan.
# The per-person `qualifying` and `pending` rows are joined last, to the placed rows, so
# the groupings over the roster carry no training columns. A grouped subquery has no
# statistics in PostgreSQL, so joined to the grouped roster rows its person_id would
# count as 200 distinct values on both sides and the join as 13 million rows instead of
# 143,000, which switches on JIT compilation (460 ms of a 940 ms query). On PostgreSQL
# `qualifying` is therefore wrapped in DISTINCT ON (person_id): the planner knows a
# DISTINCT column is unique, the estimate is right and the plan stays far below JIT's
# cost threshold. The wrapper changes no row (person_id is already unique); SQLite has no
# DISTINCT ON and needs none.
_PER_PERSON = f"""SELECT re.person_id,
           MAX({_IS_LEAD}) AS is_lead,
           MIN(re.org_unit_id) AS first_oe,
           MAX(re.org_unit_id) AS last_oe,
           MIN(CASE WHEN re.target_group = '{LEAD}' THEN re.org_unit_id END) AS first_lead_oe
    FROM roster_entries re
    WHERE {_ACTIVE.format(e="re")}
      {{filter_re}}
    GROUP BY re.person_id"""
# `multi` from `persons` (a CTE read twice is computed once, on SQLite from 3.35 on too), but
# in the halves computed again: reading a computed CTE keeps PostgreSQL from running the
# query in parallel workers.
_MULTI_FROM_PERSONS = "SELECT p.* FROM persons p WHERE p.first_oe < p.last_oe"
_MULTI_OWN = _PER_PERSON + "\n    HAVING MIN(re.org_unit_id) < MAX(re.org_unit_id)"
_FIRST_OE = "CASE WHEN {a}.is_lead = 1 THEN {a}.first_lead_oe ELSE {a}.first_oe END"
_JUDGED_CTE = f"""
qualifying AS (
    {{unique_open}}SELECT t.person_id,
           CAST(COUNT(CASE WHEN t.c_demokratisch THEN 1 END) AS INTEGER) AS n_demokratisch,
           CAST(COUNT(CASE WHEN t.c_interkulturell THEN 1 END) AS INTEGER) AS n_interkulturell,
           CAST(COUNT(CASE WHEN t.c_mehrsprachigkeit THEN 1 END) AS INTEGER) AS n_mehrsprachigkeit,
           CAST(COUNT(CASE WHEN t.c_buergernah THEN 1 END) AS INTEGER) AS n_buergernah,
           MAX(CASE WHEN t.c_demokratisch OR t.c_interkulturell THEN 1 ELSE 0 END) AS fits_lead
    FROM trainings t
    WHERE {qualifying_trainings_where()} {{filter_t}}
    GROUP BY t.person_id{{unique_close}}
),
pending AS (
    SELECT DISTINCT t.person_id FROM trainings t WHERE t.state = 'submitted' {{filter_t}}
),
persons AS (
    {_PER_PERSON}
),
multi AS (
    {{multi_source}}
),
active AS (
    SELECT re.person_id, re.org_unit_id, mp.is_lead, mp.first_oe, mp.first_lead_oe,
           MAX({_IS_LEAD}) AS lead_here
    FROM roster_entries re
    JOIN multi mp ON mp.person_id = re.person_id
    WHERE {_ACTIVE.format(e="re")}
      {{filter_re}}
    GROUP BY re.person_id, re.org_unit_id, mp.is_lead, mp.first_oe, mp.first_lead_oe
),
placed AS (
    SELECT p.person_id, {_FIRST_OE.format(a="p")} AS org_unit_id, p.is_lead, 1 AS is_first
    FROM persons p
    UNION ALL
    SELECT a.person_id, a.org_unit_id, a.is_lead, 0 AS is_first
    FROM active a
    WHERE a.lead_here >= a.is_lead AND a.org_unit_id <> {_FIRST_OE.format(a="a")}
),
judged AS (
    SELECT a.org_unit_id, a.person_id, a.is_lead, a.is_first,
           q.n_demokratisch, q.n_interkulturell, q.n_mehrsprachigkeit, q.n_buergernah,
           CASE WHEN q.fits_lead IS NULL THEN 0
                WHEN a.is_lead = 1 THEN q.fits_lead
                ELSE 1 END AS fulfilled,
           CASE WHEN p.person_id IS NULL THEN 0 ELSE 1 END AS has_pending
    FROM placed a
    LEFT JOIN qualifying q ON q.person_id = a.person_id
    LEFT JOIN pending p ON p.person_id = a.person_id
    {{oe_filter}}
)
"""


def judged_cte(oe_filter: bool, dialect: str = "sqlite", half: str | None = None) -> str:
    """The CTEs; with `oe_filter` only the rows of OE `:oe_id`; `dialect` = the database's;
    `half` ("<=" or ">") only the persons with an id up to / above `:split` (:data:`COUNTS_IN_HALVES_SQL`).

    Whether someone is Führungskraft still depends on all their entries, so the filter
    keeps every entry of the persons with an active entry in that OE; their trainings
    alone are counted (with the few persons of one OE, no grouping over everybody's).
    """
    if oe_filter:
        in_oe = ("AND {e}.person_id IN (SELECT x.person_id FROM roster_entries x "
                 f"WHERE x.org_unit_id = :oe_id AND {_ACTIVE.format(e='x')})")
        parts = {f"filter_{e}": in_oe.format(e=e) for e in ("t", "re")}
        parts["oe_filter"] = "WHERE a.org_unit_id = :oe_id"
    elif half is not None:
        parts = {f"filter_{e}": f"AND {e}.person_id {half} :split" for e in ("t", "re")}
        parts["oe_filter"] = ""
    else:
        parts = {"filter_t": "", "filter_re": "", "oe_filter": ""}
    if dialect == "postgresql":
        parts |= {"unique_open": "SELECT DISTINCT ON (g.person_id) g.* FROM (", "unique_close": ") g"}
    else:
        parts |= {"unique_open": "", "unique_close": ""}
    sql = _JUDGED_CTE.replace("{multi_source}", _MULTI_FROM_PERSONS if half is None else _MULTI_OWN)
    for name, value in parts.items():
        sql = sql.replace("{" + name + "}", value)
    return sql


# Per OE, row and is_first; the OE rows add both parts, the citywide rows the
# is_first parts of all OEs (added up in Python: at most two rows per OE and row).
COUNTS_SQL = """
WITH {judged}
SELECT j.org_unit_id, j.is_lead, j.is_first,
       COUNT(*) AS persons,
       SUM(j.n_demokratisch) AS n_d, SUM(j.n_interkulturell) AS n_i,
       SUM(j.n_mehrsprachigkeit) AS n_m, SUM(j.n_buergernah) AS n_b,
       SUM(j.fulfilled) AS fulfilled,
       SUM(CASE WHEN j.fulfilled = 0 AND j.has_pending = 1 THEN 1 ELSE 0 END) AS pending
FROM judged j
GROUP BY j.org_unit_id, j.is_lead, j.is_first
"""

# PostgreSQL, citywide: the same counts in two halves of the persons (by id, split at
# :split), each half its own grouped subquery. Every grouping is per person, so the halves
# never share a person and their rows add up (in Python, as above) to exactly the numbers
# of COUNTS_SQL. PostgreSQL runs the two halves of the UNION ALL in two parallel workers
# (Parallel Append); over all persons at once the per-person groupings cannot be split
# between workers, so the query ran on one core while the bare GROUP BY over the same
# tables used two (160,000 persons, quiet machine: 143 instead of 206 ms; the bare GROUP BY
# 108 ms).
# No window function or CTE referenced twice in the halves: either would keep the
# query out of parallel workers. Starting the workers costs a few milliseconds, more
# than the halves save with fewer persons (16,000 persons: 28 instead of 23 ms), so the
# halves are used from a span of HALVES_FROM person ids on.
COUNTS_IN_HALVES_SQL = """
SELECT * FROM (
    ({lower})
    UNION ALL
    ({upper})
) halves
"""
HALVES_FROM = 50_000


def person_id_range() -> tuple[ScalarSelect[int | None], ScalarSelect[int | None]]:
    """MIN and MAX of the roster's person ids as two columns (the database reads each once, from the
    index), to add to another query: the citywide counts on PostgreSQL split at their middle."""
    return (select(func.min(RosterEntry.person_id)).scalar_subquery(),
            select(func.max(RosterEntry.person_id)).scalar_subquery())


PERSONS_SQL = """
WITH {judged}
SELECT j.person_id, j.fulfilled, j.has_pending,
       COALESCE(j.n_demokratisch, 0), COALESCE(j.n_interkulturell, 0),
       COALESCE(j.n_mehrsprachigkeit, 0), COALESCE(j.n_buergernah, 0)
FROM judged j
WHERE {cell} AND j.is_lead = :is_lead
ORDER BY j.person_id
"""

COUNT_COLUMNS = (
    "persons", "n_demokratisch", "n_interkulturell", "n_mehrsprachigkeit", "n_buergernah",
    "fulfilled", "not_fulfilled", "pending",
)


def _params(cutoff: date, oe_id: int | None = None, **extra: Any) -> dict[str, Any]:
    params = {"cutoff": cutoff, "earliest": EARLIEST, "min_hours": MIN_HOURS, **extra}
    if oe_id is not None:
        params["oe_id"] = oe_id
    return params


def _statement(sql: str):
    return text(sql).bindparams(
        bindparam("cutoff", type_=Date), bindparam("earliest", type_=Date), bindparam("min_hours", type_=Numeric(6, 2))
    )


def _with_literals(sql: str, params: dict[str, Any]):
    """The statement with the values of `params` written into the SQL (PostgreSQL).

    psycopg prepares a statement on the server from its sixth run on a connection, and
    from the sixth run of the prepared statement PostgreSQL may plan it once for all values
    (a generic plan): for the counts it guesses the share of qualifying trainings and of
    each half of the persons without the values, and the query took 35–65 % longer at
    160,000 persons from then on. With the values written in, every plan sees them. Only
    dates and integers are written, from typed values, never text from a request.
    """
    for name, value in params.items():
        if isinstance(value, date):
            literal = f"DATE '{value.isoformat()}'"
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            literal = str(int(value)) if value == int(value) else str(Decimal(value))
        else:
            raise TypeError(f"{name}: only dates and numbers are written into the SQL")
        sql = re.sub(rf":{name}\b", literal, sql)
    return text(sql)


@dataclass(frozen=True)
class Counts:
    persons: int = 0
    n_demokratisch: int = 0
    n_interkulturell: int = 0
    n_mehrsprachigkeit: int = 0
    n_buergernah: int = 0
    fulfilled: int = 0
    not_fulfilled: int = 0
    pending: int = 0


def compliance_counts(db: Session, cutoff: date = DEFAULT_CUTOFF, oe_id: int | None = None,
                      person_ids: tuple[int | None, int | None] | None = None) -> dict[tuple[int | None, str], Counts]:
    """{(org_unit_id or None for citywide, row): Counts} for every OE/row that has persons.

    `person_ids`: the smallest and largest person id in the roster, when the caller has read them
    already (:func:`person_id_range`); else they are read here when needed.
    """
    sums: dict[tuple[int | None, str], list[int]] = {}
    dialect = db.get_bind().dialect.name
    params = _params(cutoff, oe_id)
    sql = COUNTS_SQL.format(judged=judged_cte(oe_id is not None, dialect))
    if oe_id is None and dialect == "postgresql":
        low, high = person_ids if person_ids is not None else db.execute(select(*person_id_range())).one()
        if low is not None and high - low >= HALVES_FROM:
            sql = COUNTS_IN_HALVES_SQL.format(**{
                name: COUNTS_SQL.format(judged=judged_cte(False, dialect, half))
                for name, half in (("lower", "<="), ("upper", ">"))
            })
            params["split"] = (low + high) // 2
    if dialect == "postgresql":
        statement, params = _with_literals(sql, params), {}
    else:
        statement = _statement(sql)
    for org_unit_id, is_lead, is_first, *numbers in db.execute(statement, params).all():
        row = ROW_LEAD if int(is_lead) == 1 else ROW_STAFF
        values = [int(value) if value else 0 for value in numbers]
        keys = [(org_unit_id, row)] + ([(None, row)] if oe_id is None and int(is_first) == 1 else [])
        for key in keys:
            total = sums.get(key)
            sums[key] = values if total is None else [a + b for a, b in zip(total, values, strict=True)]
    result: dict[tuple[int | None, str], Counts] = {}
    for key, (persons, n_d, n_i, n_m, n_b, fulfilled, pending) in sums.items():
        result[key] = Counts(persons, n_d, n_i, n_m, n_b, fulfilled, persons - fulfilled, pending)
    return result


@dataclass(frozen=True)
class CellPerson:
    person_id: int
    fulfilled: bool
    pending: bool
    trainings_by_content: dict[str, int]


def cell_persons(db: Session, org_unit_id: int | None, row: str, cutoff: date = DEFAULT_CUTOFF) -> list[CellPerson]:
    """The persons behind one table row (org_unit_id None = citywide)."""
    sql = PERSONS_SQL.format(
        judged=judged_cte(org_unit_id is not None, db.get_bind().dialect.name),
        cell="j.is_first = 1" if org_unit_id is None else "j.org_unit_id = :oe_id",
    )
    rows = db.execute(_statement(sql), _params(cutoff, org_unit_id, is_lead=1 if row == ROW_LEAD else 0))
    return [
        CellPerson(
            person_id=r[0], fulfilled=bool(r[1]), pending=bool(r[2]),
            trainings_by_content=dict(zip(CONTENTS_ORDER, (int(v) for v in r[3:7]), strict=True)),
        )
        for r in rows
    ]


CONTENTS_ORDER = ("demokratisch", "interkulturell", "mehrsprachigkeit", "buergernah")


def cell_training_ids(db: Session, person_ids: Sequence[int], content: str, cutoff: date = DEFAULT_CUTOFF) -> list[int]:
    """Ids of the qualifying trainings with `content` of these persons (a table cell)."""
    if content not in CONTENTS or not person_ids:
        return []
    sql = (f"SELECT t.id FROM trainings t WHERE {qualifying_trainings_where()} AND t.c_{content} "
           f"AND t.person_id IN :ids ORDER BY t.completed_on, t.id")
    stmt = _statement(sql).bindparams(bindparam("ids", expanding=True))
    return list(db.scalars(stmt, {**_params(cutoff), "ids": list(person_ids)}))


def group_labels(groups: Iterable[str]) -> list[str]:
    return [TARGET_GROUPS[g] for g in TARGET_GROUPS if g in set(groups)]

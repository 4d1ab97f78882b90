"""Terms ("Termin") of measure rows: when is a row due, and when is its term passed?

The catalogue writes terms as text ("2024", "2022 bis 2026", "ab 2023", …). Every form
below has one meaning; a text that fits none is refused where it is entered (catalogue
import, measure edit) and raises `UnknownTerm` — never silently "overdue".

The rule (docs/measures.md, "Termine und „Termin überschritten“"):

* a term with an end is due on its last day — "2024" and "2022 bis 2024" on 31.12.2024,
  "bis 12/2025" on 31.12.2025, "3. Quartal 2025" on 30.09.2025;
* a standing task ("ab 2023", "fortlaufend", "laufend", "dauerhaft") has no end: never overdue;
* a row is overdue at a Stichtag when its due day lies *before* the Stichtag and its
  Erfüllungsstand is not "umgesetzt". On the due day itself the term is not yet passed:
  at the Stichtag 31.12.2026 a term "2022 bis 2026" is due, not overdue.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from portal.domain import DomainError

PLAN_END_YEAR = 2026  # the plan runs 2022 to 2026; a standing task is sorted with its last year

_YEAR = r"(20\d{2})"
_STANDING = re.compile(r"(?:(?:ab|seit) (?P<from>20\d{2})(?: fortlaufend| laufend| dauerhaft)?|fortlaufend|laufend|dauerhaft|"
                       r"kontinuierlich|Daueraufgabe)")
_QUARTER = re.compile(rf"(?:bis )?(?:(?P<n>[1-4])\. ?Quartal|Q(?P<q>[1-4])|(?P<roman>I{{1,3}}|IV)\. ?Quartal) ?/? ?{_YEAR}")
_HALF = re.compile(rf"(?:bis )?(?P<n>[12])\. ?Halbjahr ?/? ?{_YEAR}")
_MONTH = re.compile(rf"(?:bis )?(?:Ende )?(?P<m>0?[1-9]|1[0-2])/{_YEAR}")
_DAY = re.compile(rf"(?:bis )?(?:zum )?(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<m>0?[1-9]|1[0-2])\.{_YEAR}")
_RANGE = re.compile(rf"{_YEAR} ?(?:bis|–|-) ?{_YEAR}")
_UNTIL_YEAR = re.compile(rf"(?:bis (?:Ende )?|Ende ){_YEAR}")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}

FORMS_HINT = ("Möglich: „2024“, „2022 bis 2026“, „bis 2025“, „bis 12/2025“, „3. Quartal 2025“, „2. Halbjahr 2025“, "
              "„bis 30.06.2025“, „ab 2023“ oder „fortlaufend“.")


class UnknownTerm(DomainError):
    """A term in none of the known forms (German message)."""


@dataclass(frozen=True)
class Term:
    text: str
    due_on: date | None  # None: a standing task, never overdue
    sort_year: int  # the year the term ends (a standing task: its start year or the plan's last year)

    @property
    def standing(self) -> bool:
        return self.due_on is None

    def overdue(self, cutoff: date) -> bool:
        """Has the term passed at the Stichtag `cutoff` (before the done-check)?"""
        return self.due_on is not None and self.due_on < cutoff


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_term(text: str) -> Term:
    """The meaning of a term as written; raises UnknownTerm for any other form."""
    clean = " ".join((text or "").split())
    if m := re.fullmatch(_YEAR, clean):
        year = int(m.group(1))
        return Term(clean, date(year, 12, 31), year)
    if m := _RANGE.fullmatch(clean):
        start, end = int(m.group(1)), int(m.group(2))
        if start > end:
            raise UnknownTerm(f"Der Termin „{clean}“ endet vor seinem Beginn.")
        return Term(clean, date(end, 12, 31), end)
    if m := _STANDING.fullmatch(clean):
        start = int(m.group("from")) if m.group("from") else PLAN_END_YEAR
        return Term(clean, None, max(start, PLAN_END_YEAR))
    if m := _UNTIL_YEAR.fullmatch(clean):
        year = int(m.group(1))
        return Term(clean, date(year, 12, 31), year)
    if m := _QUARTER.fullmatch(clean):
        quarter = int(m.group("n") or m.group("q") or _ROMAN[m.group("roman")])
        year = int(m.group(4))
        return Term(clean, _last_day(year, quarter * 3), year)
    if m := _HALF.fullmatch(clean):
        year = int(m.group(2))
        return Term(clean, _last_day(year, 6 * int(m.group("n"))), year)
    if m := _MONTH.fullmatch(clean):
        year = int(m.group(2))
        return Term(clean, _last_day(year, int(m.group("m"))), year)
    if m := _DAY.fullmatch(clean):
        year = int(m.group(3))
        try:
            return Term(clean, date(year, int(m.group("m")), int(m.group("d"))), year)
        except ValueError:
            raise UnknownTerm(f"Den Tag im Termin „{clean}“ gibt es nicht.") from None
    raise UnknownTerm(f"Der Termin „{clean}“ ist nicht lesbar. {FORMS_HINT}" if clean else f"Bitte geben Sie den Termin an. {FORMS_HINT}")


def is_overdue(term_text: str, cutoff: date, done: bool) -> bool:
    """The rule of the list "Termin überschritten": term passed before the Stichtag and not done."""
    return not done and parse_term(term_text).overdue(cutoff)

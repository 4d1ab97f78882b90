"""The chapter-2 fact sheet ("Zahlen – Daten – Fakten") of one body for a span of time,
counted from the records, and the Handlungsplan's rules checked against them.

Rules (annex 1 of the Handlungsplan, section 5 and 3.2):
* the Koordinierungsgruppe meets at least twice a year, an Arbeitsgruppe at least three times;
* an Arbeitsgruppe has at most 20 members;
* a body led by one person has a deputy (a body led by two people rotates instead);
* a joint Fachaustausch of all bodies takes place at least every two years.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.gremien import AFFILIATIONS, GremiumLead, GremiumMeeting, GremiumMember, GremiumNote
from portal.models.measure import WorkingGroup

# the bodies were formed at the end of 2022 (Zwischenbericht, chapter 1)
BODIES_FORMED = date(2022, 11, 1)
MIN_MEETINGS = {"KG": 2}
MIN_MEETINGS_AG = 3
MAX_MEMBERS_AG = 20
FACHAUSTAUSCH_YEARS = 2


@dataclass
class FactSheet:
    group: WorkingGroup
    start: date
    end: date
    leads: list[GremiumLead]
    deputies: list[GremiumLead]
    members: int
    by_affiliation: dict[str, int]  # affiliation code → count (only those present), in AFFILIATIONS order
    city_units: list[str]  # the named Ämter/Eigenbetriebe of the city members
    other_names: dict[str, list[str]]  # affiliation → organisation names (shown for "Sonstige")
    meetings: list[GremiumMeeting]
    fachaustausch: list[GremiumMeeting]
    topics: list[str]
    guests: list[tuple[str, str]]  # (name, topic)
    notes: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.group.code == "KG":
            return "Koordinierungsgruppe"
        number = self.group.code.removeprefix("AG")
        fields = "; ".join(f.name for f in self.group.fields)
        return f"Arbeitsgruppe {number} (AG {number}) – Handlungsfelder {fields}"

    @property
    def meeting_count(self) -> int:
        return len(self.meetings)

    @property
    def topic_count(self) -> int:
        return len(self.topics)

    @property
    def guest_count(self) -> int:
        return len(self.guests)

    def affiliation_lines(self) -> list[tuple[str, int, str]]:
        """("davon aus der Landeshauptstadt Dresden", 15, "") … as the seed writes them."""
        lines = []
        for code, count in self.by_affiliation.items():
            label = {"stadtverwaltung": "davon aus der Landeshauptstadt Dresden",
                     "freie_traeger": "davon von freien Trägern",
                     "behoerden": "davon von kooperierenden Behörden",
                     "migrantenorganisationen": "davon von Migrantenorganisationen",
                     "sonstige": "davon Sonstige"}[code]
            names = ", ".join(self.other_names.get(code, [])) if code == "sonstige" else ""
            lines.append((label, count, names))
        return lines


def _overlaps(start: date, end: date, since: date, until: date | None) -> bool:
    return since <= end and (until is None or until >= start)


def fact_sheet(db: Session, group: WorkingGroup, start: date, end: date) -> FactSheet:
    """The body's figures for the days start..end (inclusive)."""
    members = [m for m in db.scalars(select(GremiumMember).where(GremiumMember.working_group_id == group.id)
                                     .order_by(GremiumMember.id))
               if _overlaps(start, end, m.joined_on, m.left_on)]
    leads = [lead for lead in db.scalars(select(GremiumLead).where(GremiumLead.working_group_id == group.id)
                                         .order_by(GremiumLead.valid_from, GremiumLead.id))
             if _overlaps(start, end, lead.valid_from, lead.valid_to)]
    meetings = list(db.scalars(select(GremiumMeeting).where(
        GremiumMeeting.working_group_id == group.id, GremiumMeeting.held_on >= start,
        GremiumMeeting.held_on <= end).order_by(GremiumMeeting.held_on, GremiumMeeting.id)))
    counts: dict[str, int] = {}
    city_units: list[str] = []
    other_names: dict[str, list[str]] = {}
    for member in members:
        counts[member.affiliation] = counts.get(member.affiliation, 0) + 1
        origin = member.origin
        if member.affiliation == "stadtverwaltung":
            if origin and origin not in city_units:
                city_units.append(origin)
        elif origin and origin not in other_names.setdefault(member.affiliation, []):
            other_names[member.affiliation].append(origin)
    sessions = [m for m in meetings if m.kind == "sitzung"]
    notes = [n.text for n in db.scalars(select(GremiumNote).where(
        GremiumNote.working_group_id == group.id, GremiumNote.year >= start.year, GremiumNote.year <= end.year)
        .order_by(GremiumNote.year, GremiumNote.id))]
    sheet = FactSheet(
        group=group, start=start, end=end,
        leads=[lead for lead in leads if lead.role == "leitung"],
        deputies=[lead for lead in leads if lead.role == "stellvertretung"],
        members=len(members),
        by_affiliation={code: counts[code] for code in AFFILIATIONS if code in counts},
        city_units=city_units, other_names=other_names,
        meetings=sessions, fachaustausch=[m for m in meetings if m.kind == "fachaustausch"],
        topics=[t.text for m in sessions for t in m.topics],
        guests=[(g.name, g.topic) for m in sessions for g in m.guests],
        notes=notes,
    )
    sheet.warnings = rule_warnings(db, sheet)
    return sheet


def rule_warnings(db: Session, sheet: FactSheet) -> list[str]:
    is_kg = sheet.group.code == "KG"
    minimum = MIN_MEETINGS.get(sheet.group.code, MIN_MEETINGS_AG)
    warnings = []
    for year in range(sheet.start.year, sheet.end.year + 1):
        if date(year, 1, 1) < sheet.start or date(year, 12, 31) > sheet.end:
            continue  # only whole calendar years are checked
        held = sum(1 for m in sheet.meetings if m.held_on.year == year)
        if held < minimum:
            body = "Die Koordinierungsgruppe" if is_kg else "Eine Arbeitsgruppe"
            warnings.append(f"{year}: {held} Sitzung{'' if held == 1 else 'en'} – {body} tagt laut Handlungsplan "
                            f"mindestens {'zweimal' if minimum == 2 else 'dreimal'} im Jahr.")
    if not is_kg and sheet.members > MAX_MEMBERS_AG:
        warnings.append(f"{sheet.members} Mitglieder – die Mitgliederzahl einer Arbeitsgruppe sollte "
                        f"{MAX_MEMBERS_AG} Personen nicht übersteigen.")
    if not sheet.leads:
        warnings.append("Keine Leitung eingetragen.")
    elif _single_lead_without_deputy(sheet):
        warnings.append("Keine Stellvertretung – wird ein Gremium von einer Person geleitet, "
                        "braucht es eine stellvertretende Person.")
    since = date(sheet.end.year - FACHAUSTAUSCH_YEARS, sheet.end.month, min(sheet.end.day, 28))
    joint = db.scalar(select(GremiumMeeting.id).where(
        GremiumMeeting.kind == "fachaustausch", GremiumMeeting.held_on > since,
        GremiumMeeting.held_on <= sheet.end).limit(1))
    if joint is None:
        warnings.append("Kein gemeinsamer Fachaustausch in den letzten zwei Jahren – er findet laut Handlungsplan "
                        "mindestens alle zwei Jahre statt.")
    return warnings


def _single_lead_without_deputy(sheet: FactSheet) -> bool:
    """True when on some day of the span one person leads and nobody deputises."""
    days = sorted({max(sheet.start, lead.valid_from) for lead in sheet.leads + sheet.deputies} | {sheet.start})
    for day in days:
        if day > sheet.end:
            continue
        leading = [x for x in sheet.leads if _overlaps(day, day, x.valid_from, x.valid_to)]
        deputies = [x for x in sheet.deputies if _overlaps(day, day, x.valid_from, x.valid_to)]
        if len(leading) == 1 and not deputies:
            return True
    return False


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)

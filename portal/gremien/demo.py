"""Demo records of the bodies with the figures of the interim report's chapter 2
(Zwischenbericht, reporting span SEED_START..SEED_END): entered as members, leads,
meetings, topics, guests and notes, so the fact sheet counts the seed's numbers."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.gremien import services
from portal.gremien.facts import BODIES_FORMED
from portal.models.gremien import GremiumMeeting
from portal.models.measure import ActionField, Measure, WorkingGroup

SEED_START, SEED_END = date(2022, 11, 1), date(2025, 6, 30)
LEAD_CHANGE = date(2025, 1, 1)

WINKLER = dict(name="Kristina Winkler", function="Integrations- und Ausländerbeauftragte",
               organisation="Integrations- und Ausländerbeauftragte", phone="0351 4 88 21 30",
               email="KWinkler@dresden.de")
LEADS = {
    "KG": [(WINKLER, BODIES_FORMED)],
    "AG1": [(dict(name="Philipp Schäfer", function="Abteilungsleiter Interner Service/Grundsatz/Sozialplanung",
                  organisation="Sozialamt", phone="4 88 49 20", email="PSchaefer1@dresden.de"), LEAD_CHANGE),
            (dict(name="Heike Lingstedt", function="Stabsstelle Fachkräftestrategie",
                  organisation="Amt für Wirtschaftsförderung", phone="4 88 87 26", email="HLingstedt@dresden.de"),
             LEAD_CHANGE)],
    "AG2": [(dict(name="Luciana Marinho Schollmeier", function="SGL Arbeitsweltbezogene Jugendsozialarbeit",
                  organisation="Jugendamt", phone="0351 4 88 56 96", email="lmarinhoschollmeier@dresden.de"),
             BODIES_FORMED),
            (dict(name="Silke Hundeck", function="SB*in Qualitäts- und Projektmanagement",
                  organisation="Amt für Kindertagesbetreuung", phone="0351 4 88 50 67", email="shundeck@dresden.de"),
             BODIES_FORMED)],
    "AG3": [(WINKLER, LEAD_CHANGE)],
}

# (affiliation, organisation, how many)
MEMBERS = {
    "KG": [("stadtverwaltung", "alle Büros der Geschäftsbereiche", 7),
           ("stadtverwaltung", "Stadtbezirksamt Dresden Plauen/Cotta", 1),
           ("stadtverwaltung", "Amt für Stadtstrategie, Internationales und Bürgerschaft", 1),
           ("stadtverwaltung", "Gesamtpersonalrat", 1),
           ("stadtverwaltung", "Leiter/Leiterinnen der Arbeitsgruppen 1 bis 3", 4),
           ("stadtverwaltung", "Integrations- und Ausländerbeauftragte", 1),
           ("sonstige", "Integrations- und Ausländerbeirat", 1)],
    "AG1": [("stadtverwaltung", "Sozialamt", 3), ("stadtverwaltung", "Amt für Wirtschaftsförderung", 1),
            ("stadtverwaltung", "Bürgeramt", 1), ("stadtverwaltung", "Amt für Stadtplanung und Mobilität", 1),
            *[("freie_traeger", org, 1) for org in (
                "Ausländerrat Dresden e. V.", "SUFW e. V.", "AWO Sonnenstein gGmbH", "Caritasverband für Dresden e. V.",
                "Cabana, ÖIZ Dresden e. V.", "Sächsischer Flüchtlingsrat e. V.", "IQ-Netzwerk Sachsen",
                "Regionalkoordination Migrationssozialarbeit Mitte", "Regionalkoordination Migrationssozialarbeit Nord",
                "Regionalkoordination Migrationssozialarbeit West", "Regionalkoordination Migrationssozialarbeit Süd",
                "Arbeit und Leben Sachsen e. V.", "Antidiskriminierungsbüro Dresden", "Quartiersmanagement Dresden-Prohlis",
                "Willkommen in Löbtau e. V.")],
            ("behoerden", "Agentur für Arbeit Dresden", 1), ("behoerden", "Jobcenter Dresden", 1),
            ("behoerden", "Bundesamt für Migration und Flüchtlinge", 1)],
    "AG2": [("stadtverwaltung", "Amt für Kindertagesbetreuung", 2), ("stadtverwaltung", "Jugendamt", 3),
            ("stadtverwaltung", "Amt für Schulen", 2), ("stadtverwaltung", "Sozialamt", 1),
            ("stadtverwaltung", "Eigenbetrieb Kindertageseinrichtung", 1),
            ("stadtverwaltung", "Amt für Gesundheit und Prävention", 1),
            *[("freie_traeger", org, 1) for org in (
                "Ausländerrat Dresden e. V., Familienarbeit", "Ausländerrat Dresden e. V., Fachstelle Migration/MOBA",
                "Kolibri e. V.", "Caritasverband für Dresden e. V.", "Deutsche Kinder- und Jugendstiftung, Sachsen",
                "KALEB e. V.", "Puzzle des Omse e. V.", "Schulsozialarbeit", "AFROPA e. V.",
                "Willkommen in Johannstadt", "Quartiersmanagement Dresden-Gorbitz")],
            ("behoerden", "Landesamt für Schule und Bildung", 1),
            ("sonstige", "Fach-AG Junge Migrant*innen", 1)],
    "AG3": [("stadtverwaltung", "Eigenbetrieb Sportstätten", 1), ("stadtverwaltung", "Städtische Bibliotheken", 2),
            ("stadtverwaltung", "Amt für Gesundheit und Prävention", 1), ("stadtverwaltung", "Sozialamt", 3),
            ("stadtverwaltung", "Jugendamt", 2), ("stadtverwaltung", "Amt für Stadtplanung und Mobilität", 1),
            *[("freie_traeger", org, 1) for org in (
                "StadtSportBund Dresden e. V.", "Ausländerrat Dresden e. V.", "Kulturbüro Dresden e. V.",
                "Internationale Praxis", "Psychosoziales Zentrum Dresden",
                "AG Gesundheitsförderung für Frauen* mit Migrationserfahrung", "Aktion Zivilcourage e. V.")],
            ("migrantenorganisationen", "Iranischer Kulturverein Sachsen e. V.", 1),
            ("migrantenorganisationen", "Prohlis ist bunt", 1),
            ("sonstige", "Integrations- und Ausländerbeirat", 1)],
}

# (field code, measure numbers) per listed topic: the seed's "Umsetzung der Maßnahmen …"
TOPICS = {
    "KG": [("Auswertung der Befragung „Zugangshemmisse für Migrant*innen zu den Angeboten und Dienstleistungen der "
            "Stadtverwaltung 2023“, Diskussion und Ableitung von Handlungsansätzen", ("teilhabe", (10, 11, 12))),
           ("Umsetzung des Diversitätskonzeptes der Stadtverwaltung", ("verwaltung", (3,))),
           ("Impulse für die Zusammenarbeit der Stadtverwaltung mit Migrantenorganisationen", ("verwaltung", (1, 14))),
           ("Interkulturelle Öffnung der Ausländerbehörde", ("verwaltung", (25, 26, 27))),
           *[(f"Sachstand zur Umsetzung des Aktionsplans, Teil {n}", None) for n in range(1, 8)]],
    "AG1": [("Arbeitsstand der Maßnahmen des Handlungsfeldes Arbeit, Wirtschaft, Berufsausbildung und Studium", None),
            ("Arbeitsstand der Maßnahmen des Handlungsfeldes Wohnen", None),
            ("Beteiligung und Auswertung der Befragung „Zugangshemmnisse für Migrant*innen zu den Angeboten und "
             "Dienstleistungen der Stadtverwaltung 2023“, Diskussion und Ableitung von Handlungsansätzen", None),
            *[(f"Sachstand der Maßnahmen der AG 1, Teil {n}", None) for n in range(1, 11)]],
    "AG2": [("Sachstände zur Umsetzung Maßnahmen des Handlungsfeldes Frühkindliche Bildung", None),
            ("Sachstände zur Umsetzung Maßnahmen des Handlungsfeldes Schulische Bildung", None),
            ("Beteiligung und Auswertung der Befragung „Zugangshemmnisse für Migrant*innen zu den Angeboten und "
             "Dienstleistungen der Stadtverwaltung 2023“, Diskussion und Ableitung von Handlungsansätzen", None)],
    "AG3": [("Vorbereitung der Wahl des Integrations- und Ausländerbeirates", ("teilhabe", (4, 5, 6, 7))),
            ("Vorstellung des Konzeptes und der Umsetzung des „Anonymen Krankenscheins“ in anderen "
             "Städten/Bundesländern", ("gesundheit-sport", (10,))),
            ("Einbindung von zugewanderten Menschen in Prozesse der Stadtplanung/Stadtentwicklung "
             "(Bürgerbeteiligung)", ("verwaltung", (13,))),
            ("Beteiligung und Auswertung der Befragung „Zugangshemmisse für Migrant*innen zu den Angeboten und "
             "Dienstleistungen der Stadtverwaltung 2023“", ("teilhabe", (10, 11, 12))),
            ("Vorstellung der Befragung zum Sportverhalten", None),
            *[(f"Sachstand der Maßnahmen der AG 3, Teil {n}", None) for n in range(1, 10)]],
}
GUESTS = {
    "KG": ["Einsatz von leicht verständlicher Sprache in Wort und Schrift",
           "Einführung/Umsetzung von Diversitätskonzepten in den Eigenbetrieben (EB Kindertageseinrichtung und "
           "Städtisches Klinikum)",
           "Vorstellung des neuen Konzeptes des Welcome Centers Dresden, Willkommenslotzen",
           "Vorstellung der Digitalisierungsstrategie der Landeshauptstadt Dresden im Kontext von Bürgernähe, "
           "Abbau von Zugangshemmnissen",
           *[f"Fachinput {n}" for n in range(1, 8)]],
    "AG1": ["Vorstellung Masterplan Prohlis", "Vorstellung Projekt „Perspektive Bleiberecht Dresden“",
            "Arbeitsstand der Maßnahmen des Handlungsfeldes Spracherwerb und Sprachförderung", "Fachinput 1"],
    "AG2": ["Kinderschutz und prekäre Lebenslagen", "Schutzaspekte in Unterkünften für geflüchtete Menschen",
            "Vorstellung Handwerkskoffer „Berufliche Orientierung und Migration“",
            *[f"Fachinput {n}" for n in range(1, 7)]],
    "AG3": ["Interkulturelle Öffnung der Kommunalen Bürgerumfrage 2024",
            "Verbesserung der kommunalpolitischen Beteiligungsrechte des Integrations- und Ausländerbeirates und "
            "seiner Ressourcenausstattung",
            "Arbeit und Fortführung der Internationalen Praxis",
            "Interkulturelle Öffnung des Amtes für Kultur und Denkmalschutz",
            *[f"Fachinput {n}" for n in range(1, 8)]],
}
# meetings per year 2023, 2024, first half of 2025
MEETINGS = {"KG": (4, 4, 1), "AG1": (3, 3, 2), "AG2": (3, 3, 1), "AG3": (4, 3, 2)}
NOTES = {
    "KG": [(2024, "Vorbereitung und Auswertung des Fachtags zur Umsetzung des Aktionsplans am 13.11.2024")],
    "AG1": [(2024, "Entwicklungen der Zuwanderung und ausstehende Gesetzesänderung des Sächsischen Integrations- und "
                   "Teilhabegesetzes (SITG)"),
            (2024, "Vorstellung Dresden Welcome Center"), (2024, "Integration in Arbeit und Beschäftigung"),
            (2025, "Wechsel der AG-Leitung zum 1. Januar 2025")],
    "AG2": [(2024, "Diskriminierung – vorurteilsbewusste und diskriminierungssensible Konzepte zum institutionellen "
                   "Kinderschutz in Schulen"),
            (2024, "Migration und Schule - aktuelle Situation in Dresden"),
            (2024, "Familienschulzentren - Weiterentwicklung von stark herausgeforderten Grund- und Förderschulen in "
                   "Dresden und Entwicklungen und Herausforderungen an der 121. Oberschule")],
    "AG3": [(2024, "Vorstellung Konzept „Haus der Brücke“"), (2025, "Wechsel der AG-Leitung zum 1. Januar 2025")],
}
FACHAUSTAUSCH_ON = date(2024, 11, 13)


def _meeting_days(per_year: tuple[int, int, int]) -> list[date]:
    days = []
    for year, count in zip((2023, 2024, 2025), per_year, strict=True):
        months = 6 if year == 2025 else 12
        for i in range(count):
            days.append(date(year, 1 + (i * months) // max(count, 1), 15) + timedelta(days=i))
    return days


def _measures(db: Session, ref: tuple[str, tuple[int, ...]] | None) -> list[int]:
    if ref is None:
        return []
    code, numbers = ref
    return list(db.scalars(select(Measure.id).join(ActionField).where(
        ActionField.code == code, Measure.number.in_(numbers), Measure.part == "")))


def load_seed_bodies(db: Session) -> int:
    """Enter the seed's bodies; returns the number of meetings added (0 when already there)."""
    if db.scalar(select(GremiumMeeting.id).limit(1)) is not None:
        return 0
    groups = {g.code: g for g in db.scalars(select(WorkingGroup))}
    added = 0
    for code, group in sorted(groups.items()):
        if code not in MEMBERS:
            continue
        for person, since in LEADS[code]:
            services.add_lead(db, group, {**person, "role": "leitung", "valid_from": since})
        number = 0
        for affiliation, organisation, count in MEMBERS[code]:
            for _ in range(count):
                number += 1
                services.add_member(db, group, {"name": f"Mitglied {number}", "affiliation": affiliation,
                                                "organisation": organisation, "joined_on": BODIES_FORMED})
        days = _meeting_days(MEETINGS[code])
        meetings = [services.add_meeting(db, group, "sitzung", day) for day in days]
        for i, (text, ref) in enumerate(TOPICS[code]):
            services.add_topic(db, meetings[i % len(meetings)], text, _measures(db, ref))
        for i, topic in enumerate(GUESTS[code]):
            services.add_guest(db, meetings[i % len(meetings)], f"Referent*in {i + 1}", topic)
        for year, text in NOTES[code]:
            services.add_note(db, group, year, text)
        added += len(meetings)
    if "KG" in groups:
        services.add_meeting(db, groups["KG"], "fachaustausch", FACHAUSTAUSCH_ON, location="Neues Rathaus")
    return added


def load_demo(db: Session) -> str:
    return f"Gremien: {load_seed_bodies(db)} Sitzungen neu"

"""Chapter 2 of the interim report, entered as records, counted back by the fact sheet."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.gremien import demo, facts, services
from portal.models.measure import WorkingGroup

# the seed's figures: members, origin, meetings, topics, guests, Sonstiges (AG 2 leaves the
# topic count blank in the seed; its three listed topics are entered)
SEED = {
    "KG": dict(members=16, origin={"stadtverwaltung": 15, "sonstige": 1}, meetings=9, topics=11, guests=11, notes=1,
               leads=["Kristina Winkler"]),
    "AG1": dict(members=24, origin={"stadtverwaltung": 6, "freie_traeger": 15, "behoerden": 3}, meetings=8, topics=13,
                guests=4, notes=4, leads=["Philipp Schäfer", "Heike Lingstedt"]),
    "AG2": dict(members=23, origin={"stadtverwaltung": 10, "freie_traeger": 11, "behoerden": 1, "sonstige": 1},
                meetings=7, topics=3, guests=9, notes=3, leads=["Luciana Marinho Schollmeier", "Silke Hundeck"]),
    "AG3": dict(members=20, origin={"stadtverwaltung": 10, "freie_traeger": 7, "migrantenorganisationen": 2,
                                    "sonstige": 1}, meetings=9, topics=14, guests=11, notes=2, leads=["Kristina Winkler"]),
}
UNITS = {
    "KG": ["alle Büros der Geschäftsbereiche", "Stadtbezirksamt Dresden Plauen/Cotta",
           "Amt für Stadtstrategie, Internationales und Bürgerschaft", "Gesamtpersonalrat",
           "Leiter/Leiterinnen der Arbeitsgruppen 1 bis 3"],
    "AG1": ["Sozialamt", "Amt für Wirtschaftsförderung", "Bürgeramt", "Amt für Stadtplanung und Mobilität"],
    "AG2": ["Amt für Kindertagesbetreuung", "Jugendamt", "Amt für Schulen", "Sozialamt",
            "Eigenbetrieb Kindertageseinrichtung", "Amt für Gesundheit und Prävention"],
    "AG3": ["Eigenbetrieb Sportstätten", "Städtische Bibliotheken", "Amt für Gesundheit und Prävention", "Sozialamt",
            "Jugendamt", "Amt für Stadtplanung und Mobilität"],
}


def _sheets(db):
    demo.load_seed_bodies(db)
    db.flush()
    groups = {g.code: g for g in db.scalars(select(WorkingGroup))}
    return {code: facts.fact_sheet(db, groups[code], demo.SEED_START, demo.SEED_END) for code in SEED}


@pytest.mark.parametrize("code", sorted(SEED))
def test_the_seed_figures_come_back(app, db, code):
    with app.app_context():
        sheet = _sheets(db)[code]
    expected = SEED[code]
    assert sheet.members == expected["members"]
    assert sheet.by_affiliation == expected["origin"]
    assert sum(sheet.by_affiliation.values()) == sheet.members
    assert sheet.meeting_count == expected["meetings"]
    assert sheet.topic_count == expected["topics"]
    assert sheet.guest_count == expected["guests"]
    assert len(sheet.notes) == expected["notes"]
    assert [lead.name for lead in sheet.leads] == expected["leads"]
    for unit in UNITS[code]:
        assert unit in sheet.city_units


def test_the_handlungsplan_rules_are_checked(app, db):
    with app.app_context():
        sheets = _sheets(db)
    assert not any("Sitzung" in w for s in sheets.values() for w in s.warnings)  # 2023 and 2024 are complete
    assert any("24 Mitglieder" in w for w in sheets["AG1"].warnings)
    assert any("23 Mitglieder" in w for w in sheets["AG2"].warnings)
    assert not any("Mitglieder" in w for w in sheets["AG3"].warnings)  # 20 is allowed
    assert not any("Mitglieder" in w for w in sheets["KG"].warnings)  # the rule is for the AGs
    # one lead without a deputy: KG and AG 3; two rotating leads need none
    assert any("Stellvertretung" in w for w in sheets["KG"].warnings)
    assert any("Stellvertretung" in w for w in sheets["AG3"].warnings)
    assert not any("Stellvertretung" in w for w in sheets["AG1"].warnings)
    assert not any("Fachaustausch" in w for s in sheets.values() for w in s.warnings)


def test_too_few_meetings_and_no_fachaustausch(app, db):
    with app.app_context():
        groups = {g.code: g for g in db.scalars(select(WorkingGroup))}
        kg, ag2 = groups["KG"], groups["AG2"]
        services.add_meeting(db, kg, "sitzung", date(2021, 3, 1))
        services.add_meeting(db, ag2, "sitzung", date(2021, 3, 1))
        services.add_meeting(db, ag2, "sitzung", date(2021, 6, 1))
        services.add_lead(db, ag2, {"name": "A", "role": "leitung", "valid_from": date(2021, 1, 1)})
        services.add_lead(db, ag2, {"name": "B", "role": "stellvertretung", "valid_from": date(2021, 1, 1)})
        kg_sheet = facts.fact_sheet(db, kg, *facts.year_span(2021))
        ag_sheet = facts.fact_sheet(db, ag2, *facts.year_span(2021))
    assert any(w.startswith("2021: 1 Sitzung –") and "zweimal" in w for w in kg_sheet.warnings)
    assert any(w.startswith("2021: 2 Sitzungen –") and "dreimal" in w for w in ag_sheet.warnings)
    assert "Keine Leitung eingetragen." in kg_sheet.warnings
    assert not any("Stellvertretung" in w for w in ag_sheet.warnings)
    assert any("Fachaustausch" in w for w in ag_sheet.warnings)


def test_a_lead_change_is_kept_with_its_dates(app, db):
    with app.app_context():
        group = db.scalar(select(WorkingGroup).where(WorkingGroup.code == "AG3"))
        services.add_lead(db, group, {"name": "Alt", "role": "leitung", "valid_from": date(2023, 1, 1),
                                      "valid_to": date(2024, 12, 31)})
        services.add_lead(db, group, {"name": "Neu", "role": "leitung", "valid_from": date(2025, 1, 1)})
        assert [x.name for x in facts.fact_sheet(db, group, *facts.year_span(2024)).leads] == ["Alt"]
        assert [x.name for x in facts.fact_sheet(db, group, *facts.year_span(2025)).leads] == ["Neu"]

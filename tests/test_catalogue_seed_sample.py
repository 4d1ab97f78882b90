"""A second reading of the shipped catalogue against chapter 3 of the seed: 24 measures,
at least two from every field of action, every column of the council table.

Responsibility text, deadline and priority of all 144 measures were compared with the seed
by a script; these samples pin the parsed form (lead OEs, mode, "alle …" scope,
participants). Where the seed names several OEs without "(federführend …)" the first one
leads and the others take part — except the seven rows that name several responsible OEs
(or "alle …") without any lead marker, such as Kinder- und Jugendhilfe 4 ("Amt 51, 53, …"):
their lead stays "nicht festgelegt", as in the plan.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

PLAN = json.loads((Path(__file__).resolve().parents[1] / "portal/data/catalogue/aktionsplan-2022-2026.json").read_text("utf-8"))
BY_KEY = {(m["field"], m["part"], m["number"]): m for m in PLAN["measures"]}

# (field, part, Nr., title starts with, [(lead OEs, mode, alle-scope, participants, Termin, Priorität) per row])
SAMPLES = [
    ('sprache', None, '1', 'Bereitstellung von Informationen zu Sprachkursen i',
     [(['INAUSLB'], 'federführend', None, 'Amt 50, BAMF, weitere Beteiligte', '2022 bis 2026', 'hoch')]),
    ('sprache', None, '5', 'Sensibilisierung für die Schaffung bzw. den Ausbau',
     [(['BMBS', 'INAUSLB'], 'federführend im Zuständigkeitsbereich', None, 'Amt 50, JC, BAMF, AA, Sprachkursträger, Fachstelle Migration und Behinderung, weitere Beteiligte', '2022 bis 2023', 'sehr hoch')]),
    ('arbeit', None, '7', 'Etablierung und Ausbau einer systematischen Zusamm',
     [(['Amt 50', 'GB 5'], 'federführend im Zuständigkeitsbereich', None, 'INAUSLB, Beratungsangebote der Integrationsarbeit, Angebote zur Arbeitsmarktintegration, ehrenamtliche Stadtteilbündnisse, FKAD, Antidiskriminierungsbüro Dresden, Migrantenorganisationen, weitere Beteiligte', '2022 bis 2026', 'hoch')]),
    ('arbeit', None, '12', 'Prüfung der Möglichkeiten für die Schaffung eines ',
     [(['Amt 33'], 'federführend', None, 'INAUSLB, SFR e. V., weitere Beteiligte', '2022 bis 2025', 'sehr hoch')]),
    ('wohnen', None, '6', 'Monitoring und Evaluation der Faktoren und Mechani',
     [(['Amt 61', 'Stadtbezirksämter'], 'federführend im Zuständigkeitsbereich', None, 'Bildungsbüro GB 5, Amt 33, Amt 50, AG Sozialmonitoring, QM, weitere Beteiligte', '2022 bis 2023', 'sehr hoch')]),
    ('wohnen', None, '7', 'Entwicklung stadtteilbezogener „Masterpläne 2030“ ',
     [(['Stadtbezirksämter'], 'federführend', None, 'Amt 15, Amt 33, Amt 40, Amt 41, Amt 42, Amt 43, Amt 50, Amt 51, Amt 53, EB 55, Amt 58, Amt 61, Bildungsbüro, BEAUFTR, AG Sozialmonitoring, QM, Antidiskriminierungsbüro Dresden, Migrantenorganisationen, ehrenamtliche Stadtteilbündnisse, weitere Beteiligte', 'ab 2022', 'sehr hoch')]),
    ('fruehe-bildung', None, '4', 'inklusive Weiterentwicklung von Einrichtungskonzep',
     [(['EB 55'], 'federführend', None, 'Amt 58, Netzwerk QE, Kinder- und Elternzentrum „Kolibri“ e. V., weitere Beteiligte', '2022 bis 2026', 'sehr hoch')]),
    ('fruehe-bildung', None, '10', 'Entwicklung, Erprobung und Evaluation eines Kooper',
     [(['Amt 58'], 'federführend', None, 'EB 55, Bildungsbüro, Akteur*innen der frühen Bildung, Migrantenorganisationen, Beratungsangebote der Integrationsarbeit, VIAA e. V., weitere Beteiligte', '2022 bis 2025', 'hoch')]),
    ('schulische-bildung', None, '2', 'Aufbereitung von Informationen in einer leicht ver',
     [(['Amt 40'], 'federführend', None, 'Amt 13, Amt 58, Bildungsbüro, Beratungsangebote der Integrationsarbeit, Migrantenorganisationen, weitere Beteiligte', '2022 bis 2025', 'hoch')]),
    ('schulische-bildung', None, '15', 'Prüfung der Möglichkeiten für einen nachholenden S',
     [(['Amt 51'], 'federführend', None, 'AA, JC, Treberhilfe Dresden e. V., weitere Beteiligte', '2022 bis 2024', 'sehr hoch')]),
    ('jugendhilfe', None, '4', 'Schulungen und Beratungen zum Umgang mit dem Verda',
     [(['Amt 51', 'Amt 53'], 'nicht festgelegt', None, 'Träger der Erstaufnahmeeinrichtungen, Träger der Gemeinschaftsunterkünfte, weitere Beteiligte', '2022 bis 2026', 'hoch')]),
    ('jugendhilfe', None, '6', 'Schaffung der finanziellen Voraussetzungen für den',
     [(['Amt 51'], 'allein', None, None, '2022 bis 2023', 'sehr hoch')]),
    ('teilhabe', None, '8', 'Fortsetzung, Weiterentwicklung und Verfestigung de',
     [(['INAUSLB'], 'federführend', None, 'OB, Amt 15, Amt 41, VHS Dresden e. V., Zentralwerk e. V., Zentralwerk eG, Kulturbüro Dresden e. V., Migrantenvereine, weitere Beteiligte', '2022 bis 2025', 'sehr hoch')]),
    ('teilhabe', None, '15', 'Etablierung und Ausbau einer intersektionalen Zusa',
     [(['BEAUFTR'], 'allein', None, 'weitere Beteiligte', '2022 bis 2026', 'hoch')]),
    ('soziale-beratung', None, '5', 'Weiterentwicklung von Strategien und Fachplanungen',
     [(['Amt 50', 'BMBS'], 'federführend im Zuständigkeitsbereich', None, 'GB 5, weitere Beteiligte', '2022 bis 2026', 'sehr hoch')]),
    ('soziale-beratung', None, '7', 'Etablierung einer Kommunikations- und Arbeitsstruk',
     [(['Amt 50'], 'federführend', None, 'Amt 33, INAUSLB, Beratungsangebote der Integrationsarbeit', 'ab 2022', 'hoch')]),
    ('gesundheit-sport', 'Gesundheit', '8', 'Etablierung einer systematischen Zusammenarbeit de',
     [(['Amt 50'], 'federführend', None, '„PflegeNetz“ Dresden, Cultus gGmbH, Pflegekassen, Migrantenorganisationen, weitere Beteiligte', '2022 bis 2026', 'sehr hoch')]),
    ('gesundheit-sport', 'Sport', '11', 'Prüfung der Möglichkeiten für die Schaffung eines ',
     [(['Amt 50'], 'federführend', None, 'EB 52, SSB Dresden e. V., weitere Beteiligte', '2023 bis 2024', 'hoch')]),
    ('vielfalt', 'Kulturelle Vielfalt', '9', 'Etablierung neuer Veranstaltungsorte für die „Inte',
     [(['INAUSLB'], 'federführend', None, 'Ausländerrat Dresden e. V., Vorbereitungskreis IKT', 'ab 2022', 'hoch')]),
    ('vielfalt', 'Religiöse Vielfalt', '3', 'Unterstützung der Etablierung eines „Runden Tische',
     [(['INAUSLB'], 'allein', None, 'Gemeinden, VHS Dresden e. V., Evangelisch-Lutherische Landeskirche Sachsen, weitere Beteiligte', '2022 bis 2026', 'hoch')]),
    ('verwaltung', None, '5', 'Entwicklung und Umsetzung von Konzepten zur Förder',
     [([], 'nicht festgelegt', 'Eigenbetriebe', 'BEAUFTR', 'ab 2022', 'sehr hoch')]),
    ('verwaltung', None, '6', 'bereichsübergreifende Einführung einer leicht vers',
     [(['Amt 13'], 'allein', None, 'BMBS, alle Ämter und Eigenbetriebe', '2022 bis 2026', 'sehr hoch')]),
    ('verwaltung', None, '13', 'aktive Einbeziehung von zugewanderten Menschen in ',
     [(['Stadtbezirksämter', 'Amt 41', 'Amt 50', 'Amt 61'], 'federführend im Zuständigkeitsbereich', 'Ämter und Eigenbetriebe', 'Amt 15, Migrantenorganisationen, Beratungsangebote der Integrationsarbeit, IAB, DSM e. V., QM, ehrenamtliche Stadtteilbündnisse, weitere Beteiligte', '2022 bis 2026', 'sehr hoch')]),
    ('verwaltung', None, '28', 'Gewährleistung von Mehrsprachigkeit in der Integri',
     [(['Amt 37'], 'federführend', None, 'Amt 10, Träger der Rettungswachen, weitere Beteiligte', '2022 bis 2024', 'sehr hoch')]),
]


def test_samples_cover_every_field_twice():
    fields = [s[0] for s in SAMPLES]
    assert {f["code"] for f in PLAN["fields"]} == set(fields)
    assert min(fields.count(code) for code in set(fields)) >= 2 and len(SAMPLES) == 24


@pytest.mark.parametrize(("field", "part", "nr", "title", "rows"), SAMPLES, ids=[f"{s[0]}-{s[1] or ''}-{s[2]}" for s in SAMPLES])
def test_measure_as_in_the_seed(field, part, nr, title, rows):
    measure = BY_KEY[(field, part, nr)]
    assert measure["title"].startswith(title)
    got = [(r["lead_oes"], r["lead_mode"], r["lead_all_scope"] if r["lead_all_units"] else None, r["participants"], r["deadline"],
            r["priority"]) for r in measure["rows"]]
    assert got == [tuple(r) for r in rows]

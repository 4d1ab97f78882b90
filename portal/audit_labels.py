"""German words for the audit log's codes: actions, object types and the keys of the details.

The log stores stable codes (filters and exports rely on them); the pages show these words.
A test reads every action the code can write and fails on one without a word here."""
from __future__ import annotations

import json
from typing import Any

from portal.models.workflow import STATE_LABELS, State

SUBJECTS = {"training": "Nachweis", "selbstcheck": "Selbstcheck", "measure_report": "Maßnahmenbericht"}

ACTIONS = {
    "login": "Anmeldung", "login_failed": "Anmeldung fehlgeschlagen", "login_throttled": "Anmeldung gesperrt (zu viele Versuche)",
    "login_directory_unavailable": "Anmeldung: Verzeichnisdienst nicht erreichbar", "logout": "Abmeldung",
    "org_unit_created": "OE angelegt", "org_unit_updated": "OE geändert", "org_unit_retired": "OE aufgelöst",
    "org_unit_reactivated": "OE wieder aktiv", "org_units_imported": "OE-Liste eingelesen",
    "person_created": "Person angelegt", "person_exported": "Daten einer Person ausgegeben",
    "roster_entry_added": "Eintrag in die Zielgruppenliste", "roster_entry_changed": "Eintrag der Zielgruppenliste geändert",
    "roster_entry_deleted": "Eintrag der Zielgruppenliste gelöscht", "roster_imported": "Zielgruppenliste eingelesen",
    "trainings_imported": "Schulungen eingelesen", "certificate_uploaded": "Nachweis hochgeladen",
    "certificate_downloaded": "Nachweis-Datei heruntergeladen", "certificate_scanned": "Nachweis-Datei auf Viren geprüft",
    "certificate_files_purged": "Nachweis-Dateien nach Ablauf der Frist gelöscht",
    "compliance_exported": "Auswertungstabelle ausgegeben",
    "selbstcheck_created": "Selbstcheck angelegt", "selbstcheck_draft_saved": "Selbstcheck-Entwurf gespeichert",
    "selbstcheck_pdf": "Selbstcheck als PDF ausgegeben", "selbstcheck_overview_export": "Selbstcheck-Übersicht ausgegeben",
    "questionnaire_bands_changed": "Farbskala des Fragebogens geändert",
    "catalogue_exported": "Maßnahmenkatalog ausgegeben", "catalogue_imported": "Maßnahmenkatalog eingelesen",
    "catalogue_corrected": "Maßnahmenkatalog berichtigt", "measure_updated": "Maßnahme geändert",
    "measure_row_updated": "Maßnahmenteil geändert", "measure_report_saved": "Maßnahmenbericht gespeichert",
    "group_assessment_set": "Bewertung der Arbeitsgruppe gespeichert",
    "reporting_period_created": "Berichtszeitraum angelegt", "reporting_period_opened": "Berichtszeitraum geöffnet",
    "reporting_period_closed": "Berichtszeitraum geschlossen", "council_table_exported": "Ratstabelle ausgegeben",
    "review_bulk_decision": "Sammelentscheidung", "dossier_exported": "Dossier ausgegeben",
    "dossier_zip_started": "ZIP aller Dossiers gestartet", "dossier_zip_downloaded": "ZIP aller Dossiers heruntergeladen",
    "gremium_member_added": "Mitglied eines Gremiums eingetragen", "gremium_member_left": "Mitglied eines Gremiums ausgeschieden",
    "gremium_lead_added": "Leitung eines Gremiums eingetragen", "gremium_lead_ended": "Leitung eines Gremiums beendet",
    "gremium_meeting_added": "Sitzung eingetragen", "gremium_minutes_uploaded": "Protokoll hochgeladen",
    "report_text_saved": "Berichtstext gespeichert", "report_build_started": "Bericht an den Stadtrat gestartet",
    "notifications_changed": "Benachrichtigungen geändert",
    "person_transferred": "Person in eine andere OE gewechselt", "person_renamed": "Name einer Person geändert",
    "persons_imported": "Personalbestand eingelesen",
}
ACTIONS.update({f"{subject}_{state.value}": f"{label}: {STATE_LABELS[state]}"
                for subject, label in SUBJECTS.items() for state in State})

OBJECTS = {
    **SUBJECTS, "account": "Konto", "User": "Konto", "OrgUnit": "OE", "Person": "Person", "RosterEntry": "Eintrag der Zielgruppenliste",
    "RosterImport": "Import der Zielgruppenliste", "TrainingImport": "Import der Schulungen", "Training": "Nachweis",
    "Selbstcheck": "Selbstcheck", "SelbstcheckVersion": "Selbstcheck-Fassung", "QuestionnaireVersion": "Fragebogen",
    "Measure": "Maßnahme", "MeasureRow": "Maßnahmenteil", "MeasureReport": "Maßnahmenbericht",
    "GroupAssessment": "Bewertung der Arbeitsgruppe", "ReportingPeriod": "Berichtszeitraum", "ExportJob": "Export",
    "GremiumMember": "Mitglied", "GremiumLead": "Leitung", "GremiumMeeting": "Sitzung", "ReportText": "Berichtstext",
    "PersonsImport": "Import des Personalbestands",
}

KEYS = {
    "ab": "ab", "beendete_eintraege": "beendete Einträge", "geraet": "bekanntes Gerät",
    "abschnitt": "Abschnitt", "address": "Adresse", "aelter_als_tage": "älter als (Tage)", "aenderungen": "Änderungen",
    "aktion": "Aktion", "ampel": "Ampel", "arbeitsgruppe": "Arbeitsgruppe", "ersetzt": "ersetzt",
    "oe_ampel": "Ampel der OE", "virenpruefung": "Virenprüfung", "anzahl": "Anzahl", "aufgabe": "Aufgabe", "beantwortet": "beantwortet",
    "bis": "bis", "bytes": "Größe (Bytes)", "cli": "Kommandozeile", "code": "Kürzel", "datei": "Datei", "datum": "Datum",
    "ergebnis": "Ergebnis", "fassung": "Fassung", "format": "Format", "fragebogen": "Fragebogen", "geaendert": "geändert",
    "gremium": "Gremium", "herkunft": "Herkunft", "ids": "Nummern", "jahr": "Jahr", "kind": "Art", "kommentar": "Kommentar",
    "massnahme": "Maßnahme", "mitgeliefert": "mitgeliefert", "nach": "nach", "nachher": "nachher",
    "nachweis_dateien": "Nachweis-Dateien", "name": "Name", "neu": "neu", "oe": "OE", "personalnummer": "Personalnummer",
    "personen": "Personen", "quelle": "Quelle", "retired_on": "aufgelöst am", "roles": "Rollen", "status": "Stand",
    "taegliche_uebersicht": "tägliche Übersicht",
    "stichtag": "Stichtag", "teil": "Teil", "teilbereich": "Teilbereich", "typ": "Typ", "unveraendert": "unverändert",
    "von": "von", "vorher": "vorher", "zeilen": "Zeilen", "zeitraum": "Berichtszeitraum",
}
_STATE_KEYS = {"von", "nach", "status"}


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def object_label(kind: str | None, object_id: str | None) -> str:
    if not kind:
        return ""
    return f"{OBJECTS.get(kind, kind)} {object_id}" if object_id else OBJECTS.get(kind, kind)


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if key in _STATE_KEYS and isinstance(value, str):
        try:
            return STATE_LABELS[State(value)]
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(_value(key, v) for v in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{KEYS.get(k, k)}: {_value(k, v)}" for k, v in value.items())
    return str(value)


def detail_items(detail: str | None) -> list[tuple[str, str]]:
    """The stored details (JSON) as pairs of German key and readable value; a plain text as is."""
    if not detail:
        return []
    try:
        data = json.loads(detail)
    except ValueError:
        return [("", detail)]
    if not isinstance(data, dict):
        return [("", _value("", data))]
    return [(KEYS.get(key, key), _value(key, value)) for key, value in data.items()]

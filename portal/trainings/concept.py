"""What the Schulungskonzept (annex 4 of the interim report, 16.05.2024) and the OB's
Festlegungen (Leitungskonferenz of 26 March 2024, annex 2) say, for the pages that need it.

The texts are the seed's, word for word; ``**…**`` marks the seed's bold. Two obvious typos
are repaired and listed in docs/trainings.md with the original beside them. The contacts for
questions are settings (``TRAINING_CONTACT``, ``TRAINING_CONTACT_ORGANISATION``), as people change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

SOURCE = ("Schulungskonzept zum Abbau von Zugangshemmnissen für Migrantinnen und Migranten zu den Angeboten und "
          "Dienstleistungen der Stadtverwaltung Dresden vom 16.05.2024")

FESTLEGUNGEN_TITLE = "Festlegungen des Oberbürgermeisters (Leitungskonferenz vom 26. März 2024)"
FESTLEGUNGEN = [
    "Alle **Führungskräfte** der Stadtverwaltung (ab Sachgebietsleiter aufwärts) absolvieren mindestens eine "
    "Qualifizierung zur Stärkung **ihrer interkulturellen und demokratischen Kompetenzen** bis 2025 (es sei denn, sie "
    "haben bereits seit 2021 eine solche Fortbildung erfolgreich absolviert) – V: OE i. Z. m. Amt 10, INAUSLB, "
    "T: bis 12/2025",
    "Alle **Mitarbeitenden mit Bürgerkontakt** (persönlich, telefonisch, online) oder **mit Aufgaben in der Medien- "
    "und Öffentlichkeitsarbeit** absolvieren mindestens eine Qualifizierung zur Stärkung ihrer **interkulturellen/"
    "demokratischen Kompetenzen bzw. ihrer Mehrsprachigkeit oder ihrer Kompetenzen in bürgernaher Kommunikation** bis "
    "2025 (es sei denn, sie haben bereits seit 2021 eine solche Fortbildung erfolgreich absolviert). – V: OE i. Z. m. "
    "Amt 10, INAUSLB, T: bis 12/2025",
]
DEADLINE = "12/2025"
# how the portal relates the two: the Festlegungen set 12/2025, the Schulungskonzept "bis 2026"
# with the evaluation in the fourth quarter of 2026 (the table's default Stichtag 31.12.2026)
DEADLINE_NOTE = ("Frist laut Festlegungen: Dezember 2025 (T: bis 12/2025). Das Schulungskonzept nennt „bis 2026“; "
                 "im vierten Quartal 2026 fordert das Haupt- und Personalamt die Auswertung an.")


@dataclass(frozen=True)
class TargetGroup:
    name: str
    definition: str


TARGET_GROUPS = [
    TargetGroup("Führungskräfte der Stadtverwaltung Dresden",
                "Gemeint sind Führungskräfte ab Hierarchieebene Sachgebietsleitung, einschließlich Amtsleitungen, "
                "Beigeordnete und Oberbürgermeister"),
    TargetGroup("Beschäftigte mit Bürgerkontakt",
                "Bürgerkontakt meint die Interaktion zwischen Beschäftigten der Stadtverwaltung und den Einwohnerinnen "
                "und Einwohnern, die u. a. Angebote und Dienstleistungen nutzen sowie Informationen oder Unterstützung "
                "benötigen. In diesem Kontext umfasst Bürgerkontakt alle Formen der Kommunikation – persönlich, "
                "telefonisch, schriftlich oder elektronisch."),
    TargetGroup("Beschäftigte mit Aufgaben in der Medien- und Öffentlichkeitsarbeit",
                "Beschäftigte mit Aufgaben in der Medien- und Öffentlichkeitsarbeit meint Personen, die für die "
                "Kommunikation und das Auftreten/Image der Stadtverwaltung Dresden Verantwortung tragen. Ihre Aufgabe "
                "besteht darin, die Öffentlichkeit über relevante Themen, Dienstleistungen oder Veranstaltungen zu "
                "informieren (u. a. Erstellung/Verbreitung von Pressemitteilungen, Organisation von Pressekonferenzen, "
                "Interviews und Medienauftritten, Betreuung von Social-Media-Kanälen, Pflege von Webseiten). "
                "Zielgruppe sind nicht nur Personen im Amt für Presse-, Öffentlichkeitsarbeit und Protokoll, sondern "
                "in allen Organisationseinheiten."),
]
TARGET_GROUPS_NOTE = "Die Beurteilung, welche Beschäftigten hierunter fallen, obliegt den Organisationseinheiten."

CONTENT_RULE = ("Die Inhalte der absolvierten bzw. zu absolvierenden Schulung für Führungskräfte müssen interkulturelle "
                "oder demokratische Kompetenzen umfassen. Beschäftigte mit Bürgerkontakt oder mit Aufgaben in der "
                "Medien- und Öffentlichkeitsarbeit absolvieren eine Schulung zur Stärkung ihrer interkulturellen oder "
                "demokratischen Kompetenz oder ihrer Mehrsprachigkeit oder ihrer Kompetenz in bürgernaher "
                "Kommunikation (z. B. leicht verständlicher Sprache).")

EXAMPLES = [
    ("Demokratische Kompetenz im Rahmen dieser Schulungsinhalte umfasst beispielsweise:", [
        "Umgang mit Rechtsextremismus, Rechtspopulismus und Rassismus",
        "Stärkung der Zivilcourage, Diskriminierung erkennen und handeln, Antirassismus",
        "Auseinandersetzung mit gruppenbezogener Menschenfeindlichkeit, Verschwörungsideologien",
        "Kommunikation und Deeskalation mit Reichsbürgerinnen und Reichsbürgern",
        "Selbstreflexion über Menschenbilder und persönliche Haltungen",
        "Umgang mit Stereotypen und Vorurteilen (z. B. Sinti und Roma, Juden, Muslime, Schwarze Menschen)",
        "Kolonialismus und sein Erbe mit Bezug zu unserem Handeln",
    ]),
    ("Interkulturelle Kompetenz im Rahmen dieser Schulungsinhalte umfasst beispielsweise:", [
        "Verständnis und Umsetzung von interkultureller Öffnung und interkultureller Kompetenz",
        "Fähigkeit zur interkulturellen Kommunikation und Zusammenarbeit",
        "Förderung von Diversität und Vielfaltskompetenz",
        "Einbindung von Migrantinnen und Migranten in öffentliche Beteiligungsprozesse",
        "Wissen über verschiedene Religionen und deren Hintergründe",
        "Kenntnisse über weltweite politische Konflikte und deren Auswirkungen auf die Kommune, einschließlich "
        "politischer Spannungen, Flucht, Migration sowie politischer, wirtschaftlicher und gesellschaftlicher Folgen",
    ]),
]
FORMATS = ("Die Schulungen können in verschiedenen Formaten absolviert werden, darunter Präsenzschulungen, "
           "Online-Schulungen oder auch E-Learning. Auch Fachtagungen und Fachkongresse mit den genannten "
           "Schulungsinhalten können besucht werden. Die Dauer der Schulung/Veranstaltung muss **mindestens sechs "
           "Stunden** betragen.")

PROGRAMME = [
    "Das Sachgebiet Fortbildung im Haupt- und Personalamt bietet fortlaufend zentrale Schulungsangebote im "
    "Fortbildungsprogramm (Themenbereich 09 Diversität und Sprache) an, um die erforderlichen Kompetenzen zu erlangen. "
    "Die Schulungen (auch individuelle Sprachkurse) können unter Berücksichtigung der erforderlichen Schulungsinhalte "
    "(→ 4. Was muss Schulungsinhalt sein) gewählt werden. Die Anmeldung erfolgt wie gewohnt über den LDr. 202/15. Die Fortbildungskosten hierfür werden "
    "zentral vom Sachgebiet Fortbildung des Haupt- und Personalamtes getragen (außer für Eigenbetriebe).",
    "Darüber hinaus besteht die Möglichkeit, externe Schulungen/Veranstaltungen über die Organisationseinheiten "
    "(dezentrale Fortbildung) zu absolvieren, um den Schulungsauftrag zu erfüllen. Die Kosten für externe "
    "Schulungen/Veranstaltungen sind von der jeweiligen Organisationseinheit zu tragen. Auskünfte zu Anbietern "
    "geeigneter externer Schulungen/Veranstaltungen erteilt bei Bedarf die Integrations- und Ausländerbeauftragte, "
    "Frau Kristina Winkler.",
    "Bereits seit 2021 absolvierte Schulungen mit entsprechendem Schulungsinhalt werden anerkannt.",
]
PROGRAMME_SHORT = "Fortbildungsprogramm, Themenbereich 09 Diversität und Sprache"

CONTACT_ORGANISATION = ("Für organisatorische Fragen zu Schulungsangeboten im Rahmen der zentralen Fortbildung steht "
                        "Ihnen {} zur Verfügung.")
CONTACT_INTRO = ("Für inhaltliche Fragen zur Umsetzung des Schulungsauftrages, insbesondere zur Zielgruppenzugehörigkeit "
                 "und zur Anerkennung von Schulungen oder Veranstaltungen, wenden Sie sich bitte an")


def bold(text: str) -> Markup:
    """``**x**`` as <strong>x</strong>; everything else escaped."""
    parts = re.split(r"\*\*(.+?)\*\*", text)
    return Markup("").join(escape(part) if index % 2 == 0 else Markup("<strong>{}</strong>").format(part)
                           for index, part in enumerate(parts))


def plain(text: str) -> str:
    return text.replace("**", "")


def festlegungen_lines() -> list[list[str]]:
    """The Festlegungen as spreadsheet lines (label, text)."""
    return [[FESTLEGUNGEN_TITLE, plain(text)] for text in FESTLEGUNGEN] + [["Frist", DEADLINE_NOTE]]

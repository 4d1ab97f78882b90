"""The main navigation: the office's many links in four groups, a short flat list for the rest."""
from __future__ import annotations

import re


def _nav(html: str) -> list[tuple[str, list[str]]]:
    nav = html[html.index('<nav aria-label="Hauptnavigation"'):html.index("</nav>")]
    groups = []
    for block in re.findall(r'<div class="nav-group">(.*?)</ul>', nav, re.S):
        title = re.search(r'<span class="nav-group-title" id="(nav-gruppe-\d+)">([^<]+)</span>', block)
        if title:
            assert f'<ul aria-labelledby="{title.group(1)}">' in block  # the list is named by its group
        groups.append((title.group(2) if title else "", re.findall(r"<a [^>]*>([^<]+)</a>", block)))
    return groups


def test_the_office_sees_four_named_groups(client, login_as):
    login_as("integrationsbuero", "admin", oe="INAUSLB")
    groups = _nav(client.get("/").get_data(as_text=True))
    assert groups == [
        ("", ["Übersicht", "Meine Schulungen"]),
        ("Prüfen", ["Prüfliste", "Nachweise prüfen", "Maßnahmenberichte prüfen"]),
        ("Auswertungen", ["Selbstcheck-Übersicht", "Auswertungstabelle", "Dossiers", "Bericht an den Stadtrat"]),
        ("Stammdaten", ["Maßnahmenkatalog", "Zielgruppenliste", "Gremien"]),
        ("Verwaltung", ["Berichtszeiträume", "Verwaltung"]),
    ]


def test_a_few_links_stay_one_flat_list(client, login_as):
    login_as(oe="Amt 50", username="beschaeftigt")
    assert _nav(client.get("/").get_data(as_text=True)) == [("", ["Übersicht", "Meine Schulungen", "Maßnahmenkatalog", "Gremien"])]
    login_as("oe_verantwortliche", oe="Amt 50", username="leitung")
    [(name, links)] = _nav(client.get("/").get_data(as_text=True))
    assert name == "" and links[:4] == ["Übersicht", "Selbstcheck", "Meine Maßnahmen", "Meine Schulungen"]

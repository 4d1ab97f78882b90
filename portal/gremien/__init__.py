"""Gremien: the Koordinierungsgruppe and the Arbeitsgruppen — members, leads, meetings,
minutes, invitations and the yearly fact sheet of chapter 2."""
from portal.features import Feature, Nav
from portal.gremien import demo
from portal.gremien.views import bp

feature = Feature(
    "gremien",
    blueprint=bp,
    navigation=[Nav("gremien.index", "Gremien", (), "Stammdaten", order=30)],
    start_section=(50, "gremien/_start_section.html"),
    demo=demo.load_demo,
)

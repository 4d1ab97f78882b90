"""The gremien feature as the portal sees it (portal/features.py): what it adds where."""
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

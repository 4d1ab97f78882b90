"""The bericht feature as the portal sees it (portal/features.py): what it adds where."""
from portal.bericht import build
from portal.bericht.cli import report_abschlussbericht
from portal.bericht.views import bp
from portal.features import Feature, Nav
from portal.models.people import Role

feature = Feature(
    "bericht",
    blueprint=bp,
    navigation=[Nav("bericht.index", "Bericht an den Stadtrat", (Role.INTEGRATIONSBUERO,), "Auswertungen", order=40)],
    subcommands=[("report", report_abschlussbericht)],
    export_jobs=[(build.JOB_KIND, build.export_job)],
)

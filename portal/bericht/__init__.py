"""The report to the city council (Zwischenbericht, Abschlussbericht 2026): versioned text
sections kept in the portal, the generated chapters and annexes, DOCX and PDF as a job."""
from portal.models.people import Role
from portal.bericht.cli import report_abschlussbericht
from portal.bericht.views import bp
from portal.features import Feature, Nav

feature = Feature(
    "bericht",
    blueprint=bp,
    navigation=[Nav("bericht.index", "Bericht an den Stadtrat", (Role.INTEGRATIONSBUERO,), "Auswertungen", order=40)],
    subcommands=[("report", report_abschlussbericht)],
)

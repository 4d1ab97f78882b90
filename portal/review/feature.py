"""The review feature as the portal sees it (portal/features.py): what it adds where."""
from flask import Flask

from portal.features import Feature, Nav, of_all
from portal.models.people import Role
from portal.review import dossier, providers, start
from portal.review.views import bp


def collect(app: Flask) -> None:
    """Take every installed feature's review kinds, dossier sections and start information."""
    providers.PROVIDERS.clear()
    providers.PROVIDERS.update((p.kind, p) for p in of_all(app, "review_kinds"))
    dossier.SECTIONS.clear()
    dossier.SECTIONS.update(of_all(app, "dossier_sections"))
    start.BUILDERS.clear()
    start.BUILDERS.update((f.name, f.start_info) for f in app.extensions["portal.features"] if f.start_info)


feature = Feature(
    "review",
    blueprint=bp,
    navigation=[
        Nav("review.queue", "Prüfliste", (Role.INTEGRATIONSBUERO,), "Prüfen", order=10),
        Nav("review.dossiers", "Dossiers", (Role.INTEGRATIONSBUERO, Role.OE_VERANTWORTLICHE, Role.FORTBILDUNGSBEAUFTRAGTE),
            "Auswertungen", order=30),
    ],
    start_section=(40, "review/_start_section.html"),
    export_jobs=[(dossier.ZIP_JOB, dossier.zip_job)],
    setup=collect,
)

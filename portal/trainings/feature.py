"""The trainings feature as the portal sees it (portal/features.py): what it adds where."""
from portal.exports.citywide import COMPLIANCE, JobPage
from portal.features import Feature, Nav
from portal.models.people import Role
from portal.trainings import demo, dossier, exports, queue, tables
from portal.trainings.cli import certificates_group, person_group, report_compliance, roster_group, trainings_group
from portal.trainings.views import CITYWIDE_EXPORT_ROLES, bp

feature = Feature(
    "trainings",
    blueprint=bp,
    navigation=[
        Nav("trainings.mine", "Meine Schulungen", (), order=30),
        Nav("trainings.queue", "Nachweise prüfen", (Role.INTEGRATIONSBUERO,), "Prüfen", order=20),
        Nav("trainings.table", "Auswertungstabelle", (Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO, Role.PERSONALAMT),
            "Auswertungen", order=20),
        Nav("trainings.roster", "Zielgruppenliste", (Role.FORTBILDUNGSBEAUFTRAGTE, Role.INTEGRATIONSBUERO), "Stammdaten",
            order=20),
    ],
    start_section=(30, "trainings/_start_section.html"),
    start_info=tables.start_info,
    commands=[roster_group, trainings_group, certificates_group, person_group],
    subcommands=[("report", report_compliance)],
    demo=demo.load_demo,
    review_kinds=[queue.PROVIDER],
    dossier_sections=[("trainings", dossier.training_part)],
    export_jobs=[(COMPLIANCE, exports.citywide_job)],
    job_pages=[(COMPLIANCE, JobPage("Auswertungstabelle Schulungsauftrag (ganze Stadtverwaltung)", ("pdf", "xlsx", "csv"),
                                    CITYWIDE_EXPORT_ROLES, exports.citywide_job_downloaded))],
)

"""The measures feature as the portal sees it (portal/features.py): what it adds where."""
from portal.exports.citywide import COUNCIL, JobPage
from portal.features import Feature, Nav
from portal.measures import demo, queue, services, tables
from portal.measures.catalogue import reference_data
from portal.measures.commands import catalogue_group, notifications_reminders, report_measures
from portal.measures.views import COUNCIL_ROLES, bp
from portal.models.people import Role

feature = Feature(
    "measures",
    blueprint=bp,
    navigation=[
        Nav("measures.mine", "Meine Maßnahmen", (Role.OE_VERANTWORTLICHE,), order=20),
        Nav("measures.review_queue", "Maßnahmenberichte prüfen", (Role.INTEGRATIONSBUERO,), "Prüfen", order=30),
        Nav("measures.catalogue_list", "Maßnahmenkatalog", (), "Stammdaten", order=10),
        Nav("measures.periods", "Berichtszeiträume", (Role.INTEGRATIONSBUERO, Role.AG_LEITUNG, Role.ADMIN), "Verwaltung", order=10),
    ],
    start_section=(20, "measures/_start_section.html"),
    start_info=services.start_info,
    commands=[catalogue_group],
    subcommands=[("report", report_measures), ("notifications", notifications_reminders)],
    reference=reference_data,
    demo=demo.load_demo,
    review_kinds=[queue.PROVIDER],
    export_jobs=[(COUNCIL, tables.council_job)],
    job_pages=[(COUNCIL, JobPage("Ratstabelle", ("pdf", "xlsx", "csv"), COUNCIL_ROLES,
                                         tables.council_job_downloaded))],
)

"""The selbstcheck feature as the portal sees it (portal/features.py): what it adds where."""
from portal.exports.citywide import SELBSTCHECK, JobPage
from portal.features import Feature, Nav
from portal.models.people import Role
from portal.selbstcheck import demo, queue, tables
from portal.selbstcheck.cli import selbstcheck_group
from portal.selbstcheck.services import reference_data
from portal.selbstcheck.views import OFFICE, bp

feature = Feature(
    "selbstcheck",
    blueprint=bp,
    navigation=[
        Nav("selbstcheck.index", "Selbstcheck", (Role.OE_VERANTWORTLICHE,), order=10),
        Nav("selbstcheck.overview", "Selbstcheck-Übersicht", (Role.INTEGRATIONSBUERO, Role.ADMIN), "Auswertungen", order=10),
    ],
    start_section=(10, "selbstcheck/_start_section.html"),
    commands=[selbstcheck_group],
    reference=reference_data,
    demo=demo.load_demo_selbstchecks,
    review_kinds=[queue.PROVIDER],
    export_jobs=[(SELBSTCHECK, tables.overview_job)],
    job_pages=[(SELBSTCHECK, JobPage("Selbstcheck-Übersicht", ("xlsx", "csv"), OFFICE, tables.overview_job_downloaded))],
)

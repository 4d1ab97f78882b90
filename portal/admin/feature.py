"""The admin feature as the portal sees it (portal/features.py): what it adds where."""
from portal.admin.cli import oe_group
from portal.admin.services import reference_data
from portal.admin.views import bp
from portal.features import Feature, Nav
from portal.models.people import Role

feature = Feature(
    "admin",
    blueprint=bp,
    navigation=[Nav("admin.index", "Verwaltung", (Role.ADMIN,), "Verwaltung", order=20)],
    commands=[oe_group],
    reference=reference_data,
)

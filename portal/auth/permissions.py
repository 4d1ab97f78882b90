"""Per-object permission checks (``can_<verb>(user, obj)``) and scoping queries.

Every list a view shows comes from a scoping function here, so a forgotten filter
cannot leak another OE's data (DESIGN habit 4). Features add their own functions
next to these.
"""
from __future__ import annotations

from sqlalchemy import Select, select

from portal.models.org import OrgUnit
from portal.models.people import User

# roles that see every OE
CITYWIDE_ROLES = ("integrationsbuero", "admin")


def is_citywide(user: User) -> bool:
    return user.has_role(*CITYWIDE_ROLES)


def can_view_org_unit(user: User, org_unit: OrgUnit) -> bool:
    return is_citywide(user) or (user.org_unit_id is not None and user.org_unit_id == org_unit.id)


def can_act_for_org_unit(user: User, org_unit: OrgUnit, role: str) -> bool:
    """May `user` act in `role` (e.g. fortbildungsbeauftragte) for `org_unit`?"""
    return user.has_role(role) and user.org_unit_id is not None and user.org_unit_id == org_unit.id


def visible_org_units(user: User) -> Select[tuple[OrgUnit]]:
    stmt = select(OrgUnit).order_by(OrgUnit.code)
    if is_citywide(user) or user.has_role("personalamt"):
        return stmt
    if user.org_unit_id is None:
        return stmt.where(OrgUnit.id == -1)
    return stmt.where(OrgUnit.id == user.org_unit_id)


def can_read_audit_log(user: User) -> bool:
    return user.has_role("admin")

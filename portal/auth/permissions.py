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


# --- Selbstcheck ----------------------------------------------------------------------
# Read: the OE's OE-Verantwortliche, the integration office and admins (read only).
# Write: only OE-Verantwortliche of that OE. Review and cut points: the integration office.

def can_fill_selbstcheck_for(user: User, org_unit: OrgUnit) -> bool:
    return can_act_for_org_unit(user, org_unit, "oe_verantwortliche")


def can_view_selbstcheck(user: User, selbstcheck) -> bool:  # noqa: ANN001 - avoids an import cycle
    return is_citywide(user) or can_act_for_org_unit(user, selbstcheck.org_unit, "oe_verantwortliche")


def can_edit_selbstcheck(user: User, selbstcheck) -> bool:  # noqa: ANN001
    return can_fill_selbstcheck_for(user, selbstcheck.org_unit) and selbstcheck.state in ("draft", "returned")


def can_review_selbstcheck(user: User, selbstcheck) -> bool:  # noqa: ANN001
    return user.has_role("integrationsbuero") and selbstcheck.state == "submitted"


def can_manage_questionnaires(user: User) -> bool:
    return user.has_role("integrationsbuero")


def visible_selbstchecks(user: User) -> Select:
    from portal.models.selbstcheck import Selbstcheck

    stmt = select(Selbstcheck)
    if is_citywide(user):
        return stmt
    if not user.has_role("oe_verantwortliche") or user.org_unit_id is None:
        return stmt.where(Selbstcheck.id == -1)
    return stmt.where(Selbstcheck.org_unit_id == user.org_unit_id)

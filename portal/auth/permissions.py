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


# --- trainings: rosters, certificates, compliance table ---------------------------------
# Certificates are personal data: the person, the training officer of an OE the person
# is (or was) listed in, and the integration office. The Personalamt sees aggregates only.

def _person_org_unit_ids(person) -> set[int]:  # noqa: ANN001 - Person
    return {entry.org_unit_id for entry in person.entries}


def is_own_person(user: User, person) -> bool:  # noqa: ANN001
    return bool(user.personnel_number) and user.personnel_number.strip() == person.personnel_number


def can_view_person(user: User, person) -> bool:  # noqa: ANN001
    if user.has_role("integrationsbuero") or is_own_person(user, person):
        return True
    return user.has_role("fortbildungsbeauftragte") and user.org_unit_id in _person_org_unit_ids(person)


def can_open_person_page(user: User, person) -> bool:  # noqa: ANN001
    """The roster person page (not the employee's own page)."""
    if user.has_role("integrationsbuero"):
        return True
    return user.has_role("fortbildungsbeauftragte") and user.org_unit_id in _person_org_unit_ids(person)


def can_upload_for(user: User, person) -> bool:  # noqa: ANN001
    if is_own_person(user, person):
        return True
    return user.has_role("fortbildungsbeauftragte") and user.org_unit_id in _person_org_unit_ids(person)


def can_download_certificate(user: User, training) -> bool:  # noqa: ANN001
    return training.file_name is not None and training.file_deleted_at is None and can_view_person(user, training.person)


def can_decide_training(user: User, training) -> bool:  # noqa: ANN001
    return user.has_role("integrationsbuero") and training.state == "submitted"


def can_edit_roster(user: User, org_unit: OrgUnit) -> bool:
    return user.has_role("integrationsbuero") or can_act_for_org_unit(user, org_unit, "fortbildungsbeauftragte")


def can_view_compliance(user: User, org_unit: OrgUnit | None) -> bool:
    """org_unit None = the citywide table."""
    if user.has_role("integrationsbuero", "personalamt"):
        return True
    return org_unit is not None and can_act_for_org_unit(user, org_unit, "fortbildungsbeauftragte")


def can_open_compliance_cells(user: User, org_unit: OrgUnit | None) -> bool:
    """Who may see the persons and certificates behind a number (not the Personalamt)."""
    if user.has_role("integrationsbuero"):
        return True
    return org_unit is not None and can_act_for_org_unit(user, org_unit, "fortbildungsbeauftragte")


def roster_org_units(user: User) -> Select[tuple[OrgUnit]]:
    """The OEs whose roster `user` keeps."""
    stmt = select(OrgUnit).order_by(OrgUnit.code)
    if user.has_role("integrationsbuero"):
        return stmt
    if user.has_role("fortbildungsbeauftragte") and user.org_unit_id is not None:
        return stmt.where(OrgUnit.id == user.org_unit_id)
    return stmt.where(OrgUnit.id == -1)


def visible_roster_entries(user: User):  # noqa: ANN201 - Select[tuple[RosterEntry]]
    from portal.models.training import RosterEntry

    return select(RosterEntry).where(RosterEntry.org_unit_id.in_(roster_org_units(user).with_only_columns(OrgUnit.id)))


def visible_review_trainings(user: User):  # noqa: ANN201 - Select[tuple[Training]]
    """Certificates awaiting review: the queue of the integration office, oldest first."""
    from portal.models.training import Training

    stmt = select(Training).where(Training.state == "submitted").order_by(Training.submitted_at, Training.id)
    return stmt if user.has_role("integrationsbuero") else stmt.where(Training.id == -1)

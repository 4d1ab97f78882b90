"""Sign-in: directory check, throttle, local user record, roles, session, audit."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.auth import sessions, throttle
from portal.auth.directory import Directory, DirectoryUnavailable, DirectoryUser, InvalidCredentials
from portal.auth.roles import roles_for_groups
from portal.db import utcnow
from portal.models.org import OrgUnit
from portal.models.people import User, UserRole
from portal.trainings.persons import sync_from_directory

MSG_FAILED = "Die Anmeldung hat nicht geklappt. Bitte prüfen Sie Benutzername und Passwort."
MSG_THROTTLED = throttle.MSG_THROTTLED
MSG_UNAVAILABLE = (
    "Die Anmeldung ist gerade nicht möglich, weil der Verzeichnisdienst nicht antwortet. "
    "Bitte versuchen Sie es in einigen Minuten noch einmal."
)


@dataclass
class SignInResult:
    user: User | None
    message: str | None
    throttled: bool = False
    device: str | None = None  # the device token to remember in the browser after success


def find_org_unit(db: Session, oe_value: str | None) -> OrgUnit | None:
    if not oe_value:
        return None
    value = " ".join(oe_value.split())
    return db.scalar(
        select(OrgUnit).where(func.lower(OrgUnit.code) == value.lower(), OrgUnit.retired_on.is_(None))
    )


def sync_user(db: Session, entry: DirectoryUser) -> User:
    """Create or update the local record from the directory entry; re-sync roles."""
    user = db.scalar(select(User).where(User.external_id == entry.external_id))
    if user is None:
        user = User(external_id=entry.external_id, dn=entry.dn, username=entry.username, display_name=entry.display_name)
        db.add(user)
    user.dn = entry.dn
    user.username = entry.username
    user.display_name = entry.display_name
    user.email = entry.email
    user.personnel_number = entry.personnel_number
    user.oe_value = entry.oe_value
    previous_unit = user.org_unit_id if user.id is not None else None
    user.org_unit = find_org_unit(db, entry.oe_value)
    user.last_login_at = utcnow()
    wanted = {(g.role, g.scope): g for g in roles_for_groups(entry.groups, current_app.config["ROLE_MAP"])}
    for grant in list(user.role_grants):
        if (grant.role, grant.scope) not in wanted:
            user.role_grants.remove(grant)
    have = {(g.role, g.scope) for g in user.role_grants}
    for key, g in wanted.items():
        if key not in have:
            user.role_grants.append(UserRole(role=g.role, scope=g.scope, source_group=g.source_group))
    db.flush()
    # the directory is authoritative for the person's current OE (a change is a transfer)
    sync_from_directory(db, user, create=False, directory_changed=previous_unit is None or previous_unit != user.org_unit_id)
    return user


def sign_in(db: Session, username: str, password: str, address: str, device: str | None = None) -> SignInResult:
    """Everything sign-in does; the view commits. Never raises for bad input.

    `device` is the token of this browser's device cookie for the account (see throttle.py)."""
    username = username or ""
    address = "".join(c for c in address if ord(c) >= 32)[:64]
    decision = throttle.check(db, username, address, device)
    if not decision.allowed:
        audit.record(db, "login_throttled", object_type="account", object_id=throttle.account_key(username)[:80],
                     detail={"address": address, "geraet": bool(device)})
        return SignInResult(None, decision.message, throttled=True)
    try:
        entry = Directory(current_app.config).authenticate(username, password)
    except InvalidCredentials:
        throttle.record_failure(db, username, address, device)
        audit.record(db, "login_failed", object_type="account", object_id=throttle.account_key(username)[:80])
        return SignInResult(None, MSG_FAILED)
    except DirectoryUnavailable as exc:
        current_app.logger.warning("Verzeichnisdienst nicht erreichbar: %s", exc)
        audit.record(db, "login_directory_unavailable", object_type="account", object_id=throttle.account_key(username)[:80])
        return SignInResult(None, MSG_UNAVAILABLE)
    user = sync_user(db, entry)
    throttle.clear_success(db, username, address, device)
    sessions.start_session(db, user, address)
    audit.record(db, "login", obj=user, actor=user, detail={"roles": sorted(user.roles)})
    return SignInResult(user, None, device=device or throttle.new_device())

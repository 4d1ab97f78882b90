"""Server-side sessions: the cookie carries only a random token; its hash lives in
the database, so sign-out (or a timeout) invalidates a copied cookie everywhere."""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, session
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.db import utcnow, write_transaction
from portal.models.people import User, UserSession

SESSION_KEY = "sid"
TOUCH_EVERY = timedelta(seconds=60)

log = logging.getLogger("portal.auth")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def start_session(db: Session, user: User, ip: str | None) -> str:
    """A fresh session: the old cookie content is dropped, a new token issued."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.add(UserSession(token_hash=_hash(token), user_id=user.id, ip_address=ip))
    session[SESSION_KEY] = token
    session.permanent = True
    return token


def end_session(db: Session) -> None:
    token = session.get(SESSION_KEY)
    if token:
        db.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))
    session.clear()



def _current_record(db: Session) -> UserSession | None:
    """The current cookie's session record with its user, OE and roles: one query."""
    token = session.get(SESSION_KEY)
    if not token or not isinstance(token, str):
        return None
    stmt = (select(UserSession).where(UserSession.token_hash == _hash(token))
            .options(joinedload(UserSession.user).joinedload(User.role_grants)))
    return db.execute(stmt).unique().scalar_one_or_none()


def load_session_user(db: Session) -> User | None:
    """The user of the current cookie, if its server-side record is alive."""
    record = _current_record(db)
    if record is None:
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if now - _aware(record.last_seen_at) > idle or now - _aware(record.created_at) > absolute:
        _best_effort(db, delete(UserSession).where(UserSession.id == record.id), "Abgelaufene Sitzung")
        return None
    user = record.user
    # at most once a minute, in a short write of its own that never fails the page
    if now - _aware(record.last_seen_at) > TOUCH_EVERY and _best_effort(
            db, update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now), "Letzte Aktivität"):
        set_committed_value(record, "last_seen_at", now)
    return user


def _best_effort(db: Session, statement, what: str) -> bool:  # noqa: ANN001 - an update or delete statement
    """Bookkeeping of the session record: written in its own short transaction; when the database is
    busy beyond its timeout, it is skipped (the next request tries again) instead of failing the page."""
    try:
        with write_transaction(db):
            db.execute(statement)
    except OperationalError as exc:
        log.info("%s nicht gespeichert (Datenbank beschäftigt): %s", what, exc.orig)
        return False
    return True


def touch(db: Session) -> None:
    """Mark the current session as active now (used by "Sitzung verlängern")."""
    token = session.get(SESSION_KEY)
    if token:
        record = db.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
        if record is not None:
            record.last_seen_at = utcnow()


def session_expiry(db: Session) -> datetime | None:
    """When the current session ends by inactivity (for the timeout warning)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    record = db.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if record is None:
        return None
    idle_end = _aware(record.last_seen_at) + timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    abs_end = _aware(record.created_at) + timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return min(idle_end, abs_end)


def purge_expired(db: Session) -> int:
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    result = db.execute(
        delete(UserSession).where(
            (UserSession.last_seen_at < now - idle) | (UserSession.created_at < now - absolute)
        )
    )
    return result.rowcount or 0

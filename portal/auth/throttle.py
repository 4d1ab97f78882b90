"""Throttle failed sign-ins per account and per client address, in the database,
so every app worker on every machine sees the same counts."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.models.people import LoginAttempt


def account_key(username: str) -> str:
    """The throttle's name for an account: trimmed, lower case, no control characters
    (PostgreSQL refuses NUL in text)."""
    cleaned = "".join(c for c in (username or "") if ord(c) >= 32 and ord(c) != 127)
    return cleaned.strip().lower()[:255]


def is_throttled(db: Session, username: str, address: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(minutes=cfg["LOGIN_THROTTLE_WINDOW_MINUTES"])
    per_account = db.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.account == account_key(username), LoginAttempt.at >= since
        )
    )
    if per_account >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        return True
    per_address = db.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.address == address, LoginAttempt.at >= since
        )
    )
    return per_address >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def record_failure(db: Session, username: str, address: str) -> None:
    db.add(LoginAttempt(account=account_key(username), address=address[:64]))


def clear_account(db: Session, username: str) -> None:
    db.execute(delete(LoginAttempt).where(LoginAttempt.account == account_key(username)))


def purge_old(db: Session) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
    return db.execute(delete(LoginAttempt).where(LoginAttempt.at < since)).rowcount or 0

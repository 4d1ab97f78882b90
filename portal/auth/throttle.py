"""Throttle failed sign-ins so that guessing is slowed down but never turned against the
person who knows the password (OWASP ASVS 5.0 V6.3.1; the rule is in docs/sign-in.md).

Counts live in the database, so every app worker on every machine sees the same numbers.

* A browser that has signed in to an account carries a signed device cookie for it. An
  attempt with that cookie counts only that device's own failures: nobody else's guesses,
  from wherever, can block it.
* Without the cookie: failures per (account, address) pair and per address refuse further
  attempts for the window — one address cannot brute-force an account or spray many.
* Failures for one account from many addresses (a distributed attack) never lock the account;
  from twice the per-account limit on, they only space out further attempts from browsers
  without the cookie (2, 4, 8 … seconds, at most ``MAX_DELAY_SECONDS``).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta

from flask import current_app, request
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.models.people import LoginAttempt

DEVICE_COOKIE = "portal_geraet"
DEVICE_DAYS = 90
DEVICE_ACCOUNTS = 5  # accounts remembered per browser
MAX_DELAY_SECONDS = 300

MSG_THROTTLED = (
    "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie 15 Minuten und versuchen Sie es dann noch einmal."
)


def msg_delay(seconds: int) -> str:
    unit = "Sekunde" if seconds == 1 else "Sekunden"
    return (f"Für dieses Konto gab es gerade viele fehlgeschlagene Anmeldungen. Bitte warten Sie {seconds} {unit} "
            "und versuchen Sie es dann noch einmal.")


def account_key(username: str) -> str:
    """The throttle's name for an account: trimmed, lower case, no control characters
    (PostgreSQL refuses NUL in text)."""
    cleaned = "".join(c for c in (username or "") if ord(c) >= 32 and ord(c) != 127)
    return cleaned.strip().lower()[:255]


def _device_hash(nonce: str | None) -> str | None:
    return hashlib.sha256(nonce.encode()).hexdigest() if nonce else None


# --- the device cookie -----------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="portal.device")


def _devices() -> dict[str, str]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        value = _serializer().loads(raw, max_age=DEVICE_DAYS * 86_400)
    except BadSignature:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def device_of(username: str) -> str | None:
    """The device token this browser holds for the account, if any."""
    return _devices().get(account_key(username))


def new_device() -> str:
    return secrets.token_urlsafe(18)


def remember_device(response: Response, username: str, nonce: str) -> None:
    """After a successful sign-in: this browser is known for this account (HttpOnly, signed)."""
    devices = {k: v for k, v in _devices().items() if k != account_key(username)}
    devices[account_key(username)] = nonce
    devices = dict(list(devices.items())[-DEVICE_ACCOUNTS:])
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(devices), max_age=DEVICE_DAYS * 86_400, path="/auth/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", True)), httponly=True, samesite="Lax",
    )


# --- counting --------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str | None = None


def _count(db: Session, *where) -> int:  # noqa: ANN002 - SQL conditions
    return db.scalar(select(func.count()).select_from(LoginAttempt).where(*where)) or 0


def check(db: Session, username: str, address: str, device: str | None = None) -> Decision:
    """May this attempt ask the directory? Decided before any bind."""
    cfg = current_app.config
    per_account = int(cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    since = utcnow() - timedelta(minutes=cfg["LOGIN_THROTTLE_WINDOW_MINUTES"])
    account = account_key(username)
    recent = LoginAttempt.at >= since
    if device:
        own = _count(db, LoginAttempt.account == account, LoginAttempt.device == _device_hash(device), recent)
        return Decision(own < per_account, None if own < per_account else MSG_THROTTLED)
    if _count(db, LoginAttempt.account == account, LoginAttempt.address == address, recent) >= per_account:
        return Decision(False, MSG_THROTTLED)
    if _count(db, LoginAttempt.address == address, recent) >= int(cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        return Decision(False, MSG_THROTTLED)
    failures = _count(db, LoginAttempt.account == account, recent)
    if failures >= 2 * per_account:
        delay = min(2 ** (failures - 2 * per_account + 1), MAX_DELAY_SECONDS)
        last = db.scalar(select(func.max(LoginAttempt.at)).where(LoginAttempt.account == account, recent))
        last = last if last is None or last.tzinfo else last.replace(tzinfo=UTC)
        wait = int((last + timedelta(seconds=delay) - utcnow()).total_seconds()) + 1 if last else 0
        if wait > 0:
            return Decision(False, msg_delay(wait))
    return Decision(True)



def record_failure(db: Session, username: str, address: str, device: str | None = None) -> None:
    db.add(LoginAttempt(account=account_key(username), address=address[:64], device=_device_hash(device)))


def clear_success(db: Session, username: str, address: str, device: str | None = None) -> None:
    """A correct password clears the failures of this address and this device for the account —
    not those of other addresses (an attacker's count is not reset by the owner's sign-in)."""
    mine = [LoginAttempt.address == address]
    if device:
        mine.append(LoginAttempt.device == _device_hash(device))
    db.execute(delete(LoginAttempt).where(LoginAttempt.account == account_key(username), or_(*mine)))


def purge_old(db: Session) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
    return db.execute(delete(LoginAttempt).where(LoginAttempt.at < since)).rowcount or 0

"""The notification outbox: enqueue in the request's transaction, send from the CLI.

`portal notifications send` (run every few minutes by cron or a systemd timer)
delivers what is due, exactly once even with several senders on several machines;
a failure is recorded and retried with growing pauses and the same Message-ID.

Every message says what happened, why the person gets it and what to do next, and links to
the item (with `BASE_URL` set). It is sent as plain text and as HTML (multipart/alternative);
the HTML part is made from the stored text (paragraphs, addresses as links).
"""
from __future__ import annotations

import hashlib
import html
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.models.notification import Notification
from portal.models.people import Role, User, UserRole
from portal.models.workflow import State, WorkflowEvent
from portal.templating import plural

MAX_ATTEMPTS = 12
DIGEST_NAMES = {"training": "Schulungsnachweise", "selbstcheck": "Selbstchecks", "measure_report": "Sachstandsberichte zu Maßnahmen"}
FOOTER = (
    "\n\n--\nPortal Aktionsplan Integration der Landeshauptstadt Dresden\n"
    "Diese Nachricht wurde automatisch erstellt."
)


def footer() -> str:
    """The signature of every message; with BASE_URL set it links to the portal."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/") if has_app_context() else ""
    return FOOTER + (f"\nZum Portal: {base}/" if base else "")


def portal_url(endpoint: str, **values: Any) -> str | None:
    """The absolute address of a portal page for an e-mail; None without BASE_URL."""
    from flask import current_app, has_app_context, has_request_context, url_for  # noqa: PLC0415 - the name current_app is taken in this module

    if not has_app_context():  # a service used outside the portal (a script): no address known
        return None
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if not base:
        return None
    if has_request_context():
        path = url_for(endpoint, **values)
    else:  # a CLI command: build the path without a request
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    return base + path


def explained(lines: list[str], *, reason: str, next_step: str, link: str | None,
              link_text: str = "Direkt zum Eintrag") -> str:
    """The body of a message: what happened (`lines`), what to do next, the link, and why the
    person gets this message."""
    body = [*lines, "", f"Was ist zu tun? {next_step}"]
    if link:
        body += ["", f"{link_text}: {link}"]
    body += ["", f"Warum erhalten Sie diese Nachricht? {reason}"]
    return "\n".join(body)


def html_body(text: str) -> str:
    """The HTML part: the text escaped, blank lines as paragraphs, addresses as links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return ('<!doctype html>\n<html lang="de"><head><meta charset="utf-8"></head>\n'
            '<body style="font-family: sans-serif; line-height: 1.4">\n' + "\n".join(paragraphs) + "\n</body></html>\n")


def enqueue(
    db: Session,
    *,
    key: str,
    kind: str,
    subject: str,
    body: str,
    recipient: User | None = None,
    email: str | None = None,
) -> Notification | None:
    """Add a notification unless one with this key exists or there is no address."""
    address = email or (recipient.email if recipient else None)
    if not address:
        return None
    if db.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return None
    note = Notification(
        key=key[:200],
        kind=kind,
        recipient_id=recipient.id if recipient else None,
        recipient_email=address,
        subject=subject[:255],
        body=body + footer(),
    )
    db.add(note)
    db.flush()
    return note


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0


def message_id(config: dict[str, Any], note: Notification) -> str:
    """The same Message-ID for every attempt at one notification, so a receiving server (or
    the reader's program) can recognise a retry whose first attempt did arrive."""
    domain = config["MAIL_FROM"].rpartition("@")[2] or "portal.invalid"
    digest = hashlib.sha256(note.key.encode("utf-8")).hexdigest()[:16]
    return f"<notification.{note.id}.{digest}@{domain}>"


def _message(config: dict[str, Any], note: Notification) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = note.recipient_email
    msg["Subject"] = note.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(config, note)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(note.body)
    msg.add_alternative(html_body(note.body), subtype="html")
    return msg


def _claim_next(db: Session, after_id: int) -> Notification | None:
    """Start a transaction and lock the next due notification in it.

    PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` — a row another sender holds is skipped,
    so two senders never take the same mail. SQLite: outside a request every transaction
    starts with `BEGIN IMMEDIATE` (see db.py), the database's single-writer lock, so a second
    sender waits until this one has committed and then sees the mail as sent."""
    return db.scalars(
        select(Notification)
        .where(Notification.sent_at.is_(None), Notification.next_attempt_at <= utcnow(),
               Notification.attempts < MAX_ATTEMPTS, Notification.id > after_id)
        .order_by(Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def send_due(db: Session, config: dict[str, Any], limit: int = 200) -> SendResult:
    """Send every due notification exactly once, also with several senders at the same time.

    Each mail has a transaction of its own: claim the row (locked), hand the message to the
    SMTP server, and only after the server accepted it mark it sent and commit. A failure is
    recorded in the same transaction and retried later with the same Message-ID."""
    result = SendResult()
    if not config.get("MAIL_SERVER"):
        return result
    db.commit()  # whatever the caller did is not part of a claim
    smtp: smtplib.SMTP | None = None
    connect_error: BaseException | None = None
    last_id = 0
    try:
        for _ in range(limit):
            note = _claim_next(db, last_id)
            if note is None:
                db.rollback()
                break
            last_id = note.id
            if smtp is None and connect_error is None:
                try:
                    smtp = _connect(config)
                except (OSError, smtplib.SMTPException) as exc:
                    connect_error = exc
            try:
                if connect_error is not None:
                    raise connect_error
                assert smtp is not None
                smtp.send_message(_message(config, note))
            except (OSError, smtplib.SMTPException) as exc:
                _failed(note, exc)
                result.failed += 1
            else:
                note.sent_at = utcnow()
                note.attempts += 1
                note.last_error = None
                result.sent += 1
            db.commit()  # releases the row lock
    finally:
        if db.in_transaction():
            db.rollback()
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return result


def _connect(config: dict[str, Any]) -> smtplib.SMTP:
    timeout = int(config.get("MAIL_TIMEOUT") or 10)
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout,
                                               context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout)
        if config.get("MAIL_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def _failed(note: Notification, exc: BaseException) -> None:
    note.attempts += 1
    note.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    # 2, 4, 8 … minutes, at most 6 hours
    note.next_attempt_at = utcnow() + timedelta(minutes=min(2 ** note.attempts, 360))


def enqueue_office_digest(db: Session, day: date) -> int:
    """One message per office member about the submissions of `day` (Europe/Berlin)."""
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime.combine(day, time.min, tzinfo=berlin)
    end = start + timedelta(days=1)
    counts = db.execute(
        select(WorkflowEvent.subject_type, func.count())
        .where(WorkflowEvent.to_state == State.SUBMITTED.value, WorkflowEvent.at >= start, WorkflowEvent.at < end)
        .group_by(WorkflowEvent.subject_type)
        .order_by(WorkflowEvent.subject_type)
    ).all()
    if not counts:
        return 0
    total = sum(n for _kind, n in counts)
    lines = [f"Am {day:%d.%m.%Y} {'wurde' if total == 1 else 'wurden'} {plural(total, 'Einreichung', 'Einreichungen')} "
             "neu eingereicht:", ""]
    lines += [f"- {DIGEST_NAMES.get(kind, kind)}: {n}" for kind, n in counts]
    switch = portal_url("auth.notifications")
    body = explained(lines, next_step="Prüfen Sie die neuen Einreichungen in der Prüfliste des Portals.",
                     link=portal_url("review.queue"), link_text="Zur Prüfliste",
                     reason="Sie gehören zum Integrationsbüro und erhalten die tägliche Übersicht. Sie können sie in "
                            "Ihren Benachrichtigungen abschalten" + (f": {switch}" if switch else " (Portal, Startseite)."))
    office = db.scalars(
        select(User).join(UserRole).where(UserRole.role == Role.INTEGRATIONSBUERO, User.daily_digest.is_(True))
        .order_by(User.id)
    ).unique().all()
    made = 0
    for person in office:
        if enqueue(db, key=f"digest:{day.isoformat()}:{person.id}", kind="digest",
                   subject=f"Neue Einreichungen am {day:%d.%m.%Y}: {total}",
                   body=f"Guten Tag {person.display_name},\n\n" + body, recipient=person):
            made += 1
    return made

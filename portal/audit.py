"""Write the audit log. Never passwords, never file contents."""
from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.models.audit import AuditEvent
from portal.models.people import User


def client_address() -> str | None:
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:64] or None


def record(
    db: Session,
    action: str,
    *,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    org_unit_code: str | None = None,
    actor: User | None = None,
    detail: dict[str, Any] | str | None = None,
) -> AuditEvent:
    """Append one audit event to the current transaction."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_name=(actor.username if actor else None),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        org_unit_code=org_unit_code if org_unit_code is not None else (actor.oe_code if actor else None),
        ip_address=client_address(),
        detail=detail,
    )
    db.add(event)
    return event


def record_read(db: Session, action: str, **kwargs: Any) -> AuditEvent | None:
    """Audit a download or export from a read request (GET), after the slow part (the render):
    the read transaction ends, and the entry is written and committed in a short transaction of
    its own, so a long render never holds, or late turns into, a write. A HEAD request (headers
    only, nothing handed out) is not recorded."""
    if has_request_context() and request.method == "HEAD":
        return None
    with write_transaction(db):
        return record(db, action, **kwargs)

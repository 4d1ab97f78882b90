"""Access rules for views. Every endpoint must carry exactly one of them.

* :func:`public` — reachable without signing in (sign-in page, health check).
* :func:`signed_in` — any signed-in person.
* :func:`roles_required` — signed in and holding one of the roles.

``create_app`` refuses to start when a view has no rule, and a test walks the URL
map for the same reason: a new route cannot silently be open.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import AnonymousUserMixin, current_user

from portal.models.people import ROLES

F = TypeVar("F", bound=Callable[..., Any])
ACCESS_ATTR = "_portal_access"


def public(view: F) -> F:
    setattr(view, ACCESS_ATTR, ("public",))
    return view


def signed_in(view: F) -> F:
    setattr(view, ACCESS_ATTR, ("signed_in",))
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"Unbekannte Rollen: {unknown}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, ("roles", *roles))
        return wrapped  # type: ignore[return-value]

    return decorator


def access_rule(view: Callable[..., Any]) -> tuple[str, ...] | None:
    return getattr(view, ACCESS_ATTR, None)


class Anonymous(AnonymousUserMixin):
    """Who is not signed in: no roles, no OE."""

    roles: set[str] = set()
    org_unit_id = None
    org_unit = None
    oe_code = None

    def has_role(self, *roles: str) -> bool:
        return False

"""The start page's "what next" section: a fixed number of statements per page."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from portal import datacache
from portal.models.people import Role, User
from portal.models.workflow import State
from portal.review import services


@dataclass
class StartInfo:
    counts: dict[str, int] | None = None  # office: open items per kind
    drafts: list[services.QueueItem] = field(default_factory=list)
    returned: list[services.QueueItem] = field(default_factory=list)
    period: Any = None
    days_left: int | None = None
    parts_expected: int = 0
    parts_submitted: int = 0
    mandate: list[Any] = field(default_factory=list)  # the OE's rows of the compliance table
    # the figures kept for the current data version (portal/datacache.py): builders take theirs from it
    kept: datacache.Snapshot = field(default_factory=lambda: datacache.Snapshot(None, None), repr=False)

    @property
    def has_content(self) -> bool:
        return bool(self.counts is not None or self.drafts or self.returned or self.period or self.mandate)

    @property
    def parts_missing(self) -> int:
        return self.parts_expected - self.parts_submitted


# feature name → builder(db, user, info) filling its fields of the start info (`Feature.start_info`)
BUILDERS: dict[str, Callable[[Session, User, StartInfo], None]] = {}


def start_info(db: Session, user: User) -> StartInfo:
    """What the start page shows; the counts and lists come from the figures kept for the current
    data version (portal/datacache.py): a write anywhere makes the next start page count again."""
    info = StartInfo()
    info.kept = kept = datacache.snapshot(db)
    scope = services.user_scope(user)
    if user.has_role(Role.INTEGRATIONSBUERO):
        info.counts = kept.get(("kind_counts", scope), lambda: services.kind_counts(db, user))
    states = (State.DRAFT.value, State.RETURNED.value)
    items = kept.get(("own_items", scope, states), lambda: services.own_items(db, user, states))
    info.drafts = [i for i in items if i.state == State.DRAFT.value]
    info.returned = [i for i in items if i.state == State.RETURNED.value]
    for build in BUILDERS.values():
        build(db, user, info)
    return info

"""The start page's "what next" section: a fixed number of statements per page."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal import datacache
from portal.models.people import User
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
    extra: dict[str, Any] = field(default_factory=dict)  # registered parts

    @property
    def has_content(self) -> bool:
        return bool(self.counts is not None or self.drafts or self.returned or self.period or self.mandate or self.extra)

    @property
    def parts_missing(self) -> int:
        return self.parts_expected - self.parts_submitted


# key → builder(db, user, info) filling `info.extra[key]`; the trainings feature adds one
PARTS: dict[str, Any] = {}


def start_info(db: Session, user: User) -> StartInfo:
    """What the start page shows; the counts and lists come from the figures kept for the current
    data version (portal/datacache.py): a write anywhere makes the next start page count again."""
    info = StartInfo()
    kept = datacache.snapshot(db)
    scope = services.user_scope(user)
    if user.has_role("integrationsbuero"):
        info.counts = kept.get(("kind_counts", scope), lambda: services.kind_counts(db, user))
    states = (State.DRAFT.value, State.RETURNED.value)
    items = kept.get(("own_items", scope, states), lambda: services.own_items(db, user, states))
    info.drafts = [i for i in items if i.state == State.DRAFT.value]
    info.returned = [i for i in items if i.state == State.RETURNED.value]
    if user.has_role("oe_verantwortliche", "fortbildungsbeauftragte") and user.org_unit is not None:
        from portal.trainings.tables import compliance_table

        unit = user.org_unit
        info.mandate = kept.get(("mandate", unit.id), lambda: compliance_table(db, org_unit=unit))
    if user.has_role("oe_verantwortliche") and user.org_unit_id is not None:
        from portal.measures.services import open_period_now

        info.period = open_period_now(db)
        if info.period is not None:
            period_id, unit_id = info.period.id, user.org_unit_id
            info.days_left = (info.period.cutoff_on - date.today()).days
            info.parts_expected, info.parts_submitted = kept.get(
                ("report_progress", period_id, unit_id), lambda: unit_report_progress(db, period_id, unit_id))
    for key, build in PARTS.items():
        build(db, user, info)
    return info


def unit_report_progress(db: Session, period_id: int, org_unit_id: int) -> tuple[int, int]:
    """(parts to report, parts submitted or accepted) of one OE."""
    from portal.measures.services import report_progress

    row = db.execute(report_progress(period_id, org_unit_id)).first()
    return (row.expected, row.reported) if row else (0, 0)

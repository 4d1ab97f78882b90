"""The Selbstcheck in the review queue (portal/review/providers.py)."""
from __future__ import annotations

from sqlalchemy import Select, case, literal, null
from sqlalchemy.orm import aliased

from portal.auth.permissions import visible_selbstchecks
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.models.selbstcheck import Selbstcheck
from portal.review.providers import Provider, columns, oe_items, text_of


def queue_select(user: User) -> Select:
    unit = aliased(OrgUnit)
    title = literal("Selbstcheck ") + text_of(Selbstcheck.reporting_year) + case(
        (Selbstcheck.sub_unit != "", literal(" – ") + Selbstcheck.sub_unit), else_=literal(""))
    return (
        visible_selbstchecks(user)
        .with_only_columns(*columns(
            "selbstcheck", Selbstcheck.id, Selbstcheck.org_unit_id, unit.code, Selbstcheck.state,
            Selbstcheck.state_changed_at, title, text_of(null()), Selbstcheck.review_comment), maintain_column_froms=True)
        .join(unit, unit.id == Selbstcheck.org_unit_id)
    )


PROVIDER = Provider("selbstcheck", "Selbstchecks", queue_select, "selbstcheck.show", "sc_id", mine=oe_items)

"""What the review desk knows about each kind of submission.

Every kind (training record, Selbstcheck, measure report) is named by its feature
(``Feature.review_kinds``, e.g. ``portal/trainings/queue.py``) as one :class:`Provider`. Its ``select(user)`` is ONE
SQL select with the same labelled columns for every kind, already scoped to what
the user may see (it starts from the feature's own ``visible_…`` query):

=============  =========================================================
kind           the provider's kind (literal)
item_id        the submission's id
org_unit_id    the OE it belongs to (may be NULL)
oe_code        the OE's code
state          workflow state (portal.models.workflow.State)
submitted_at   when it reached its current state (oldest first in the queue)
title          a short German title
flag           a marker for bulk decisions ("unverändert") or NULL
comment        the reviewer's comment of a return/rejection or NULL
=============  =========================================================

The queue and the start pages put the selects together with UNION ALL, so the
number of statements does not grow with the number of kinds or rows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import Select, String, cast, literal

from portal.models.people import Role, User

COLUMNS = ("kind", "item_id", "org_unit_id", "oe_code", "state", "submitted_at", "title", "flag", "comment")
UNCHANGED_FLAG = "unverändert"


@dataclass(frozen=True)
class Provider:
    kind: str
    label: str  # plural, for filters and counts
    select: Callable[[User], Select]
    endpoint: str  # the item's own decision page
    url_arg: str
    # items the user has to act on next (drafts, returned), or None: only the OE's own
    mine: Callable[[Select, User], Select | None] | None = None
    # narrow the select to one OE (lower-case code); default: the oe_code column
    oe_filter: Callable[[Select, str], Select] | None = None

    def link(self, item_id: int) -> str:
        return url_for(self.endpoint, **{self.url_arg: item_id})


# kind → Provider of every installed feature (`Feature.review_kinds`), in feature order; filled by `collect`
PROVIDERS: dict[str, Provider] = {}


def text_of(value) -> object:  # noqa: ANN001 - SQL expression
    """A value as text, so the selects of every kind have the same column types."""
    return cast(value, String)


def columns(kind: str, *values) -> list:  # noqa: ANN002 - SQL expressions in COLUMNS order after kind
    """The labelled columns every kind's select returns (see the table above)."""
    return [literal(kind, String).label("kind"), *(v.label(name) for name, v in zip(COLUMNS[1:], values, strict=True))]


def oe_items(stmt: Select, user: User) -> Select | None:
    """The items of the user's own OE (for OE-Verantwortliche)."""
    if not user.has_role(Role.OE_VERANTWORTLICHE) or user.org_unit_id is None:
        return None
    return stmt.where(stmt.selected_columns.org_unit_id == user.org_unit_id)

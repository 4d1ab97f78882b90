"""Training records (certificates) in the review queue (portal/review/providers.py)."""
from __future__ import annotations

from sqlalchemy import Select, case, func, literal, null, select
from sqlalchemy.orm import aliased

from portal.auth.permissions import visible_trainings_for_review
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.models.training import Person, RosterEntry, Training
from portal.review.providers import Provider, columns, text_of


def queue_select(user: User) -> Select:
    newer = aliased(Training)
    # the person's first OE as the trainings feature names it: open entries first, earliest begin; its
    # code by primary key (a join to org_units inside the look-up had PostgreSQL hash all OEs for each
    # row of the page)
    unit_id = (select(RosterEntry.org_unit_id).where(RosterEntry.person_id == Training.person_id)
               .order_by(RosterEntry.ends_on.is_not(None), RosterEntry.begins_on, RosterEntry.id).limit(1)
               .correlate(Training).scalar_subquery())
    code = select(OrgUnit.code).where(OrgUnit.id == unit_id).correlate(Training).scalar_subquery()
    # the person's name as a scalar subquery: computed only where the title is selected (not for the counts)
    name = (select(Person.last_name + case((Person.first_name != "", literal(", ") + Person.first_name), else_=literal("")))
            .where(Person.id == Training.person_id).correlate(Training).scalar_subquery())
    title = literal("Nachweis „") + Training.title + literal("“ – ") + name
    return (
        visible_trainings_for_review(user)
        .with_only_columns(*columns(
            "training", Training.id, unit_id, code, Training.state, Training.submitted_at, title, text_of(null()),
            Training.decision_comment), maintain_column_froms=True)
        # a corrected version replaces a returned one (only a returned one can be replaced)
        .where(Training.id.not_in(select(newer.replaces_id).where(newer.replaces_id.is_not(None))))
    )


def oe_filter(stmt: Select, oe_code: str) -> Select:
    """A certificate belongs to every OE whose roster lists the person."""
    listed = (select(RosterEntry.person_id).join(OrgUnit, OrgUnit.id == RosterEntry.org_unit_id)
              .where(func.lower(OrgUnit.code) == oe_code))
    return stmt.where(Training.person_id.in_(listed))


def own_trainings(stmt: Select, user: User) -> Select | None:
    if not user.personnel_number:
        return None
    own = select(Person.id).where(Person.personnel_number == user.personnel_number.strip())
    return stmt.where(Training.person_id.in_(own))


PROVIDER = Provider("training", "Schulungsnachweise", queue_select, "trainings.certificate", "training_id",
                    mine=own_trainings, oe_filter=oe_filter)

"""person current OE and the OE a training record was stored for

Revision ID: 5c0e7a9b3f21
Revises: e13b5a7c9d21
Create Date: 2026-12-04 05:40:00.000000

Existing data is kept; the new columns are filled from what is there:
* a person's current OE from the user with the same personnel number (the directory,
  source "verzeichnis"), else from the roster: the one OE of the entries active today,
  else the one OE of all entries (source "migration"); ambiguous persons stay without
  an OE until the Personalamt's import or a sign-in names it;
* a training record's OE from the person's roster entries active on the day it was
  submitted (when they name one OE, or the person's OE is among them), else the
  person's current OE.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '5c0e7a9b3f21'
down_revision: str | Sequence[str] | None = 'e13b5a7c9d21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

persons = sa.table('persons', sa.column('id', sa.Integer), sa.column('personnel_number', sa.String),
                   sa.column('org_unit_id', sa.Integer), sa.column('oe_source', sa.String),
                   sa.column('oe_confirmed_at', sa.DateTime(timezone=True)))
users = sa.table('users', sa.column('personnel_number', sa.String), sa.column('org_unit_id', sa.Integer),
                 sa.column('last_login_at', sa.DateTime(timezone=True)))
entries = sa.table('roster_entries', sa.column('person_id', sa.Integer), sa.column('org_unit_id', sa.Integer),
                   sa.column('begins_on', sa.Date), sa.column('ends_on', sa.Date))
trainings = sa.table('trainings', sa.column('id', sa.Integer), sa.column('person_id', sa.Integer),
                     sa.column('org_unit_id', sa.Integer), sa.column('submitted_at', sa.DateTime(timezone=True)))


def _active(rows, day: date) -> set[int]:
    return {oe for oe, begins, ends in rows if begins <= day and (ends is None or ends >= day)}


def _backfill() -> None:
    conn = op.get_bind()
    today = date.today()
    by_person: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for person_id, oe, begins, ends in conn.execute(
            sa.select(entries.c.person_id, entries.c.org_unit_id, entries.c.begins_on, entries.c.ends_on)):
        by_person[person_id].append((oe, begins, ends))
    directory: dict[str, tuple[int, datetime | None]] = {}
    for number, oe, seen in conn.execute(sa.select(users.c.personnel_number, users.c.org_unit_id, users.c.last_login_at)
                                         .where(users.c.personnel_number.is_not(None), users.c.org_unit_id.is_not(None))
                                         .order_by(users.c.last_login_at)):
        directory[number.strip()] = (oe, seen)  # the latest sign-in wins
    current: dict[int, int | None] = {}
    for person_id, number in conn.execute(sa.select(persons.c.id, persons.c.personnel_number)):
        rows = by_person.get(person_id, [])
        values: dict[str, object] = {}
        if number in directory:
            values = {"org_unit_id": directory[number][0], "oe_source": "verzeichnis", "oe_confirmed_at": directory[number][1]}
        else:
            active = _active(rows, today)
            every = {oe for oe, _b, _e in rows}
            only = active if active else every
            if len(only) == 1:
                values = {"org_unit_id": next(iter(only)), "oe_source": "migration"}
        current[person_id] = values.get("org_unit_id")  # type: ignore[assignment]
        if values:
            conn.execute(persons.update().where(persons.c.id == person_id).values(**values))
    for training_id, person_id, submitted_at in conn.execute(
            sa.select(trainings.c.id, trainings.c.person_id, trainings.c.submitted_at)):
        day = submitted_at.date() if isinstance(submitted_at, datetime) else today
        active = _active(by_person.get(person_id, []), day)
        own = current.get(person_id)
        oe = next(iter(active)) if len(active) == 1 else (own if own in active or not active else None)
        if oe is not None:
            conn.execute(trainings.update().where(trainings.c.id == training_id).values(org_unit_id=oe))


def upgrade() -> None:
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('oe_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('oe_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_persons_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_persons_org_unit_id_org_units'), 'org_units', ['org_unit_id'], ['id'])
        batch_op.create_check_constraint(
            'oe_source', "oe_source IS NULL OR oe_source IN ('verzeichnis', 'personalamt', 'migration')"
        )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_trainings_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_trainings_org_unit_id_org_units'), 'org_units', ['org_unit_id'], ['id'])
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trainings_org_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_trainings_org_unit_id'))
        batch_op.drop_column('org_unit_id')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_persons_oe_source'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_persons_org_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_persons_org_unit_id'))
        batch_op.drop_column('oe_confirmed_at')
        batch_op.drop_column('oe_source')
        batch_op.drop_column('org_unit_id')

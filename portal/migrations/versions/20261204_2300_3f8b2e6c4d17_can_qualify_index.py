"""an index of the trainings that can qualify, for the compliance table

Revision ID: 3f8b2e6c4d17
Revises: 8c4f2a6d1e93
Create Date: 2026-12-04 23:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '3f8b2e6c4d17'
down_revision: str | Sequence[str] | None = '8c4f2a6d1e93'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as written here, not taken from the model: a migration keeps the index it created
CAN_QUALIFY = "state = 'accepted' AND hours >= 6 AND completed_on >= '2021-01-01'"


def upgrade() -> None:
    op.create_index(
        'ix_trainings_can_qualify', 'trainings', ['person_id', 'completed_on'],
        postgresql_include=['c_demokratisch', 'c_interkulturell', 'c_mehrsprachigkeit', 'c_buergernah'],
        postgresql_where=sa.text(CAN_QUALIFY), sqlite_where=sa.text(CAN_QUALIFY),
    )


def downgrade() -> None:
    op.drop_index('ix_trainings_can_qualify', table_name='trainings')

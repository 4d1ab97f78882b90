"""each person can turn off the office's daily e-mail digest

Revision ID: 5e1d7c2b9a40
Revises: 5c0e7a9b3f21
Create Date: 2026-12-04 06:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '5e1d7c2b9a40'
down_revision: str | Sequence[str] | None = '5c0e7a9b3f21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('daily_digest', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('daily_digest')

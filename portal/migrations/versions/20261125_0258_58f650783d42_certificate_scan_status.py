"""certificate scan status

Revision ID: 58f650783d42
Revises: 74eebcddcbf9
Create Date: 2026-11-25 02:58:21.296541
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '58f650783d42'
down_revision: str | Sequence[str] | None = '74eebcddcbf9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing certificates keep NULL: stored while no scanner was set up, downloadable as before
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_trainings_scan_status'), ['scan_status'], unique=False)
        batch_op.create_check_constraint(
            'scan_status', "scan_status IS NULL OR scan_status IN ('pending', 'clean', 'infected', 'error')"
        )


def downgrade() -> None:
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_trainings_scan_status'), type_='check')
        batch_op.drop_index(batch_op.f('ix_trainings_scan_status'))
        batch_op.drop_column('scanned_at')
        batch_op.drop_column('scan_status')

"""the review queue's index of certificates includes the id (the queue's tie-break)

Revision ID: 8c4f2a6d1e93
Revises: 7b3e9d1c5a62
Create Date: 2026-12-04 20:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '8c4f2a6d1e93'
down_revision: str | Sequence[str] | None = '7b3e9d1c5a62'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_trainings_review_order', 'trainings', ['state', 'submitted_at', 'id'])
    op.drop_index('ix_trainings_state_submitted_at', table_name='trainings')


def downgrade() -> None:
    op.create_index('ix_trainings_state_submitted_at', 'trainings', ['state', 'submitted_at'])
    op.drop_index('ix_trainings_review_order', table_name='trainings')

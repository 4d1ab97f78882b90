"""catalogue as the plan writes it: responsibility text, sub-heading, rows without lead or priority

Revision ID: b7c4e2a91d35
Revises: 58f650783d42
Create Date: 2026-12-04 01:10:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b7c4e2a91d35'
down_revision: str | Sequence[str] | None = '58f650783d42'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_MODES = "lead_mode IN ('federführend', 'federführend im Zuständigkeitsbereich', 'allein')"
NEW_MODES = "lead_mode IN ('federführend', 'federführend im Zuständigkeitsbereich', 'allein', 'nicht festgelegt')"


def upgrade() -> None:
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heading', sa.Text(), nullable=True))
    with op.batch_alter_table('measure_rows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responsibility', sa.Text(), nullable=True))
        batch_op.alter_column('priority', existing_type=sa.String(length=20), nullable=True)
        batch_op.drop_constraint(batch_op.f('ck_measure_rows_lead_mode'), type_='check')
        batch_op.create_check_constraint('lead_mode', NEW_MODES)


def downgrade() -> None:
    # rows without a lead marker go back to the old reading (the named OEs lead in their area);
    # a part without priority takes the priority of its measure's main row
    op.execute("UPDATE measure_rows SET lead_mode = 'federführend im Zuständigkeitsbereich' WHERE lead_mode = 'nicht festgelegt'")
    op.execute("UPDATE measure_rows SET priority = (SELECT m.priority FROM measure_rows m "
               "WHERE m.measure_id = measure_rows.measure_id AND m.position = 1) WHERE priority IS NULL")
    op.execute("UPDATE measure_rows SET priority = 'hoch' WHERE priority IS NULL")
    with op.batch_alter_table('measure_rows', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_measure_rows_lead_mode'), type_='check')
        batch_op.create_check_constraint('lead_mode', OLD_MODES)
        batch_op.alter_column('priority', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column('responsibility')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_column('heading')

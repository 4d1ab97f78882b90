"""sign-in failures per known device; submission keys of certificate uploads

Revision ID: e13b5a7c9d21
Revises: d45cda1fd3bb
Create Date: 2026-12-04 05:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e13b5a7c9d21"
down_revision: str | Sequence[str] | None = "d45cda1fd3bb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device", sa.String(length=64), nullable=True))
    with op.batch_alter_table("trainings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_trainings_submission_key"), ["submission_key"])


def downgrade() -> None:
    with op.batch_alter_table("trainings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_trainings_submission_key"), type_="unique")
        batch_op.drop_column("submission_key")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("device")

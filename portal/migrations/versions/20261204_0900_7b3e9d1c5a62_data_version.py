"""the version of the portal's data: cached figures are keyed by it

Revision ID: 7b3e9d1c5a62
Revises: 5e1d7c2b9a40
Create Date: 2026-12-04 09:00:00
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '7b3e9d1c5a62'
down_revision: str | Sequence[str] | None = '5e1d7c2b9a40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        'data_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions')),
    )
    # a random start: figures a process kept for another database never match this one
    op.bulk_insert(table, [{'name': 'data', 'version': secrets.randbelow(2**31) + 1}])


def downgrade() -> None:
    op.drop_table('data_versions')

"""selbstcheck

Revision ID: 4cd6dbaa0b2c
Revises: 9dd161d5d323
Create Date: 2026-11-25 01:48:02.436128
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '4cd6dbaa0b2c'
down_revision: str | Sequence[str] | None = '9dd161d5d323'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('questionnaire_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('definition_json', sa.Text(), nullable=False),
    sa.Column('bands_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('bands_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_versions')),
    sa.UniqueConstraint('code', name=op.f('uq_questionnaire_versions_code'))
    )
    op.create_table('selbstchecks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('sub_unit', sa.String(length=200), nullable=False),
    sa.Column('reporting_year', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('draft_json', sa.Text(), nullable=False),
    sa.Column('draft_saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('draft_saved_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('edit_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state <> 'returned' OR review_comment IS NOT NULL", name=op.f('ck_selbstchecks_returned_has_comment')),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'returned', 'accepted')", name=op.f('ck_selbstchecks_state_known')),
    sa.CheckConstraint('reporting_year BETWEEN 2000 AND 2100', name=op.f('ck_selbstchecks_year_sane')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_selbstchecks_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_saved_by_id'], ['users.id'], name=op.f('fk_selbstchecks_draft_saved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_selbstchecks_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['questionnaire_version_id'], ['questionnaire_versions.id'], name=op.f('fk_selbstchecks_questionnaire_version_id_questionnaire_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selbstchecks')),
    sa.UniqueConstraint('org_unit_id', 'sub_unit', 'reporting_year', name=op.f('uq_selbstchecks_org_unit_id_sub_unit_reporting_year'))
    )
    with op.batch_alter_table('selbstchecks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_selbstchecks_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index('ix_selbstchecks_year_state', ['reporting_year', 'state'], unique=False)

    op.create_table('selbstcheck_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selbstcheck_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version_id', sa.Integer(), nullable=False),
    sa.Column('answers_json', sa.Text(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('color', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('total BETWEEN 0 AND 1000', name=op.f('ck_selbstcheck_versions_total_sane')),
    sa.ForeignKeyConstraint(['questionnaire_version_id'], ['questionnaire_versions.id'], name=op.f('fk_selbstcheck_versions_questionnaire_version_id_questionnaire_versions')),
    sa.ForeignKeyConstraint(['selbstcheck_id'], ['selbstchecks.id'], name=op.f('fk_selbstcheck_versions_selbstcheck_id_selbstchecks')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_selbstcheck_versions_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selbstcheck_versions')),
    sa.UniqueConstraint('selbstcheck_id', 'number', name=op.f('uq_selbstcheck_versions_selbstcheck_id_number'))
    )
    with op.batch_alter_table('selbstcheck_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_selbstcheck_versions_selbstcheck_id'), ['selbstcheck_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('selbstcheck_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_selbstcheck_versions_selbstcheck_id'))

    op.drop_table('selbstcheck_versions')
    with op.batch_alter_table('selbstchecks', schema=None) as batch_op:
        batch_op.drop_index('ix_selbstchecks_year_state')
        batch_op.drop_index(batch_op.f('ix_selbstchecks_org_unit_id'))

    op.drop_table('selbstchecks')
    op.drop_table('questionnaire_versions')

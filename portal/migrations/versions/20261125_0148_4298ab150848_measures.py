"""measures: catalogue (fields, working groups, measures, rows, lead OEs), reporting periods,
OE status reports with their submitted versions, and the working groups' assessments.

Revision ID: 4298ab150848
Revises: 4cd6dbaa0b2c
Create Date: 2026-11-25 01:48:20.681150
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '4298ab150848'
down_revision: str | Sequence[str] | None = '4cd6dbaa0b2c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('action_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_fields')),
    sa.UniqueConstraint('code', name=op.f('uq_action_fields_code')),
    sa.UniqueConstraint('name', name=op.f('uq_action_fields_name'))
    )
    op.create_table('reporting_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cutoff_on', sa.Date(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_periods')),
    sa.UniqueConstraint('name', name=op.f('uq_reporting_periods_name'))
    )
    op.create_table('working_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_groups')),
    sa.UniqueConstraint('code', name=op.f('uq_working_groups_code'))
    )
    op.create_table('measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_field_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=100), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('goal', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_field_id'], ['action_fields.id'], name=op.f('fk_measures_action_field_id_action_fields')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measures')),
    sa.UniqueConstraint('action_field_id', 'part', 'number', name=op.f('uq_measures_action_field_id_part_number'))
    )
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measures_action_field_id'), ['action_field_id'], unique=False)

    op.create_table('working_group_fields',
    sa.Column('working_group_id', sa.Integer(), nullable=False),
    sa.Column('action_field_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_field_id'], ['action_fields.id'], name=op.f('fk_working_group_fields_action_field_id_action_fields'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_groups.id'], name=op.f('fk_working_group_fields_working_group_id_working_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('working_group_id', 'action_field_id', name=op.f('pk_working_group_fields'))
    )
    op.create_table('group_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=False),
    sa.Column('light', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('reported_light', sa.String(length=20), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("light IN ('offen', 'in_umsetzung', 'umgesetzt')", name=op.f('ck_group_assessments_light')),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_group_assessments_measure_id_measures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_group_assessments_period_id_reporting_periods')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_group_assessments_set_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['working_group_id'], ['working_groups.id'], name=op.f('fk_group_assessments_working_group_id_working_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_assessments'))
    )
    with op.batch_alter_table('group_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_group_assessments_period_measure', ['period_id', 'measure_id'], unique=False)

    op.create_table('measure_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('lead_mode', sa.String(length=60), nullable=False),
    sa.Column('lead_all_scope', sa.String(length=60), nullable=True),
    sa.Column('participants', sa.Text(), nullable=True),
    sa.Column('deadline', sa.String(length=60), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=20), nullable=False),
    sa.CheckConstraint("lead_all_scope IS NULL OR lead_all_scope IN ('Ämter und Eigenbetriebe', 'Eigenbetriebe')", name=op.f('ck_measure_rows_lead_all_scope')),
    sa.CheckConstraint("lead_mode IN ('federführend', 'federführend im Zuständigkeitsbereich', 'allein')", name=op.f('ck_measure_rows_lead_mode')),
    sa.CheckConstraint("priority IN ('sehr hoch', 'hoch', 'mittel')", name=op.f('ck_measure_rows_priority')),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_measure_rows_measure_id_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_rows')),
    sa.UniqueConstraint('measure_id', 'position', name=op.f('uq_measure_rows_measure_id_position'))
    )
    with op.batch_alter_table('measure_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_rows_measure_id'), ['measure_id'], unique=False)

    op.create_table('measure_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('measure_row_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('light', sa.String(length=20), nullable=True),
    sa.Column('clarification_needed', sa.Boolean(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('unchanged', sa.Boolean(), nullable=False),
    sa.Column('prefilled_from_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("light IS NULL OR light IN ('offen', 'in_umsetzung', 'umgesetzt')", name=op.f('ck_measure_reports_light')),
    sa.CheckConstraint("state = 'draft' OR light IS NOT NULL", name=op.f('ck_measure_reports_submitted_has_light')),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'returned', 'accepted')", name=op.f('ck_measure_reports_state')),
    sa.ForeignKeyConstraint(['measure_row_id'], ['measure_rows.id'], name=op.f('fk_measure_reports_measure_row_id_measure_rows')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_measure_reports_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_measure_reports_period_id_reporting_periods')),
    sa.ForeignKeyConstraint(['prefilled_from_id'], ['measure_reports.id'], name=op.f('fk_measure_reports_prefilled_from_id_measure_reports')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_measure_reports_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_reports')),
    sa.UniqueConstraint('period_id', 'measure_row_id', 'org_unit_id', name=op.f('uq_measure_reports_period_id_measure_row_id_org_unit_id'))
    )
    with op.batch_alter_table('measure_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_reports_measure_row_id'), ['measure_row_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_reports_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_reports_period_id'), ['period_id'], unique=False)
        batch_op.create_index('ix_measure_reports_period_state', ['period_id', 'state'], unique=False)

    op.create_table('measure_row_leads',
    sa.Column('measure_row_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['measure_row_id'], ['measure_rows.id'], name=op.f('fk_measure_row_leads_measure_row_id_measure_rows'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_measure_row_leads_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('measure_row_id', 'org_unit_id', name=op.f('pk_measure_row_leads'))
    )
    with op.batch_alter_table('measure_row_leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_row_leads_org_unit_id'), ['org_unit_id'], unique=False)

    op.create_table('measure_report_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('light', sa.String(length=20), nullable=False),
    sa.Column('clarification_needed', sa.Boolean(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('unchanged', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("light IN ('offen', 'in_umsetzung', 'umgesetzt')", name=op.f('ck_measure_report_versions_light')),
    sa.ForeignKeyConstraint(['report_id'], ['measure_reports.id'], name=op.f('fk_measure_report_versions_report_id_measure_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_measure_report_versions_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_report_versions')),
    sa.UniqueConstraint('report_id', 'version', name=op.f('uq_measure_report_versions_report_id_version'))
    )
    with op.batch_alter_table('measure_report_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_report_versions_report_id'), ['report_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('measure_report_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_report_versions_report_id'))

    op.drop_table('measure_report_versions')
    with op.batch_alter_table('measure_row_leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_row_leads_org_unit_id'))

    op.drop_table('measure_row_leads')
    with op.batch_alter_table('measure_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_reports_period_state')
        batch_op.drop_index(batch_op.f('ix_measure_reports_period_id'))
        batch_op.drop_index(batch_op.f('ix_measure_reports_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_measure_reports_measure_row_id'))

    op.drop_table('measure_reports')
    with op.batch_alter_table('measure_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_rows_measure_id'))

    op.drop_table('measure_rows')
    with op.batch_alter_table('group_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_group_assessments_period_measure')

    op.drop_table('group_assessments')
    op.drop_table('working_group_fields')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measures_action_field_id'))

    op.drop_table('measures')
    op.drop_table('working_groups')
    op.drop_table('reporting_periods')
    op.drop_table('action_fields')

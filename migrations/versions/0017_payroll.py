"""Payroll: pay rates, meal waivers, timesheet approvals (locks), attestations, unpaid breaks, entry reviews, invoices (issue 17)

Revision ID: 0017
Revises: 0010
Create Date: 2026-12-03 18:08:37.095565
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base


revision = '0017'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('expected', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('submitted_by', sa.String(length=32), nullable=False),
    sa.Column('submitted_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_by', sa.String(length=32), nullable=True),
    sa.Column('paid_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('submitted','queried','approved','paid')", name=op.f('ck_invoices_status_known')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_invoices_amount_not_negative')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_invoices_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('person_id', 'number', name=op.f('uq_invoices_person_id_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_person_id'), ['person_id'], unique=False)

    op.create_table('pay_profiles',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('meal_waiver', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('updated_by', sa.String(length=32), nullable=False),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pay_profiles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_pay_profiles'))
    )
    op.create_table('pay_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('rate', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('contractor', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('session_fee', sa.Numeric(precision=10, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('any','host','pa')", name=op.f('ck_pay_rates_role_known')),
    sa.CheckConstraint('rate >= 0', name=op.f('ck_pay_rates_rate_not_negative')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pay_rates_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pay_rates')),
    sa.UniqueConstraint('person_id', 'role', 'effective_from', name=op.f('uq_pay_rates_person_id_role_effective_from'))
    )
    with op.batch_alter_table('pay_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pay_rates_person_id'), ['person_id'], unique=False)

    op.create_table('timesheet_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('starts_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('gross_pay', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('approved_by', sa.String(length=32), nullable=False),
    sa.Column('approved_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('unlocked_by', sa.String(length=32), nullable=True),
    sa.Column('unlocked_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unlock_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('approved','unlocked')", name=op.f('ck_timesheet_approvals_status_known')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_timesheet_approvals_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timesheet_approvals')),
    sa.UniqueConstraint('person_id', 'period_start', name=op.f('uq_timesheet_approvals_person_id_period_start'))
    )
    with op.batch_alter_table('timesheet_approvals', schema=None) as batch_op:
        batch_op.create_index('ix_timesheet_approvals_person_span', ['person_id', 'starts_at', 'ends_at'], unique=False)

    op.create_table('invoice_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=32), nullable=False),
    sa.Column('decided_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('approve','query')", name=op.f('ck_invoice_decisions_decision_known')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_decisions_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_decisions')),
    sa.UniqueConstraint('invoice_id', 'version', name=op.f('uq_invoice_decisions_invoice_id_version'))
    )
    op.create_table('entry_breaks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_entry_breaks_end_after_start')),
    sa.ForeignKeyConstraint(['entry_id'], ['time_entries.id'], name=op.f('fk_entry_breaks_entry_id_time_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_breaks'))
    )
    with op.batch_alter_table('entry_breaks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_breaks_entry_id'), ['entry_id'], unique=False)

    op.create_table('entry_reviews',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['time_entries.id'], name=op.f('fk_entry_reviews_entry_id_time_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_entry_reviews'))
    )
    op.create_table('meal_attestations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('taken', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('meal','second_meal','rest')", name=op.f('ck_meal_attestations_kind_known')),
    sa.ForeignKeyConstraint(['entry_id'], ['time_entries.id'], name=op.f('fk_meal_attestations_entry_id_time_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meal_attestations')),
    sa.UniqueConstraint('entry_id', 'kind', name=op.f('uq_meal_attestations_entry_id_kind'))
    )


def downgrade() -> None:
    op.drop_table('meal_attestations')
    op.drop_table('entry_reviews')
    with op.batch_alter_table('entry_breaks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_breaks_entry_id'))

    op.drop_table('entry_breaks')
    op.drop_table('invoice_decisions')
    with op.batch_alter_table('timesheet_approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_timesheet_approvals_person_span')

    op.drop_table('timesheet_approvals')
    with op.batch_alter_table('pay_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pay_rates_person_id'))

    op.drop_table('pay_rates')
    op.drop_table('pay_profiles')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_person_id'))

    op.drop_table('invoices')

"""foundation: people, roles, sessions, shifts, time clock, audit, outbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 19:25:07.122496
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('after', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_entity', ['entity_type', 'entity_id'], unique=False)

    op.create_table('live_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('room', sa.String(length=100), nullable=True),
    sa.Column('product_tier', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft','published','live','done','cancelled')", name=op.f('ck_live_sessions_status_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_live_sessions_ends_after_start')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions'))
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_sessions_starts_at'), ['starts_at'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result_ts', sa.String(length=32), nullable=True),
    sa.CheckConstraint("status IN ('pending','sending','sent','failed')", name=op.f('ck_outbox_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('real_name', sa.String(length=200), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('tz', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('profile_synced_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('slack_user_id', name=op.f('uq_people_slack_user_id'))
    )
    op.create_table('posted_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posted_messages')),
    sa.UniqueConstraint('key', name=op.f('uq_posted_messages_key'))
    )
    op.create_table('processed_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_requests')),
    sa.UniqueConstraint('key', name=op.f('uq_processed_requests_key'))
    )
    with op.batch_alter_table('processed_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_requests_created_at'), ['created_at'], unique=False)

    op.create_table('person_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('granted_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('granted_by', sa.String(length=32), nullable=True),
    sa.CheckConstraint("role IN ('host','pa','associate','legal','leadership')", name=op.f('ck_person_roles_role_known')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_roles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_roles')),
    sa.UniqueConstraint('person_id', 'role', name=op.f('uq_person_roles_person_id_role'))
    )
    with op.batch_alter_table('person_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_roles_person_id'), ['person_id'], unique=False)

    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('starts_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('host','cohost','pa')", name=op.f('ck_shifts_role_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_shifts_ends_after_start')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_shifts_person_id_people')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_shifts_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index('ix_shifts_person_start', ['person_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shifts_session_id'), ['session_id'], unique=False)

    op.create_table('time_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('clock_in_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('clock_out_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note_in', sa.Text(), nullable=True),
    sa.Column('note_out', sa.Text(), nullable=True),
    sa.Column('late_minutes', sa.Integer(), nullable=True),
    sa.Column('unscheduled', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('edited', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('source', sa.String(length=20), server_default='slack', nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('clock_out_at IS NULL OR clock_out_at > clock_in_at', name=op.f('ck_time_entries_out_after_in')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_time_entries_person_id_people')),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_time_entries_shift_id_shifts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_entries'))
    )
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.create_index('ix_time_entries_clock_in_at', ['clock_in_at'], unique=False)
        batch_op.create_index('ix_time_entries_person_in', ['person_id', 'clock_in_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_entries_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index('uq_time_entries_one_open_per_person', ['person_id'], unique=True, sqlite_where=sa.text('clock_out_at IS NULL'), postgresql_where=sa.text('clock_out_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_time_entries_one_open_per_person', sqlite_where=sa.text('clock_out_at IS NULL'), postgresql_where=sa.text('clock_out_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_time_entries_shift_id'))
        batch_op.drop_index('ix_time_entries_person_in')
        batch_op.drop_index('ix_time_entries_clock_in_at')

    op.drop_table('time_entries')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shifts_session_id'))
        batch_op.drop_index('ix_shifts_person_start')

    op.drop_table('shifts')
    with op.batch_alter_table('person_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_roles_person_id'))

    op.drop_table('person_roles')
    with op.batch_alter_table('processed_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_requests_created_at'))

    op.drop_table('processed_requests')
    op.drop_table('posted_messages')
    op.drop_table('people')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_sessions_starts_at'))

    op.drop_table('live_sessions')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_entity')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')

"""escalations and their timeline

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:35:25.671165
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=150), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('affected', sa.String(length=20), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('needs_legal', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('reporter', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('escalated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_notified_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('snoozed_until', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('cause', sa.String(length=20), nullable=True),
    sa.Column('last_update', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.CheckConstraint("affected IN ('stream','product','host','pricing','compliance','other')", name=op.f('ck_escalations_affected_known')),
    sa.CheckConstraint("cause IS NULL OR cause IN ('tech','product','pricing','host','compliance','platform','stock','other')", name=op.f('ck_escalations_cause_known')),
    sa.CheckConstraint("status IN ('open','acknowledged','resolved')", name=op.f('ck_escalations_status_known')),
    sa.CheckConstraint('severity BETWEEN 1 AND 4', name=op.f('ck_escalations_severity_known')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_escalations_session_id_live_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_escalations_idempotency_key'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_escalated_at'), ['escalated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_escalations_status', ['status'], unique=False)

    op.create_table('escalation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.CheckConstraint("kind IN ('raised','notified','acknowledged','updated','escalated','snoozed','resolved','reopened')", name=op.f('ck_escalation_events_kind_known')),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_events_escalation_id_escalations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_events'))
    )
    with op.batch_alter_table('escalation_events', schema=None) as batch_op:
        batch_op.create_index('ix_escalation_events_escalation_at', ['escalation_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('escalation_events', schema=None) as batch_op:
        batch_op.drop_index('ix_escalation_events_escalation_at')

    op.drop_table('escalation_events')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_escalations_status')
        batch_op.drop_index(batch_op.f('ix_escalations_session_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_escalated_at'))

    op.drop_table('escalations')

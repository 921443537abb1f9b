"""Leadership reporting: scorecard targets set in Slack; meetings proposed around LIVE shifts (issue 20)

Revision ID: 0020
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = '0020'
down_revision = '0010'
branch_labels = None
depends_on = None

_KEYS = "'gmv_week', 'gmv_per_live_hour', 'conversion', 'avg_view_duration', 'punctuality'"


def upgrade() -> None:
    op.create_table('scorecard_targets',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('set_by', sa.String(length=32), nullable=False),
    sa.Column('set_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"key IN ({_KEYS})", name=op.f('ck_scorecard_targets_key_known')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_scorecard_targets'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('organizer', sa.String(length=32), nullable=False),
    sa.Column('attendees', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('length_minutes', sa.Integer(), nullable=False),
    sa.Column('slots', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('starts_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'scheduled', 'cancelled')", name=op.f('ck_meetings_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_meetings_idempotency_key'))
    )
    op.create_table('meeting_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_answers_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_answers')),
    sa.UniqueConstraint('meeting_id', 'user_id', 'slot', name=op.f('uq_meeting_answers_meeting_id_user_id_slot'))
    )
    op.create_index(op.f('ix_meeting_answers_meeting_id'), 'meeting_answers', ['meeting_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_meeting_answers_meeting_id'), table_name='meeting_answers')
    op.drop_table('meeting_answers')
    op.drop_table('meetings')
    op.drop_table('scorecard_targets')

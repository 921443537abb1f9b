"""Run-of-show segments per LIVE session, and the forgotten check-out nag state (issue 8)

Revision ID: 0007
Revises: 0008
Create Date: 2026-11-25 19:56:23.893071
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base


revision = '0007'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkout_nags',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('snoozes', sa.Integer(), nullable=False),
    sa.Column('snoozed_until', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['time_entries.id'], name=op.f('fk_checkout_nags_entry_id_time_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_checkout_nags'))
    )
    op.create_table('ros_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('offset_min', sa.Integer(), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('sku_text', sa.String(length=64), nullable=True),
    sa.Column('offer', sa.String(length=300), nullable=True),
    sa.Column('talking_points', sa.Text(), nullable=True),
    sa.Column('lead_role', sa.String(length=10), nullable=True),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('hook','product','flash_deal','giveaway','qa','close','other')", name=op.f('ck_ros_segments_kind_known')),
    sa.CheckConstraint("lead_role IS NULL OR lead_role IN ('host','cohost')", name=op.f('ck_ros_segments_lead_known')),
    sa.CheckConstraint('duration_min > 0', name=op.f('ck_ros_segments_duration_positive')),
    sa.CheckConstraint('offset_min >= 0', name=op.f('ck_ros_segments_offset_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_ros_segments_product_id_products'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_ros_segments_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ros_segments'))
    )
    with op.batch_alter_table('ros_segments', schema=None) as batch_op:
        batch_op.create_index('ix_ros_segments_session_offset', ['session_id', 'offset_min'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ros_segments', schema=None) as batch_op:
        batch_op.drop_index('ix_ros_segments_session_offset')

    op.drop_table('ros_segments')
    op.drop_table('checkout_nags')

"""Outbox: the chain a message belongs to (parent before children) and when to give up retrying (issue 13)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('give_up_at', bot.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_chain', ['chain', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_chain')
        batch_op.drop_column('give_up_at')
        batch_op.drop_column('chain')

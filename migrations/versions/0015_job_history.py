"""When each scheduled job's history starts in this database, so a fresh database lists no missed posts (issue 14)

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-03 15:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base


revision = '0015'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_history',
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('since', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job', name=op.f('pk_job_history'))
    )


def downgrade() -> None:
    op.drop_table('job_history')

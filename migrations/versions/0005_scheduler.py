"""scheduler: job runs and ticks

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25 19:45:15.438174
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base


revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=80), nullable=False),
    sa.Column('scheduled_for', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('forced', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('started_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'period', name=op.f('uq_job_runs_job_period'))
    )
    op.create_table('job_ticks',
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('last_started_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_finished_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.String(length=16), nullable=False),
    sa.Column('last_result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('job', name=op.f('pk_job_ticks'))
    )


def downgrade() -> None:
    op.drop_table('job_ticks')
    op.drop_table('job_runs')

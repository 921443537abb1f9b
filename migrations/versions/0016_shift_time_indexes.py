"""Indexes for a studio ten times bigger: shifts by start and by end, whoever works them (issue 15)

Revision ID: 0016
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = '0016'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index('ix_shifts_starts_at', ['starts_at'], unique=False)
        batch_op.create_index('ix_shifts_ends_at', ['ends_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_shifts_ends_at')
        batch_op.drop_index('ix_shifts_starts_at')

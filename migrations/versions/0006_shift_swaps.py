"""shift swaps

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-25 19:55:04.170777
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('swaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('return_shift_id', sa.Integer(), nullable=True),
    sa.Column('taker_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('overtime', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('warnings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('posts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('expires_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('direct','trade','open')", name=op.f('ck_swaps_kind_known')),
    sa.CheckConstraint("status IN ('open','accepted','approved','denied','declined','cancelled','expired')", name=op.f('ck_swaps_status_known')),
    sa.ForeignKeyConstraint(['requester_id'], ['people.id'], name=op.f('fk_swaps_requester_id_people')),
    sa.ForeignKeyConstraint(['return_shift_id'], ['shifts.id'], name=op.f('fk_swaps_return_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_swaps_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taker_id'], ['people.id'], name=op.f('fk_swaps_taker_id_people')),
    sa.ForeignKeyConstraint(['target_id'], ['people.id'], name=op.f('fk_swaps_target_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_swaps'))
    )
    with op.batch_alter_table('swaps', schema=None) as batch_op:
        batch_op.create_index('ix_swaps_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index('uq_swaps_one_active_per_shift', ['shift_id'], unique=True, sqlite_where=sa.text("status IN ('open','accepted')"), postgresql_where=sa.text("status IN ('open','accepted')"))



def downgrade() -> None:
    with op.batch_alter_table('swaps', schema=None) as batch_op:
        batch_op.drop_index('uq_swaps_one_active_per_shift', sqlite_where=sa.text("status IN ('open','accepted')"), postgresql_where=sa.text("status IN ('open','accepted')"))
        batch_op.drop_index('ix_swaps_status_expires')

    op.drop_table('swaps')

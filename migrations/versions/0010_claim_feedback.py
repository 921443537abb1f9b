"""Legal's claim-checker feedback: allow-list ('Not a problem') and missed spans ('Missed one') (issue 16)

Revision ID: 0010
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = '0010'
down_revision = '0015'
branch_labels = None
depends_on = None

_CATS = "'health','guarantee','superlative','price_scarcity','earnings','before_after','disclosure'"


def upgrade() -> None:
    op.create_table('claim_allow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phrase', sa.String(length=300), nullable=False),
    sa.Column('phrase_key', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('product', sa.String(length=300), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"category IN ({_CATS})", name=op.f('ck_claim_allow_category_known')),
    sa.ForeignKeyConstraint(['version_id'], ['brief_versions.id'], name=op.f('fk_claim_allow_version_id_brief_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_allow')),
    sa.UniqueConstraint('phrase_key', 'category', 'product', name=op.f('uq_claim_allow_phrase_key_category_product'))
    )
    op.create_table('claim_misses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('why', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"category IN ({_CATS})", name=op.f('ck_claim_misses_category_known')),
    sa.ForeignKeyConstraint(['version_id'], ['brief_versions.id'], name=op.f('fk_claim_misses_version_id_brief_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_misses')),
    sa.UniqueConstraint('version_id', 'start', 'end', 'category', name=op.f('uq_claim_misses_version_id_start_end_category'))
    )
    with op.batch_alter_table('claim_misses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_misses_version_id'), ['version_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claim_misses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_misses_version_id'))
    op.drop_table('claim_misses')
    op.drop_table('claim_allow')

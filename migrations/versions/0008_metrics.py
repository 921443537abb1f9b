"""LIVE metrics: session totals and per-SKU units and GMV

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-25 19:56:02.718837
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('session_metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('gmv_cents', sa.BigInteger(), nullable=True),
    sa.Column('direct_gmv_cents', sa.BigInteger(), nullable=True),
    sa.Column('orders', sa.Integer(), nullable=True),
    sa.Column('units_sold', sa.Integer(), nullable=True),
    sa.Column('buyers', sa.Integer(), nullable=True),
    sa.Column('unique_viewers', sa.Integer(), nullable=True),
    sa.Column('views', sa.Integer(), nullable=True),
    sa.Column('avg_view_duration_seconds', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('peak_viewers', sa.Integer(), nullable=True),
    sa.Column('product_impressions', sa.BigInteger(), nullable=True),
    sa.Column('product_clicks', sa.Integer(), nullable=True),
    sa.Column('new_followers', sa.Integer(), nullable=True),
    sa.Column('likes', sa.BigInteger(), nullable=True),
    sa.Column('comments', sa.Integer(), nullable=True),
    sa.Column('shares', sa.Integer(), nullable=True),
    sa.Column('duration_seconds', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('exported_ctr', sa.Numeric(precision=10, scale=6), nullable=True),
    sa.Column('exported_ctor', sa.Numeric(precision=10, scale=6), nullable=True),
    sa.Column('exported_conversion', sa.Numeric(precision=10, scale=6), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("source IN ('modal','import','demo')", name=op.f('ck_session_metrics_source_known')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_session_metrics_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_metrics')),
    sa.UniqueConstraint('session_id', name=op.f('uq_session_metrics_session_id'))
    )
    op.create_table('sku_metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('gmv_cents', sa.BigInteger(), nullable=True),
    sa.Column('stock_after', sa.Integer(), nullable=True),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('gmv_cents >= 0', name=op.f('ck_sku_metrics_gmv_not_negative')),
    sa.CheckConstraint('units >= 0', name=op.f('ck_sku_metrics_units_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_sku_metrics_product_id_products'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_sku_metrics_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sku_metrics')),
    sa.UniqueConstraint('session_id', 'sku', name=op.f('uq_sku_metrics_session_id_sku'))
    )
    with op.batch_alter_table('sku_metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sku_metrics_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_sku_metrics_sku', ['sku'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sku_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_sku_metrics_sku')
        batch_op.drop_index(batch_op.f('ix_sku_metrics_session_id'))

    op.drop_table('sku_metrics')
    op.drop_table('session_metrics')

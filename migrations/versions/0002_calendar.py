"""calendar: tiers, products, availability, publications

Revision ID: 0002
Revises: 0004
Create Date: 2026-11-25 19:34:44.164452

Adds shift confirmation state and the cover flag to the foundation's shifts table, and seeds
the default host tiers (Rookie < Core < Lead) and product tiers (A hero needs Lead, B core Core, C long-tail Rookie).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('host_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_host_tiers')),
    sa.UniqueConstraint('name', name=op.f('uq_host_tiers_name')),
    sa.UniqueConstraint('rank', name=op.f('uq_host_tiers_rank'))
    )
    op.create_table('schedule_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_publications')),
    sa.UniqueConstraint('week_start', 'version', name=op.f('uq_schedule_publications_week_start_version'))
    )
    op.create_table('availability_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute', name=op.f('ck_availability_windows_minutes_ordered')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_availability_windows_weekday_known')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_availability_windows_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_windows'))
    )
    with op.batch_alter_table('availability_windows', schema=None) as batch_op:
        batch_op.create_index('ix_availability_windows_person', ['person_id', 'weekday'], unique=False)

    op.create_table('person_host_tiers',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('host_tier_id', sa.Integer(), nullable=False),
    sa.Column('set_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['host_tier_id'], ['host_tiers.id'], name=op.f('fk_person_host_tiers_host_tier_id_host_tiers')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_host_tiers_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_host_tiers'))
    )
    op.create_table('product_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('min_host_tier_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['min_host_tier_id'], ['host_tiers.id'], name=op.f('fk_product_tiers_min_host_tier_id_host_tiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_tiers')),
    sa.UniqueConstraint('code', name=op.f('uq_product_tiers_code'))
    )
    op.create_table('time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_time_off_ends_after_start')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_time_off_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.create_index('ix_time_off_person_start', ['person_id', 'starts_at'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('product_tier_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_tier_id'], ['product_tiers.id'], name=op.f('fk_products_product_tier_id_product_tiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('sku', name=op.f('uq_products_sku'))
    )
    op.create_table('session_skus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_session_skus_product_id_products')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_session_skus_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_skus')),
    sa.UniqueConstraint('session_id', 'product_id', name=op.f('uq_session_skus_session_id_product_id'))
    )
    with op.batch_alter_table('session_skus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_skus_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('responded_at', bot.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('needs_cover', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    if op.get_context().dialect.name == "postgresql":
        # SQLite would have to rebuild the shifts table (and its time-entry links) to add a CHECK; the service validates there.
        op.create_check_constraint(op.f('ck_shifts_state_known'), 'shifts', "state IN ('pending','confirmed','declined')")

    # Seed tiers: data the associate can change later, not code.
    host_tiers = sa.table('host_tiers', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('rank', sa.Integer))
    op.bulk_insert(host_tiers, [{'id': 1, 'name': 'Rookie', 'rank': 1}, {'id': 2, 'name': 'Core', 'rank': 2},
                                {'id': 3, 'name': 'Lead', 'rank': 3}])
    product_tiers = sa.table('product_tiers', sa.column('id', sa.Integer), sa.column('code', sa.String),
                             sa.column('name', sa.String), sa.column('min_host_tier_id', sa.Integer))
    op.bulk_insert(product_tiers, [{'id': 1, 'code': 'A', 'name': 'Hero', 'min_host_tier_id': 3},
                                   {'id': 2, 'code': 'B', 'name': 'Core', 'min_host_tier_id': 2},
                                   {'id': 3, 'code': 'C', 'name': 'Long-tail', 'min_host_tier_id': 1}])
    if op.get_context().dialect.name == "postgresql":
        op.execute("SELECT setval('host_tiers_id_seq', 3)")
        op.execute("SELECT setval('product_tiers_id_seq', 3)")



def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(op.f('ck_shifts_state_known'), 'shifts', type_='check')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_column('needs_cover')
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('state')

    with op.batch_alter_table('session_skus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_skus_session_id'))

    op.drop_table('session_skus')
    op.drop_table('products')
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.drop_index('ix_time_off_person_start')

    op.drop_table('time_off')
    op.drop_table('product_tiers')
    op.drop_table('person_host_tiers')
    with op.batch_alter_table('availability_windows', schema=None) as batch_op:
        batch_op.drop_index('ix_availability_windows_person')

    op.drop_table('availability_windows')
    op.drop_table('schedule_publications')
    op.drop_table('host_tiers')

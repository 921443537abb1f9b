"""briefs: brief approval routing with legal

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-25 19:34:56.022324
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('briefs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('skus', sa.Text(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('campaign', sa.String(length=200), nullable=True),
    sa.Column('due_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note_to_legal', sa.Text(), nullable=True),
    sa.Column('draft_text', sa.Text(), nullable=False),
    sa.Column('draft_link', sa.String(length=1000), nullable=True),
    sa.Column('submitter', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('approvals_required', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('creative_brief','talk_track','bundle_sheet','promo','other')", name=op.f('ck_briefs_kind_known')),
    sa.CheckConstraint("status IN ('draft','pending','changes_requested','approved','rejected')", name=op.f('ck_briefs_status_known')),
    sa.CheckConstraint('approvals_required >= 1', name=op.f('ck_briefs_approvals_positive')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_briefs_session_id_live_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_briefs'))
    )
    with op.batch_alter_table('briefs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_briefs_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_briefs_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_briefs_submitter'), ['submitter'], unique=False)

    op.create_table('brief_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brief_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=True),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_by', sa.String(length=32), nullable=False),
    sa.Column('submitted_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('findings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['brief_id'], ['briefs.id'], name=op.f('fk_brief_versions_brief_id_briefs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brief_versions')),
    sa.UniqueConstraint('brief_id', 'number', name=op.f('uq_brief_versions_brief_id_number'))
    )
    with op.batch_alter_table('brief_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brief_versions_brief_id'), ['brief_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brief_versions_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('brief_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('decider', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('approve','request_changes','reject')", name=op.f('ck_brief_decisions_decision_known')),
    sa.ForeignKeyConstraint(['version_id'], ['brief_versions.id'], name=op.f('fk_brief_decisions_version_id_brief_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brief_decisions')),
    sa.UniqueConstraint('version_id', 'decider', name=op.f('uq_brief_decisions_version_id_decider'))
    )
    with op.batch_alter_table('brief_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brief_decisions_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_brief_decisions_version_id'), ['version_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('brief_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brief_decisions_version_id'))
        batch_op.drop_index(batch_op.f('ix_brief_decisions_at'))

    op.drop_table('brief_decisions')
    with op.batch_alter_table('brief_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brief_versions_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_brief_versions_brief_id'))

    op.drop_table('brief_versions')
    with op.batch_alter_table('briefs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_briefs_submitter'))
        batch_op.drop_index('ix_briefs_status_due')
        batch_op.drop_index(batch_op.f('ix_briefs_session_id'))

    op.drop_table('briefs')

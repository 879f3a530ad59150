"""co-authors of a practice are invited and appear only after accepting

Revision ID: b2e4f6a8c0d1
Revises: a1d3e5f7b9c2
Create Date: 2026-12-02 08:10:00

Co-authors named before this change keep their place (they are in practice_coauthors).
"""
from alembic import op
import sqlalchemy as sa

import kde_community.dbtypes


revision = 'b2e4f6a8c0d1'
down_revision = 'a1d3e5f7b9c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', kde_community.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('answered_at', kde_community.dbtypes.UTCDateTime(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_practice_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_invitations_practice_id_practices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_invitations')),
    sa.UniqueConstraint('practice_id', 'email', name=op.f('uq_practice_invitations_practice_id'))
    )
    with op.batch_alter_table('practice_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_invitations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_invitations_practice_id'), ['practice_id'], unique=False)


def downgrade():
    with op.batch_alter_table('practice_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_invitations_practice_id'))
        batch_op.drop_index(batch_op.f('ix_practice_invitations_email'))
    op.drop_table('practice_invitations')

"""revisions remember the audience they were written for

Revision ID: a1d3e5f7b9c2
Revises: fdfe0c139af0
Create Date: 2026-12-02 07:30:00

Existing revisions get the audience of their snapshot when it recorded one (questions and
practices store `visibility` and `anonymous`); an answer's revision gets the audience its
question had at that moment, from the question's revisions. Anything unknown is `members`,
the narrower choice.
"""
from alembic import op
import sqlalchemy as sa


revision = 'a1d3e5f7b9c2'
down_revision = 'fdfe0c139af0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.String(length=20), nullable=False,
                                      server_default='members'))
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('anonymous', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_revisions_organisation_id_organisations'),
                                    'organisations', ['organisation_id'], ['id'])
    _backfill()
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.alter_column('visibility', server_default=None)
        batch_op.alter_column('anonymous', server_default=None)


def _backfill():
    conn = op.get_bind()
    revisions = sa.table('revisions', sa.column('id', sa.Integer), sa.column('content_type', sa.String),
                         sa.column('content_id', sa.Integer), sa.column('fields', sa.JSON),
                         sa.column('created_at', sa.DateTime), sa.column('visibility', sa.String),
                         sa.column('organisation_id', sa.Integer), sa.column('anonymous', sa.Boolean))
    owners = {}
    for table in ('questions', 'practices', 'answers'):
        columns = 'id, organisation_id' + (', question_id' if table == 'answers' else '')
        for row in conn.execute(sa.text(f'SELECT {columns} FROM {table}')):  # noqa: S608
            owners[(table[:-1], row[0])] = row
    rows = list(conn.execute(sa.select(revisions.c.id, revisions.c.content_type,
                                       revisions.c.content_id, revisions.c.fields,
                                       revisions.c.created_at).order_by(revisions.c.created_at)))
    question_history = {}
    for row in rows:
        if row.content_type == 'question':
            question_history.setdefault(row.content_id, []).append(row)
    for row in rows:
        fields = row.fields or {}
        visibility, org_id, anonymous = 'members', None, False
        owner = owners.get((row.content_type, row.content_id))
        if row.content_type in ('question', 'practice') and owner is not None:
            visibility = fields.get('visibility') or 'members'
            org_id = owner[1]
            anonymous = fields.get('anonymous') == 'ja'
        elif row.content_type == 'answer' and owner is not None:
            earlier = [q for q in question_history.get(owner[2], []) if q.created_at <= row.created_at]
            if earlier:
                visibility = (earlier[-1].fields or {}).get('visibility') or 'members'
                org_id = owners.get(('question', owner[2]), (None, None))[1]
        conn.execute(revisions.update().where(revisions.c.id == row.id).values(
            visibility=visibility, organisation_id=org_id, anonymous=anonymous))


def downgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_revisions_organisation_id_organisations'),
                                 type_='foreignkey')
        batch_op.drop_column('anonymous')
        batch_op.drop_column('organisation_id')
        batch_op.drop_column('visibility')

"""messages and nudges: receipts and language on the outbox, consent on users, message
hours on cohorts, nudge sends, sign-in codes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_channel', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('messages_off_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('messages_from_hour', sa.Integer(), server_default='9', nullable=False))
        batch_op.add_column(sa.Column('messages_until_hour', sa.Integer(), server_default='21', nullable=False))
    op.create_table('nudge_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_nudge_sends_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_nudge_sends_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_nudge_sends_outbox_id_outbox'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nudge_sends')),
    sa.UniqueConstraint('rule', 'enrolment_id', 'local_day', name=op.f('uq_nudge_sends_rule'))
    )
    with op.batch_alter_table('nudge_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nudge_sends_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_nudge_sends_rule_key', ['enrolment_id', 'rule', 'key'], unique=False)
    op.create_table('login_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_codes'))
    )
    with op.batch_alter_table('login_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_codes_user_id'))
    op.drop_table('login_codes')
    with op.batch_alter_table('nudge_sends', schema=None) as batch_op:
        batch_op.drop_index('ix_nudge_sends_rule_key')
        batch_op.drop_index(batch_op.f('ix_nudge_sends_cohort_id'))
    op.drop_table('nudge_sends')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_column('messages_until_hour')
        batch_op.drop_column('messages_from_hour')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('messages_off_at')
        batch_op.drop_column('message_channel')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('delivered_at')

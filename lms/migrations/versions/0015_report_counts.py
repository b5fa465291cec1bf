"""report counts: per-cohort counters kept by triggers, and completion days for the median

Creates `report_counts` and `completion_days`, the triggers that keep them exact on every
write (lms/reports/counting.py), and backfills both from the existing facts, so an
upgraded database reports the same figures at once.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

from lms.reports import counting


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=160), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_report_counts_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_counts')),
    sa.UniqueConstraint('cohort_id', 'name', 'label', 'slot', name=op.f('uq_report_counts_cohort_id'))
    )
    op.create_table('completion_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('days', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_completion_days_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_completion_days_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_completion_days')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_completion_days_enrolment_id'))
    )
    with op.batch_alter_table('completion_days', schema=None) as batch_op:
        batch_op.create_index('ix_completion_days_cohort_days', ['cohort_id', 'days'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in counting.create_triggers(dialect):
        op.execute(statement)
    # Backfill from the facts (enrolments, users, summaries, answers, certificates).
    for statement in counting.rebuild_statements(dialect):
        op.execute(statement)


def downgrade():
    for statement in counting.drop_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('completion_days', schema=None) as batch_op:
        batch_op.drop_index('ix_completion_days_cohort_days')
    op.drop_table('completion_days')
    op.drop_table('report_counts')

"""sponsor logo and feedback survey

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_svg", sa.Text(), nullable=True))
    op.create_table(
        "survey_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_survey_submissions_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_survey_submissions_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_submissions")),
        sa.UniqueConstraint("enrolment_id", name=op.f("uq_survey_submissions_enrolment_id")),
    )
    with op.batch_alter_table("survey_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_submissions_cohort_id"), ["cohort_id"], unique=False
        )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_survey_answers_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_answers_cohort_question", ["cohort_id", "question_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_answers_cohort_question")
    op.drop_table("survey_answers")
    with op.batch_alter_table("survey_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_submissions_cohort_id"))
    op.drop_table("survey_submissions")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("logo_svg")

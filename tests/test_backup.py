"""`lms backup` taken while trainees submit, then `lms restore`: every attempt is there."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest
from conftest import ON_POSTGRES, POSTGRES_URL
from sqlalchemy import create_engine, text
from werkzeug.datastructures import MultiDict


def test_backup_during_submissions_then_restore(
    app, runner, make_user, make_cohort, enrol, tmp_path
):
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.extensions import db
    from lms.quizzes import services
    from lms.quizzes.models import AttemptAnswer, QuizAttempt

    cohort_id, _ = make_cohort()
    users = [make_user() for _ in range(4)]
    for user in users:
        enrol(user, cohort_id)
    backup = tmp_path / "backup.bin"
    stop = threading.Event()
    submitted: list[int] = []

    def trainee(user_id: int) -> None:
        with app.app_context():
            while not stop.is_set() and len(submitted) < 400:
                context = learning_context(db.session.get(User, user_id), cohort_id)
                payload = services.new_attempt_form(context, "day-2", "en").payload
                services.submit(
                    context, "day-2", payload, MultiDict({"q-budget-savings": "800000"})
                )
                db.session.commit()
                submitted.append(user_id)
            db.session.remove()

    threads = [threading.Thread(target=trainee, args=(u.id,)) for u in users]
    for thread in threads:
        thread.start()
    while len(submitted) < 40:
        pass
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(QuizAttempt))
        db.session.remove()
    result = runner.invoke(args=["backup", str(backup)])
    with app.app_context():
        after = db.session.scalar(db.select(db.func.count()).select_from(QuizAttempt))
        db.session.remove()
    stop.set()
    for thread in threads:
        thread.join()
    assert result.exit_code == 0, result.output

    restored = runner.invoke(args=["restore", "--yes", str(backup)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        count = db.session.scalar(db.select(db.func.count()).select_from(QuizAttempt))
        assert before <= count <= after  # a consistent moment between the two
        answers = db.session.scalar(db.select(db.func.count()).select_from(AttemptAnswer))
        assert answers == 2 * count  # every attempt whole: both of its answers
        for user in users:
            numbers = sorted(
                db.session.scalars(
                    db.select(QuizAttempt.number)
                    .join(QuizAttempt.enrolment)
                    .where(QuizAttempt.enrolment.has(user_id=user.id))
                )
            )
            assert numbers == list(range(1, len(numbers) + 1))  # no gaps: nothing half-copied


def test_restore_asks_first(runner, tmp_path):
    backup = tmp_path / "b.bin"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output


@pytest.mark.skipif(not ON_POSTGRES, reason="schemas are PostgreSQL's")
def test_backup_and_restore_touch_only_the_apps_schema(app, runner, tmp_path):
    """Another schema of the same database (another app, a benchmark) is neither copied
    into the backup nor dropped or changed by a restore."""
    neighbour = f"neighbour_{os.getpid()}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{neighbour}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{neighbour}"'))
        connection.execute(text(f'CREATE TABLE "{neighbour}".users (id int)'))
        connection.execute(text(f'INSERT INTO "{neighbour}".users VALUES (7)'))
    try:
        backup = tmp_path / "b.dump"
        assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
        listing = subprocess.run(
            ["pg_restore", "--list", str(backup)], capture_output=True, text=True, check=True
        ).stdout
        assert neighbour not in listing and " users " in listing
        with engine.begin() as connection:  # the neighbour changes after the backup
            connection.execute(text(f'INSERT INTO "{neighbour}".users VALUES (8)'))
        restored = runner.invoke(args=["restore", "--yes", str(backup)])
        assert restored.exit_code == 0, restored.output
        with engine.connect() as connection:
            rows = connection.execute(text(f'SELECT id FROM "{neighbour}".users ORDER BY id'))
            assert [row.id for row in rows] == [7, 8]
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{neighbour}" CASCADE'))
        engine.dispose()

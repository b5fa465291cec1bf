"""The one-way write path: layers, events in the writer's transaction, summaries exact."""

from __future__ import annotations

import ast
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import csrf_from, sign_in_as
from quizhelpers import DAY1_RIGHT, DAY1_WRONG, DAY2_RIGHT, submit
from werkzeug.datastructures import MultiDict

ROOT = Path(__file__).resolve().parents[1]
# The app factory may import lazily (so the course engine loads without Flask): nothing else.
ALLOWED_LOCAL_IMPORTS = {("lms/__init__.py", "create_app")}


def function_local_lms_imports(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / "lms").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("lms/migrations/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                module = None
                if isinstance(node, ast.ImportFrom):
                    module = "." * node.level + (node.module or "")
                elif isinstance(node, ast.Import):
                    module = ",".join(alias.name for alias in node.names)
                if module is None:
                    continue
                if (module.startswith("lms") or module.startswith(".")) and (
                    relative,
                    function.name,
                ) not in ALLOWED_LOCAL_IMPORTS:
                    found.append(f"{relative}:{node.lineno} in {function.name}(): {module}")
    return found


def test_no_function_local_import_hides_a_cycle():
    assert function_local_lms_imports() == []


def test_the_scan_finds_a_function_local_import(tmp_path):
    """The scanner itself can fail: a planted local import is reported."""
    (tmp_path / "lms" / "quizzes").mkdir(parents=True)
    planted = tmp_path / "lms" / "quizzes" / "services.py"
    planted.write_text("import os\n\n\ndef f():\n    from lms.reports import summaries\n")
    assert function_local_lms_imports(tmp_path) == ["lms/quizzes/services.py:5 in f(): lms.reports"]


@pytest.mark.skipif(not shutil.which("lint-imports", path=str(Path(sys.executable).parent)),
                    reason="import-linter is a dev dependency")  # fmt: skip
def test_layers_declared_in_pyproject_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_layers_catch_an_upward_import(tmp_path):
    """Copy the package, add one upward import, and lint-imports must fail."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "lms", copy / "lms", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "lms" / "quizzes" / "grading.py"
    target.write_text(target.read_text() + "\nfrom lms.reports import summaries  # noqa\n")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "lms.quizzes is not allowed to import lms.reports" in result.stdout


@pytest.fixture
def trainee_in_cohort(app, make_user, make_cohort, enrol):
    trainee = make_user()
    cohort_id, _ = make_cohort()
    enrolment_id = enrol(trainee, cohort_id)
    return trainee, cohort_id, enrolment_id


def _counts(app, enrolment_id):
    from sqlalchemy import func, select

    from lms.audit.models import AuditEntry
    from lms.extensions import db
    from lms.progress.models import LessonCompletion
    from lms.quizzes.models import QuizAttempt
    from lms.reports.models import DayProgress, QuizResult

    with app.app_context():
        count = lambda query: db.session.scalar(select(func.count()).select_from(query))  # noqa: E731
        return {
            "completions": count(
                select(LessonCompletion)
                .where(LessonCompletion.enrolment_id == enrolment_id)
                .subquery()
            ),
            "attempts": count(
                select(QuizAttempt).where(QuizAttempt.enrolment_id == enrolment_id).subquery()
            ),
            "day_rows": count(
                select(DayProgress).where(DayProgress.enrolment_id == enrolment_id).subquery()
            ),
            "quiz_rows": count(
                select(QuizResult).where(QuizResult.enrolment_id == enrolment_id).subquery()
            ),
            "audit": count(select(AuditEntry).subquery()),
        }


def test_a_failing_subscriber_rolls_back_the_whole_write(app, trainee_in_cohort):
    from lms.events import subscribe
    from lms.progress.events import LessonCompleted
    from lms.quizzes.events import AttemptRecorded

    trainee, cohort_id, enrolment_id = trainee_in_cohort
    seen = []

    def failing(event):
        seen.append(type(event).__name__)
        raise RuntimeError("subscriber failed")

    subscribe(app, LessonCompleted, failing)
    subscribe(app, AttemptRecorded, failing)
    before = _counts(app, enrolment_id)
    client = app.test_client()
    sign_in_as(client, trainee)
    page = client.get(f"/cohorts/{cohort_id}/lessons/welcome").get_data(as_text=True)
    response = client.post(
        f"/cohorts/{cohort_id}/lessons/welcome/done", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 500
    response = submit(client, cohort_id, "day-1", DAY1_RIGHT)
    assert response.status_code == 500
    assert seen == ["LessonCompleted", "AttemptRecorded"]
    after = _counts(app, enrolment_id)
    assert after == before  # no completion, attempt, summary or audit row survived


def test_events_reach_subscribers_in_the_writers_transaction(app, trainee_in_cohort):
    from lms.events import subscribe
    from lms.progress.events import EnrolmentCompleted, LessonCompleted
    from lms.quizzes.events import AttemptRecorded

    trainee, cohort_id, enrolment_id = trainee_in_cohort
    seen = []

    def describe(event):
        if isinstance(event, LessonCompleted):
            return event.lesson.slug
        return bool(event.attempt.passed) if isinstance(event, AttemptRecorded) else None

    for kind in (LessonCompleted, AttemptRecorded, EnrolmentCompleted):
        subscribe(
            app,
            kind,
            lambda event: seen.append((type(event).__name__, event.enrolment.id, describe(event))),
        )
    client = app.test_client()
    sign_in_as(client, trainee)
    page = client.get(f"/cohorts/{cohort_id}/lessons/welcome").get_data(as_text=True)
    client.post(f"/cohorts/{cohort_id}/lessons/welcome/done", data={"csrf_token": csrf_from(page)})
    client.post(f"/cohorts/{cohort_id}/lessons/welcome/done", data={"csrf_token": csrf_from(page)})
    # once: marking a lesson done twice is one fact
    assert seen == [("LessonCompleted", enrolment_id, "welcome")]
    submit(client, cohort_id, "day-1", DAY1_WRONG)
    assert seen[-1] == ("AttemptRecorded", enrolment_id, False)


def _summary_rows(app, cohort_id):
    from sqlalchemy import select

    from lms.cohorts.models import Enrolment
    from lms.extensions import db
    from lms.reports.models import DayProgress, QuestionStat, QuizResult

    with app.app_context():
        days = sorted(
            (r.enrolment_id, r.day, r.lessons_done, bool(r.finished))
            for r in db.session.scalars(
                select(DayProgress).where(DayProgress.cohort_id == cohort_id)
            )
        )
        quizzes = sorted(
            (r.enrolment_id, r.quiz_key, r.attempts, float(r.best), float(r.first_score), r.passed)
            for r in db.session.scalars(select(QuizResult).where(QuizResult.cohort_id == cohort_id))
        )
        questions = sorted(
            (r.quiz_key, r.question_id, r.answers, float(r.points))
            for r in db.session.scalars(
                select(QuestionStat).where(QuestionStat.cohort_id == cohort_id)
            )
        )
        started = sorted(
            (e.id, e.started_at is not None, e.status)
            for e in db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort_id))
        )
        return days, quizzes, questions, started


def test_summaries_equal_a_rebuild_after_a_random_mix(app, make_user, make_cohort, enrol):
    """Completions, attempts (right and wrong, retries) and withdrawals in a random order,
    through the services as pages call them; then the kept summaries equal a rebuild."""
    from lms.auth.models import User
    from lms.cohorts import services as cohorts
    from lms.cohorts.access import learning_context
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db
    from lms.permissions import SYSTEM
    from lms.progress.services import mark_lesson_done
    from lms.quizzes import services as quizzes
    from lms.reports import summaries

    rng = random.Random(20261202)
    cohort_id, _ = make_cohort()
    people = [(make_user(), None) for _ in range(12)]
    enrolments = [enrol(user, cohort_id) for user, _ in people]
    lessons = ["welcome", "passwords", "budget", "saving"]
    answers = {"day-1": [DAY1_RIGHT, DAY1_WRONG], "day-2": [DAY2_RIGHT, {}]}
    actions = []
    for index in range(len(people)):
        actions += [("lesson", index, slug) for slug in lessons if rng.random() < 0.7]
        actions += [("quiz", index, key) for key in answers for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.25:
            actions.append(("withdraw", index, None))
    rng.shuffle(actions)
    withdrawn = set()
    for kind, index, what in actions:
        if index in withdrawn:
            continue
        user = people[index][0]
        with app.app_context(), app.test_request_context():
            person = db.session.get(User, user.id)
            context = learning_context(person, cohort_id)
            if kind == "lesson":
                mark_lesson_done(context.enrolment, context.course, context.course.lesson(what))
            elif kind == "quiz":
                payload = quizzes.new_attempt_form(context, what, "en").payload
                try:
                    quizzes.submit(context, what, payload, MultiDict(rng.choice(answers[what])))
                except Exception as exc:  # noqa: BLE001 - out of attempts is part of the mix
                    assert "attempts" in str(exc)
                    db.session.rollback()
                    continue
            else:
                cohorts.withdraw(SYSTEM, db.session.get(Enrolment, enrolments[index]))
                withdrawn.add(index)
            db.session.commit()
    kept = _summary_rows(app, cohort_id)
    assert kept[0] and kept[1] and kept[2], "the mix recorded progress"
    with app.app_context():
        summaries.rebuild(cohort_id, get_catalogue().get("online-safety-basics"))
        db.session.commit()
    assert _summary_rows(app, cohort_id) == kept


@pytest.mark.parametrize("path", ["/reports/cohorts/{id}.csv", "/teach/cohorts/{id}/roster.csv"])
def test_an_audited_get_writes_only_in_an_immediate_transaction(app, make_user, make_cohort, path):
    """A GET begins deferred (readers never queue); its audit entry is written in a
    transaction of its own that begins IMMEDIATE, never by upgrading the reader."""
    from sqlalchemy import event

    from lms.extensions import db

    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    client = app.test_client()
    sign_in_as(client, instructor)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0].upper() + " " + " ".join(statement.split()[1:3]))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        response = client.get(path.format(id=cohort_id))
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert response.status_code == 200
    inserts = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO audit_log")]
    assert len(inserts) == 1
    if engine.dialect.name == "sqlite":
        begins = [s for s in statements[: inserts[0]] if s.startswith("BEGIN")]
        assert begins[0] == "BEGIN " and begins[-1] == "BEGIN IMMEDIATE", statements

"""The course is completed when its last two steps land at once (SQLite and PostgreSQL).

The quiz page reads the trainee's done lessons before its write transaction begins. If
the last required lesson is marked done in another request meanwhile, the passing
post-test must not trust that read to decide that a lesson is still missing: the
enrolment would stay "active" with everything done, and no certificate issued.
"""

from __future__ import annotations

import threading
import time

from conftest import csrf_from, sign_in_as
from quizhelpers import DAY1_RIGHT, DAY2_RIGHT, POST_RIGHT, quiz_form, submit
from werkzeug.datastructures import MultiDict

FIRST_LESSONS = ["welcome", "passwords", "budget"]  # "saving" is the last required one


def test_the_last_lesson_and_the_post_test_at_once_complete_the_course(
    app, client, make_user, make_cohort, enrol
):
    from lms.cohorts.models import Enrolment
    from lms.extensions import db
    from lms.learning.pages import context_of, signed_in_row
    from lms.progress import services as progress
    from lms.quizzes import services as quizzes

    cohort_id, _ = make_cohort()
    trainee = make_user()
    enrolment_id = enrol(trainee, cohort_id)
    sign_in_as(client, trainee)
    for slug in FIRST_LESSONS:
        page = client.get(f"/cohorts/{cohort_id}/lessons/{slug}").get_data(as_text=True)
        client.post(
            f"/cohorts/{cohort_id}/lessons/{slug}/done", data={"csrf_token": csrf_from(page)}
        )
    submit(client, cohort_id, "day-1", DAY1_RIGHT)
    submit(client, cohort_id, "day-2", DAY2_RIGHT)
    payload = quiz_form(client, cohort_id, "post-test")["attempt"]
    with app.app_context():
        from lms.auth.models import User

        version = db.session.get(User, trainee.id).session_version

    lesson_written, errors = threading.Event(), []

    def mark_the_last_lesson() -> None:
        with app.app_context():
            try:
                context = context_of(signed_in_row(trainee.id, version, cohort_id))
                lesson = context.course.lesson("saving")
                progress.mark_lesson_done(
                    context.enrolment, context.course, lesson, context.completed
                )
                lesson_written.set()
                time.sleep(0.5)  # the post-test below now waits for this transaction
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
                lesson_written.set()
                db.session.rollback()

    def pass_the_post_test() -> None:
        with app.app_context():
            try:
                # Read as the quiz page reads it: before the lesson is committed.
                context = context_of(signed_in_row(trainee.id, version, cohort_id))
                assert "saving" not in context.completed
                lesson_written.wait(10)
                quizzes.submit(context, "post-test", payload, MultiDict(POST_RIGHT))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
                db.session.rollback()

    threads = [
        threading.Thread(target=pass_the_post_test),
        threading.Thread(target=mark_the_last_lesson),
    ]
    threads[0].start()
    time.sleep(0.2)  # the post-test's read comes first
    threads[1].start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        assert enrolment.status == "completed", "everything done, yet the course is not complete"

"""Nudge rules, evaluated by `lms nudges run`: once per trainee, rule and day; in the
trainee's language; only inside the cohort's message hours (frozen clock, Asia/Karachi and
Asia/Makassar); never to someone who replied STOP. A real HTTP gateway receives them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from messaging_fakes import Endpoint
from werkzeug.datastructures import MultiDict

START = date(2027, 3, 1)  # a Monday, after every fixture's real-time joined_at
PUBLIC = "https://lms.example.org"
DAY1_ANSWERS = {"q-strong-password": "1", "q-phishing-signs": ["0", "1"], "q-otp-never": "0",
                "q-save-percent": "3000", "q-second-factor": "2FA"}  # fmt: skip
DAY2_ANSWERS = {"q-budget-savings": "800000", "q-emergency-fund": "1"}


@pytest.fixture
def gateway():
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def setup(make_app, make_user, make_cohort, enrol, gateway):
    """A scheduled cohort of the sample course in `timezone`, with an Urdu and an
    Indonesian trainee on SMS; returns (app, cohort id, {language: user})."""

    def build(timezone="Asia/Karachi", **app_settings):
        settings = {"PUBLIC_URL": PUBLIC, **app_settings}
        app = make_app(SMS_BACKEND="http", SMS_GATEWAY_URL=gateway.url + "/send",
                       SMS_GATEWAY_TOKEN="gw-token", **settings)  # fmt: skip
        instructor = make_user("instructor")
        cohort_id, _ = make_cohort(instructor=instructor, start_date=START, timezone=timezone,
                                   pacing="scheduled", org="Bank")  # fmt: skip
        people = {}
        for language, phone in (("ur", "+923001110001"), ("id", "+6281211110002")):
            user = make_user(name=f"Trainee {language}", phone=phone)
            set_user(app, user.id, language=language)
            enrol(user, cohort_id)
            people[language] = user
        return app, cohort_id, people

    return build


def set_user(app, user_id, **fields):
    from lms.auth.models import User
    from lms.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.commit()


def run_at(app, when: datetime):
    app.config["NOW"] = when
    result = app.test_cli_runner().invoke(args=["nudges", "run"])
    assert result.exit_code == 0, result.output
    return result.output


def queued(app, kind=None):
    from sqlalchemy import select

    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return [(m.recipient, m.kind, m.body, m.status) for m in db.session.scalars(query)]


def ids(app, kind):
    from sqlalchemy import select

    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        return db.session.execute(select(OutboxMessage.id).where(OutboxMessage.kind == kind)).all()


def test_quiet_hours_hold_in_karachi_and_the_nudge_waits_for_the_window(setup):
    app, cohort_id, people = setup("Asia/Karachi")
    day2 = datetime(2027, 3, 2, tzinfo=UTC)  # Day 2 opened at 00:00 PKT = 19:00 UTC on 1 March
    assert "1 cohorts outside" in run_at(app, day2 + timedelta(hours=3, minutes=59))  # 08:59 PKT
    assert queued(app) == []
    run_at(app, day2 + timedelta(hours=4))  # 09:00 PKT
    day_open = queued(app, "nudge.day_open")
    assert sorted(r[0] for r in day_open) == ["+6281211110002", "+923001110001"]
    assert all(f"{PUBLIC}/cohorts/{cohort_id}/lessons/" in r[2] for r in day_open)
    run_at(app, day2 + timedelta(hours=10))  # later the same day: nothing again
    assert len(queued(app, "nudge.day_open")) == 2


def test_quiet_hours_in_makassar_and_a_cohort_of_its_own_hours(setup):
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    app, cohort_id, _ = setup("Asia/Makassar")
    evening = datetime(2027, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 WITA: the window has closed
    run_at(app, evening)
    assert queued(app) == []
    with app.app_context():
        db.session.get(Cohort, cohort_id).messages_until_hour = 22
        db.session.commit()
    run_at(app, evening)  # the cohort allows until 22:00
    assert len(queued(app, "nudge.day_open")) == 2


def test_each_trainee_gets_it_in_their_language_and_the_gateway_receives_it(
    setup, gateway, make_user, enrol
):
    from lms.outbox.delivery import deliver_due

    app, cohort_id, people = setup()
    enrol(make_user(name="Sam Jones", phone="+923001110003"), cohort_id)  # English
    run_at(app, datetime(2027, 3, 2, 6, 0, tzinfo=UTC))  # 11:00 PKT, Day 2
    with app.app_context():
        assert deliver_due().sent
    day_open = {str(m[0]) for m in ids(app, "nudge.day_open")}
    texts = {body["to"]: body["text"] for body in gateway.bodies if body["reference"] in day_open}
    urdu, indonesian = texts["+923001110001"], texts["+6281211110002"]
    assert "دن 2" in urdu and "بند" in urdu
    assert "Hari 2" in indonesian and "BERHENTI" in indonesian
    assert texts["+923001110003"].startswith("Day 2 of Online Safety Basics is open.")
    print("\n".join(f"{to}: {text}" for to, text in texts.items()))  # the closing note's sample


def test_stop_stops_the_next_nudge_while_another_trainee_still_gets_one(setup, gateway):
    app, cohort_id, people = setup()
    client = app.test_client()
    response = client.post("/hooks/sms/inbound", json={"from": "+923001110001", "text": "بند"},
                           headers={"Authorization": "Bearer gw-token"})  # fmt: skip
    assert response.status_code == 204
    run_at(app, datetime(2027, 3, 2, 6, 0, tzinfo=UTC))
    assert {r[0] for r in queued(app)} == {"+6281211110002"}
    from sqlalchemy import select

    from lms.audit.models import AuditEntry
    from lms.extensions import db

    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "messages.opt_out" in actions


def test_a_message_queued_before_stop_is_cancelled_at_sending(setup, gateway):
    from lms.outbox.delivery import deliver_due

    app, cohort_id, people = setup()
    run_at(app, datetime(2027, 3, 2, 6, 0, tzinfo=UTC))
    response = app.test_client().post(
        "/hooks/sms/inbound", json={"from": "+6281211110002", "text": " berhenti "},
        headers={"Authorization": "Bearer gw-token"},
    )  # fmt: skip
    assert response.status_code == 204
    with app.app_context():
        deliver_due()
    assert {body["to"] for body in gateway.bodies} == {"+923001110001"}
    statuses = {r[0]: r[3] for r in queued(app, "nudge.day_open")}
    assert statuses == {"+923001110001": "sent", "+6281211110002": "cancelled"}


def test_away_one_quiz_left_and_certificate_ready(setup):
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.cohorts.models import Enrolment
    from lms.extensions import db
    from lms.progress.services import mark_lesson_done
    from lms.quizzes import services as quizzes

    app, cohort_id, people = setup()
    day3 = datetime(2027, 3, 3, 6, 0, tzinfo=UTC)
    app.config["NOW"] = day3 - timedelta(days=1)
    with app.app_context(), app.test_request_context():
        context = learning_context(db.session.get(User, people["ur"].id), cohort_id)
        for lesson in context.course.lessons:
            mark_lesson_done(context.enrolment, context.course, lesson)
        for key, answers in (("day-1", DAY1_ANSWERS), ("day-2", DAY2_ANSWERS)):
            form = quizzes.new_attempt_form(context, key, "en")
            quizzes.submit(context, key, form.payload, MultiDict(answers))
        other = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == people["id"].id))
        other.started_at = other.last_active_at = (day3 - timedelta(days=4)).replace(tzinfo=None)
        db.session.commit()
    run_at(app, day3)
    kinds = {(r[0], r[1]) for r in queued(app)}
    assert ("+923001110001", "nudge.one_quiz_left") in kinds  # the post-test is left
    [(_, _, left, _)] = queued(app, "nudge.one_quiz_left")
    assert f"{PUBLIC}/cohorts/{cohort_id}/quizzes/post-test" in left
    assert ("+6281211110002", "nudge.away") in kinds
    [(_, _, body, _)] = queued(app, "nudge.away")
    assert "4" in body and f"{PUBLIC}/cohorts/{cohort_id}/continue" in body


def test_a_course_can_turn_rules_off_and_courses_check_validates_nudges(
    make_app, courses_dir, setup
):
    course_md = courses_dir / "online-safety-basics" / "course.md"
    text = course_md.read_text()
    course_md.write_text(text.replace("tags: [safety, money]\n",
                                      "tags: [safety, money]\nnudges:\n  day_open: false\n"
                                      "  not_started: {days: 1}\n"))  # fmt: skip
    app, cohort_id, _ = setup()
    run_at(app, datetime(2027, 3, 2, 6, 0, tzinfo=UTC))
    assert queued(app, "nudge.day_open") == [] and queued(app, "nudge.not_started")
    course_md.write_text(text.replace("tags: [safety, money]\n",
                                      "tags: [safety, money]\nnudges:\n  nag: true\n"
                                      "  away: {days: 0, often: 2}\n"))  # fmt: skip
    result = app.test_cli_runner().invoke(args=["courses", "check", str(courses_dir)])
    assert result.exit_code == 1
    assert "course.md:8: unknown nudge rule 'nag'" in result.output
    assert "nudges.away.days must be a whole number" in result.output
    assert "unknown key 'often' in nudges.away" in result.output


def test_without_a_public_address_the_command_refuses_naming_the_setting(setup):
    app, _, _ = setup(PUBLIC_URL=None)
    app.config["NOW"] = datetime(2027, 3, 2, 6, 0, tzinfo=UTC)
    result = app.test_cli_runner().invoke(args=["nudges", "run"])
    assert result.exit_code != 0 and "LMS_PUBLIC_URL" in result.output
    assert queued(app) == []


def test_reports_show_per_rule_how_many_came_back_within_48_hours(setup, make_user):
    from conftest import sign_in_as

    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.extensions import db
    from lms.progress.services import mark_lesson_done

    app, cohort_id, people = setup()
    nudged_at = datetime(2027, 3, 2, 6, 0, tzinfo=UTC)
    run_at(app, nudged_at)
    app.config["NOW"] = nudged_at + timedelta(hours=5)
    with app.app_context(), app.test_request_context():
        context = learning_context(db.session.get(User, people["ur"].id), cohort_id)
        mark_lesson_done(context.enrolment, context.course, context.course.lessons[3])
        db.session.commit()
    sponsor = make_user("sponsor", org="Bank")
    client = app.test_client()
    sign_in_as(client, sponsor)
    page = client.get(f"/reports/cohorts/{cohort_id}").get_data(as_text=True)
    section = page[page.index('id="nudges"') :]
    assert "Day N is open</td><td>2</td><td>1</td>" in section
    assert "You have not started</td><td>2</td><td>1</td>" in section


def test_certificate_ready_once_and_only_while_it_is_news(setup):
    from lms.certificates import services as certificates
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    app, cohort_id, people = setup()
    issued_at = datetime(2027, 3, 4, 6, 0, tzinfo=UTC)
    for language, when in (("ur", issued_at - timedelta(days=8)), ("id", issued_at)):
        app.config["NOW"] = when
        with app.app_context(), app.test_request_context():
            enrolment = db.session.scalar(
                db.select(Enrolment).where(Enrolment.user_id == people[language].id)
            )
            enrolment.status, enrolment.completed_at = "completed", when.replace(tzinfo=None)
            course = get_catalogue().get("online-safety-basics")
            code = certificates.issue(enrolment, course).code
            db.session.commit()
    run_at(app, issued_at + timedelta(hours=1))
    [(to, _, body, _)] = queued(app, "nudge.certificate_ready")  # not the 8-day-old one
    assert to == "+6281211110002" and "Sertifikat" in body
    assert f"{PUBLIC}/cohorts/{cohort_id}/certificate.pdf" in body and code
    run_at(app, issued_at + timedelta(days=1, hours=1))  # another day: not again
    assert len(queued(app, "nudge.certificate_ready")) == 1


def test_a_trainee_who_chose_whatsapp_gets_the_nudge_there(setup, gateway):
    from lms.outbox.delivery import deliver_due

    whatsapp = Endpoint(statuses=(200,), reply=lambda body: {"messages": [{"id": "wamid.9"}]})
    try:
        app, cohort_id, people = setup(WHATSAPP_BACKEND="cloud", WHATSAPP_API_URL=whatsapp.url,
                                       WHATSAPP_PHONE_NUMBER_ID="77", WHATSAPP_TOKEN="wa")  # fmt: skip
        set_user(app, people["id"].id, message_channel="whatsapp")
        run_at(app, datetime(2027, 3, 2, 6, 0, tzinfo=UTC))
        with app.app_context():
            deliver_due()
    finally:
        whatsapp.close()
    assert {body["to"] for body in gateway.bodies} == {"+923001110001"}  # SMS for the other
    assert {body["to"] for body in whatsapp.bodies} == {"6281211110002"}
    [parameter] = whatsapp.bodies[0]["template"]["components"][0]["parameters"]
    assert "BERHENTI" in parameter["text"] and whatsapp.bodies[0]["template"]["language"] == {
        "code": "id"
    }


def test_two_racing_nudge_runs_queue_each_nudge_once(
    make_app, make_user, make_cohort, enrol, database_url, tmp_path
):
    """Two `lms nudges run` processes at once: the unique row per enrolment, rule and day
    lets exactly one of them queue each nudge."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy import func, select

    from lms.cohorts.models import Cohort
    from lms.extensions import db
    from lms.nudges.models import NudgeSend
    from lms.outbox.models import OutboxMessage

    app = make_app()
    yesterday = datetime.now(UTC).date() - timedelta(days=1)  # Day 2 opened today (UTC)
    cohort_id, _ = make_cohort(start_date=yesterday, timezone="UTC", pacing="scheduled")
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.messages_from_hour, cohort.messages_until_hour = 0, 24  # whatever the hour
        db.session.commit()
    for n in range(30):
        enrol(make_user(phone=f"+9230033{n:05d}"), cohort_id)
    env = {**os.environ, "LMS_DATABASE_URL": database_url,
           "LMS_INSTANCE_PATH": str(tmp_path / "instance"), "LMS_SECRET_KEY": "test-secret-key",
           "LMS_PUBLIC_URL": PUBLIC, "LMS_COURSES_DIR": app.config["COURSES_DIR"]}  # fmt: skip
    lms = str(Path(sys.executable).parent / "lms")
    processes = [
        subprocess.Popen(
            [lms, "nudges", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    with app.app_context():
        sends = db.session.execute(
            select(NudgeSend.rule, func.count()).group_by(NudgeSend.rule)
        ).all()
        messages = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "nudge.day_open")
        )
    assert sends == [("day_open", 30)] and messages == 30
    queued_by = sorted(int(out.split("Queued ")[1].split()[0]) for out in outputs)
    assert sum(queued_by) == 30, outputs

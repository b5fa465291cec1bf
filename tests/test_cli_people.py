"""`lms users create`, `lms cohorts create`, `lms demo` (the CLI contract)."""

from __future__ import annotations

import re


def test_users_create_with_email_and_org(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "S@Bank.example",
            "--name",
            "Sana",
            "--role",
            "sponsor",
            "--org",
            "Example Bank",
            "--password",
            "lotus-comet-maple-stone",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created sponsor s@bank.example" in result.output
    with app.app_context():
        from lms.auth.services import find_user

        user = find_user("s@bank.example")
        assert user.organisation.name == "Example Bank"


def test_users_create_prompts_for_password(runner, app):
    result = runner.invoke(
        args=["users", "create", "--phone", "0321 1234567", "--name", "Bilal"],
        input="lotus-comet-maple-stone\nlotus-comet-maple-stone\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created trainee +923211234567" in result.output  # default region PK
    with app.app_context():
        from lms.auth.services import authenticate

        assert authenticate("+92 321 1234567", "lotus-comet-maple-stone") is not None


def test_users_create_refuses_bad_input(runner):
    both = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--phone",
            "1",
            "--name",
            "X",
            "--password",
            "lotus-comet-maple-stone",
        ]
    )
    assert both.exit_code == 2 and "exactly one of --email or --phone" in both.output
    weak = runner.invoke(
        args=["users", "create", "--email", "a@b.example", "--name", "X", "--password", "password"]
    )
    assert weak.exit_code == 1 and "This password is too common" in weak.output
    no_org = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "X",
            "--role",
            "sponsor",
            "--password",
            "lotus-comet-maple-stone",
        ]
    )
    assert no_org.exit_code == 2 and "a sponsor needs --org" in no_org.output


def test_cohorts_create_prints_id_and_code(runner, app):
    result = runner.invoke(
        args=[
            "cohorts",
            "create",
            "--course",
            "online-safety-basics",
            "--name",
            "Makassar 1",
            "--start",
            "2026-12-01",
            "--pacing",
            "self",
            "--org",
            "District Office",
            "--timezone",
            "Asia/Makassar",
            "--country",
            "ID",
        ]
    )
    assert result.exit_code == 0, result.output
    match = re.search(
        r"Created cohort (\d+): Makassar 1\nJoin code: ([A-Z0-9]{3})-([A-Z0-9]{3})", result.output
    )
    assert match
    with app.app_context():
        from lms.cohorts.services import get_cohort

        cohort = get_cohort(int(match.group(1)))
        assert cohort.join_code == match.group(2) + match.group(3)
        assert cohort.organisation.name == "District Office" and cohort.pacing == "self"


def test_cohorts_create_refuses_unknown_course_and_bad_date(runner):
    unknown = runner.invoke(
        args=["cohorts", "create", "--course", "nope", "--name", "X", "--start", "2026-12-01"]
    )
    assert unknown.exit_code == 1 and "There is no such course." in unknown.output
    bad = runner.invoke(
        args=[
            "cohorts",
            "create",
            "--course",
            "online-safety-basics",
            "--name",
            "X",
            "--start",
            "1/12/2026",
        ]
    )
    assert bad.exit_code == 2 and "use YYYY-MM-DD" in bad.output


def test_demo_is_idempotent_and_prints_logins(runner, app):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    for role in ("admin", "instructor", "sponsor", "trainee"):
        assert f"{role}@demo.example" in first.output
    with app.app_context():
        from lms.auth.models import User
        from lms.cohorts.models import Cohort, Enrolment
        from lms.extensions import db

        count = db.session.scalar
        # Four logins, and a programme of three cohorts with 120 trainees (lms.demo_programme).
        assert count(db.select(db.func.count()).select_from(User)) == 4 + 120
        assert count(db.select(db.func.count()).select_from(Cohort)) == 1 + 3
        assert count(db.select(db.func.count()).select_from(Enrolment)) == 1 + 120
        from lms.attendance.models import Attendance, ClassSession
        from lms.courses.catalogue import get_catalogue
        from lms.permissions import SYSTEM
        from lms.reports.services import cohort_report

        # the two in-person cohorts meet once a day, so reports show attendance
        karachi = db.session.scalar(
            db.select(Cohort).where(Cohort.name == "Karachi creators, cohort 1")
        )
        days = len(get_catalogue().get(karachi.course_slug).days)
        assert count(db.select(db.func.count()).select_from(ClassSession)) == 2 * days
        assert count(db.select(db.func.count()).select_from(Attendance)) > 40
        attendance = cohort_report(SYSTEM, karachi.id).attendance
        assert attendance["sessions"] == days and 30 < attendance["rate"] < 95

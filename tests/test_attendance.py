"""In-person sessions and attendance over real HTTP: adding sessions, the rotating code,
checking in once and only during the session, marking by hand, and the figures in the
roster, its CSV/XLSX and the sponsor report.

The cohort is in Asia/Karachi (UTC+5): a session on 6 Jan 2026 10:00-12:00 there runs
05:00-07:00 UTC.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_from, sign_in_as

DURING = datetime(2026, 1, 6, 5, 30, tzinfo=UTC)
BEFORE = datetime(2026, 1, 6, 4, 59, tzinfo=UTC)
AFTER = datetime(2026, 1, 6, 7, 0, tzinfo=UTC)
CODE = re.compile(r'<p class="big-code"[^>]*><code>([A-Z0-9]{3}-[A-Z0-9]{3})</code>')


@pytest.fixture
def setting(app, make_user, make_cohort, enrol):
    app.config["NOW"] = DURING
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor, org="Bank", name="Karachi")
    trainees = [make_user(name=f"Trainee {n}") for n in (1, 2, 3)]
    enrolments = [enrol(t, cohort_id) for t in trainees]
    staff = app.test_client()
    sign_in_as(staff, instructor)
    page = staff.get(f"/teach/cohorts/{cohort_id}/sessions")
    assert page.status_code == 200
    response = staff.post(
        f"/teach/cohorts/{cohort_id}/sessions",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "day": "2026-01-06",
            "start": "10:00",
            "end": "12:00",
            "place": "Community hall <b>2</b>",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    from lms.attendance.models import ClassSession
    from lms.extensions import db

    with app.app_context():
        session = db.session.scalars(db.select(ClassSession)).one()
        assert (session.starts_at, session.ends_at) == (
            datetime(2026, 1, 6, 5, 0),
            datetime(2026, 1, 6, 7, 0),
        )
        session_id = session.id
    return {
        "cohort": cohort_id,
        "session": session_id,
        "staff": staff,
        "instructor": instructor,
        "trainees": trainees,
        "enrolments": enrolments,
    }


def shown_code(setting) -> str:
    html = (
        setting["staff"]
        .get(f"/teach/cohorts/{setting['cohort']}/sessions/{setting['session']}/code")
        .get_data(as_text=True)
    )
    match = CODE.search(html)
    assert match, html
    assert "<svg" in html and f"/checkin/{match.group(1).replace('-', '')}" in html  # the QR
    return match.group(1)


def trainee_client(app, user):
    client = app.test_client()
    sign_in_as(client, user)
    return client


def check_in(client, code: str):
    page = client.get(f"/checkin/{code}")
    if page.status_code != 200:
        return page
    return client.post(
        f"/checkin/{code}", data={"csrf_token": csrf_from(page.get_data(as_text=True))}
    )


def attendance_rows(app) -> int:
    from lms.attendance.models import Attendance
    from lms.extensions import db

    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Attendance))


def test_sessions_page_shows_local_times_and_escapes_the_place(app, setting):
    html = (
        setting["staff"].get(f"/teach/cohorts/{setting['cohort']}/sessions").get_data(as_text=True)
    )
    assert "10:00–12:00" in html and "Community hall &lt;b&gt;2&lt;/b&gt;" in html
    assert "Show check-in code" in html  # it is running now


def test_check_in_during_the_session_counts_once(app, setting):
    code = shown_code(setting)
    client = trainee_client(app, setting["trainees"][0])
    page = client.get(f"/checkin/{code}")
    assert page.status_code == 200 and "Check me in" in page.get_data(as_text=True)
    assert attendance_rows(app) == 0  # opening the link records nothing
    done = client.post(
        f"/checkin/{code}", data={"csrf_token": csrf_from(page.get_data(as_text=True))}
    )
    assert done.status_code == 200 and "You are checked in" in done.get_data(as_text=True)
    again = check_in(client, code.replace("-", "").lower())  # typed in lower case, no dash
    assert "already checked in" in again.get_data(as_text=True)
    assert attendance_rows(app) == 1


def test_post_without_csrf_is_refused(app, setting):
    code = shown_code(setting)
    client = trainee_client(app, setting["trainees"][0])
    assert client.post(f"/checkin/{code}").status_code == 400
    assert attendance_rows(app) == 0


def test_code_outside_the_session_is_refused(app, setting):
    code = shown_code(setting)
    client = trainee_client(app, setting["trainees"][0])
    for moment in (BEFORE, AFTER):
        app.config["NOW"] = moment
        refused = check_in(client, code)
        assert refused.status_code == 404
        assert "not valid now" in refused.get_data(as_text=True)
    assert attendance_rows(app) == 0


def test_the_code_rotates_and_the_previous_one_still_works(app, setting):
    first = shown_code(setting)
    app.config["NOW"] = DURING + timedelta(seconds=120)
    second = shown_code(setting)
    assert second != first
    assert check_in(trainee_client(app, setting["trainees"][0]), first).status_code == 200
    app.config["NOW"] = DURING + timedelta(seconds=240)
    refused = check_in(trainee_client(app, setting["trainees"][1]), first)
    assert refused.status_code == 404  # two steps old
    assert attendance_rows(app) == 1


def test_wrong_people_and_wrong_codes_are_refused(app, setting, make_user, make_cohort, enrol):
    code = shown_code(setting)
    other_cohort, _ = make_cohort(name="Other")
    outsider = make_user(name="Outsider")
    enrol(outsider, other_cohort)
    assert check_in(trainee_client(app, outsider), code).status_code == 404
    anonymous = app.test_client().get(f"/checkin/{code}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    client = trainee_client(app, setting["trainees"][0])
    assert check_in(client, "AAAAAA").status_code == 404
    assert check_in(client, "x" * 30).status_code == 404
    assert attendance_rows(app) == 0
    typed = client.get("/checkin", query_string={"code": code.lower()})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(
        "/checkin/" + code.replace("-", "")
    )


def test_withdrawn_trainee_cannot_check_in(app, setting):
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    with app.app_context():
        db.session.get(Enrolment, setting["enrolments"][2]).status = "withdrawn"
        db.session.commit()
    assert (
        check_in(trainee_client(app, setting["trainees"][2]), shown_code(setting)).status_code
        == 404
    )


def test_instructor_marks_by_hand_and_figures_follow(app, setting):
    cohort, session = setting["cohort"], setting["session"]
    staff = setting["staff"]
    check_in(trainee_client(app, setting["trainees"][0]), shown_code(setting))
    page = staff.get(f"/teach/cohorts/{cohort}/sessions/{session}/")
    html = page.get_data(as_text=True)
    assert "checked in with the code" in html and "(1/3)" in html
    first, second, _third = setting["enrolments"]
    staff.post(
        f"/teach/cohorts/{cohort}/sessions/{session}/",
        data={"csrf_token": csrf_from(html), "present": [str(first), str(second), "99999"]},
    )
    assert attendance_rows(app) == 2
    html = staff.get(f"/teach/cohorts/{cohort}/sessions/{session}/").get_data(as_text=True)
    assert "marked by hand" in html and "(2/3)" in html
    roster = staff.get(f"/teach/cohorts/{cohort}/", query_string={"sort": "attendance"})
    cells = re.findall(r'class="attendance">([^<]*)<', roster.get_data(as_text=True))
    assert cells == ["0/1", "1/1", "1/1"]
    csv_lines = staff.get(f"/teach/cohorts/{cohort}/roster.csv").get_data(as_text=True)
    header, *rows = csv_lines.removeprefix("\ufeff").splitlines()
    assert header.endswith(",sessions_attended,sessions_held")
    assert [r.rsplit(",", 2)[1:] for r in rows] == [["1", "1"], ["1", "1"], ["0", "1"]]
    workbook = staff.get(f"/teach/cohorts/{cohort}/roster.xlsx")
    assert workbook.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][-2:] == ("sessions_attended", "sessions_held")
    assert [row[-2:] for row in values[1:]] == [(1, 1), (1, 1), (0, 1)]  # numbers
    from lms.permissions import SYSTEM
    from lms.reports.services import cohort_report

    with app.app_context():
        report = cohort_report(SYSTEM, cohort)
    assert report.attendance == {"sessions": 1, "places": 3, "attended": 2, "rate": 66.7}
    sponsor_csv = staff.get(f"/reports/cohorts/{cohort}.csv").get_data(as_text=True)
    assert "attendance_rate,66.7" in sponsor_csv and "attendance_places,3" in sponsor_csv
    # unticking removes a mark
    staff.post(
        f"/teach/cohorts/{cohort}/sessions/{session}/",
        data={"csrf_token": csrf_from(html), "present": [str(second)]},
    )
    assert attendance_rows(app) == 1


def test_report_says_not_recorded_until_a_session_is_held(app, setting):
    from lms.permissions import SYSTEM
    from lms.reports.services import cohort_report

    app.config["NOW"] = BEFORE
    with app.app_context():
        assert cohort_report(SYSTEM, setting["cohort"]).attendance is None


def test_session_form_rejects_an_end_before_the_start(app, setting):
    staff, cohort = setting["staff"], setting["cohort"]
    page = staff.get(f"/teach/cohorts/{cohort}/sessions").get_data(as_text=True)
    response = staff.post(
        f"/teach/cohorts/{cohort}/sessions",
        data={
            "csrf_token": csrf_from(page),
            "day": "2026-01-07",
            "start": "12:00",
            "end": "11:00",
            "place": "Hall",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "must end after it starts" in response.get_data(as_text=True)


def test_delete_needs_confirmation(app, setting):
    staff, cohort, session = setting["staff"], setting["cohort"], setting["session"]
    token = csrf_from(staff.get(f"/teach/cohorts/{cohort}/sessions").get_data(as_text=True))
    path = f"/teach/cohorts/{cohort}/sessions/{session}/delete"
    staff.post(path, data={"csrf_token": token})
    assert "Show check-in code" in staff.get(f"/teach/cohorts/{cohort}/sessions").get_data(
        as_text=True
    )
    staff.post(path, data={"csrf_token": token, "confirm": "yes"})
    assert "No sessions yet" in staff.get(f"/teach/cohorts/{cohort}/sessions").get_data(
        as_text=True
    )


STAFF_PAGES = [
    ("get", "/teach/cohorts/{c}/sessions"),
    ("get", "/teach/cohorts/{c}/sessions/{s}/"),
    ("get", "/teach/cohorts/{c}/sessions/{s}/code"),
    ("post", "/teach/cohorts/{c}/sessions/{s}/"),
    ("post", "/teach/cohorts/{c}/sessions/{s}/delete"),
    ("get", "/teach/cohorts/{c}/items"),
    ("get", "/teach/cohorts/{c}/roster.xlsx"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_PAGES)
def test_staff_pages_by_role(app, setting, make_user, method, path):
    """Anonymous: sign-in; trainee, other instructor, sponsor: 403; instructor, admin: ok."""
    url = path.format(c=setting["cohort"], s=setting["session"])
    app.config["WTF_CSRF_ENABLED"] = False  # the status comes from the permission check
    expected = {
        None: 302,
        "trainee": 403,
        "other-instructor": 403,
        "sponsor": 403,
        "instructor": 200,
        "admin": 200,
    }
    for who, status in expected.items():
        client = app.test_client()
        if who == "instructor":
            sign_in_as(client, setting["instructor"])
        elif who == "trainee":
            sign_in_as(client, setting["trainees"][0])
        elif who is not None:
            role = "instructor" if who == "other-instructor" else who
            sign_in_as(client, make_user(role, org="Bank" if role == "sponsor" else None))
        response = getattr(client, method)(url)
        got = response.status_code
        if status == 200 and method == "post":
            status = 302  # redirects back after saving
        assert got == status, (who, url, got)

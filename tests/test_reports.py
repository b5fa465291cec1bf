"""Reports on a generated cohort whose every figure is computed by hand below."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from conftest import sign_in_as
from werkzeug.datastructures import MultiDict

DAY1_RIGHT = {"q-strong-password": "1", "q-phishing-signs": ["0", "1"], "q-otp-never": "0",
              "q-save-percent": "3000", "q-second-factor": "2FA"}  # fmt: skip
DAY1_WRONG = {"q-strong-password": "0"}
DAY2_RIGHT = {"q-budget-savings": "800000", "q-emergency-fund": "1"}
PRE = {"both": {"q-passphrase": "1", "q-percent": "3000"}, "first": {"q-passphrase": "1"},
       "second": {"q-percent": "3000"}, "none": {}}  # fmt: skip
POST = {"both": {"q-passphrase": "0", "q-percent": "500000"}, "first": {"q-passphrase": "0"}}

# name, language, consent/gender, lessons, quizzes [(key, answers)], days to complete
PLAN = [
    (
        "T1",
        "ur",
        "female",
        "all",
        [
            ("pre-test", PRE["none"]),
            ("day-1", DAY1_RIGHT),
            ("day-2", DAY2_RIGHT),
            ("post-test", POST["both"]),
        ],
        2,
    ),
    (
        "T2",
        "ur",
        "female",
        "all",
        [
            ("pre-test", PRE["first"]),
            ("day-1", DAY1_RIGHT),
            ("day-2", DAY2_RIGHT),
            ("post-test", POST["both"]),
        ],
        3,
    ),
    (
        "T3",
        "ur",
        "female",
        "all",
        [
            ("pre-test", PRE["second"]),
            ("day-1", DAY1_RIGHT),
            ("day-2", DAY2_RIGHT),
            ("post-test", POST["first"]),
        ],
        4,
    ),
    (
        "T4",
        "ur",
        "female",
        "all",
        [
            ("pre-test", PRE["both"]),
            ("day-1", DAY1_RIGHT),
            ("day-2", DAY2_RIGHT),
            ("post-test", POST["both"]),
        ],
        10,
    ),
    ("T5", "ur", "female", "day1", [("pre-test", PRE["none"]), ("day-1", DAY1_RIGHT)], None),
    ("T6", "ur", "male", "day1", [("day-1", DAY1_RIGHT)], None),
    ("T7", "id", None, "day1", [("day-1", DAY1_WRONG)], None),
    ("T8", "id", None, "welcome", [], None),
    ("T9", "id", None, "none", [], None),
    ("T10", "id", None, "none", [], None),
]
LESSONS = {"all": ["welcome", "passwords", "budget", "saving"], "day1": ["welcome", "passwords"],
           "welcome": ["welcome"], "none": []}  # fmt: skip


@pytest.fixture
def cohort(app, make_user, make_cohort, enrol):
    """The cohort described by PLAN, plus one withdrawn trainee who must not count."""
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.cohorts.models import Enrolment
    from lms.extensions import db
    from lms.progress.services import mark_lesson_done
    from lms.quizzes import services as quizzes

    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor, org="Bank A", name="Karachi 1")
    start = datetime(2026, 11, 1, 9, 0)
    for name, language, gender, lessons, attempts, days in PLAN:
        user = make_user(name=name)
        enrolment_id = enrol(user, cohort_id)
        with app.app_context(), app.test_request_context():
            person = db.session.get(User, user.id)
            person.language = language
            if gender:
                person.gender, person.profile_consent = gender, True
            enrolment = db.session.get(Enrolment, enrolment_id)
            enrolment.joined_at = start
            db.session.commit()
            context = learning_context(person, cohort_id)
            for slug in LESSONS[lessons]:
                mark_lesson_done(context.enrolment, context.course, context.course.lesson(slug))
            for key, answers in attempts:
                payload = quizzes.new_attempt_form(context, key, "en").payload
                quizzes.submit(context, key, payload, MultiDict(answers))
            db.session.commit()
            if days is not None:
                enrolment = db.session.get(Enrolment, enrolment_id)
                assert enrolment.status == "completed", name
                enrolment.completed_at = start + timedelta(days=days)
                db.session.commit()
    withdrawn = make_user(name="W")
    enrolment_id = enrol(withdrawn, cohort_id)
    with app.app_context():
        from lms.progress.models import LessonCompletion

        db.session.add(LessonCompletion(enrolment_id=enrolment_id, lesson_slug="welcome"))
        db.session.get(Enrolment, enrolment_id).status = "withdrawn"
        db.session.commit()
    return cohort_id, instructor


def build(app, cohort_id):
    from lms.permissions import SYSTEM
    from lms.reports.services import cohort_report

    with app.app_context():
        return cohort_report(SYSTEM, cohort_id)


def test_every_figure_matches_the_hand_computation(app, cohort):
    report = build(app, cohort[0])
    assert (report.enrolled, report.withdrawn, report.started, report.completed) == (10, 1, 8, 4)
    assert report.completion_rate == 40.0
    assert report.certificates == 4
    assert report.median_days_to_complete == 3.5
    assert [(s["day"], s["reached"], s["finished"]) for s in report.funnel] == [
        (1, 8, 6),
        (2, 4, 4),
    ]
    quizzes = {q["key"]: q for q in report.quizzes}
    day1 = quizzes["day-1"]
    assert (day1["takers"], day1["passed"], day1["pass_rate"], day1["mean_best"]) == (
        7,
        6,
        85.7,
        85.7,
    )
    assert [b["count"] for b in day1["distribution"]] == [1, 0, 0, 0, 6]
    # First attempts: six trainees got everything right, T7 nothing: 6/7 on every question,
    # so the three "hardest" are the first three by id.
    assert [(q["id"], q["correct_rate"], q["answers"]) for q in day1["hardest"]] == [
        ("otp-never", 85.7, 7),
        ("phishing-signs", 85.7, 7),
        ("save-percent", 85.7, 7),
    ]
    assert quizzes["day-2"]["takers"] == 4 and quizzes["day-2"]["mean_best"] == 100.0
    gain = report.gain
    assert (gain["trainees"], gain["mean_pre"], gain["mean_post"], gain["mean_gain"]) == (
        4,
        50.0,
        87.5,
        37.5,
    )
    # DESIGN.md: (mean post - mean pre) / (100 - mean pre) = 37.5 / 50.
    assert gain["normalised_gain"] == 0.75
    # Differences 100, 50, 0, 0: variance 6875 / 3, se sqrt(2291.67 / 4) = 23.936,
    # t(0.975, 3) = 3.182, half-width 76.163.
    assert (gain["ci_low"], gain["ci_high"], gain["too_few"]) == (-38.66, 113.66, True)
    concepts = {c["id"]: (c["pre"], c["post"]) for c in gain["concepts"]}
    assert concepts == {"passphrase": (50.0, 100.0), "percent": (50.0, 75.0)}


def test_small_groups_are_hidden(app, cohort):
    report = build(app, cohort[0])
    language = report.breakdowns["language"]
    assert language[0] == {
        "group": "ur",
        "enrolled": 6,
        "completed": 4,
        "completion_rate": 66.7,
        "hidden": False,
    }
    assert (
        language[1]["hidden"] and language[1]["group"] is None and language[1]["hidden_groups"] == 1
    )
    gender = report.breakdowns["gender"]
    assert gender[0]["group"] == "female" and gender[0]["enrolled"] == 5
    assert gender[1]["hidden"] and '"male"' not in json.dumps(gender)
    assert report.breakdowns["district"] == []


def test_page_csv_json_pdf_and_cli_agree(app, cohort, runner):
    from pypdf import PdfReader

    cohort_id, instructor = cohort
    client = app.test_client()
    sign_in_as(client, instructor)
    page = client.get(f"/reports/cohorts/{cohort_id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    as_json = client.get(f"/reports/cohorts/{cohort_id}.json").json
    csv_text = client.get(f"/reports/cohorts/{cohort_id}.csv").get_data(as_text=True)
    pdf = client.get(f"/reports/cohorts/{cohort_id}.pdf")
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    cli = runner.invoke(args=["report", "--cohort", str(cohort_id), "--format", "json"])
    cli_csv = runner.invoke(args=["report", "--cohort", str(cohort_id), "--format", "csv"])
    assert cli.exit_code == 0, (cli.output, cli.exception)
    assert json.loads(cli.output) == as_json
    assert csv_text.startswith("\ufeff")
    assert csv_text.removeprefix("\ufeff").replace("\r\n", "\n") == cli_csv.output.replace(
        "\r\n", "\n"
    )
    assert as_json["completion_rate"] == 40.0 and as_json["funnel"][0]["reached"] == 8
    for text in (html, pdf_text):
        assert "40.0%" in text and "85.7" in text and "37.5" in text and "3.5" in text
    assert "summary,Karachi 1: Online Safety Basics,completion_rate,40.0" in csv_text
    assert "funnel,Day 1,finished,6" in csv_text
    assert "<svg" in html and 'role="img"' in html and '<title id="funnel-title">' in html


def test_sponsors_see_their_organisation_only_and_no_names(app, cohort, make_user, make_cohort):
    cohort_id, _ = cohort
    sponsor = make_user("sponsor", org="Bank A")
    other = make_user("sponsor", org="Bank B")
    make_cohort(name="Bank B cohort", org="Bank B")
    client = app.test_client()
    sign_in_as(client, sponsor)
    html = client.get(f"/reports/cohorts/{cohort_id}").get_data(as_text=True)
    assert "40.0%" in html and "T1" not in html
    organisation = client.get("/reports/organisation.json").json
    assert [c["name"] for c in organisation["cohorts"]] == ["Karachi 1"] and organisation[
        "enrolled"
    ] == 10
    assert client.get(f"/teach/cohorts/{cohort_id}/roster.csv").status_code == 404
    snoop = app.test_client()
    sign_in_as(snoop, other)
    assert snoop.get(f"/reports/cohorts/{cohort_id}").status_code == 404
    assert snoop.get(f"/reports/cohorts/{cohort_id}.csv").status_code == 404
    assert snoop.get("/reports/organisation.json").json["enrolled"] == 0


def test_roster_at_risk_sort_filter_and_csv(make_app, cohort):
    app = make_app(NOW=datetime(2026, 11, 20, tzinfo=__import__("datetime").UTC))
    cohort_id, instructor = cohort
    client = app.test_client()
    sign_in_as(client, instructor)
    page = client.get(
        f"/teach/cohorts/{cohort_id}/", query_string={"sort": "progress", "filter": "at-risk"}
    )
    html = page.get_data(as_text=True)
    assert (
        "at risk" in html and "T9" in html and "T1<" not in html
    )  # completed trainees are not at risk
    csv_text = client.get(
        f"/teach/cohorts/{cohort_id}/roster.csv", query_string={"sort": "name"}
    ).get_data(as_text=True)
    lines = csv_text.removeprefix("\ufeff").splitlines()
    assert lines[0].startswith(
        "name,login,status,joined,last_active,progress_percent,at_risk,reasons,"
        "day_1_lessons_done,day_1_lessons_total,day_2_lessons_done,day_2_lessons_total,"
    )
    assert [line.split(",")[0] for line in lines[1:]] == [
        "T1",
        "T10",
        "T2",
        "T3",
        "T4",
        "T5",
        "T6",
        "T7",
        "T8",
        "T9",
        "W",
    ]
    t1 = next(line for line in lines if line.startswith("T1,"))
    assert ",100,no,,2,2,2,2," in t1  # progress as numbers, not "2/2" (a date in Excel)


def test_csv_cells_cannot_start_formulas():
    from lms.reports.exports import write_csv

    text = write_csv([['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "ok", 3]])
    expected = '\ufeff"\'=HYPERLINK(""http://x"")",\'+1,\'-2,\'@SUM(A1),\'\tx,ok,3\r\n'
    assert text == expected


def test_summaries_rebuilt_from_raw_rows_give_the_same_report(app, cohort, runner):
    """Summary rows are derived data: wiping them and running `lms init` restores them."""
    from lms.extensions import db
    from lms.reports.models import DayProgress, QuestionStat, QuizResult

    before = build(app, cohort[0]).as_dict()
    with app.app_context():
        for model in (DayProgress, QuizResult, QuestionStat):
            db.session.execute(model.__table__.delete())
        db.session.commit()
    assert build(app, cohort[0]).as_dict() != before
    result = runner.invoke(args=["init"])
    assert f"Rebuilt report summaries for cohort(s) {cohort[0]}" in result.output
    assert build(app, cohort[0]).as_dict() == before


def test_sponsor_sees_names_only_when_the_cohort_allows(app, cohort, make_user):
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    cohort_id, instructor = cohort
    sponsor = make_user("sponsor", org="Bank A")
    client = app.test_client()
    sign_in_as(client, sponsor)
    assert client.get(f"/reports/cohorts/{cohort_id}/people").status_code == 403
    assert "Trainees by name" not in client.get(f"/reports/cohorts/{cohort_id}").get_data(
        as_text=True
    )
    staff = app.test_client()
    sign_in_as(staff, instructor)
    assert "T10" in staff.get(f"/reports/cohorts/{cohort_id}/people").get_data(as_text=True)
    with app.app_context():
        db.session.get(Cohort, cohort_id).sponsor_sees_names = True
        db.session.commit()
    people = client.get(f"/reports/cohorts/{cohort_id}/people")
    assert people.status_code == 200 and "T1" in people.get_data(as_text=True)
    assert "Trainees by name" in client.get(f"/reports/cohorts/{cohort_id}").get_data(as_text=True)
    assert client.get(f"/teach/cohorts/{cohort_id}/").status_code == 404  # still no management


def test_numbers_follow_the_reader_language(app, cohort):
    cohort_id, instructor = cohort
    client = app.test_client()
    sign_in_as(client, instructor)
    english = client.get(f"/reports/cohorts/{cohort_id}").get_data(as_text=True)
    with app.app_context():
        from lms.auth.models import User
        from lms.extensions import db

        db.session.get(User, instructor.id).language = "id"
        db.session.commit()
    indonesian = client.get(f"/reports/cohorts/{cohort_id}").get_data(as_text=True)
    assert "40.0%" in english and "85.7%" in english
    assert "40,0%" in indonesian and "85,7%" in indonesian

"""The sponsor's impact report: the summary computed by hand, the PDF's page 1, XLSX read
back, cohorts side by side, filters, and the anonymous feedback survey."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import date

import pytest
from conftest import sign_in_as
from werkzeug.datastructures import MultiDict

SURVEY = """---
title: Feedback
---

## How satisfied are you? {#satisfaction}
= 1..5

## Which day helped most? {#best-day}
- [ ] Day 1
- [ ] Day 2

## What should change? {#comments}
"""
DAY1 = {"q-strong-password": "1", "q-phishing-signs": ["0", "1"], "q-otp-never": "0",
        "q-save-percent": "3000", "q-second-factor": "2FA"}  # fmt: skip
DAY2 = {"q-budget-savings": "800000", "q-emergency-fund": "1"}
# A pre-test or post-test answered so that it scores 0, 50 or 100.
PRE = {0: {}, 50: {"q-passphrase": "1"}, 100: {"q-passphrase": "1", "q-percent": "3000"}}
POST = {0: {}, 50: {"q-passphrase": "0"}, 100: {"q-passphrase": "0", "q-percent": "500000"}}
# (pre, post) per trainee: differences 100, 50, 0, 50, 0, 50.
PAIRS = [(0, 100), (50, 100), (50, 50), (0, 50), (100, 100), (50, 100)]
LESSONS = ["welcome", "passwords", "budget", "saving"]


@pytest.fixture
def courses_dir(courses_dir):
    """The sample course with a feedback survey."""
    (courses_dir / "online-safety-basics" / "survey.md").write_text(SURVEY, encoding="utf-8")
    return courses_dir


def run_trainee(app, user_id, cohort_id, pre, post, survey=None, lessons=LESSONS):
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.extensions import db
    from lms.progress.services import mark_lesson_done
    from lms.quizzes import services as quizzes
    from lms.surveys import services as surveys

    with app.app_context(), app.test_request_context():
        context = learning_context(db.session.get(User, user_id), cohort_id)
        steps = [("pre-test", PRE[pre])] if pre is not None else []
        for slug in lessons:
            mark_lesson_done(context.enrolment, context.course, context.course.lesson(slug))
        steps += [("day-1", DAY1), ("day-2", DAY2)] if lessons == LESSONS else []
        steps += [("post-test", POST[post])] if post is not None else []
        for key, answers in steps:
            payload = quizzes.new_attempt_form(context, key, "en").payload
            quizzes.submit(context, key, payload, MultiDict(answers))
        if survey is not None:
            assert surveys.submit(context.enrolment, context.course, MultiDict(survey))
        db.session.commit()


@pytest.fixture
def programme(app, make_user, make_cohort, enrol):
    """Bank A: Karachi (6 pairs, 6 survey answers, 2 who never start) and Tabalong (4 with
    survey answers), plus Bank B's cohort that Bank A's sponsor must never see."""
    instructor = make_user("instructor")
    karachi, _ = make_cohort(
        instructor=instructor, org="Bank A", name="کراچی 1-2", start_date=date(2026, 10, 5)
    )
    tabalong, _ = make_cohort(
        instructor=instructor, org="Bank A", name="Tabalong 1", start_date=date(2026, 11, 2)
    )
    other, _ = make_cohort(org="Bank B", name="Elsewhere")
    ratings = [5, 4, 4, 3, 5, 2]  # 4 of 6 answer 4 or 5
    for index, (pre, post) in enumerate(PAIRS):
        user = make_user(name=f"Karachi-Trainee-{index}")
        enrol(user, karachi)
        survey = {"s-satisfaction": str(ratings[index]), "s-best-day": str(index % 2)}
        if index < 5:
            survey["s-comments"] = f"Comment {index}"
        run_trainee(app, user.id, karachi, pre, post, survey)
    for index in range(2):
        enrol(make_user(name=f"N{index}"), karachi)
    for index in range(4):
        user = make_user(name=f"T{index}")
        enrol(user, tabalong)
        run_trainee(app, user.id, tabalong, 50, 100, {"s-satisfaction": "5"})
    with app.app_context():
        from lms.cohorts.models import Cohort
        from lms.extensions import db

        db.session.get(Cohort, tabalong).country = "ID"
        db.session.commit()
    sponsor = make_user("sponsor", org="Bank A")
    return {"karachi": karachi, "tabalong": tabalong, "other": other, "sponsor": sponsor}


def cohort_report(app, cohort_id):
    from lms.permissions import SYSTEM
    from lms.reports.services import cohort_report

    with app.app_context(), app.test_request_context():
        return cohort_report(SYSTEM, cohort_id)


def test_t_critical_values_and_paired_interval_by_hand():
    from lms.reports import stats

    assert stats.t_critical_95(1) == 12.706 and stats.t_critical_95(5) == 2.571
    assert stats.t_critical_95(30) == 2.042
    # Beyond the table: t(0.975, 40) = 2.021, 60 = 2.000, 120 = 1.980 (textbook values).
    for df, expected in ((40, 2.021), (60, 2.000), (120, 1.980), (10_000, 1.960)):
        assert abs(stats.t_critical_95(df) - expected) < 0.001, df
    with pytest.raises(ValueError):
        stats.t_critical_95(0)
    paired = stats.paired_mean(6, 250, 100**2 + 3 * 50**2)
    assert round(paired.mean, 3) == 41.667
    assert (round(paired.low, 2), round(paired.high, 2)) == (2.16, 81.17)
    assert stats.paired_mean(1, 30, 900) == stats.PairedMean(1, 30.0, None, None)
    assert stats.normalised_gain(40, 70) == 0.5 and stats.normalised_gain(100, 100) is None


def test_summary_figures_computed_by_hand(app, programme):
    report = cohort_report(app, programme["karachi"])
    assert (report.enrolled, report.started, report.completed, report.certificates) == (8, 6, 6, 6)
    assert report.completion_rate == 75.0 and not report.completion_too_few
    gain = report.gain
    # Pre 0, 50, 50, 0, 100, 50 (mean 41.67); post 100, 100, 50, 50, 100, 100 (83.33).
    # Differences 100, 50, 0, 50, 0, 50: mean 41.67, s^2 = 7083.33 / 5, se = 15.366,
    # t(0.975, 5) = 2.571, half-width 39.51.
    assert (gain["trainees"], gain["mean_pre"], gain["mean_post"]) == (6, 41.67, 83.33)
    assert (gain["mean_gain"], gain["ci_low"], gain["ci_high"]) == (41.67, 2.16, 81.17)
    assert gain["normalised_gain"] == round((83.33 - 41.67) / (100 - 41.67), 2) == 0.71
    assert gain["too_few"] is False
    concepts = {c["id"]: (c["pre"], c["post"], c["gain"]) for c in gain["concepts"]}
    # passphrase right before: 4 of 6; after: 6 of 6. percent: 1 of 6 before, 4 of 6 after.
    assert concepts == {"passphrase": (66.7, 100.0, 33.3), "percent": (16.7, 66.7, 50.0)}
    assert report.satisfaction == {"answers": 6, "satisfied": 4, "rate": 66.7, "too_few": False}
    assert report.attendance is None
    assert [(s["day"], s["reached"], s["finished"]) for s in report.funnel] == [
        (1, 6, 6),
        (2, 6, 6),
    ]
    # Everybody answered day 1 right: no "hardest" question to show for it.
    assert {q["key"]: q["hardest"] for q in report.quizzes}["day-1"] == []
    assert report.period["from"] == "2026-10-05" and report.generated


def test_survey_counts_shown_for_six_and_too_few_for_four(app, programme):
    karachi = cohort_report(app, programme["karachi"]).survey
    assert karachi["respondents"] == 6
    questions = {q["id"]: q for q in karachi["questions"]}
    rating = questions["satisfaction"]
    assert rating["answers"] == 6 and rating["mean"] == round(23 / 6, 2)
    assert [c["count"] for c in rating["counts"]] == [0, 1, 1, 2, 2]
    assert [c["count"] for c in questions["best-day"]["counts"]] == [3, 3]
    # Five comments: shown, without names, in an order that does not follow who wrote them.
    assert questions["comments"]["texts"] == [f"Comment {i}" for i in range(5)]
    tabalong = cohort_report(app, programme["tabalong"])
    entry = {q["id"]: q for q in tabalong.survey["questions"]}["satisfaction"]
    assert entry == {"id": "satisfaction", "kind": "rating", "text": "How satisfied are you?",
                     "answers": 4, "too_few": True}  # fmt: skip
    assert tabalong.satisfaction["too_few"] and tabalong.satisfaction["rate"] is None
    assert tabalong.gain["too_few"] and tabalong.completion_too_few
    client = app.test_client()
    sign_in_as(client, programme["sponsor"])
    page = client.get(f"/reports/cohorts/{programme['tabalong']}").get_data(as_text=True)
    summary = page.split('id="summary-heading"')[1].split("</section>")[0]
    assert summary.count("too few") >= 3 and "not recorded" in summary


def test_the_survey_page_is_optional_anonymous_and_answered_once(app, programme, make_user, enrol):
    from lms.extensions import db
    from lms.surveys.models import SurveyAnswer, SurveySubmission

    user = make_user(name="Late-Trainee")
    enrol(user, programme["karachi"])
    client = app.test_client()
    sign_in_as(client, user)
    url = f"/cohorts/{programme['karachi']}/survey"
    assert client.get(url).status_code == 403  # not before the post-test
    run_trainee(app, user.id, programme["karachi"], 0, 100)
    result = client.get(f"/cohorts/{programme['karachi']}/quizzes/post-test/attempts/1")
    assert url in result.get_data(as_text=True)
    form = client.get(url).get_data(as_text=True)
    assert 'name="s-satisfaction"' in form and 'type="radio"' in form and "<textarea" in form
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    answers = {"csrf_token": token, "s-satisfaction": "9", "s-comments": "<b>x</b>"}
    assert client.post(url, data=answers).status_code == 302
    assert client.post(url, data=answers | {"s-satisfaction": "1"}).status_code == 200
    with app.app_context():
        rows = db.session.execute(
            db.select(SurveyAnswer.question_id, SurveyAnswer.value, SurveyAnswer.text).where(
                SurveyAnswer.text == "<b>x</b>"
            )
        ).all()
        assert rows == [("comments", None, "<b>x</b>")]  # the rating 9 is off the scale
        columns = set(SurveyAnswer.__table__.columns.keys())
        assert not columns & {"enrolment_id", "user_id", "submitted_at"}
        assert db.session.scalar(db.select(db.func.count()).select_from(SurveySubmission)) == 11
    sign_in_as(client, programme["sponsor"])
    page = client.get(f"/reports/cohorts/{programme['karachi']}").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "Comment 3" in page
    assert "Late-Trainee" not in page and "Karachi-Trainee" not in page


def test_pdf_has_the_summary_on_page_one_and_no_empty_page(app, programme, tmp_path):
    from pypdf import PdfReader

    client = app.test_client()
    sign_in_as(client, programme["sponsor"])
    pdf = client.get(f"/reports/cohorts/{programme['karachi']}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages]
    first = pages[0]
    for text in ("Bank A", "Summary", "Enrolled", "Completion rate", "75.0%", "Knowledge gain",
                 "+41.7 points", "2.2 to 81.2", "n = 6", "Drop-off by day", "Certificates issued",
                 "Attendance", "not recorded", "Satisfaction", "66.7%", "Oct 5, 2026"):  # fmt: skip
        assert text in first, text
    assert "Breakdowns" not in first and "Best scores" not in first
    assert all(len(page.split()) > 10 for page in pages), [len(p.split()) for p in pages]
    # pdftotext (poppler) reads the same: one form feed per page and text on each.
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert all(chunk.split() for chunk in text.split("\f")[: len(pages)])


def test_xlsx_read_back_equals_json_and_csv(app, programme):
    from openpyxl import load_workbook

    from lms.reports.exports import report_rows

    client = app.test_client()
    sign_in_as(client, programme["sponsor"])
    base = f"/reports/cohorts/{programme['karachi']}"
    as_json = client.get(base + ".json").json
    xlsx = client.get(base + ".xlsx")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert {"summary", "funnel", "quiz", "knowledge gain", "survey"} <= set(book.sheetnames)
    summary = {row[2]: row[3] for row in book["summary"].iter_rows(min_row=2, values_only=True)}
    for key in ("enrolled", "started", "completed", "completion_rate", "certificates"):
        assert summary[key] == as_json[key] and isinstance(summary[key], int | float), key
    assert summary["period_from"] == "2026-10-05"  # a string, not a date
    gain = {r[2]: r[3] for r in book["knowledge gain"].iter_rows(min_row=2, values_only=True)
            if r[1] == "all"}  # fmt: skip
    for key in ("trainees", "mean_gain", "ci_low", "ci_high", "normalised_gain"):
        assert gain[key] == as_json["gain"][key], key
    title = book["summary"]["B2"].value
    assert title.startswith("کراچی 1-2") and title == as_json["title"]
    cells = [
        [cell.value for cell in row]
        for sheet in book.worksheets
        for row in sheet.iter_rows(min_row=2)
    ]
    assert all(not hasattr(v, "year") for row in cells for v in row)  # no cell became a date
    with app.app_context(), app.test_request_context():
        rows = report_rows(cohort_report(app, programme["karachi"]))

    def same(table):  # 100 and 100.0 are the same number
        return sorted(
            repr([float(v) if isinstance(v, int | float) else v for v in r]) for r in table
        )

    assert same(cells) == same(rows[1:])
    csv_text = client.get(base + ".csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff") == "section,item,measure,value"
    assert len(csv_text.strip().splitlines()) == len(rows)


def test_organisation_report_side_by_side_trend_and_filters(app, programme):
    client = app.test_client()
    sign_in_as(client, programme["sponsor"])
    everything = client.get("/reports/organisation.json").json
    assert [c["name"] for c in everything["cohorts"]] == ["کراچی 1-2", "Tabalong 1"]
    assert everything["enrolled"] == 12 and everything["gain"]["trainees"] == 10
    karachi, tabalong = everything["cohorts"]
    assert (karachi["completion_rate"], karachi["mean_gain"], karachi["satisfaction"]) == (
        75.0,
        41.67,
        66.7,
    )
    assert tabalong["satisfaction"] is None  # 4 answers: too few
    assert sum(m["joined"] for m in everything["trend"]) == 12
    only_id = client.get("/reports/organisation.json?country=ID").json
    assert [c["name"] for c in only_id["cohorts"]] == ["Tabalong 1"]
    november = client.get("/reports/organisation.json?from=2026-11-01&to=2026-11-30").json
    assert [c["name"] for c in november["cohorts"]] == ["Tabalong 1"]
    assert november["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    none = client.get("/reports/organisation.json?course=nothing").json
    assert none["cohorts"] == [] and none["enrolled"] == 0
    assert client.get("/reports/organisation?from=yesterday").status_code == 400
    page = client.get("/reports/organisation").get_data(as_text=True)
    assert "Elsewhere" not in page and 'href="#cohorts"' in page and 'id="trend"' in page
    assert '<form class="filters" method="get"' in page


def test_cli_report_xlsx_and_organisation(app, programme, runner, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    done = runner.invoke(
        args=[
            "report",
            "--cohort",
            str(programme["karachi"]),
            "--format",
            "xlsx",
            "--out",
            str(out),
        ]
    )
    assert done.exit_code == 0, done.output
    assert load_workbook(out)["summary"]["D2"].value == 8
    org = runner.invoke(args=["report", "--org", "1", "--format", "json", "--from", "2026-11-01"])
    assert org.exit_code == 0, org.output
    assert [c["name"] for c in json.loads(org.output)["cohorts"]] == ["Tabalong 1"]
    both = runner.invoke(args=["report", "--org", "1", "--cohort", "1"])
    assert both.exit_code == 2 and "either --cohort ID or --org ID" in both.output
    stdout = runner.invoke(
        args=["report", "--cohort", str(programme["karachi"]), "--format", "xlsx"]
    )
    assert stdout.exit_code == 0 and stdout.stdout_bytes.startswith(b"PK")


def test_survey_files_are_checked_with_lines(tmp_path, courses_dir):
    from lms.courses.engine import load_course

    folder = courses_dir / "online-safety-basics"
    (folder / "survey.md").write_text(
        "---\ntitle: F\ncolour: red\n---\n\n## Rate it\n= 1..50\n\n## Pick\n- [x] A\n- [ ] B\n"
        "\n## Words\nsome stray text\n",
        encoding="utf-8",
    )
    (folder / "survey.ur.md").write_text("---\ntitle: ر\n---\n\n## ایک\n= 1..5\n", encoding="utf-8")
    course, problems = load_course(folder)
    found = {str(p) for p in problems}
    name = folder
    assert f"{name}/survey.md:3: unknown front-matter key 'colour'" in found
    assert f"{name}/survey.md:6: a rating scale is `= low..high`, e.g. `= 1..5`" in found
    assert f"{name}/survey.md:10: survey choices are not marked: `- [ ]`" in found
    assert f"{name}/survey.md:14: unexpected text: use `- [ ]` choices or `= 1..5`" in found
    assert any(p.startswith(f"{name}/survey.ur.md:1: translation asks different") for p in found)
    assert not any(p.startswith(f"{name}/survey.md:13") for p in found)  # free text is fine
    assert course is None
    cli = subprocess.run(
        [".venv/bin/lms", "courses", "check", str(folder)], capture_output=True, text=True
    )
    assert cli.returncode == 1 and "survey.md:10:" in cli.stdout + cli.stderr


def test_logo_allow_list():
    from lms.reports.logos import BadLogo, check_logo, logo_markup

    good = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'
    assert "<rect" in check_logo(good)
    for bad in (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="http://x/y.png"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(http://x/#a)"/></svg>',
        '<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
        "<html/>",
    ):
        with pytest.raises(BadLogo):
            check_logo(bad)
    assert logo_markup("<svg onload='x'/>") is None

"""A day's title is shown once: an author's "Day 1: ..." (or "Hari 1:", "دن 4:", "پہلا دن:")
gets no second label on the course home, the overview, breadcrumbs and reports."""

from __future__ import annotations

import html as htmlib
import re
import shutil
from datetime import date

import pytest
from conftest import ROOT, sign_in_as

from lms.courses.engine.days import has_day_label

DOUBLED = re.compile(r"(Day \d+: Day \d+|Hari \d+: Hari \d+|دن \d+: دن \d+|دن \d+: \w+ دن)")


@pytest.mark.parametrize(
    ("title", "number", "expected"),
    [
        ("Day 1: Digital safety", 1, True),
        ("day 2 - Money", 2, True),
        ("Hari 3: Pembayaran digital", 3, True),
        ("Hari ke-4: Menghasilkan uang", 4, True),
        ("Hari pertama: Keamanan", 1, True),
        ("دن 4: کری ایٹر کے طور پر کمائی", 4, True),
        ("دن ۵: کمیونٹی", 5, True),  # Urdu digits
        ("پہلا دن: ڈیجیٹل حفاظت", 1, True),
        ("Your accounts", 1, False),
        ("Day 10: later", 1, False),
        ("Daylight savings", 1, False),
        ("آپ کے اکاؤنٹس", 1, False),
    ],
)
def test_has_day_label(title, number, expected):
    assert has_day_label(title, number) is expected


@pytest.fixture
def flagship(make_app, tmp_path, make_user):
    folder = tmp_path / "all-courses"
    shutil.copytree(ROOT / "courses", folder)
    app = make_app(COURSES_DIR=str(folder))
    from lms.auth.models import User
    from lms.cohorts import services
    from lms.extensions import db
    from lms.permissions import SYSTEM

    user = make_user()
    with app.app_context():
        data = services.CohortData(
            name="Karachi",
            course_slug="money-smart-creators",
            start_date=date(2026, 1, 1),
            pacing="self",
        )
        cohort = services.create_cohort(SYSTEM, data)
        services.enrol(cohort, db.session.get(User, user.id), actor=None)
        db.session.commit()
        return app, cohort.id, user


def page(client, path: str, language: str) -> str:
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return htmlib.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("language", "once"),
    [
        ("en", "Day 1: Digital safety"),
        ("id", "Hari 1: Keamanan digital"),
        ("ur", "دن 4: کری ایٹر کے طور پر کمائی"),
    ],
)
def test_flagship_day_titles_are_labelled_once(flagship, make_user, language, once):
    app, cohort_id, user = flagship
    from lms.auth.models import User
    from lms.extensions import db

    with app.app_context():
        db.session.get(User, user.id).language = language  # a trainee's own choice wins
        db.session.commit()
    client = app.test_client()
    sign_in_as(client, user)
    home = page(client, f"/cohorts/{cohort_id}/", language)
    assert once in home and not DOUBLED.search(home), DOUBLED.search(home)
    if language == "ur":
        assert "پہلا دن: ڈیجیٹل حفاظت" in home and "دن 1: پہلا دن" not in home
    overview = page(client, "/courses/money-smart-creators/", language)
    assert once in overview and not DOUBLED.search(overview)
    lesson = page(client, f"/cohorts/{cohort_id}/lessons/passphrases", language)
    crumbs = lesson[lesson.index('class="crumbs"') : lesson.index("</nav>", lesson.index("crumbs"))]
    assert not DOUBLED.search(crumbs)
    admin = app.test_client()
    staff = make_user("admin")
    with app.app_context():
        db.session.get(User, staff.id).language = language
        db.session.commit()
    sign_in_as(admin, staff)
    report = page(admin, f"/reports/cohorts/{cohort_id}", language)
    assert once in report and not DOUBLED.search(report), DOUBLED.search(report)


def test_titles_without_a_label_get_one(client, make_user, make_cohort, enrol):
    cohort_id, _ = make_cohort()
    user = make_user()
    enrol(user, cohort_id)
    sign_in_as(client, user)
    home = page(client, f"/cohorts/{cohort_id}/", "en")
    assert "Day 1: Your accounts" in home and "Day 2: Your money" in home


def test_the_added_label_is_in_the_readers_language(app, make_user, make_cohort, enrol):
    from lms.auth.models import User
    from lms.extensions import db

    cohort_id, _ = make_cohort()
    user = make_user()
    enrol(user, cohort_id)
    with app.app_context():
        db.session.get(User, user.id).language = "ur"
        db.session.commit()
    client = app.test_client()
    sign_in_as(client, user)
    assert "دن 1: آپ کے اکاؤنٹس" in page(client, f"/cohorts/{cohort_id}/", "ur")
    anonymous = app.test_client()
    assert "Hari 1: " in page(anonymous, "/courses/online-safety-basics/", "id")

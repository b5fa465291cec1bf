"""The trainee's path at 360 px in Urdu: course home, a lesson and a quiz fit the screen
(no sideways scrolling), right to left, day titles labelled once. With
LMS_DOCS_SCREENSHOTS=1 the screenshots are written to docs/ (as committed there)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import DEFAULT_PASSWORD, ROOT

pytestmark = pytest.mark.browser
DOCS = ROOT / "docs"


@pytest.fixture
def app(make_app, tmp_path):
    folder = tmp_path / "all-courses"
    shutil.copytree(ROOT / "courses", folder)
    return make_app(COURSES_DIR=str(folder), RATELIMIT_ENABLED=False)


def test_course_home_lesson_and_quiz_at_360px_in_urdu(
    app, live_server, browser, make_user, tmp_path
):
    from lms.auth.models import User
    from lms.cohorts import services
    from lms.extensions import db
    from lms.permissions import SYSTEM

    user = make_user(name="عائشہ خان", email="ayesha@example.test")
    with app.app_context():
        data = services.CohortData(
            name="کراچی کری ایٹرز",
            course_slug="money-smart-creators",
            start_date=date(2026, 1, 5),
            timezone="Asia/Karachi",
            pacing="self",
        )
        cohort = services.create_cohort(SYSTEM, data)
        trainee = db.session.get(User, user.id)
        trainee.language = "ur"
        services.enrol(cohort, trainee, actor=None)
        db.session.commit()
        cohort_id = cohort.id
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True,
        has_touch=True, locale="ur-PK",
    )  # fmt: skip
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "ayesha@example.test")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    shots = DOCS if os.environ.get("LMS_DOCS_SCREENSHOTS") else tmp_path
    for name, path in [
        ("course-home-phone-ur.png", f"/cohorts/{cohort_id}/"),
        ("lesson-phone-ur.png", f"/cohorts/{cohort_id}/lessons/passphrases"),
        ("quiz-phone-ur.png", f"/cohorts/{cohort_id}/quizzes/day-1"),
    ]:
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("document.documentElement.lang") == "ur"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)  # no sideways scrolling on a small phone
        text = page.inner_text("main")
        assert not re.search(r"دن \d+: دن \d+", text)
        page.screenshot(path=str(Path(shots) / name))  # the first screen, as a phone shows it
    context.close()


FONT = ROOT / "static" / "fonts" / "NotoNaskhArabic-subset.woff2"


def test_urdu_letters_come_from_the_shipped_web_font(app, live_server, browser):
    """ہ ے ھ render with the subset woff2 (not empty boxes); its unicode-range limits it to
    Arabic script."""
    assert FONT.stat().st_size <= 120 * 1024
    css = (ROOT / "static" / "css" / "app.css").read_text()
    face = re.search(r"@font-face\{[^}]*NotoNaskhArabic-subset\.woff2[^}]*\}", css).group(0)
    assert "font-display:swap" in face and "unicode-range:U+0600-06FF" in face
    fetched: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    page.on("request", lambda request: fetched.append(request.url))
    # (the language switcher writes اردو on every page, so the font comes with it: once, cached)
    page.goto(f"{live_server}/courses/money-smart-creators/?lang=ur")
    page.evaluate("document.documentElement.lang = 'ur'")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('afterbegin', "
        "'<p id=probe lang=ur>ہ ے ھ</p>')"
    )
    page.wait_for_function("document.fonts.check('16px \"LMS Naskh\"', 'ہ ے ھ')")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.fonts.check('16px \"LMS Naskh\"', 'ہ')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('LMS Naskh')).map(f => f.status)"
    )
    assert loaded == ["loaded"], loaded
    assert any("NotoNaskhArabic-subset.woff2" in url for url in fetched)
    context.close()

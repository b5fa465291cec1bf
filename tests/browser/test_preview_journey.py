"""The instructor's preview on a 360 px phone and a 1280 px desktop: answer keys shown to
the instructor and a 404 to a trainee, axe clean, no sideways scrolling, and an edited
lesson file shown on the next request (LMS_COURSES_RELOAD, as under `lms run`)."""

from __future__ import annotations

import pytest
from conftest import DEFAULT_PASSWORD

from browser.conftest import axe_violations

pytestmark = pytest.mark.browser
SLUG = "online-safety-basics"
SIZES = ((360, 740), (1280, 800))


@pytest.fixture
def app(make_app):
    return make_app(COURSES_RELOAD=True)


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.locator("#login").fill(email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width, height", SIZES)
def test_preview_shows_keys_to_the_instructor_and_404_to_a_trainee(
    live_server, browser, make_user, make_cohort, enrol, courses_dir, width, height, tmp_path
):
    teacher = make_user("instructor", email=f"teacher{width}@example.com")
    cohort_id, _ = make_cohort(instructor=teacher)
    trainee = make_user(email=f"trainee{width}@example.com")
    enrol(trainee, cohort_id)
    url = f"{live_server}/teach/courses/{SLUG}/preview"

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in(page, live_server, teacher.email)
    page.goto(url)
    correct = page.locator("#day-1-strong-password li.correct").first
    assert "Correct answer" in correct.inner_text()
    assert "Four random words joined together" in correct.inner_text()
    assert correct.is_visible()
    assert page.get_by_text("This is the first password attackers try.").first.is_visible()
    assert page.locator("#day-1-strong-password [lang=ur]").count() == 1  # side by side
    if width == 1280:  # the translation sits beside the original, not under it
        columns = page.locator("#day-1-strong-password .column").all()
        assert columns[0].bounding_box()["y"] == columns[1].bounding_box()["y"]
    assert sideways(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"preview-{width}.png"), full_page=False)
    context.close()

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in(page, live_server, trainee.email)
    response = page.goto(url)
    assert response.status == 404
    assert "Correct answer" not in page.content()
    context.close()


@pytest.mark.parametrize("width, height", SIZES)
def test_an_edited_lesson_shows_on_the_next_request(
    live_server, browser, make_user, courses_dir, width, height
):
    admin = make_user("admin", email=f"admin{width}@example.com")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/courses/{SLUG}/lessons/passwords")
    assert page.locator("h1").inner_text() == "Strong passwords"
    lesson = courses_dir / SLUG / "day-1-accounts" / "02-passwords.md"
    lesson.write_text(
        lesson.read_text().replace("title: Strong passwords", "title: Strong passphrases")
    )
    page.reload()
    assert page.locator("h1").inner_text() == "Strong passphrases"
    page.goto(f"{live_server}/teach/courses/{SLUG}/preview")
    assert page.locator("#lesson-passwords h3").first.inner_text().startswith("Strong passphrases")
    assert sideways(page) <= 0
    context.close()

"""A trainee's phone at 360 px: arrows that follow the reading direction, pages that never
scroll sideways, quiz inputs that keep their size, a translated offline page with a way
back, a warm page that costs one request, and a service worker that fetches only the
page that changed (issues 16 items 9-10 and 20 item 6)."""

from __future__ import annotations

import shutil
import time

import pytest
from conftest import DEFAULT_PASSWORD, ROOT

pytestmark = pytest.mark.browser
NARROW = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1, "is_mobile": True}
SAVED = "lms-pages-v1"


@pytest.fixture
def app(make_app, tmp_path):
    folder = tmp_path / "all-courses"
    shutil.copytree(ROOT / "courses", folder)
    app = make_app(COURSES_DIR=str(folder), RATELIMIT_ENABLED=False)
    app.seen = []  # every path the server was asked for, in order
    inner = app.wsgi_app

    def recording(environ, start_response):
        query = environ.get("QUERY_STRING")
        app.seen.append(environ["PATH_INFO"] + (f"?{query}" if query else ""))
        return inner(environ, start_response)

    app.wsgi_app = recording
    return app


@pytest.fixture
def trainee(app, make_user, make_cohort, enrol):
    """(cohort id, login) of a trainee who reads in `language` (set with .language)."""

    def create(language: str = "ur", name: str = "عائشہ خان", course="online-safety-basics"):
        from lms.auth.models import User
        from lms.extensions import db

        login = f"phone-{language}-{len(app.seen)}@example.test"
        user = make_user(name=name, email=login)
        cohort_id, _ = make_cohort(course_slug=course)
        enrol(user, cohort_id)
        with app.app_context():
            db.session.get(User, user.id).language = language
            db.session.commit()
        return cohort_id, login

    return create


def pages_asked(app) -> list[str]:
    """What the server was asked for, less the browser's own update check of the worker
    script (a 304 on the browser's schedule, not a page or asset download)."""
    return [path for path in app.seen if path != "/sw.js"]


def signed_in(browser, base, login, language="ur"):
    context = browser.new_context(
        **NARROW, locale={"ur": "ur-PK", "id": "id-ID"}.get(language, "en-US")
    )
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return context, page


def wait_until_saved(page, timeout: float = 30):
    """Until the service worker holds every open page the course home lists, each under
    the key listed there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(
            f"""async () => {{
                const cache = await caches.open('{SAVED}');
                const state = await cache.match('/__lms-saved-pages__');
                if (!state) return false;
                const keys = (await state.json()).keys;
                const listed = [...document.querySelectorAll('a[data-offline]')];
                return listed.length > 0 && listed.every(a => keys[a.href] === a.dataset.offline);
            }}"""
        ):
            return
        page.wait_for_timeout(200)
    raise AssertionError("the service worker did not save the listed pages")


def before_content(page, selector: str, pseudo: str = "::before") -> str:
    return page.evaluate(
        f"getComputedStyle(document.querySelector({selector!r}), {pseudo!r}).content"
    )


@pytest.mark.parametrize(("language", "crumb", "prev"), [("ur", '"‹"', "→"), ("en", '"›"', "←")])
def test_arrows_follow_the_reading_direction(
    app, live_server, browser, trainee, language, crumb, prev
):
    cohort_id, login = trainee(language)
    context, page = signed_in(browser, live_server, login, language)
    page.goto(f"{live_server}/cohorts/{cohort_id}/lessons/passwords")
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ur" else "ltr")
    assert before_content(page, ".crumbs .sep") == crumb  # ‹ points left, towards "back", in Urdu
    assert prev in before_content(page, ".pager [rel=prev]")
    assert "›" not in page.inner_text(".crumbs")  # no fixed right-pointing arrow in the text
    context.close()


@pytest.mark.parametrize("language", ["ur", "en"])
def test_the_password_link_page_does_not_scroll_sideways(
    app, live_server, browser, make_user, language
):
    """A login or name with no spaces (an e-mail address, say) wraps instead of widening
    the page."""
    from lms.auth import services
    from lms.auth.models import User
    from lms.extensions import db

    user = make_user(name="muhammad.abdullah.khan.creator.studio@example-long-domain.test")
    with app.app_context():
        issued = services.issue_token(db.session.get(User, user.id), "welcome")
        db.session.commit()
    context = browser.new_context(**NARROW, locale="ur-PK" if language == "ur" else "en-US")
    page = context.new_page()
    page.goto(f"{live_server}/reset/{issued.token}?lang={language}")
    assert page.locator("input[name=password]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_quiz_inputs_keep_their_size_when_the_answer_wraps(app, live_server, browser, trainee):
    cohort_id, login = trainee("ur", course="money-smart-creators")
    context, page = signed_in(browser, live_server, login)
    page.goto(f"{live_server}/cohorts/{cohort_id}/quizzes/day-1")
    boxes = page.evaluate(
        """[...document.querySelectorAll('label.choice')].map(label => {
             const input = label.querySelector('input').getBoundingClientRect();
             return [Math.round(input.width), Math.round(input.height),
                     label.getBoundingClientRect().height > 2.5 * input.height];
           })"""
    )
    assert any(wraps for _w, _h, wraps in boxes)  # some answers do wrap at 360 px
    assert {(w, h) for w, h, _wraps in boxes} == {(boxes[0][0], boxes[0][1])}
    assert boxes[0][0] >= 20
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_empty_verify_says_what_to_enter_and_nothing_is_missing(app, live_server, browser):
    context = browser.new_context(**NARROW, locale="ur-PK")
    page = context.new_page()
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status == 404 else None)
    page.goto(f"{live_server}/verify?lang=ur")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    alert = page.locator("main [role=alert]")
    assert alert.is_visible() and alert.inner_text().strip()
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    description = page.locator("meta[name=description]").get_attribute("content")
    assert len(description) > 20
    icon = page.request.get(f"{live_server}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert failed == []
    context.close()


def test_a_page_not_saved_shows_the_offline_page_in_urdu_with_a_way_back(
    app, live_server, browser, trainee
):
    cohort_id, login = trainee("ur")
    context, page = signed_in(browser, live_server, login)
    page.goto(f"{live_server}/cohorts/{cohort_id}/")
    wait_until_saved(page)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10000)
    page.wait_for_function(
        f"""async () => (await (await caches.open('{SAVED}')).keys())
                           .some(r => r.url.includes('/offline/ur?v='))"""
    )
    context.set_offline(True)
    page.goto(f"{live_server}/cohorts/{cohort_id}/quizzes/post-test")  # never saved
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ur",
        "rtl",
    ]
    assert page.inner_text("h1") == "آپ آف لائن ہیں"
    assert "This page" not in page.inner_text("main")
    header = page.evaluate(
        "getComputedStyle(document.querySelector('header.site')).backgroundColor"
    )
    assert header == "rgb(29, 92, 99)"  # app.css, from the phone's saved copy
    home = page.locator("#offline-home")
    assert home.get_attribute("href") == f"/cohorts/{cohort_id}/"
    assert page.locator("#offline-back").is_visible()
    home.click()
    page.wait_for_url(f"**/cohorts/{cohort_id}/")
    assert page.locator("a[data-offline]").count() > 0  # the saved course home
    context.close()


def test_a_warm_page_is_one_request(app, live_server, browser, trainee):
    cohort_id, login = trainee("ur")
    context, page = signed_in(browser, live_server, login)
    page.goto(f"{live_server}/cohorts/{cohort_id}/")
    wait_until_saved(page)
    for lesson in ("passwords", "welcome"):  # the lesson's own image is cached too
        page.goto(f"{live_server}/cohorts/{cohort_id}/lessons/{lesson}")
        page.wait_for_load_state("networkidle")
    del app.seen[:]
    page.goto(f"{live_server}/cohorts/{cohort_id}/lessons/passwords")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    # no CSS, JS, font, manifest or icon asked for again, not even revalidated
    assert pages_asked(app) == [f"/cohorts/{cohort_id}/lessons/passwords"]
    assert page.inner_text("h1") == page.evaluate("document.querySelector('h1').textContent")
    context.close()


def test_the_service_worker_refetches_only_the_page_that_changed(
    app, live_server, browser, trainee
):
    cohort_id, login = trainee("en")
    context, page = signed_in(browser, live_server, login, "en")
    home = f"/cohorts/{cohort_id}/"
    page.goto(live_server + home)
    wait_until_saved(page)
    listed = page.evaluate("[...document.querySelectorAll('a[data-offline]')].length")
    assert listed >= 6
    page.wait_for_timeout(1000)
    del app.seen[:]
    page.goto(live_server + home)  # nothing changed: no page fetched again
    wait_until_saved(page)
    page.wait_for_timeout(1000)
    assert pages_asked(app) == [home]
    page.goto(f"{live_server}{home}quizzes/day-2")  # an unchanged saved page: a 304
    page.locator("form.quiz button[type=submit]").click()  # one attempt changes this quiz
    page.wait_for_url("**/attempts/1")
    del app.seen[:]
    page.goto(live_server + home)
    wait_until_saved(page)
    page.wait_for_timeout(1000)
    assert pages_asked(app) == [home, f"{home}quizzes/day-2"]
    context.close()

"""The signed-in lesson page from a cached body (lms.learning.pages): the same page as the
template renders, each person's own token and name, and never anyone else's."""

from __future__ import annotations

import re

import pytest
from conftest import CSRF_RE, csrf_from, sign_in_as
from markupsafe import escape

SLUG = "online-safety-basics"
LESSON = "passwords"


def lesson_url(cohort_id: int, slug: str = LESSON) -> str:
    return f"/cohorts/{cohort_id}/lessons/{slug}"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def cached_text(app) -> str:
    """Everything the process keeps of lesson pages, as one text."""
    bodies = app.extensions["lms.lesson_pages"]
    return "\n".join(
        part.decode() for segments in bodies._items.values() for part in segments
        if isinstance(part, bytes)
    )  # fmt: skip


@pytest.fixture
def two_trainees(app, make_user, make_cohort, enrol):
    cohort_id, _code = make_cohort()
    first = make_user("trainee", name='Ayesha <b>"Khan"</b> & co')
    second = make_user("trainee", name="Budi Santoso")
    for trainee in (first, second):
        enrol(trainee, cohort_id)
    clients = []
    for trainee in (first, second):
        client = app.test_client()
        sign_in_as(client, trainee)
        clients.append(client)
    return cohort_id, (first, second), clients


def test_two_trainees_see_their_own_name_and_token_and_nothing_else_differs(app, two_trainees):
    cohort_id, (first, second), (one, two) = two_trainees
    url = lesson_url(cohort_id)
    first_page, second_page = page(one, url), page(two, url)
    assert str(escape(first.name)) in first_page and "<b>" not in first_page.split("<main")[0]
    assert second.name in second_page
    assert str(escape(first.name)) not in second_page and second.name not in first_page
    first_tokens = set(CSRF_RE.findall(first_page))
    second_tokens = set(CSRF_RE.findall(second_page))
    assert len(first_tokens) == 1 and len(second_tokens) == 1
    assert first_tokens != second_tokens
    with one.session_transaction() as session:
        first_raw = session["csrf_token"]
    assert first_raw not in second_page
    # Apart from the name and the token, the two pages are the same bytes.
    normalise = lambda html, name: CSRF_RE.sub("TOKEN", html.replace(name, "NAME"))  # noqa: E731
    assert normalise(first_page, str(escape(first.name))) == normalise(second_page, second.name)
    # Each token is the person's own: the second trainee cannot use the first one's.
    token = first_tokens.pop()
    assert two.post(f"{url}/done", data={"csrf_token": token}).status_code == 400
    assert one.post(f"{url}/done", data={"csrf_token": token}).status_code == 302


def test_the_cache_never_holds_a_person(app, two_trainees):
    cohort_id, (first, second), (one, two) = two_trainees
    url = lesson_url(cohort_id)
    pages = [page(client, url) for client in (one, two, one)]
    cached = cached_text(app)
    assert app.extensions["lms.lesson_pages"]._items, "the page was not cached"
    for trainee in (first, second):
        assert trainee.name not in cached and str(escape(trainee.name)) not in cached
    for html in pages:
        for token in CSRF_RE.findall(html):
            assert token not in cached
    for client in (one, two):
        with client.session_transaction() as session:
            assert session["csrf_token"] not in cached


def test_the_cached_page_is_the_page_the_template_renders(make_app, make_user, make_cohort, enrol):
    cached_app = make_app()
    rendered_app = make_app(LESSON_PAGE_CACHE=False)
    cohort_id, _code = make_cohort()
    trainee = make_user("trainee", name="Nadia")
    enrol(trainee, cohort_id)
    clients = []
    for app in (cached_app, rendered_app):
        client = app.test_client()
        sign_in_as(client, trainee)
        clients.append(client)
    for language in ("en", "ur", "id"):
        _set_language(cached_app, trainee, language)
        for url in (lesson_url(cohort_id), lesson_url(cohort_id) + "?from=home&x=<i>"):
            cached, rendered = (CSRF_RE.sub("TOKEN", page(client, url)) for client in clients)
            cached_again = CSRF_RE.sub("TOKEN", page(clients[0], url))
            assert cached == rendered == cached_again, (language, url)
    assert len(cached_app.extensions["lms.lesson_pages"]) == 3  # en, ur, id


def _set_language(app, user, language: str) -> None:
    from lms.auth.models import User
    from lms.extensions import db

    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()


def test_done_state_is_each_persons_own(app, two_trainees):
    cohort_id, _people, (one, two) = two_trainees
    url = lesson_url(cohort_id)
    token = csrf_from(page(one, url))
    assert one.post(f"{url}/done", data={"csrf_token": token}).status_code == 302
    assert "You have done this lesson." in page(one, url)
    other = page(two, url)
    assert "You have done this lesson." not in other and f'action="{url}/done"' in other


def test_an_unchanged_page_answers_304_and_a_changed_one_the_page(app, two_trainees):
    """The service worker's conditional request: 304 for the very page it holds; the full
    page once what the page shows changed (here: the lesson done); each person's own."""
    cohort_id, _people, (one, two) = two_trainees
    url = lesson_url(cohort_id)
    first = one.get(url)
    etag, key = first.headers["ETag"], first.headers["X-Offline-Key"]
    assert etag.startswith('W/"') and key
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["Vary"] == "Accept-Encoding, Cookie"
    assert "frame-ancestors 'none'" in first.headers["Content-Security-Policy"]
    assert first.headers["X-Frame-Options"] == "DENY"
    again = one.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
    assert two.get(url).headers["ETag"] != etag
    token = csrf_from(first.get_data(as_text=True))
    assert one.post(f"{url}/done", data={"csrf_token": token}).status_code == 302
    changed = one.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "You have done this lesson." in changed.get_data(as_text=True)
    assert changed.headers["X-Offline-Key"] == key  # same content: the saved copy stays


def test_the_language_form_comes_back_to_this_address_escaped(app, two_trainees):
    cohort_id, _people, (one, _two) = two_trainees
    html = page(one, lesson_url(cohort_id) + '?q="><script>x</script>')
    assert "<script>x</script>" not in html
    field = re.search(r'name="next" value="([^"]*)"', html).group(1)
    assert field.startswith(lesson_url(cohort_id) + "?q=") and "&lt;script&gt;" in field
    plain = page(one, lesson_url(cohort_id))
    assert f'name="next" value="{lesson_url(cohort_id)}"' in plain


def test_a_flashed_message_is_shown_once(app, two_trainees):
    cohort_id, _people, (one, _two) = two_trainees
    url = lesson_url(cohort_id)
    page(one, url)
    with one.session_transaction() as session:
        session["_flashes"] = [("info", "Welcome back <friend>")]
    assert "Welcome back &lt;friend&gt;" in page(one, url)
    assert "Welcome back" not in page(one, url)


def test_an_edited_lesson_shows_after_a_reload(
    make_app, courses_dir, make_user, make_cohort, enrol
):
    app = make_app(COURSES_RELOAD=True)
    cohort_id, _code = make_cohort()
    trainee = make_user("trainee")
    enrol(trainee, cohort_id)
    client = app.test_client()
    sign_in_as(client, trainee)
    assert "Freshly edited words" not in page(client, lesson_url(cohort_id))
    lesson = courses_dir / SLUG / "day-1-accounts" / "02-passwords.md"
    lesson.write_text(lesson.read_text().replace("\n\n", "\n\nFreshly edited words.\n\n", 1))
    assert "Freshly edited words." in page(client, lesson_url(cohort_id))
    assert len(app.extensions["lms.lesson_pages"]) == 1  # the old version's body was dropped


def test_a_signed_out_or_disabled_trainee_is_sent_to_sign_in(app, two_trainees):
    from lms.auth.models import User
    from lms.extensions import db

    cohort_id, (first, second), (one, two) = two_trainees
    url = lesson_url(cohort_id)
    page(one, url)
    with app.app_context():
        db.session.get(User, first.id).session_version += 1  # signed out everywhere
        db.session.get(User, second.id).active = False
        db.session.commit()
    for client in (one, two):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_withdrawn_trainee_and_strangers_get_404_and_staff_preview(
    app, two_trainees, make_user, make_cohort
):
    from lms.cohorts import services
    from lms.cohorts.models import Enrolment
    from lms.extensions import db
    from lms.permissions import SYSTEM

    cohort_id, (first, _second), (one, _two) = two_trainees
    url = lesson_url(cohort_id)
    with app.app_context():
        enrolment = db.session.scalar(db.select(Enrolment).filter_by(user_id=first.id))
        services.withdraw(SYSTEM, enrolment)
        db.session.commit()
    assert one.get(url).status_code == 404
    stranger = app.test_client()
    sign_in_as(stranger, make_user("trainee"))
    assert stranger.get(url).status_code == 404
    admin = app.test_client()
    sign_in_as(admin, make_user("admin", name="Admin Person"))
    preview = page(admin, url)
    assert "Admin Person" in preview and f'action="{url}/done"' not in preview

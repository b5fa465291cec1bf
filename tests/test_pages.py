"""The first pages: catalogue, course overview, lesson, media, and their caching."""

from __future__ import annotations

import gzip
import re

import pytest

COURSE = "/courses/online-safety-basics/"


@pytest.mark.parametrize("path", ["/", "/courses/"])
def test_catalogue_lists_the_course(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "Online Safety Basics" in html
    assert f'href="{COURSE}"' in html
    assert "2 days" in html


def test_empty_catalogue_says_what_to_do(make_app, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    html = make_app(COURSES_DIR=str(empty)).test_client().get("/").get_data(as_text=True)
    assert "No courses yet" in html


def test_overview_lists_days_lessons_and_minutes(client):
    html = client.get(COURSE).get_data(as_text=True)
    assert "Day 1: Your accounts" in html and "Day 2: Your money" in html
    assert f'href="{COURSE}lessons/passwords"' in html
    assert "6 min" in html and "optional" in html
    assert "Quiz: Day 1 check" in html


def test_lesson_page_with_navigation(client):
    response = client.get(COURSE + "lessons/passwords")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Strong passwords</h1>" in html
    assert f'rel="prev" href="{COURSE}lessons/welcome"' in html
    assert f'rel="next" href="{COURSE}lessons/further-reading"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # no inline script (strict CSP)


def test_lesson_in_urdu_is_right_to_left(client):
    response = client.get(COURSE + "lessons/welcome", headers={"Accept-Language": "ur"})
    html = response.get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in html
    assert "خوش آمدید" in html


def test_lesson_falls_back_to_default_language_and_says_so(client):
    html = client.get(COURSE + "lessons/passwords", headers={"Accept-Language": "id"}).get_data(
        as_text=True
    )
    assert "Strong passwords" in html
    assert 'class="notice"' in html


def test_language_switch_sets_cookie(client, csrf_token):
    token = csrf_token()
    response = client.post(
        "/language", data={"language": "id", "next": COURSE, "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == COURSE
    html = client.get(COURSE + "lessons/budget").get_data(as_text=True)
    assert "Anggaran sederhana" in html


def test_language_switch_refuses_offsite_next(client, csrf_token):
    token = csrf_token()
    response = client.post(
        "/language", data={"language": "en", "next": "//evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_language_switch_needs_csrf(client):
    assert client.post("/language", data={"language": "id"}).status_code == 400


@pytest.mark.parametrize(
    "path", [COURSE + "lessons/nope", "/courses/nope/", "/courses/nope/lessons/x"]
)
def test_unknown_course_or_lesson_is_404(client, path):
    assert client.get(path).status_code == 404


def test_media_served_with_long_cache(client):
    with client.get(COURSE + "media/padlock.svg") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.cache_control.max_age == 365 * 24 * 3600


@pytest.mark.parametrize(
    "path",
    [
        COURSE + "media/../course.md",
        COURSE + "media/%2e%2e/course.md",
        COURSE + "media/..%2fcourse.md",
        COURSE + "media//etc/passwd",
        COURSE + "media/%2fetc%2fpasswd",
        COURSE + "media/day-1-accounts/01-welcome.md",
    ],
)
def test_nothing_outside_media_is_reachable(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert b"root:" not in response.data and b"title:" not in response.data


def test_pages_are_gzipped_for_clients_that_accept_it(client):
    response = client.get(COURSE + "lessons/passwords", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"Strong passwords" in gzip.decompress(response.data)


def test_static_files_are_fingerprinted_and_immutable(client):
    html = client.get("/").get_data(as_text=True)
    start = html.index("/static/css/app.css?v=")
    url = html[start : html.index('"', start)]
    with client.get(url) as response:
        assert response.status_code == 200
        assert (
            response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
        )


def test_invalid_course_is_skipped_and_logged(make_app, courses_dir, caplog):
    broken = courses_dir / "broken"
    broken.mkdir()
    (broken / "course.md").write_text("---\ntitle: Broken\ncolour: red\n---\n")
    with caplog.at_level("ERROR"):
        app = make_app()
    assert "unknown front-matter key 'colour'" in caplog.text
    client = app.test_client()
    assert client.get("/courses/broken/").status_code == 404
    assert client.get(COURSE).status_code == 200

"""Every lesson page, in every language, within the budget: 30 KB compressed, 3 requests."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUDGET_BYTES = 30 * 1024
BUDGET_REQUESTS = 3


@pytest.fixture
def flagship_app(make_app, tmp_path):
    folder = tmp_path / "all-courses"
    shutil.copytree(ROOT / "courses", folder)
    return make_app(COURSES_DIR=str(folder))


def weight(client, path: str, language: str) -> tuple[int, int]:
    headers = {"Accept-Encoding": "gzip", "Accept-Language": language}
    response = client.get(path, headers=headers)
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.data).decode()
    resources = re.findall(r'<link[^>]+rel="(?:stylesheet|manifest|icon)"[^>]*href="([^"]+)"', html)
    resources += re.findall(r'<script[^>]+src="([^"]+)"', html)
    total = len(response.data)
    for url in resources:
        with client.get(url, headers=headers) as sub:
            total += len(sub.data)
    return total, 1 + len(resources)


@pytest.mark.parametrize("language", ["en", "ur", "id"])
def test_every_lesson_page_is_within_budget(flagship_app, language):
    from lms.courses.catalogue import get_catalogue

    client = flagship_app.test_client()
    with flagship_app.app_context():
        courses = get_catalogue().all()
    assert {course.slug for course in courses} >= {"money-smart-creators", "online-safety-basics"}
    checked = 0
    for course in courses:
        for lesson in course.lessons:
            size, requests = weight(
                client, f"/courses/{course.slug}/lessons/{lesson.slug}", language
            )
            assert size <= BUDGET_BYTES, f"{course.slug}/{lesson.slug} [{language}]: {size} bytes"
            assert requests <= BUDGET_REQUESTS, f"{course.slug}/{lesson.slug}: {requests} requests"
            checked += 1
    assert checked >= 25


def test_course_home_and_quiz_pages_are_within_budget(flagship_app, make_user):
    from datetime import date

    from conftest import sign_in_as

    from lms.auth.models import User
    from lms.cohorts import services
    from lms.extensions import db
    from lms.permissions import SYSTEM

    user = make_user()
    with flagship_app.app_context():
        data = services.CohortData(
            name="Budget",
            course_slug="money-smart-creators",
            start_date=date(2026, 1, 1),
            pacing="self",
        )
        cohort = services.create_cohort(SYSTEM, data)
        services.enrol(cohort, db.session.get(User, user.id), actor=None)
        db.session.commit()
        cohort_id = cohort.id
    client = flagship_app.test_client()
    sign_in_as(client, user)
    for language in ("en", "ur", "id"):
        for path in (
            f"/cohorts/{cohort_id}/",
            f"/cohorts/{cohort_id}/quizzes/day-1",
            f"/cohorts/{cohort_id}/quizzes/pre-test",
        ):
            size, requests = weight(client, path, language)
            assert size <= BUDGET_BYTES and requests <= BUDGET_REQUESTS, (
                path,
                language,
                size,
                requests,
            )

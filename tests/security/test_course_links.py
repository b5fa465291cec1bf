"""Issue 17 item 2: links in a course folder. A symlink (or hard link) in `media/` must not
serve a file of the server: refused by the loader, by `lms courses check` and by both
media routes."""

from __future__ import annotations

import os

import pytest

from lms.courses.engine import load_course
from lms.courses.engine.safety import contained_file

SECRET = "root:x:0:0:secret-line-from-outside\n"
COURSE = "online-safety-basics"


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def test_symlink_makes_the_course_invalid(courses_dir, secret):
    (courses_dir / COURSE / "media" / "passwd").symlink_to(secret)
    course, problems = load_course(courses_dir / COURSE)
    assert course is None
    assert any(
        str(p).endswith("media/passwd:1: symbolic links are not allowed in a course "
                        "(copy the file in instead)")
        for p in problems
    ), problems  # fmt: skip


def test_hard_link_to_an_outside_file_makes_the_course_invalid(courses_dir, secret):
    os.link(secret, courses_dir / COURSE / "media" / "passwd")
    course, problems = load_course(courses_dir / COURSE)
    assert course is None
    assert any("hard-linked files are not allowed" in str(p) for p in problems)


def test_symlinked_folder_inside_a_course_is_refused(courses_dir, secret):
    (courses_dir / COURSE / "media" / "etc").symlink_to(secret.parent, target_is_directory=True)
    course, problems = load_course(courses_dir / COURSE)
    assert course is None and any("media/etc:1: symbolic links" in str(p) for p in problems)


def test_courses_check_reports_the_link_and_exits_1(make_app, courses_dir, secret):
    (courses_dir / COURSE / "media" / "passwd").symlink_to(secret)
    result = make_app().test_cli_runner().invoke(args=["courses", "check"])
    assert result.exit_code == 1
    assert "media/passwd:1: symbolic links are not allowed" in result.output
    assert "0 of 1 course(s) valid" in result.output


@pytest.mark.parametrize(
    "path", [f"/courses/{COURSE}/media/passwd", "/cohorts/{cohort}/media/passwd"]
)
def test_link_added_after_start_is_not_served_over_http(
    app, browser, make_cohort, courses_dir, secret, path
):
    """The course loaded clean; a link added while the server runs is still refused."""
    cohort_id, _ = make_cohort()
    (courses_dir / COURSE / "media" / "passwd").symlink_to(secret)
    status, body = browser().request(path.format(cohort=cohort_id))
    assert status == 404 and "secret-line" not in body
    status, _ = browser().request(f"/courses/{COURSE}/media/padlock.svg")
    assert status == 200  # real media still served


def test_hard_link_added_after_start_is_not_served(client, courses_dir, secret):
    os.link(secret, courses_dir / COURSE / "media" / "passwd")
    response = client.get(f"/courses/{COURSE}/media/passwd")
    assert response.status_code == 404 and b"secret-line" not in response.data


@pytest.mark.parametrize(
    "name", ["", ".", "..", "../course.md", ".hidden", "a/../../x", "a\\b", "/etc/passwd"]
)
def test_contained_file_refuses_names_that_leave_or_hide(tmp_path, name):
    (tmp_path / "media").mkdir()
    (tmp_path / "course.md").write_text("x")
    (tmp_path / "media" / ".hidden").write_text("x")
    assert contained_file(tmp_path / "media", name) is None

"""Live edits (DESIGN.md, "Instructor studio"): with LMS_COURSES_RELOAD a changed file is
seen by the next request; otherwise `lms courses reload` (or a HUP under gunicorn) reloads
every worker. A course that stops passing the check keeps serving its last good version."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import sign_in_as
from test_server import fetch, free_port, server  # noqa: F401 - fixture

SLUG = "online-safety-basics"
LESSON_URL = f"/courses/{SLUG}/lessons/passwords"
REDIS_URL = "redis://127.0.0.1:6379/15"
BIN = Path(sys.executable).parent


def lesson_file(courses_dir: Path) -> Path:
    return courses_dir / SLUG / "day-1-accounts" / "02-passwords.md"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def break_course(courses_dir: Path) -> None:
    edit(lesson_file(courses_dir), "---\n", "---\ncolour: blue\n")


def body(client, url: str = LESSON_URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_with_reload_on_an_edit_shows_on_the_next_request(make_app, courses_dir):
    client = make_app(COURSES_RELOAD=True).test_client()
    assert "Freshly edited words" not in body(client)
    edit(lesson_file(courses_dir), "\n\n", "\n\nFreshly edited words.\n\n")
    assert "Freshly edited words." in body(client)


def test_a_broken_edit_keeps_the_last_good_version_until_fixed(make_app, courses_dir, make_user):
    app = make_app(COURSES_RELOAD=True)
    client = app.test_client()
    edit(lesson_file(courses_dir), "\n\n", "\n\nVersion two.\n\n")
    assert "Version two." in body(client)
    break_course(courses_dir)
    edit(lesson_file(courses_dir), "Version two.", "Version three.")
    page = body(client)
    assert "Version two." in page and "Version three." not in page
    sign_in_as(client, make_user("admin"))
    preview = body(client, f"/teach/courses/{SLUG}/preview")
    assert "day-1-accounts/02-passwords.md:2</code>" in preview
    edit(lesson_file(courses_dir), "colour: blue\n", "")
    assert "Version three." in body(client)


def test_without_reload_an_edit_waits_for_lms_courses_reload(make_app, courses_dir):
    app = make_app()
    client = app.test_client()
    body(client)
    edit(lesson_file(courses_dir), "\n\n", "\n\nAfter reload only.\n\n")
    assert "After reload only." not in body(client)
    result = app.test_cli_runner().invoke(args=["courses", "reload"])
    assert result.exit_code == 0, result.output
    assert "After reload only." in body(client)


def test_lms_courses_reload_reports_errors_and_exits_1(make_app, courses_dir):
    app = make_app()
    break_course(courses_dir)
    result = app.test_cli_runner().invoke(args=["courses", "reload"])
    assert result.exit_code == 1
    assert "02-passwords.md:2: unknown front-matter key 'colour'" in result.output
    assert f"{SLUG}: has errors, its last good version is served" in result.output
    assert "Strong passwords" in body(app.test_client())


def test_a_new_process_serves_the_last_good_version_from_the_cache(make_app, courses_dir):
    edit(lesson_file(courses_dir), "\n\n", "\n\nCached version.\n\n")
    first = make_app()
    assert "Cached version." in body(first.test_client())
    break_course(courses_dir)
    restarted = make_app()  # as a worker gunicorn restarts after a HUP
    assert "Cached version." in body(restarted.test_client())
    with restarted.app_context():
        from lms.courses.catalogue import get_catalogue

        assert SLUG in get_catalogue().stale


def test_progress_survives_an_edit(make_app, courses_dir, make_user, make_cohort, enrol):
    app = make_app(COURSES_RELOAD=True)
    trainee = make_user("trainee")
    cohort_id, _code = make_cohort()
    enrol(trainee, cohort_id)
    client = app.test_client()
    sign_in_as(client, trainee)
    page = body(client, f"/cohorts/{cohort_id}/lessons/passwords")
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(f"/cohorts/{cohort_id}/lessons/passwords/done", data={"csrf_token": token})
    edit(lesson_file(courses_dir), "\n\n", "\n\nA new paragraph.\n\n")
    with app.app_context():
        from lms.cohorts.models import Enrolment
        from lms.courses.catalogue import get_catalogue
        from lms.extensions import db
        from lms.progress.services import progress_of

        course = get_catalogue().get(SLUG)
        before = course.content_hash
        with app.test_request_context():
            course = get_catalogue().get(SLUG)  # the next request sees the edit
        assert course.content_hash != before
        enrolment = db.session.scalars(db.select(Enrolment)).one()
        assert "passwords" in progress_of(enrolment, course).done_lessons


def test_lms_run_sees_an_edit_on_the_next_request(server, courses_dir):  # noqa: F811
    """`lms run` turns LMS_COURSES_RELOAD on by default."""
    assert "Seen live." not in fetch(server + LESSON_URL)[1]
    edit(lesson_file(courses_dir), "\n\n", "\n\nSeen live.\n\n")
    assert "Seen live." in fetch(server + LESSON_URL)[1]


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    # Several workers need a shared store for limits and the queue (gunicorn.conf.py).
    env = {**env, "LMS_REDIS_URL": os.environ.get("LMS_TEST_REDIS_URL", REDIS_URL)}
    process = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until(lambda: fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200, process)
    return process


def wait_until(check, process=None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        if process is not None and process.poll() is not None:
            pytest.fail("gunicorn exited")
        time.sleep(0.2)
    pytest.fail("timed out")


def workers(process: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
    return {int(pid) for pid in children.split()}


def hup(process: subprocess.Popen) -> None:
    """HUP the gunicorn master and wait until both workers are new ones."""
    old = workers(process)
    process.send_signal(signal.SIGHUP)
    wait_until(lambda: len(workers(process)) == 2 and not workers(process) & old, process, 60)


def every_worker_serves(base: str, text: str, tries: int = 12) -> bool:
    """Several requests, so both workers of the server answer at least once (likely)."""
    return all(text in fetch(base + LESSON_URL)[1] for _ in range(tries))


@pytest.mark.slow
def test_two_gunicorn_servers_reload_on_command_and_on_hup(tmp_path, courses_dir, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
        LMS_COURSES_DIR=str(courses_dir),
        LMS_DATABASE_URL=database_url,
        LMS_SECRET_KEY="shared-test-secret",
    )
    ports = [free_port(), free_port()]
    servers = [start_gunicorn(env, port) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            assert every_worker_serves(base, "Strong passwords")
        edit(lesson_file(courses_dir), "\n\n", "\n\nFrom the command.\n\n")
        assert "From the command." not in fetch(bases[0] + LESSON_URL)[1]  # no reload yet
        done = subprocess.run(
            [BIN / "lms", "courses", "reload"], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        for base in bases:
            wait_until(lambda base=base: every_worker_serves(base, "From the command."))
        # A broken edit and a HUP: the new workers keep the last good version.
        break_course(courses_dir)
        edit(lesson_file(courses_dir), "From the command.", "Broken version.")
        hup(servers[1])
        wait_until(lambda: every_worker_serves(bases[1], "From the command."), timeout=60)
        # Fixed, and a HUP: the new version everywhere it was asked for.
        edit(lesson_file(courses_dir), "colour: blue\n", "")
        hup(servers[1])
        wait_until(lambda: every_worker_serves(bases[1], "Broken version."), timeout=60)
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=20)

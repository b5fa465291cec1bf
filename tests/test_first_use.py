"""First use: what a new user meets on the way in (join codes, setup)."""

from __future__ import annotations

import html as htmlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
import uuid

import pytest
from conftest import ROOT, csrf_from, sign_in_as


def test_join_code_has_one_spelling_in_the_cli_and_on_the_pages(app, runner, make_user):
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    result = runner.invoke(
        args=[
            "cohorts",
            "create",
            "--course",
            "online-safety-basics",
            "--name",
            "Karachi 1",
            "--start",
            "2026-12-01",
        ]
    )
    assert result.exit_code == 0, result.output
    printed = re.search(r"Join code: ([A-Z0-9]{3}-[A-Z0-9]{3})$", result.output, re.M).group(1)
    with app.app_context():
        cohort = db.session.scalar(db.select(Cohort))
        cohort_id, stored = cohort.id, cohort.join_code
    assert printed.replace("-", "") == stored
    admin = app.test_client()
    sign_in_as(admin, make_user("admin"))
    roster = admin.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    listing = admin.get("/teach/").get_data(as_text=True)
    for page in (roster, listing):
        assert f"<code>{printed}</code>" in page
        assert f"<code>{stored}</code>" not in page
    assert f"/join/{stored}" in roster  # the link carries the plain code
    rotated = admin.post(f"/teach/cohorts/{cohort_id}/code", data={"csrf_token": csrf_from(roster)})
    flashed = admin.get(rotated.headers["Location"]).get_data(as_text=True)
    code = re.search(r"New join code: ([A-Z0-9-]+)\.", flashed).group(1)
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    # a trainee can type it as printed
    assert admin.get(f"/join?code={code}").headers["Location"] == f"/join/{code.replace('-', '')}"


def test_readme_says_how_to_choose_the_port_and_where_the_demo_logins_are():
    readme = (ROOT / "README.md").read_text()
    assert "make run PORT=8080" in readme and "demo_logins.txt" in readme


def test_the_licence_is_an_spdx_string_so_setuptools_does_not_warn():
    """A `license = {text = ...}` table makes setuptools print ~30 deprecation lines."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "AGPL-3.0-or-later"
    assert "setuptools>=77" in project["build-system"]["requires"]


@pytest.mark.slow
def test_make_run_prints_bulk_enrolment_messages_to_its_console(tmp_path):
    """scripts/serve (what `make run` starts): server and worker on one console; a bulk
    enrolment through the page prints each set-password message there, linking to the
    public address."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LMS_")},
        "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    lms = str(ROOT / ".venv" / "bin" / "lms")
    subprocess.run([lms, "init"], env=env, check=True, capture_output=True, timeout=120)
    demo = subprocess.run([lms, "demo"], env=env, check=True, capture_output=True, text=True)
    password = re.search(r"instructor +instructor@demo.example +(\S+)", demo.stdout).group(1)
    console = open(tmp_path / "console.log", "w+")  # noqa: SIM115 - read after the server ends
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "serve"), "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=console,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: "Worker started" in (tmp_path / "console.log").read_text())
        wait_for(lambda: http_ok(f"{base}/healthz"))
        enrolled = bulk_enrol(base, "instructor@demo.example", password)
        assert "Each was sent a link to set a password" in enrolled
        wait_for(lambda: "budi.bulk@example.test" in (tmp_path / "console.log").read_text())
        text = (tmp_path / "console.log").read_text()
        assert f"Set your password here: {base}/reset/" in text
        assert "ayesha.bulk@example.test" in text or wait_for(
            lambda: "ayesha.bulk@example.test" in (tmp_path / "console.log").read_text()
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        console.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    raise AssertionError("timed out")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local test server
            return response.status == 200
    except OSError:
        return False


def bulk_enrol(base: str, login: str, password: str) -> str:
    """Sign in and upload a two-row CSV on the enrolment page, as a browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    form = {"login": login, "password": password, "csrf_token": csrf_from(page)}
    opener.open(f"{base}/login", urllib.parse.urlencode(form).encode())
    page = opener.open(f"{base}/teach/cohorts/1/enrol").read().decode()
    boundary = uuid.uuid4().hex
    rows = "name,email\nBudi Santoso,budi.bulk@example.test\nAyesha Khan,ayesha.bulk@example.test\n"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{csrf_from(page)}\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="roster.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{rows}\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the local test server
        f"{base}/teach/cohorts/1/enrol",
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    return htmlib.unescape(opener.open(request).read().decode())


def test_small_finishing_touches(client):
    """No favicon 404, a meta description, an empty /verify says what to do, and quiz
    radio buttons keep their size when the answer wraps (flex: none)."""
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.data
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', home)
    empty = client.get("/verify?code=+")
    assert empty.status_code == 400
    assert "Please enter the code printed on the certificate." in empty.get_data(as_text=True)
    assert client.get("/verify").status_code == 200
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert re.search(r"\[type=checkbox\],input\[type=radio\]\{[^}]*flex:none", css)

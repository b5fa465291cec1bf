"""Issue 17 item 3: brute-force limits per account and per join code first, per address far
higher (a classroom behind one NAT), shared by every worker through Redis; several
workers without a shared store refuse to start."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, csrf_from, sign_in_as

from lms.web.limits import SharedStoreMissing, check_shared_store, has_automatic_limits

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def failed_login(client, login: str) -> int:
    page = client.get("/login").get_data(as_text=True)
    data = {"login": login, "password": "wrong-password", "csrf_token": csrf_from(page)}
    return client.post("/login", data=data).status_code


def test_a_classroom_behind_one_address_is_not_locked_out(app, make_user):
    """Sixty trainees each mistype once from one address, then sign in: nobody is refused
    (the old per-address limit refused everyone after 50 failures)."""
    people = [make_user(email=f"t{n}@example.com") for n in range(60)]
    client = app.test_client()
    assert {failed_login(client, p.email) for p in people} == {200}
    page = client.get("/login").get_data(as_text=True)
    data = {"login": people[0].email, "password": "tiger-mango-river-cloud", "csrf_token": csrf_from(page)}  # fmt: skip
    assert client.post("/login", data=data).status_code == 302


def test_one_account_is_locked_alone(app, make_user):
    make_user(email="target@example.com")
    make_user(email="neighbour@example.com")
    client = app.test_client()
    assert [failed_login(client, "target@example.com") for _ in range(11)][-1] == 429
    assert failed_login(client, "neighbour@example.com") == 200  # same address, other account


def test_a_class_of_ninety_joins_from_one_address(app, make_cohort):
    """The old limit allowed 60 join requests per address per 15 minutes (about 30 trainees)."""
    _, code = make_cohort()
    client = app.test_client()
    assert {client.get(f"/join/{code}").status_code for _ in range(90 * 2)} == {200}


def test_guessing_join_codes_is_limited_per_account(app, make_user):
    client = app.test_client()
    sign_in_as(client, make_user())
    statuses = [client.get(f"/join/ZZZ{n:03d}").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_refusal_names_the_setting():
    check_shared_store(1, {})  # one process: its own memory is fine
    check_shared_store(4, {"LMS_REDIS_URL": REDIS_URL})
    with pytest.raises(SharedStoreMissing, match="set LMS_REDIS_URL"):
        check_shared_store(2, {})


# -- Flask-Limiter's own request hooks ------------------------------------------------


def test_limiter_hooks_stand_aside_while_no_automatic_limit_is_held(app):
    """Every limit above is counted explicitly; Flask-Limiter's hooks then have nothing
    to check, and do not run (they cost a sixth of a lesson page's time)."""
    from flask import globals as flask_globals

    assert not has_automatic_limits(app.extensions["lms.limiter"])
    with app.test_client() as client:
        assert client.get("/login").status_code == 200
        request_context = flask_globals.request_ctx._get_current_object()
        assert not hasattr(request_context, "_limiter_request_context")


@pytest.mark.parametrize("setting", ["RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION"])
def test_a_configured_automatic_limit_is_enforced(make_app, setting):
    client = make_app(**{setting: "2 per minute"}).test_client()
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]


def test_a_limit_declared_after_start_up_is_enforced(app):
    """The hooks ask on every request, so a blueprint limit added later still applies."""
    client = app.test_client()
    assert client.get("/login").status_code == 200
    app.extensions["lms.limiter"].limit("1 per minute")(app.blueprints["auth"])
    assert [client.get("/login").status_code for _ in range(2)] == [200, 429]


# -- real gunicorn workers ------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_env(tmp_path, database_url, courses_dir, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
        LMS_DATABASE_URL=database_url,
        LMS_COURSES_DIR=str(courses_dir),
        LMS_SECRET_KEY="test-secret-key",
        **extra,
    )
    return env


def test_several_workers_without_a_shared_store_refuse_to_start(
    tmp_path, database_url, courses_dir
):
    env = gunicorn_env(tmp_path, database_url, courses_dir)
    done = subprocess.run(
        [BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{free_port()}", "wsgi:app"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "set LMS_REDIS_URL" in done.stderr


@pytest.mark.redis
@pytest.mark.slow
def test_two_gunicorn_workers_share_one_limit(tmp_path, database_url, courses_dir, make_user):
    """Failed sign-ins alternate between two worker processes (kept-alive connections,
    each served by one worker, told apart by the access log's pid): the eleventh is
    refused whichever worker counts it."""
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    make_user(email=email)
    port = free_port()
    log = tmp_path / "access.log"
    env = gunicorn_env(
        tmp_path, database_url, courses_dir,
        LMS_REDIS_URL=REDIS_URL, LMS_RATELIMIT_PREFIX=f"test-{uuid.uuid4().hex}",
    )  # fmt: skip
    server = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4", "--keep-alive", "60",
         "-b", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(U)s %(q)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    connections = []
    try:
        connections = _connections_on_two_workers(port, log, server)
        statuses = []
        for n in range(12):
            connection, cookie, token = connections[n % 2]
            body = f"login={email}&password=wrong-password&csrf_token={token}"
            connection.request(
                "POST", f"/login?n={n}", body=body,
                headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            )  # fmt: skip
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        assert statuses == [200] * 10 + [429, 429]
        time.sleep(0.5)  # the access log is written after each response
        pids = {
            pid
            for pid, path, query, _ in _log_lines(log)
            if path == "/login" and query.startswith("n=")
        }
        assert len(pids) == 2, "both workers counted"
    finally:
        for connection, _cookie, _token in connections:
            connection.close()
        server.terminate()
        server.wait(timeout=20)
        server.stderr.close()


def _log_lines(log: Path) -> list[tuple[str, str, str, str]]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [tuple((line.split(" ", 3) + ["", "", ""])[:4]) for line in lines]


def _connections_on_two_workers(port, log, server):
    """Open kept-alive connections until two are served by different workers; return
    (connection, session cookie, CSRF token) for one on each."""
    deadline = time.monotonic() + 40
    by_pid: dict[str, tuple] = {}
    n = 0
    while time.monotonic() < deadline and len(by_pid) < 2:
        if server.poll() is not None:
            pytest.fail(server.stderr.read().decode())
        batch = []
        for _ in range(4):
            n += 1
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", f"/login?c={n}")
                response = connection.getresponse()
            except OSError:
                time.sleep(0.3)
                continue
            page = response.read().decode()
            cookie = response.getheader("Set-Cookie", "").split(";")[0]
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            batch.append((n, (connection, cookie, token)))
        time.sleep(0.3)
        pids = {query: pid for pid, _path, query, _ in _log_lines(log)}
        for number, opened in batch:
            pid = pids.get(f"c={number}")
            if pid and pid not in by_pid:
                by_pid[pid] = opened
            else:
                opened[0].close()
    assert len(by_pid) == 2, "could not reach two workers"
    return list(by_pid.values())

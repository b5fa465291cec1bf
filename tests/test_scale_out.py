"""Issue 20 item 8: two web servers and two queue workers on one PostgreSQL schema and one
Redis database, started as docs/deploy.md starts them (`gunicorn -c deploy/gunicorn.conf.py`,
`lms worker`), each with an instance folder of its own as if on its own machine. A
trainee's journey alternates between the servers request by request, as behind a load
balancer: sessions, rate limits, the queue and caches are shared, and nothing is lost."""

from __future__ import annotations

import http.client
import io
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from conftest import ON_POSTGRES, ROOT, csrf_from
from messaging_fakes import Mailbox
from pypdf import PdfReader
from quizhelpers import DAY1_RIGHT, DAY2_RIGHT, POST_RIGHT

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "tiger-mango-river-cloud"  # conftest's DEFAULT_PASSWORD
PATIENCE = 180  # seconds to wait for a start or a delivery (not a budget: a busy machine)
LESSONS = ["welcome", "passwords", "budget", "saving"]
QUIZZES = [("day-1", DAY1_RIGHT), ("day-2", DAY2_RIGHT), ("post-test", POST_RIGHT)]

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="several servers share one PostgreSQL"),
    pytest.mark.redis,
    pytest.mark.slow,
]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    server: str

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Browser:
    """One person's browser behind a load balancer that sends each request to the next
    server in turn. Its cookies go to every server, as they would behind one address."""

    def __init__(self, servers: list[str], start: int = 0) -> None:
        self.servers, self.turn, self.cookies = servers, start, {}

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Answer:
        return self.request("POST", path, form)

    def request(self, method: str, path: str, form: dict | None = None) -> Answer:
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        host, port = server.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Answer(response.status, response.headers, data, server)


class Cluster:
    """The two servers (A, B) and the two workers; `env(machine)` is a machine's settings."""

    def __init__(self, tmp_path: Path, database_url: str, courses_dir: Path, mailbox: Mailbox):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from lms.credentials import dataintegrity as di

        self.tmp, self.name = tmp_path, f"scale-{uuid.uuid4().hex[:12]}"
        shared = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "MAIL_"))}
        shared.update(
            LMS_DATABASE_URL=database_url,
            LMS_REDIS_URL=REDIS_URL,
            LMS_RATELIMIT_PREFIX=self.name,
            LMS_QUEUE_NAME=self.name,
            LMS_SECRET_KEY=uuid.uuid4().hex * 2,
            LMS_SIGNING_KEY=di.private_multikey(Ed25519PrivateKey.generate()),
            LMS_PUBLIC_URL="https://lms.example.org",
            LMS_COURSES_DIR=str(courses_dir),  # the same courses/ checkout on every machine
            LMS_EMAIL_BACKEND="smtp",
            LMS_MAIL_SERVER="127.0.0.1",
            LMS_MAIL_PORT=str(mailbox.port),
            LMS_MAIL_USE_TLS="false",
            LMS_MAIL_FROM="lms@example.org",
            WEB_CONCURRENCY="2",
        )
        self.shared = shared
        self.processes: list[subprocess.Popen] = []
        self.servers: list[str] = []
        self.masters: list[subprocess.Popen] = []

    def env(self, machine: str) -> dict[str, str]:
        return {**self.shared, "LMS_INSTANCE_PATH": str(self.tmp / f"machine-{machine}")}

    def _start(self, command: list, machine: str, log: str) -> subprocess.Popen:
        handle = (self.tmp / log).open("wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env(machine), stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()
        self.processes.append(process)
        return process

    def start(self) -> None:
        for machine in ("a", "b"):
            port = free_port()
            self.masters.append(
                self._start(
                    [
                        BIN / "gunicorn",
                        "-c",
                        "deploy/gunicorn.conf.py",
                        "-b",
                        f"127.0.0.1:{port}",
                        "wsgi:app",
                    ],
                    machine,
                    f"web-{machine}.log",
                )  # fmt: skip
            )
            self.servers.append(f"http://127.0.0.1:{port}")
        for machine in ("a", "b"):
            self._start([BIN / "lms", "worker"], machine, f"worker-{machine}.log")
        for server in self.servers:
            wait_until(lambda server=server: healthy(server), self, PATIENCE)
        for machine in ("a", "b"):
            wait_until(
                lambda m=machine: "Worker started" in self.log(f"worker-{m}.log"), self, PATIENCE
            )

    def log(self, name: str) -> str:
        path = self.tmp / name
        return path.read_text(errors="replace") if path.exists() else ""

    def check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                logs = {
                    p.name: p.read_text(errors="replace")[-3000:] for p in self.tmp.glob("*.log")
                }
                pytest.fail(f"a process exited: {logs}")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{self.name}*"):
            client.delete(key)


def healthy(server: str) -> bool:
    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    finally:
        connection.close()


def wait_until(check, cluster: Cluster, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        cluster.check_alive()
        time.sleep(0.2)
    pytest.fail("timed out")


@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.close()


@pytest.fixture
def cluster(app, tmp_path, database_url, courses_dir, mailbox):
    """Started after `app`, so stopped before its tables are truncated."""
    running = Cluster(tmp_path, database_url, courses_dir, mailbox)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def sign_in(browser: Browser, login: str, password: str = PASSWORD) -> Answer:
    token = csrf_from(browser.get("/login").text)
    return browser.post("/login", {"login": login, "password": password, "csrf_token": token})


def quiz_fields(page: str) -> dict:
    attempt = re.search(r'name="attempt" value="([^"]+)"', page)
    assert attempt, page[:2000]
    return {"csrf_token": csrf_from(page), "attempt": attempt.group(1)}


def test_two_servers_and_two_workers_share_everything(
    app, cluster, mailbox, make_user, make_cohort, enrol, courses_dir
):
    """One start of the four processes (the slow part) for the three checks below."""
    trainee_journey(app, cluster, mailbox, make_user, make_cohort, enrol)
    limit_counts_requests_to_both_servers(cluster, make_user)
    course_edit_reaches_every_server(cluster, courses_dir)


def trainee_journey(app, cluster, mailbox, make_user, make_cohort, enrol) -> None:
    """Sign in on A, read a lesson on B, mark it done on A, ..., the certificate; then the
    credential, a revocation and queued messages, all across both servers."""
    instructor = make_user("instructor", email="teacher@example.org")
    trainee = make_user(name="Siti Rahma", email="siti@example.org")
    cohort_id, _code = make_cohort(instructor=instructor)
    enrolment_id = enrol(trainee, cohort_id)
    a, b = cluster.servers
    browser = Browser([b, a])  # the sign-in form from B, so signing in is on A

    # Sessions: signed in on A, the session (and its CSRF token) is good on B, and so on.
    assert sign_in(browser, "siti@example.org").status == 302
    for slug in LESSONS:
        page = browser.get(f"/cohorts/{cohort_id}/lessons/{slug}")
        assert page.status == 200 and "Siti Rahma" in page.text, (page.server, page.text[:500])
        done = browser.post(f"/cohorts/{cohort_id}/lessons/{slug}/done",
                            {"csrf_token": csrf_from(page.text)})  # fmt: skip
        assert done.status == 302 and done.server != page.server
    for key, answers in QUIZZES:
        page = browser.get(f"/cohorts/{cohort_id}/quizzes/{key}")
        assert page.status == 200, (key, page.text[:500])
        sent = browser.post(f"/cohorts/{cohort_id}/quizzes/{key}",
                            {**quiz_fields(page.text), **answers})  # fmt: skip
        assert sent.status in (302, 303), (key, sent.text[:500])
        result = browser.get(urllib.parse.urlsplit(sent.headers["Location"]).path)
        assert result.status == 200 and result.server != sent.server
    home = browser.get(f"/cohorts/{cohort_id}/")
    assert "Download your certificate (PDF)" in home.text

    # The PDF is rebuilt from the database on either machine: the same bytes from both.
    pdfs = [browser.get(f"/cohorts/{cohort_id}/certificate.pdf") for _ in (a, b)]
    assert {pdf.server for pdf in pdfs} == {a, b}
    assert all(p.status == 200 and p.headers["Content-Type"] == "application/pdf" for p in pdfs)
    assert pdfs[0].body == pdfs[1].body
    assert "Siti Rahma" in PdfReader(io.BytesIO(pdfs[0].body)).pages[0].extract_text()

    from lms.certificates.models import Certificate
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage
    from lms.progress.models import LessonCompletion
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        certificate = db.session.scalars(db.select(Certificate)).one()
        certificate_id, code = certificate.id, certificate.code
        assert db.session.scalar(db.select(db.func.count()).select_from(LessonCompletion)) == 4
        assert db.session.scalar(db.select(db.func.count()).select_from(QuizAttempt)) == 3

    # Signing keys are shared (LMS_SIGNING_KEY): both sign the credential, byte for byte.
    anyone = Browser([a, b])
    credentials = [anyone.get(f"/verify/{code}/credential.json") for _ in (a, b)]
    assert [c.status for c in credentials] == [200, 200]
    assert credentials[0].body == credentials[1].body

    # Revoked through A, seen as revoked by both.
    assert [anyone.get(f"/verify/{code}.json").status for _ in (a, b)] == [200, 200]
    staff = Browser([a])
    assert sign_in(staff, "teacher@example.org").status == 302
    page = staff.get(f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/")
    revoked = staff.post(f"/teach/certificates/{certificate_id}/revoke",
                         {"csrf_token": csrf_from(page.text), "reason": "Issued in error"})  # fmt: skip
    assert revoked.status in (302, 303)
    states = [anyone.get(f"/verify/{code}.json") for _ in (a, b)]
    assert {s.server for s in states} == {a, b}
    assert [re.search(r'"status": ?"(\w+)"', s.text).group(1) for s in states] == ["revoked"] * 2

    # The queue: reset messages asked for on A and B, each delivered once by one worker.
    people = [make_user(email=f"reset{n}@example.org") for n in range(4)]
    for n, person in enumerate(people):
        asker = Browser([a, b], start=n)
        token = csrf_from(asker.get("/reset").text)
        assert asker.post("/reset", {"login": person.email, "csrf_token": token}).status == 302
    expected = sorted(person.email for person in people)
    wait_until(lambda: len(mailbox.messages) >= len(expected), cluster, PATIENCE)
    time.sleep(2)  # time for a second delivery, were there one
    assert sorted(to for recipients, _ in mailbox.messages for to in recipients) == expected
    assert all("https://lms.example.org/reset/" in text for _, text in mailbox.messages)
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient.in_(expected))).all()  # fmt: skip
        assert sorted((m.status, m.tries) for m in rows) == [("sent", 1)] * 4


def limit_counts_requests_to_both_servers(cluster, make_user) -> None:
    """Failed sign-ins for one account, alternately on A and B: the eleventh is refused."""
    make_user(email="target@example.org")
    browser = Browser(cluster.servers)
    token = csrf_from(browser.get("/login").text)
    answers = [
        browser.post(
            "/login",
            {"login": "target@example.org", "password": "wrong-password", "csrf_token": token},
        )  # fmt: skip
        for _ in range(11)
    ]
    assert [answer.status for answer in answers] == [200] * 10 + [429]
    assert {answer.server for answer in answers[:10]} == set(cluster.servers)


def course_edit_reaches_every_server(cluster, courses_dir) -> None:
    """One shared checkout of courses/: `lms courses reload` on machine A, a HUP (what
    `systemctl reload lms-web` sends) on machine B; both serve the new text."""
    lesson = courses_dir / "online-safety-basics" / "day-1-accounts" / "02-passwords.md"
    url = "/courses/online-safety-basics/lessons/passwords"
    a, b = cluster.servers
    browser = Browser([a, b])
    assert all("Edited once." not in browser.get(url).text for _ in range(4))
    lesson.write_text(lesson.read_text().replace("\n\n", "\n\nEdited once.\n\n", 1))
    done = subprocess.run([BIN / "lms", "courses", "reload"], env=cluster.env("a"), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    cluster.masters[1].send_signal(signal.SIGHUP)
    for server in (a, b):
        only = Browser([server])
        wait_until(lambda only=only: all("Edited once." in only.get(url).text for _ in range(6)),
                   cluster)  # fmt: skip

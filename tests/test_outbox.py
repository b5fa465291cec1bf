"""The outbox: messages written with the change, delivered after commit, once, with retries.

A real HTTP SMS gateway (the contract's request shape) runs in the test on loopback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import csrf_from, sign_in_as

ROOT = Path(__file__).resolve().parents[1]


class Gateway:
    """A local SMS gateway: records each request; answers `status` after `delay` seconds."""

    def __init__(self, status: int = 202, delay: float = 0.0) -> None:
        self.status, self.delay, self.requests = status, delay, []
        lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    gateway.requests.append((self.headers.get("Authorization"), body))
                time.sleep(gateway.delay)
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": f"gw-{body['reference']}"}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    servers = []

    def start(**kwargs) -> Gateway:
        server = Gateway(**kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def sms_app(make_app, gateway_url: str, **overrides):
    return make_app(
        MESSAGE_BACKEND="smtp",
        SMS_GATEWAY_URL=gateway_url,
        SMS_GATEWAY_TOKEN="gateway-secret",
        **overrides,
    )


def outbox_rows(app):
    from sqlalchemy import select

    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [
            {
                "id": r.id,
                "status": r.status,
                "tries": r.tries,
                "to": r.recipient,
                "kind": r.kind,
                "failure": r.failure,
                "ref": r.provider_ref,
            }
            for r in rows
        ]


def test_a_reset_is_queued_in_the_request_and_delivered_once_by_the_cli(
    make_app, make_user, gateway
):
    server = gateway()
    app = sms_app(make_app, server.url)
    make_user(phone="+923001112233")
    client = app.test_client()
    page = client.get("/reset").get_data(as_text=True)
    response = client.post("/reset", data={"login": "0300 1112233", "csrf_token": csrf_from(page)})
    assert response.status_code in (200, 302)
    assert server.requests == []  # nothing left the request
    [row] = outbox_rows(app)
    assert row["status"] == "queued" and row["to"] == "+923001112233"
    assert row["kind"] == "password.reset"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["messages", "deliver"])
    assert result.exit_code == 0 and "Sent 1" in result.output
    assert runner.invoke(args=["messages", "deliver"]).output.startswith("Sent 0")
    [(authorization, body)] = server.requests
    assert authorization == "Bearer gateway-secret"
    assert body["to"] == "+923001112233" and body["reference"] == str(row["id"])
    assert "code on the site" in body["text"]
    [row] = outbox_rows(app)
    assert row["status"] == "sent" and row["ref"] == f"gw-{row['id']}"


def test_two_racing_deliverers_send_each_message_exactly_once(
    make_app, make_user, gateway, database_url, tmp_path
):
    from lms.auth.services import issue_token, send_token
    from lms.extensions import db

    server = gateway(delay=0.01)
    app = sms_app(make_app, server.url)
    users = [make_user(phone=f"+9230011{n:05d}") for n in range(40)]
    with app.app_context(), app.test_request_context():
        from lms.auth.models import User

        for user in users:
            send_token(issue_token(db.session.get(User, user.id), "reset"))
        db.session.commit()
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_url,
        "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_SECRET_KEY": "test-secret-key",
        "LMS_MESSAGE_BACKEND": "smtp",
        "LMS_SMS_GATEWAY_URL": server.url,
        "LMS_COURSES_DIR": app.config["COURSES_DIR"],
    }
    lms = str(Path(sys.executable).parent / "lms")
    processes = [
        subprocess.Popen([lms, "messages", "deliver"], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    references = sorted(int(body["reference"]) for _auth, body in server.requests)
    rows = outbox_rows(app)
    assert references == sorted(row["id"] for row in rows)  # every one, none twice
    assert {row["status"] for row in rows} == {"sent"}
    sent_counts = [int(out.split()[1].rstrip(",")) for out in outputs]
    assert sum(sent_counts) == 40


def test_a_failing_send_is_retried_with_back_off_then_marked_failed(make_app, make_user, gateway):
    from lms.auth.services import issue_token, send_token
    from lms.extensions import db
    from lms.outbox.delivery import MAX_TRIES, RETRY_DELAYS, deliver_due

    server = gateway(status=503)
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    app = sms_app(make_app, server.url, NOW=start)
    user = make_user(phone="+923004445566")
    with app.app_context(), app.test_request_context():
        from lms.auth.models import User

        send_token(issue_token(db.session.get(User, user.id), "reset"))
        db.session.commit()
    now = start
    with app.app_context():
        assert deliver_due().retrying  # first try fails
    for delay in RETRY_DELAYS:
        with app.app_context():
            app.config["NOW"] = now + delay - timedelta(seconds=1)
            run = deliver_due()
            assert not run.sent and not run.retrying and not run.failed  # not due yet
            now = now + delay
            app.config["NOW"] = now
            run = deliver_due()
            assert run.retrying or run.failed
    [row] = outbox_rows(app)
    assert len(server.requests) == MAX_TRIES == 5
    assert row["status"] == "failed" and row["tries"] == 5
    assert row["failure"] == "SMS gateway answered 503"
    assert "gateway-secret" not in (row["failure"] or "")
    with app.app_context():
        app.config["NOW"] = now + timedelta(days=1)
        assert deliver_due().sent == []  # a failed message stays failed


def test_staff_requeue_and_cancel_failed_messages(make_app, make_user, make_cohort, gateway):
    from lms.auth.models import User
    from lms.errors import ServiceError
    from lms.extensions import db
    from lms.outbox import services
    from lms.outbox.delivery import deliver_due
    from lms.outbox.models import OutboxMessage
    from lms.permissions import NotFound, PermissionDenied

    server = gateway(status=500)
    app = sms_app(make_app, server.url)
    instructor = make_user("instructor")
    other = make_user("instructor")
    trainee = make_user()
    cohort_id, _ = make_cohort(instructor=instructor)
    with app.app_context(), app.test_request_context():
        message = services.queue_message(
            kind="test", recipient="+923007778899", subject="", body="hi", cohort_id=cohort_id
        )
        message.tries, message.status = 5, "failed"
        db.session.commit()
        message_id = message.id
    with app.app_context(), app.test_request_context():
        for outsider in (other, trainee):
            with pytest.raises(NotFound):
                services.managed_message(db.session.get(User, outsider.id), message_id)
        message = db.session.get(OutboxMessage, message_id)
        with pytest.raises(PermissionDenied):
            services.requeue(db.session.get(User, trainee.id), message)
        services.requeue(db.session.get(User, instructor.id), message)
        db.session.commit()
        assert message.status == "queued" and message.tries == 0
        server.status = 202
        assert deliver_due().sent == [message_id]
        with pytest.raises(ServiceError):
            services.cancel(db.session.get(User, instructor.id), message)  # already sent


def test_bulk_enrolment_of_500_rows_waits_on_no_network(make_app, make_user, make_cohort, gateway):
    """The gateway would take 5 s a message: the upload returns with all 500 queued and
    none sent, because sending happens after commit, in the worker."""
    server = gateway(delay=5)
    app = sms_app(make_app, server.url)
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    rows = "name,phone\n" + "".join(f"Trainee {n},+9230022{n:05d}\n" for n in range(500))
    client = app.test_client()
    sign_in_as(client, instructor)
    page = client.get(f"/teach/cohorts/{cohort_id}/enrol").get_data(as_text=True)
    response = client.post(
        f"/teach/cohorts/{cohort_id}/enrol",
        data={
            "csrf_token": csrf_from(page),
            "file": (io.BytesIO(rows.encode()), "roster.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    assert server.requests == []
    queued = outbox_rows(app)
    assert len(queued) == 500 and {row["status"] for row in queued} == {"queued"}
    assert {row["kind"] for row in queued} == {"password.welcome"}


def test_gateway_url_must_be_https_except_on_loopback():
    from lms.outbox.senders import gateway_url_allowed

    assert gateway_url_allowed("https://sms.example.com/send")
    assert gateway_url_allowed("http://127.0.0.1:9000/send")
    assert gateway_url_allowed("http://localhost:9000/send")
    assert not gateway_url_allowed("http://sms.example.com/send")
    assert not gateway_url_allowed("http://10.0.0.5/send")
    assert not gateway_url_allowed("ftp://127.0.0.1/")


@pytest.mark.slow
def test_the_worker_delivers_right_after_commit_through_the_queue(
    make_app, make_user, gateway, database_url, tmp_path
):
    """`lms worker` runs the Huey consumer; a message committed in another process reaches
    the gateway through the queue, without waiting for the per-minute sweep."""
    from lms.auth.services import issue_token, send_token
    from lms.extensions import db

    server = gateway()
    queue_file = tmp_path / "queue.sqlite3"
    app = sms_app(make_app, server.url, QUEUE_FILE=str(queue_file))
    user = make_user(phone="+923009990000")
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_url,
        "LMS_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "LMS_SECRET_KEY": "test-secret-key",
        "LMS_MESSAGE_BACKEND": "smtp",
        "LMS_SMS_GATEWAY_URL": server.url,
        "LMS_QUEUE_FILE": str(queue_file),
        "LMS_COURSES_DIR": app.config["COURSES_DIR"],
    }
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "lms"), "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = ""
        while "Worker started" not in started:  # its start-up sweep is over
            line = worker.stdout.readline()
            assert line, "the worker stopped before it started"
            started += line
        # A POST, as the page that sends it: its transaction begins IMMEDIATE on SQLite, so
        # the worker's own writes (sweep, nudges) make it wait instead of failing.
        with app.app_context(), app.test_request_context(method="POST"):
            from lms.auth.models import User

            send_token(issue_token(db.session.get(User, user.id), "reset"))
            db.session.commit()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not server.requests:
            time.sleep(0.1)
        assert len(server.requests) == 1
        assert server.requests[0][1]["to"] == "+923009990000"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and outbox_rows(app)[0]["status"] != "sent":
            time.sleep(0.1)
        assert outbox_rows(app)[0]["status"] == "sent"
    finally:
        worker.terminate()
        worker.communicate(timeout=30)

"""Webhooks per Standard Webhooks through the outbox: a receiver started here verifies
every signature, sees a retry after its 500 and no duplicate; repeated failures disable
the webhook. And xAPI statements reaching a local LRS, valid against the statement schema."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
from apihelpers import bearer
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from lms.extensions import db

SCHEMA = json.loads((Path(__file__).parent / "data" / "xapi-statement.schema.json").read_text())


class Receiver:
    """A real HTTP server: answers the statuses queued in `answers` (then 200)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes, str]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    ({k.lower(): v for k, v in self.headers.items()}, body, self.path)
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _retry_now(app) -> None:
    """Make every waiting retry due (instead of waiting 30 s)."""
    from lms.clock import utcnow_naive
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        db.session.execute(update(OutboxMessage).values(next_try_at=utcnow_naive()))
        db.session.commit()


def _deliver(app):
    from lms.outbox.delivery import deliver_due

    with app.app_context():
        return deliver_due()


def test_signed_delivery_retried_after_500_without_duplicates(
    make_app, receiver, make_user, make_token, make_cohort
):
    app = make_app(QUEUE_ENABLED=False)
    runner = app.test_cli_runner()
    added = runner.invoke(args=["webhooks", "add", receiver.url, "--event", "enrolment.created"])
    assert added.exit_code == 0, added.output
    secret = added.output.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    assert secret not in runner.invoke(args=["webhooks", "list"]).output
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    token = make_token(instructor, "enrol")
    answer = app.test_client().post(
        f"/api/v1/cohorts/{cohort_id}/enrolments",
        json={"name": "Ayesha", "email": "ayesha@test.example"},
        headers=bearer(token),
    )
    assert answer.status_code == 201
    receiver.answers = [500]
    assert len(_deliver(app).retrying) == 1
    _retry_now(app)
    assert len(_deliver(app).sent) == 1
    _retry_now(app)
    assert not _deliver(app).sent  # delivered once: nothing more to send
    assert len(receiver.requests) == 2
    ids = {headers["webhook-id"] for headers, _body, _path in receiver.requests}
    assert len(ids) == 1  # the retry is the same message, so the receiver can de-duplicate
    verifier = Webhook(secret)
    for headers, body, _path in receiver.requests:
        payload = verifier.verify(body, headers)
        assert payload["type"] == "enrolment.created"
        assert payload["data"]["cohort_id"] == cohort_id
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "QUFB" * 8).verify(body, headers)
    from lms.webhooks.models import WebhookDelivery

    with app.app_context():
        assert db.session.scalar(select(WebhookDelivery.last_status)) == 200


def test_repeated_failures_disable_the_webhook(make_app, receiver, make_user, make_cohort, enrol):
    app = make_app(QUEUE_ENABLED=False, WEBHOOK_DISABLE_AFTER=2)
    runner = app.test_cli_runner()
    runner.invoke(args=["webhooks", "add", receiver.url, "--event", "enrolment.created"])
    cohort_id, _ = make_cohort()
    enrol(make_user(), cohort_id)
    receiver.answers = [500, 500, 500]
    _deliver(app)
    _retry_now(app)
    _deliver(app)
    _retry_now(app)
    run = _deliver(app)
    assert run.failed and len(receiver.requests) == 2
    assert "disabled after 2 failures" in runner.invoke(args=["webhooks", "list"]).output


def test_admin_page_lists_webhooks_and_refuses_others(
    make_app, receiver, make_user, make_cohort, enrol
):
    from conftest import sign_in_as

    app = make_app(QUEUE_ENABLED=False)
    added = app.test_cli_runner().invoke(
        args=["webhooks", "add", receiver.url + "?<b>", "--event", "certificate.issued"]
    )
    assert added.exit_code == 0, added.output
    client = app.test_client()
    sign_in_as(client, make_user("instructor"))
    assert client.get("/admin/webhooks/").status_code == 403
    sign_in_as(client, make_user("admin"))
    answer = client.get("/admin/webhooks/")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert receiver.url + "?&lt;b&gt;" in page and "?<b>" not in page
    assert "whsec_" not in page


def test_xapi_statements_reach_the_lrs_and_validate(
    make_app, receiver, make_user, make_token, make_cohort, enrol
):
    from quizhelpers import DAY1_RIGHT

    lrs = receiver.url.removesuffix("/hook") + "/xapi"
    app = make_app(QUEUE_ENABLED=False, XAPI_ENDPOINT=lrs, XAPI_USERNAME="key",
                   XAPI_PASSWORD="s3cret", PUBLIC_URL="https://lms.test.example")  # fmt: skip
    trainee = make_user(name="Private Name")
    cohort_id, _ = make_cohort()
    enrol(trainee, cohort_id)
    token = make_token(trainee, "read", "submit")
    client = app.test_client()
    quiz = client.get(f"/api/v1/cohorts/{cohort_id}/quizzes/day-1", headers=bearer(token)).json
    answers = {k.removeprefix("q-"): v for k, v in DAY1_RIGHT.items()}
    answers["phishing-signs"] = [0, 1]
    posted = client.post(f"/api/v1/cohorts/{cohort_id}/quizzes/day-1",
                         json={"attempt": quiz["attempt"], "answers": answers},
                         headers=bearer(token))  # fmt: skip
    assert posted.status_code == 201
    _deliver(app)
    assert receiver.requests
    statements = []
    for headers, body, path in receiver.requests:
        assert path == "/xapi/statements"
        assert headers["x-experience-api-version"] == "1.0.3"
        assert headers["authorization"].startswith("Basic ")
        statements += json.loads(body)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["answered", "passed"]
    for statement in statements:
        jsonschema.validate(statement, SCHEMA)
        assert statement["context"]["contextActivities"]["grouping"][0]["id"] == (
            f"https://lms.test.example/cohorts/{cohort_id}"
        )
        assert "Private Name" not in json.dumps(statement)
    assert statements[1]["result"]["success"] is True

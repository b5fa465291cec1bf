"""Pages and hooks around messages: delivery receipts (authenticated), the staff view
with statuses, requeue and cancel, the instructor's message with its preview, the
unsubscribe link, message preferences, sign-in by code; and the message texts in every
language with their placeholders."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_from, sign_in_as
from messaging_fakes import Endpoint

TOKEN = {"Authorization": "Bearer gw-token"}


@pytest.fixture
def gateway():
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def sms_app(make_app, gateway):
    return make_app(SMS_BACKEND="http", SMS_GATEWAY_URL=gateway.url + "/send",
                    SMS_GATEWAY_TOKEN="gw-token", SMS_COST_PER_SEGMENT="0.85",
                    SMS_CURRENCY="PKR")  # fmt: skip


def deliver(app):
    from lms.outbox.delivery import deliver_due

    with app.app_context():
        return deliver_due()


def message_status(app, message_id):
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        return message.status, message.failure


def queue_sms(app, cohort_id=None, user_id=None, kind="test", body="hello"):
    from lms.extensions import db
    from lms.outbox.services import queue_message

    with app.app_context():
        message = queue_message(kind=kind, recipient="+923001234567", subject="", body=body,
                                channel="sms", cohort_id=cohort_id, user_id=user_id)  # fmt: skip
        db.session.commit()
        return message.id


def test_receipts_update_the_status_and_the_hook_is_authenticated(sms_app):
    delivered, failed = queue_sms(sms_app), queue_sms(sms_app)
    assert deliver(sms_app).sent == [delivered, failed]
    client = sms_app.test_client()
    hook = "/hooks/sms/status"
    assert client.post(hook, json={"reference": str(delivered), "status": "delivered"}
                       ).status_code == 401  # fmt: skip
    assert client.post(hook, json={"reference": str(delivered), "status": "delivered"},
                       headers={"Authorization": "Bearer wrong"}).status_code == 401  # fmt: skip
    assert client.post(hook, json={"reference": "99999", "status": "delivered"},
                       headers=TOKEN).status_code == 404  # fmt: skip
    assert client.post(hook, json={"reference": str(delivered), "status": "delivered"},
                       headers=TOKEN).status_code == 204  # fmt: skip
    assert client.post(hook, json={"reference": f"gw-{failed}", "status": "failed",
                                   "reason": "absent subscriber"}, headers=TOKEN).status_code == 204  # fmt: skip
    assert message_status(sms_app, delivered) == ("delivered", None)
    assert message_status(sms_app, failed) == ("failed", "absent subscriber")


def test_twilio_status_callback_must_be_signed(make_app):
    import base64
    import hashlib
    import hmac

    app = make_app(TWILIO_AUTH_TOKEN="twilio-secret", PUBLIC_URL="https://lms.example.org")
    message_id = queue_sms(app)
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        message.status, message.provider_ref = "sent", "SM42"
        db.session.commit()
    form = {"MessageSid": "SM42", "MessageStatus": "delivered"}
    signed = "https://lms.example.org/hooks/twilio/status" + "".join(
        f"{k}{form[k]}" for k in sorted(form)
    )
    signature = base64.b64encode(
        hmac.new(b"twilio-secret", signed.encode(), hashlib.sha1).digest()
    ).decode()
    client = app.test_client()
    assert client.post("/hooks/twilio/status", data=form,
                       headers={"X-Twilio-Signature": "forged"}).status_code == 401  # fmt: skip
    assert client.post("/hooks/twilio/status", data=form,
                       headers={"X-Twilio-Signature": signature}).status_code == 204  # fmt: skip
    assert message_status(app, message_id)[0] == "delivered"


def test_staff_see_statuses_and_can_requeue_or_cancel_a_failed_message(
    sms_app, make_user, make_cohort, gateway
):
    instructor, other = make_user("instructor"), make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    gateway.statuses = [500]
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    sms_app.config["NOW"] = start
    message_id = queue_sms(sms_app, cohort_id, body="<b>not bold</b>")
    for minutes in (0, 1, 3, 14, 75):
        sms_app.config["NOW"] = start + timedelta(minutes=minutes)
        deliver(sms_app)
    assert message_status(sms_app, message_id) == ("failed", "SMS gateway answered 500")
    client = sms_app.test_client()
    sign_in_as(client, other)
    assert client.get(f"/teach/cohorts/{cohort_id}/messages").status_code == 404  # not theirs
    sign_in_as(client, instructor)
    page = client.get(f"/teach/cohorts/{cohort_id}/messages?status=failed").get_data(as_text=True)
    assert "SMS gateway answered 500" in page and "&lt;b&gt;not bold&lt;/b&gt;" in page
    assert "<b>not bold</b>" not in page
    assert client.post(f"/teach/messages/{message_id}/requeue").status_code == 400  # no CSRF
    response = client.post(f"/teach/messages/{message_id}/requeue",
                           data={"csrf_token": csrf_from(page)})  # fmt: skip
    assert response.status_code == 302
    gateway.statuses = [202]
    sms_app.config["NOW"] = start + timedelta(hours=2)
    assert deliver(sms_app).sent == [message_id]
    cancelled = queue_sms(sms_app, cohort_id)
    client.post(f"/teach/messages/{cancelled}/cancel", data={"csrf_token": csrf_from(page)})
    assert message_status(sms_app, cancelled)[0] == "cancelled"
    page = client.get(f"/teach/cohorts/{cohort_id}/messages?status=sent").get_data(as_text=True)
    assert 'data-status="sent"' in page and 'data-status="cancelled"' not in page


def test_instructor_writes_to_the_at_risk_trainees_with_a_preview_in_each_language(
    sms_app, make_user, make_cohort, enrol, gateway
):
    from lms.auth.models import User
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    instructor = make_user("instructor", name="Sana Qureshi")
    cohort_id, _ = make_cohort(instructor=instructor)
    risky = make_user(name="Ali", phone="+923001112222")
    fine = make_user(name="Budi", phone="+6281233334444")
    enrol(risky, cohort_id), enrol(fine, cohort_id)
    with sms_app.app_context():
        db.session.get(User, risky.id).language = "ur"
        row = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == fine.id))
        row.last_active_at = datetime.now(UTC).replace(tzinfo=None)
        db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == risky.id)).joined_at = (
            datetime(2026, 1, 1))  # fmt: skip
        db.session.commit()
    client = sms_app.test_client()
    sign_in_as(client, instructor)
    page = client.get(f"/teach/cohorts/{cohort_id}/messages").get_data(as_text=True)
    preview = client.post(f"/teach/cohorts/{cohort_id}/messages/preview", data={
        "csrf_token": csrf_from(page), "audience": "at_risk", "enrolment": "",
        "text": "Day 2 <quiz> is waiting"}).get_data(as_text=True)  # fmt: skip
    assert "Ali" in preview and "Budi" not in preview
    assert "Day 2 &lt;quiz&gt; is waiting" in preview and "<quiz>" not in preview
    assert "بند کرنے کے لیے" in preview  # the Urdu frame
    assert re.search(r"1 recipients, 2 SMS segments, cost 1.70 PKR", preview), preview
    assert gateway.requests == []  # nothing sent before confirming
    response = client.post(f"/teach/cohorts/{cohort_id}/messages/send", data={
        "csrf_token": csrf_from(preview), "audience": "at_risk", "enrolment": "",
        "text": "Day 2 <quiz> is waiting"})  # fmt: skip
    assert response.status_code == 302
    deliver(sms_app)
    [body] = gateway.bodies
    assert body["to"] == "+923001112222" and "Day 2 <quiz> is waiting" in body["text"]
    assert "Sana Qureshi" in body["text"]


def test_the_unsubscribe_link_and_the_profile_turn_messages_off_audited(
    make_app, make_user, make_cohort
):
    from sqlalchemy import select

    from lms.audit.models import AuditEntry
    from lms.auth.models import User
    from lms.extensions import db
    from lms.nudges.preferences import unsubscribe_token

    app = make_app()
    user = make_user(email="rani@example.org")
    with app.app_context():
        token = unsubscribe_token(db.session.get(User, user.id))
    client = app.test_client()
    assert client.get("/messages/unsubscribe/forged-token").status_code == 404
    page = client.get(f"/messages/unsubscribe/{token}").get_data(as_text=True)
    assert client.post(f"/messages/unsubscribe/{token}").status_code == 400  # CSRF
    done = client.post(f"/messages/unsubscribe/{token}", data={"csrf_token": csrf_from(page)})
    assert 'id="done"' in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).messages_off_at is not None
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "messages.opt_out")
        ).one()
        assert entry.details.get("via") == "email-link"
    sign_in_as(client, user)
    page = client.get("/account/messages").get_data(as_text=True)
    client.post("/account/messages", data={"csrf_token": csrf_from(page), "channel": "email",
                                           "on": "y"})  # fmt: skip
    with app.app_context():
        assert db.session.get(User, user.id).messages_off_at is None


def test_someone_who_opted_out_still_gets_the_code_they_ask_for_and_signs_in_with_it(
    sms_app, make_user, gateway
):
    from lms.auth.models import User
    from lms.extensions import db

    user = make_user(name="Dewi", phone="+6281255556666")
    with sms_app.app_context():
        db.session.get(User, user.id).messages_off_at = datetime(2026, 1, 1)
        db.session.commit()
    client = sms_app.test_client()
    page = client.get("/login/code").get_data(as_text=True)
    step2 = client.post("/login/code", data={"csrf_token": csrf_from(page),
                                             "login": "+62 812-5555-6666"}).get_data(as_text=True)  # fmt: skip
    unknown = client.post("/login/code", data={"csrf_token": csrf_from(page),
                                               "login": "+923009999999"}).get_data(as_text=True)  # fmt: skip
    assert "If this number has an account" in step2 and "If this number has an account" in unknown
    deliver(sms_app)
    [body] = gateway.bodies  # nothing for the unknown number
    code = re.search(r"\b(\d{6})\b", body["text"]).group(1)
    with sms_app.app_context():
        from lms.nudges.models import LoginCode

        stored = db.session.scalars(db.select(LoginCode.code_hash)).all()
        assert stored and code not in stored[0]
    wrong = client.post("/login/code/check", data={"csrf_token": csrf_from(step2),
                        "login": "+6281255556666", "code": "000000" if code != "000000" else "111111"})  # fmt: skip
    assert wrong.status_code == 400
    right = client.post("/login/code/check", data={"csrf_token": csrf_from(step2),
                        "login": "+6281255556666", "code": code})  # fmt: skip
    assert right.status_code == 302
    assert client.get("/account/messages").status_code == 200  # signed in
    again = client.post("/login/code/check", data={"csrf_token": csrf_from(step2),
                        "login": "+6281255556666", "code": code})  # fmt: skip
    assert again.status_code == 400  # used once
    token = csrf_from(client.get("/login/code").get_data(as_text=True))  # the new session's
    for _attempt in range(2):  # 3 codes per number in 15 minutes, then 429
        client.post("/login/code", data={"csrf_token": token, "login": "+6281255556666"})
    limited = client.post("/login/code", data={"csrf_token": token, "login": "+6281255556666"})
    assert limited.status_code == 429


@pytest.mark.parametrize("language", ["en", "ur", "id"])
def test_every_message_renders_in_every_language_with_its_placeholders(app, language):
    from lms.nudges.texts import BODIES, PLACEHOLDERS, render

    assert set(BODIES) == set(PLACEHOLDERS)
    with app.app_context():
        for kind, names in PLACEHOLDERS.items():
            values = {name: f"<{name.upper()}-VALUE>" for name in names}
            for channel in ("sms", "email"):
                text = render(kind, language, channel, unsubscribe="https://x/unsub", **values)
                for value in values.values():
                    assert value in text.body, (kind, language)
                english = render(kind, "en", channel, **values)
                if language != "en" and kind != "message.instructor":
                    assert text.body != english.body, (kind, language)


def test_whatsapp_cloud_hook_verifies_then_takes_signed_statuses_and_replies(make_app):
    import hashlib
    import hmac
    import json

    from lms.auth.models import User
    from lms.extensions import db

    app = make_app(WHATSAPP_VERIFY_TOKEN="verify-me", WHATSAPP_APP_SECRET="app-secret")
    message_id = queue_sms(app)
    with app.app_context():
        from lms.auth import services
        from lms.outbox.models import OutboxMessage
        from lms.permissions import SYSTEM

        message = db.session.get(OutboxMessage, message_id)
        message.status, message.channel, message.provider_ref = "sent", "whatsapp", "wamid.7"
        user = services.create_user(name="Siti", login="+6281277778888", password=None,
                                    actor=SYSTEM)  # fmt: skip
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    query = "hub.mode=subscribe&hub.challenge=1234&hub.verify_token="
    assert client.get(f"/hooks/whatsapp?{query}wrong").status_code == 403
    assert client.get(f"/hooks/whatsapp?{query}verify-me").get_data(as_text=True) == "1234"
    value = {"statuses": [{"id": "wamid.7", "status": "read"}],
             "messages": [{"from": "6281277778888", "text": {"body": "BERHENTI"}}]}  # fmt: skip
    body = json.dumps({"entry": [{"changes": [{"value": value}]}]}).encode()
    signature = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json"}
    assert client.post("/hooks/whatsapp", data=body, headers=headers).status_code == 401
    response = client.post("/hooks/whatsapp", data=body,
                           headers={**headers, "X-Hub-Signature-256": signature})  # fmt: skip
    assert response.status_code == 204
    assert message_status(app, message_id)[0] == "delivered"
    with app.app_context():
        assert db.session.get(User, user_id).messages_off_at is not None


def test_the_worker_schedule_runs_the_nudges_and_delivers(make_app, make_user, make_cohort,
                                                          enrol, gateway):  # fmt: skip
    from datetime import date

    app = make_app(SMS_BACKEND="http", SMS_GATEWAY_URL=gateway.url + "/send",
                   SMS_GATEWAY_TOKEN="gw-token", PUBLIC_URL="https://lms.example.org",
                   NOW=datetime(2027, 3, 2, 6, 0, tzinfo=UTC))  # fmt: skip
    cohort_id, _ = make_cohort(start_date=date(2027, 3, 1), pacing="scheduled")
    enrol(make_user(phone="+923001110009"), cohort_id)
    schedules = app.extensions["lms.queue"]["schedules"]
    schedules.call_local()  # what the worker's 15-minute periodic task runs
    assert len(gateway.bodies) == 2 and {b["to"] for b in gateway.bodies} == {"+923001110009"}
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        rows = db.session.execute(db.select(OutboxMessage.kind, OutboxMessage.status)).all()
    assert sorted(rows) == [("nudge.day_open", "sent"), ("nudge.not_started", "sent")]


def test_message_hours_per_cohort_and_writing_to_one_trainee_from_the_roster(
    sms_app, make_user, make_cohort, enrol, gateway
):
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    first = make_user(name="Ayesha", phone="+923001119999")
    second = make_user(name="Bilal", phone="+923001118888")
    enrolment_id = enrol(first, cohort_id)
    enrol(second, cohort_id)
    client = sms_app.test_client()
    sign_in_as(client, instructor)
    roster = client.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    assert f"/teach/cohorts/{cohort_id}/messages?to={enrolment_id}" in roster
    page = client.get(f"/teach/cohorts/{cohort_id}/messages?to={enrolment_id}").get_data(
        as_text=True
    )
    assert '<option selected value="one">' in page or 'value="one" selected' in page
    token = csrf_from(page)
    client.post(f"/teach/cohorts/{cohort_id}/messages/hours",
                data={"csrf_token": token, "from_hour": "21", "until_hour": "9"})  # fmt: skip
    client.post(f"/teach/cohorts/{cohort_id}/messages/hours",
                data={"csrf_token": token, "from_hour": "7", "until_hour": "22"})  # fmt: skip
    with sms_app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert (cohort.messages_from_hour, cohort.messages_until_hour) == (7, 22)
    client.post(f"/teach/cohorts/{cohort_id}/messages/send", data={
        "csrf_token": token, "audience": "one", "enrolment": str(enrolment_id),
        "text": "See you tomorrow"})  # fmt: skip
    deliver(sms_app)
    assert [body["to"] for body in gateway.bodies] == ["+923001119999"]
    listing = client.get(f"/teach/cohorts/{cohort_id}/messages?user={first.id}")
    assert "See you tomorrow" in listing.get_data(as_text=True)
    assert "Show everyone" in listing.get_data(as_text=True)
    kind = client.get(f"/teach/cohorts/{cohort_id}/messages?kind=nudge.away")
    assert "See you tomorrow" not in kind.get_data(as_text=True)
    other = client.get(f"/teach/cohorts/{cohort_id}/messages?user={second.id}")
    assert "See you tomorrow" not in other.get_data(as_text=True)


def test_twilio_inbound_stop_turns_messages_off(make_app, make_user):
    import base64
    import hashlib
    import hmac

    from lms.auth.models import User
    from lms.extensions import db

    app = make_app(TWILIO_AUTH_TOKEN="twilio-secret", PUBLIC_URL="https://lms.example.org")
    user = make_user(phone="+923001117777")
    form = {"From": "whatsapp:+923001117777", "Body": "STOP"}
    signed = "https://lms.example.org/hooks/twilio/inbound" + "".join(
        f"{k}{form[k]}" for k in sorted(form)
    )
    signature = base64.b64encode(
        hmac.new(b"twilio-secret", signed.encode(), hashlib.sha1).digest()
    ).decode()
    client = app.test_client()
    assert client.post("/hooks/twilio/inbound", data=form).status_code == 401
    assert client.post("/hooks/twilio/inbound", data=form,
                       headers={"X-Twilio-Signature": signature}).status_code == 204  # fmt: skip
    with app.app_context():
        assert db.session.get(User, user.id).messages_off_at is not None


def test_demo_loads_past_nudges_with_statuses_once(runner, app):
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.nudges.models import NudgeSend
    from lms.outbox.models import OutboxMessage

    def counts():
        with app.app_context():
            rows = db.session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.kind.like("nudge.%"))
                .group_by(OutboxMessage.status)
            ).all()
            return dict(rows), db.session.scalar(select(func.count()).select_from(NudgeSend))

    assert runner.invoke(args=["demo"]).exit_code == 0
    statuses, sends = counts()
    assert sum(statuses.values()) == sends > 50
    assert statuses["delivered"] > statuses.get("failed", 0) > 0
    assert "queued" not in statuses  # history only: nothing is sent again
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == (statuses, sends)


MY_POSTS = [
    "/teach/cohorts/{a}/messages/preview", "/teach/cohorts/{a}/messages/send",
    "/teach/cohorts/{a}/messages/hours", "/teach/messages/{m}/requeue",
    "/teach/messages/{m}/cancel", "/messages/unsubscribe/{t}", "/account/messages",
    "/login/code", "/login/code/check",
]  # fmt: skip
HOOKS = ["/hooks/sms/status", "/hooks/sms/inbound", "/hooks/twilio/status",
         "/hooks/twilio/inbound", "/hooks/whatsapp"]  # fmt: skip


@pytest.mark.parametrize("role", ["anonymous", "trainee", "instructor", "admin"])
def test_every_message_form_needs_csrf_and_every_hook_its_credentials(
    sms_app, make_user, make_cohort, enrol, role
):
    from sqlalchemy import func, select

    from lms.audit.models import AuditEntry
    from lms.auth.models import User
    from lms.extensions import db
    from lms.nudges.preferences import unsubscribe_token

    people = {"trainee": make_user(phone="+923001231231"), "instructor": make_user("instructor"),
              "admin": make_user("admin")}  # fmt: skip
    cohort_id, _ = make_cohort(instructor=people["instructor"])
    enrol(people["trainee"], cohort_id)
    message_id = queue_sms(sms_app, cohort_id, user_id=people["trainee"].id)
    with sms_app.app_context():
        token = unsubscribe_token(db.session.get(User, people["trainee"].id))
        before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    client = sms_app.test_client()
    if role != "anonymous":
        sign_in_as(client, people[role])
    data = {"audience": "all", "text": "hi", "from_hour": "1", "until_hour": "2",
            "login": "+923001231231", "code": "123456", "channel": "sms"}  # fmt: skip
    for path in MY_POSTS:
        url = path.format(a=cohort_id, m=message_id, t=token)
        for csrf in (None, "garbage"):
            response = client.post(url, data=dict(data, **({"csrf_token": csrf} if csrf else {})))
            assert response.status_code == 400, (url, csrf, response.status_code)
    for path in HOOKS:
        assert client.post(path, json={"reference": str(message_id), "status": "delivered",
                                       "from": "+923001231231", "text": "STOP"}
                           ).status_code == 401, path  # fmt: skip
    with sms_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert db.session.get(User, people["trainee"].id).messages_off_at is None
    assert message_status(sms_app, message_id)[0] == "queued"

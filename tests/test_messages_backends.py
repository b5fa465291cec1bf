"""Backends behind one sender interface, each against a real local server: SMTP
(aiosmtpd), the generic HTTP SMS gateway, Twilio and WhatsApp Cloud; the settings and
their deprecated aliases; SMS segment counts."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from messaging_fakes import Endpoint, Mailbox


@pytest.fixture
def endpoint():
    servers = []

    def start(**kwargs) -> Endpoint:
        servers.append(Endpoint(**kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.close()


def queue(app, **fields):
    from lms.extensions import db
    from lms.outbox.services import queue_message

    with app.app_context():
        message = queue_message(**{"kind": "test", "subject": "", **fields})
        db.session.commit()
        return message.id


def row(app, message_id):
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def deliver(app):
    from lms.outbox.delivery import deliver_due

    with app.app_context():
        return deliver_due()


def test_smtp_backend_delivers_to_a_real_smtp_server(make_app, mailbox):
    app = make_app(EMAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=mailbox.port,
                   MAIL_USE_TLS=False, MAIL_FROM="lms@example.org")  # fmt: skip
    body = "Hello\n\nTo stop these messages: http://lms.test/messages/unsubscribe/abc"
    message_id = queue(app, recipient="amina@example.org", subject="Reminder", body=body)
    assert deliver(app).sent == [message_id]
    [(to, raw)] = mailbox.messages
    assert to == ["amina@example.org"] and "Subject: Reminder" in raw
    assert "List-Unsubscribe: <http://lms.test/messages/unsubscribe/abc>" in raw
    assert row(app, message_id).status == "sent"


def test_the_gateway_is_retried_after_500_until_it_recovers_nothing_lost_nothing_twice(
    make_app, endpoint
):
    server = endpoint(statuses=(500, 500, 202))
    start = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    app = make_app(SMS_BACKEND="http", SMS_GATEWAY_URL=server.url + "/send",
                   SMS_GATEWAY_TOKEN="gw-token", NOW=start)  # fmt: skip
    first = queue(app, recipient="+923001234567", body="one", channel="sms")
    second = queue(app, recipient="+923007654321", body="two", channel="sms")
    run = deliver(app)
    assert sorted(run.retrying) == [first, second] and not run.sent  # both got a 500
    app.config["NOW"] = start + timedelta(seconds=29)
    assert deliver(app).sent == []  # not due yet: 30 s back-off
    app.config["NOW"] = start + timedelta(seconds=31)
    run = deliver(app)
    assert run.sent == [first, second]
    app.config["NOW"] = start + timedelta(hours=3)
    assert deliver(app).sent == []  # nothing sent twice
    references = [body["reference"] for body in server.bodies]
    assert references == [str(first), str(second), str(first), str(second)]
    path, headers, body = server.requests[-1]
    assert path == "/send" and headers["Authorization"] == "Bearer gw-token"
    assert body == {"to": "+923007654321", "text": "two", "reference": str(second)}
    assert row(app, first).status == "sent" and row(app, first).provider_ref == f"gw-{first}"


def test_twilio_sms_and_whatsapp_use_the_messages_api(make_app, endpoint):
    server = endpoint(statuses=(201,), reply=lambda body: {"sid": "SM" + body["To"][-4:]})
    app = make_app(SMS_BACKEND="twilio", WHATSAPP_BACKEND="twilio", TWILIO_API_URL=server.url,
                   TWILIO_ACCOUNT_SID="AC123", TWILIO_AUTH_TOKEN="twilio-secret",
                   TWILIO_SMS_FROM="+15005550006", TWILIO_WHATSAPP_FROM="+14155238886",
                   PUBLIC_URL="https://lms.example.org")  # fmt: skip
    sms = queue(app, recipient="+923001234567", body="by sms", channel="sms")
    whatsapp = queue(app, recipient="+6281234567890", body="by whatsapp", channel="whatsapp")
    assert deliver(app).sent == [sms, whatsapp]
    (path, headers, first), (_, _, second) = server.requests
    assert path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:twilio-secret").decode()
    assert first == {"To": "+923001234567", "From": "+15005550006", "Body": "by sms",
                     "StatusCallback": "https://lms.example.org/hooks/twilio/status"}  # fmt: skip
    assert second["To"] == "whatsapp:+6281234567890"
    assert second["From"] == "whatsapp:+14155238886"
    assert row(app, sms).provider_ref == "SM4567"


def test_whatsapp_cloud_sends_the_approved_template_in_the_recipients_language(make_app, endpoint):
    server = endpoint(statuses=(200,), reply=lambda body: {"messages": [{"id": "wamid.1"}]})
    app = make_app(WHATSAPP_BACKEND="cloud", WHATSAPP_API_URL=server.url + "/v21.0",
                   WHATSAPP_PHONE_NUMBER_ID="1055", WHATSAPP_TOKEN="wa-secret")  # fmt: skip
    message_id = queue(app, recipient="+6281234567890", body="Hari 2 sudah dibuka",
                       channel="whatsapp", language="id")  # fmt: skip
    assert deliver(app).sent == [message_id]
    [(path, headers, body)] = server.requests
    assert path == "/v21.0/1055/messages" and headers["Authorization"] == "Bearer wa-secret"
    assert body["to"] == "6281234567890" and body["type"] == "template"
    assert body["template"]["name"] == "lms_message"
    assert body["template"]["language"] == {"code": "id"}
    assert body["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Hari 2 sudah dibuka"}
    ]
    assert row(app, message_id).provider_ref == "wamid.1"


def test_a_plain_http_gateway_off_loopback_is_refused_without_leaking_the_token(make_app):
    app = make_app(SMS_BACKEND="http", SMS_GATEWAY_URL="http://sms.example.com/send",
                   SMS_GATEWAY_TOKEN="top-secret")  # fmt: skip
    message_id = queue(app, recipient="+923001234567", body="x", channel="sms")
    assert deliver(app).retrying == [message_id]
    failure = row(app, message_id).failure
    assert "LMS_SMS_GATEWAY_URL" in failure and "top-secret" not in failure


def test_log_is_the_default_and_prints_each_message_to_the_console(make_app, capfd):
    app = make_app()
    assert [app.config[k] for k in ("EMAIL_BACKEND", "SMS_BACKEND", "WHATSAPP_BACKEND")] == [
        "log", "log", "log"
    ]  # fmt: skip
    message_id = queue(app, recipient="+923001234567", body="Day 2 is open", channel="sms")
    assert deliver(app).sent == [message_id]
    printed = capfd.readouterr().err
    assert f"message {message_id} (sms, test) to +923001234567" in printed
    assert "Day 2 is open" in printed


def test_deprecated_settings_still_work_as_aliases(make_app, monkeypatch, caplog):
    app = make_app(MESSAGE_BACKEND="smtp", BASE_URL="https://old.example.org")
    assert app.config["EMAIL_BACKEND"] == "smtp" and app.config["SMS_BACKEND"] == "http"
    assert app.config["PUBLIC_URL"] == "https://old.example.org"
    assert "MESSAGE_BACKEND is deprecated" in caplog.text
    monkeypatch.setenv("SMS_GATEWAY_URL", "https://gw.example.org/send")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    app = make_app()
    assert app.config["SMS_GATEWAY_URL"] == "https://gw.example.org/send"
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    monkeypatch.setenv("LMS_MAIL_SERVER", "lms-smtp.example.org")
    assert make_app().config["MAIL_SERVER"] == "lms-smtp.example.org"  # LMS_ wins


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters count twice
        ("€" * 81, "GSM-7", 2),
        ("د" * 70, "UCS-2", 1),
        ("د" * 71, "UCS-2", 2),
        ("د" * 134, "UCS-2", 2),
        ("د" * 135, "UCS-2", 3),
        ("a" * 69 + "😀", "UCS-2", 2),  # an emoji is two UTF-16 units
    ],
)
def test_sms_segments(text, encoding, count):
    from decimal import Decimal

    from lms.outbox.segments import count_segments

    segments = count_segments(text)
    assert (segments.encoding, segments.count) == (encoding, count)
    assert segments.cost("0.85") == Decimal("0.85") * count

"""The sponsor's monthly summary by e-mail: opt-in in the profile (sponsors only), one
message per opted-in sponsor and month through the outbox, the organisation report's PDF
attached as a real MIME part (read back from a real local SMTP server), each sponsor's own
organisation only, and a second run that sends nothing."""

from __future__ import annotations

import email
import io
import re
from datetime import UTC, date, datetime
from email import policy

import pytest
from conftest import csrf_from, sign_in_as
from messaging_fakes import Mailbox

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # the 1st: November is reported


@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.close()


@pytest.fixture
def app(make_app, mailbox):
    return make_app(EMAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=mailbox.port,
                    MAIL_USE_TLS=False, MAIL_FROM="lms@example.org", NOW=NOW)  # fmt: skip


def opt_in(app, user, on=True):
    from lms.auth.models import User
    from lms.extensions import db

    with app.app_context():
        db.session.get(User, user.id).monthly_report = on
        db.session.commit()


@pytest.fixture
def programme(app, make_user, make_cohort, enrol):
    """Two organisations: Bank (3 trainees) and Mill <&> (1), a sponsor of each opted in,
    one Bank sponsor not opted in, one inactive."""
    bank, _ = make_cohort(name="Karachi", org="Bank", start_date=date(2026, 11, 3))
    mill, _ = make_cohort(name="Tabalong", org="Mill <&>", start_date=date(2026, 10, 5))
    joined = [enrol(make_user(email=f"bank{n}@example.org"), bank) for n in range(3)]
    enrol(make_user(email="mill0@example.org"), mill)
    people = {
        "bank": make_user("sponsor", email="bank@example.org", org="Bank"),
        "mill": make_user("sponsor", email="mill@example.org", org="Mill <&>"),
        "quiet": make_user("sponsor", email="quiet@example.org", org="Bank"),
        "gone": make_user("sponsor", email="gone@example.org", org="Bank"),
        "admin": make_user("admin", email="admin@example.org"),
    }
    for key in ("bank", "mill", "gone", "admin"):
        opt_in(app, people[key])
    from lms.auth.models import User
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    with app.app_context():
        db.session.get(User, people["gone"].id).active = False
        for enrolment_id in joined[:2]:  # two joined in November, one on the 1st of December
            db.session.get(Enrolment, enrolment_id).joined_at = datetime(2026, 11, 10, 9)
        db.session.commit()
    return people


def run(app, *args):
    return app.test_cli_runner().invoke(args=["report", "monthly", *args])


def deliver(app):
    from lms.outbox.delivery import deliver_due

    with app.app_context():
        return deliver_due()


def received(mailbox):
    """{recipient: (message, pdf text)} of what the SMTP server received."""
    from pypdf import PdfReader

    out = {}
    for (to,), raw in mailbox.messages:
        message = email.message_from_string(raw, policy=policy.default)
        [part] = [p for p in message.iter_attachments()]
        assert part.get_content_type() == "application/pdf"
        data = part.get_content()
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        out[to] = (message, part.get_filename(), " ".join(text.split()))
    return out


def test_opted_in_sponsors_get_their_own_report_as_a_pdf_once(app, programme, mailbox):
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "Queued 2 monthly summaries for 2026-11; 0 already had theirs." in result.output
    assert len(deliver(app).sent) == 2
    mail = received(mailbox)
    assert set(mail) == {"bank@example.org", "mill@example.org"}  # not quiet, gone, admin

    message, filename, text = mail["bank@example.org"]
    assert message["Subject"] == "Bank: monthly summary, November 2026"
    assert filename == f"report-monthly-2026-11-user-{programme['bank'].id}.pdf"
    body = message.get_body(("plain",)).get_content()
    assert "Enrolled: 3" in body and "In November 2026: 2 joined, 0 completed." in body
    assert "Bank" in text and "Karachi" in text and "Tabalong" not in text
    assert "Mill" not in text

    message, _, text = mail["mill@example.org"]
    body = message.get_body(("plain",)).get_content()
    assert "Mill <&>" in message["Subject"] and "Enrolled: 1" in body  # own figures only
    assert "Mill <&>" in text and "Tabalong" in text and "Karachi" not in text
    assert "&amp;" not in text and "Bank" not in text  # escaped in HTML, printed as text

    again = run(app)
    assert "Queued 0 monthly summaries for 2026-11; 2 already had theirs." in again.output
    assert deliver(app).sent == [] and len(mailbox.messages) == 2


def test_the_attachment_file_is_private(app, programme):
    import os
    from pathlib import Path

    from lms.outbox.models import OutboxMessage

    run(app)
    with app.app_context():
        from lms.extensions import db

        [first, *_] = db.session.query(OutboxMessage).order_by(OutboxMessage.id).all()
        assert first.kind == "report.monthly.2026-11" and first.channel == "email"
        path = Path(app.instance_path) / "attachments" / first.attachment
        assert path.read_bytes().startswith(b"%PDF")
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert os.stat(path.parent).st_mode & 0o777 == 0o700


def test_dry_run_and_month_option(app, programme, mailbox):
    result = run(app, "--dry-run", "--month", "2026-10")
    assert "Would queue 2 monthly summaries for 2026-10" in result.output
    assert deliver(app).sent == []
    assert run(app, "--month", "2026-13").exit_code == 2
    assert "Queued 2" in run(app, "--month", "2026-10").output  # another month, another run
    assert "Queued 2" in run(app).output


def test_in_the_sponsors_language(app, programme, mailbox):
    from lms.auth.models import User
    from lms.extensions import db

    with app.app_context():
        db.session.get(User, programme["bank"].id).language = "id"
        db.session.commit()
    run(app)
    deliver(app)
    message, _, _ = received(mailbox)["bank@example.org"]
    assert "November 2026" in message["Subject"] and "ringkasan" in message["Subject"].lower()


def test_the_worker_runs_it_on_the_first_of_the_month(make_app, mailbox, programme):
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage
    from lms.outbox.queue import SCHEDULES
    from lms.reports.cli import scheduled_run

    later = make_app(NOW=datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
    assert scheduled_run in later.extensions[SCHEDULES]
    with later.app_context():
        scheduled_run()  # the 2nd: nothing
        assert db.session.query(OutboxMessage).count() == 0
    first = make_app(NOW=NOW, QUEUE_ENABLED=False)
    with first.app_context():
        scheduled_run()
        scheduled_run()  # every 15 minutes that day: still one each
        kinds = [m.kind for m in db.session.query(OutboxMessage)]
        assert kinds == ["report.monthly.2026-11"] * 2


def test_only_admins_and_the_command_line_send_it(app, programme):
    from lms.auth.models import User
    from lms.extensions import db
    from lms.permissions import PermissionDenied
    from lms.reports.monthly import send_monthly

    with app.app_context(), pytest.raises(PermissionDenied):
        send_monthly(db.session.get(User, programme["bank"].id), date(2026, 11, 1))


PROFILE = {"language": "en", "gender": "", "age_band": "", "district": ""}


def checkbox(page: str) -> str:
    """The monthly_report checkbox's <input> tag."""
    [tag] = re.findall(r'<input[^>]*name="monthly_report"[^>]*>', page)
    return tag


def test_profile_checkbox_round_trip_for_sponsors_only(app, make_user):
    from lms.auth.models import User
    from lms.extensions import db

    sponsor = make_user("sponsor", email="s@example.org", org="Bank")
    trainee = make_user(email="t@example.org")
    client = app.test_client()
    sign_in_as(client, sponsor)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "checked" not in checkbox(page) and 'type="checkbox"' in checkbox(page)
    client.post("/account/profile", data={"csrf_token": csrf_from(page), **PROFILE,
                                          "monthly_report": "y"})  # fmt: skip
    page = client.get("/account/profile").get_data(as_text=True)
    assert "checked" in checkbox(page)
    with app.app_context():
        assert db.session.get(User, sponsor.id).monthly_report is True
    client.post("/account/profile", data={"csrf_token": csrf_from(page), **PROFILE})
    with app.app_context():
        assert db.session.get(User, sponsor.id).monthly_report is False
    sign_in_as(client, sponsor)
    with app.app_context():
        db.session.get(User, sponsor.id).language = "ur"
        db.session.commit()
    page = client.get("/account/profile").get_data(as_text=True)
    assert "ہمارے پروگرام کا ماہانہ خلاصہ مجھے ای میل کریں" in page

    other = app.test_client()
    sign_in_as(other, trainee)
    page = other.get("/account/profile").get_data(as_text=True)
    assert "monthly_report" not in page
    other.post("/account/profile", data={"csrf_token": csrf_from(page), **PROFILE,
                                         "monthly_report": "y"})  # fmt: skip
    with app.app_context():
        assert db.session.get(User, trainee.id).monthly_report is False


def test_a_missing_attachment_is_a_failed_try_not_a_mail_without_it(app, mailbox):
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage
    from lms.outbox.services import queue_message

    with app.app_context():
        message_id = queue_message(kind="test", recipient="a@example.org", subject="s",
                                   body="b", attachment="gone.pdf").id  # fmt: skip
        db.session.commit()
    deliver(app)
    assert mailbox.messages == []
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert message.status != "sent" and message.failure == "attachment missing"

"""In a browser: the instructor writes to the at-risk trainees, checks the preview (text
in the trainee's language, segments, cost), sends, and sees each message's status change
as the gateway's receipt arrives. The gateway is a real local HTTP server."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import DEFAULT_PASSWORD
from messaging_fakes import Endpoint

from browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def gateway():
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def app(make_app, gateway):
    return make_app(SMS_BACKEND="http", SMS_GATEWAY_URL=gateway.url + "/send",
                    SMS_GATEWAY_TOKEN="gw-token", SMS_COST_PER_SEGMENT="0.85",
                    SMS_CURRENCY="PKR")  # fmt: skip


def test_instructor_writes_to_the_at_risk_trainees_and_sees_the_statuses(
    live_server, phone, app, gateway, make_user, make_cohort, enrol
):
    from lms.cohorts.models import Enrolment
    from lms.extensions import db
    from lms.outbox.delivery import deliver_due

    instructor = make_user("instructor", email="sana@example.com", name="Sana")
    cohort_id, _ = make_cohort(name="Karachi creators", instructor=instructor)
    away = make_user(name="Ali Raza", phone="+923001112222")
    active = make_user(name="Budi Santoso", phone="+6281233334444")
    for user in (away, active):
        enrol(user, cohort_id)
    with app.app_context():
        rows = db.session.scalars(db.select(Enrolment)).all()
        for row in rows:
            if row.user_id == away.id:
                row.joined_at = datetime(2026, 1, 1)
            else:
                row.last_active_at = datetime.now()
        db.session.commit()
    phone.goto(live_server + "/login")
    phone.locator("#login").fill("sana@example.com")
    phone.locator("#password").fill(DEFAULT_PASSWORD)
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_load_state()
    phone.goto(f"{live_server}/teach/cohorts/{cohort_id}/")
    phone.get_by_role("link", name="Messages").click()
    assert axe_violations(phone) == []
    phone.locator("#audience").select_option("at_risk")
    phone.locator("#text").fill("Day 2 is waiting for you, it takes 15 minutes.")
    phone.get_by_role("button", name="Preview").click()
    summary = phone.locator("#summary").inner_text()
    assert "1 recipients, 1 SMS segments, cost 0.85 PKR" in summary
    assert "Ali Raza" in phone.content() and "Budi Santoso" not in phone.content()
    assert gateway.requests == []
    phone.get_by_role("button", name="Send to 1 trainees").click()
    phone.wait_for_load_state()
    assert phone.locator("#messages tr[data-status=queued]").count() == 1
    with app.app_context():
        [message_id] = deliver_due().sent
    [body] = gateway.bodies
    assert body["to"] == "+923001112222"
    phone.reload()
    assert phone.locator("#messages td.status").first.inner_text().startswith("sent")
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 - the local test server
        f"{live_server}/hooks/sms/status", method="POST",
        data=f'{{"reference": "{message_id}", "status": "delivered"}}'.encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer gw-token"},
    )  # fmt: skip
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 204
    phone.reload()
    assert phone.locator("#messages td.status").first.inner_text().startswith("delivered")

"""In a browser: a trainee downloads their data and asks for deletion from the profile; an
admin opens the request, types the name to confirm, and the certificate then verifies as
withdrawn without the name (Playwright, Debian chromium)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import DEFAULT_PASSWORD

from browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def _sign_in(page, base: str, login: str) -> None:
    page.goto(base + "/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_trainee_asks_for_deletion_and_an_admin_erases_with_confirmation(
    live_server, browser, phone, app, make_user, make_cohort, enrol
):
    from lms.certificates import services
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    trainee = make_user(name="Ayesha Khan", email="ayesha@example.com")
    make_user("admin", name="Admin", email="admin@example.com")
    cohort_id, _ = make_cohort(name="Karachi 1", end_date=date(2026, 1, 9))
    enrolment_id = enrol(trainee, cohort_id)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        code = services.issue(enrolment, get_catalogue().get("online-safety-basics")).code
        db.session.commit()

    # The trainee, on a phone: download, then ask for deletion with the box ticked.
    _sign_in(phone, live_server, "ayesha@example.com")
    phone.goto(live_server + "/account/profile")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download your data (JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["name"] == "Ayesha Khan"
    assert download.value.suggested_filename.endswith(".json")
    phone.get_by_role("link", name="Ask for your data to be deleted").click()
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Ask for deletion").click()
    assert phone.get_by_text("Tick the box to confirm.").is_visible()  # not sent unticked
    phone.get_by_label("I understand").check()
    phone.get_by_role("button", name="Ask for deletion").click()
    assert "is waiting for an admin" in phone.locator("#deletion-status").inner_text()
    assert phone.get_by_role("button", name="Withdraw my request").is_visible()

    # The admin, on a desktop: the list, the confirmation, a wrong name, the right one.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    desk = context.new_page()
    _sign_in(desk, live_server, "admin@example.com")
    desk.goto(live_server + "/admin/users")
    desk.get_by_role("link", name="Deletion requests").click()
    row = desk.locator("#deletion-requests tbody tr")
    assert row.count() == 1 and "Ayesha Khan" in row.inner_text()
    row.get_by_role("link", name="Erase").click()
    assert "Erase Ayesha Khan?" in desk.locator("h1").inner_text()
    assert axe_violations(desk) == []
    desk.get_by_label("Type the person's name or e-mail to confirm").fill("Ayesha")
    desk.get_by_role("button", name="Erase this person").click()
    assert desk.get_by_text("exactly as shown").is_visible()
    desk.get_by_label("Type the person's name or e-mail to confirm").fill("ayesha@example.com")
    desk.get_by_role("button", name="Erase this person").click()
    desk.wait_for_url(f"{live_server}/admin/users/{trainee.id}")
    assert "certificates now show as withdrawn" in desk.content()
    assert desk.locator("h1").inner_text() == "Erased person"
    desk.get_by_role("link", name="Deletion requests").click()
    assert desk.get_by_text("No deletion requests are waiting").is_visible()
    desk.goto(f"{live_server}/verify/{code}")
    verify = desk.locator("main").inner_text()
    assert "revoked" in verify and "withdrawn: personal data erased" in verify
    assert "Ayesha" not in desk.content()
    context.close()

    # The trainee's session is over.
    phone.goto(live_server + "/account/deletion")
    assert phone.url.startswith(live_server + "/login")

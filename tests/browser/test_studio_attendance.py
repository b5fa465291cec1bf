"""Instructor studio in a real browser at 360 px and 1280 px: a check-in during a session
counts once and a code outside it is refused; the roster is cards on a phone and a full
table on a desktop; no staff page scrolls sideways."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import DEFAULT_PASSWORD

from browser.conftest import axe_violations

pytestmark = pytest.mark.browser
DURING = datetime(2026, 1, 6, 5, 30, tzinfo=UTC)  # 10:30 in Karachi
SIZES = ((360, 740), (1280, 800))
OVERFLOW = (
    "[...document.querySelectorAll('body *')].filter(e => {const r = e.getBoundingClientRect();"
    " return (r.right > innerWidth + 1 || r.left < -1) && e.className !== 'skip'"
    " && !e.closest('.scroll')}).slice(0, 5).map(e => e.tagName + '.' + e.className)"
)


def sign_in(browser, base, user, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("#login").fill(user.email)
    page.locator("#password").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    return context, page


@pytest.fixture
def studio(app, make_user, make_cohort, enrol):
    from lms.attendance import services
    from lms.cohorts.services import get_cohort
    from lms.extensions import db
    from lms.permissions import SYSTEM

    app.config["NOW"] = DURING
    instructor = make_user("instructor", email="teacher@test.example")
    cohort_id, _ = make_cohort(instructor=instructor, name="Karachi Creators, spring intake")
    trainees = [
        make_user(name=name, email=f"t{n}@test.example")
        for n, name in enumerate(
            ["Ayesha Siddiqa Khan-Rahman", "Muhammad Bilal", "Siti Nurhaliza", "علی رضا"]
        )
    ]
    for trainee in trainees:
        enrol(trainee, cohort_id)
    with app.app_context():
        cohort = get_cohort(cohort_id)
        from datetime import date, time

        session = services.create_session(
            SYSTEM,
            cohort,
            services.SessionData(date(2026, 1, 6), time(10), time(12), "Community hall"),
        )
        db.session.commit()
        session_id = session.id
    return {"cohort": cohort_id, "session": session_id, "instructor": instructor,
            "trainees": trainees}  # fmt: skip


def test_check_in_during_the_session_counts_once_and_outside_is_refused(
    live_server, browser, app, studio
):
    base, cohort, session = live_server, studio["cohort"], studio["session"]
    staff_context, staff = sign_in(browser, base, studio["instructor"], 1280, 800)
    staff.goto(f"{base}/teach/cohorts/{cohort}/sessions")
    staff.get_by_role("link", name="Show check-in code").click()
    code = staff.locator(".big-code code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{3}-[A-Z2-9]{3}", code)
    assert staff.locator(".qr svg").is_visible()
    problems = [f"code: {v}" for v in axe_violations(staff)]

    phone_context, phone = sign_in(browser, base, studio["trainees"][0], 360, 740)
    phone.goto(f"{base}/checkin")
    phone.get_by_label("Check-in code").fill(code.lower())
    phone.get_by_role("button", name="Check in").click()
    phone.get_by_role("button", name="Check me in").click()
    assert "You are checked in" in phone.locator("main").inner_text()
    problems += [f"checkin: {v}" for v in axe_violations(phone)]
    phone.goto(f"{base}/checkin/{code}")
    assert "already checked in" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    staff.goto(f"{base}/teach/cohorts/{cohort}/sessions/{session}/")
    assert "(1/4)" in staff.locator("legend").inner_text()
    assert staff.get_by_label(re.compile("Ayesha")).is_checked()

    other_context, other = sign_in(browser, base, studio["trainees"][1], 360, 740)
    app.config["NOW"] = DURING + timedelta(hours=2)  # the session is over
    response = other.goto(f"{base}/checkin/{code}")
    assert response.status == 404
    assert "not valid now" in other.locator("main").inner_text()
    app.config["NOW"] = DURING
    staff.goto(f"{base}/teach/cohorts/{cohort}/sessions/{session}/")
    assert "(1/4)" in staff.locator("legend").inner_text()  # still counted once
    for context in (staff_context, phone_context, other_context):
        context.close()
    assert problems == []


def staff_paths(studio, enrolment_id):
    c, s = studio["cohort"], studio["session"]
    return [
        "/teach/",
        "/teach/cohorts/new",
        f"/teach/cohorts/{c}/",
        f"/teach/cohorts/{c}/edit",
        f"/teach/cohorts/{c}/enrol",
        f"/teach/cohorts/{c}/enrolments/{enrolment_id}/",
        f"/teach/cohorts/{c}/sessions",
        f"/teach/cohorts/{c}/sessions/{s}/",
        f"/teach/cohorts/{c}/sessions/{s}/code",
        f"/teach/cohorts/{c}/items",
    ]


def test_roster_fits_and_no_staff_page_scrolls_sideways(
    live_server, browser, app, studio, tmp_path
):
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    with app.app_context():
        enrolment_id = db.session.scalars(db.select(Enrolment.id)).first()
    problems, axe = [], []
    for width, height in SIZES:
        context, page = sign_in(browser, live_server, studio["instructor"], width, height)
        for path in staff_paths(studio, enrolment_id):
            page.goto(live_server + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append((width, path, overflow, page.evaluate(OVERFLOW)))
        page.goto(f"{live_server}/teach/cohorts/{studio['cohort']}/")
        rows = page.locator("table.roster tbody tr")
        assert rows.count() == 4
        first = rows.first
        if width == 360:  # one card per trainee: name, bar, last active; actions in a menu
            assert not page.locator("table.roster thead").is_visible() or (
                page.locator("table.roster thead").bounding_box()["width"] <= 1
            )
            box = first.bounding_box()
            assert box["width"] <= 360 and box["height"] > 80
            assert first.locator("progress").is_visible()
            last = first.locator('td[data-label="Last active"]')
            assert last.is_visible() and "never" in last.inner_text()
            label = last.evaluate("e => getComputedStyle(e, '::before').content")
            assert "Last active" in label
            assert not first.get_by_role("button", name="Withdraw").is_visible()
            first.locator("summary").click()
            assert first.get_by_role("button", name="Withdraw").is_visible()
            assert not first.locator(".login").is_visible()
        else:  # the full table, using the width
            headers = page.locator("table.roster thead th")
            assert headers.count() == 8 and headers.first.is_visible()
            assert page.locator("table.roster").bounding_box()["width"] > 1100
            assert first.locator(".login").is_visible()
        axe += [f"{width} roster: {v}" for v in axe_violations(page)]
        page.screenshot(path=str(tmp_path / f"roster-{width}.png"), full_page=True)
        context.close()
    assert problems == []
    assert axe == []

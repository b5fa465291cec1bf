"""A trainee reads Day 1, fails the quiz, retries, passes, and sees the course home update."""

from __future__ import annotations

import pytest
from conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("E-mail or mobile number").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer_day_one(page, right: bool):
    page.get_by_label(
        "Four random words joined together" if right else "123456", exact=True
    ).check()
    page.get_by_label("It threatens to close your account today").check()
    if right:
        page.get_by_label("The link goes to a look-alike domain").check()
    page.get_by_label("True" if right else "False", exact=True).check()
    page.get_by_label("You receive PKR 20,000 and save 15%. How much do you save?").fill(
        "3,000" if right else "300"
    )
    page.get_by_label("What do we call a second proof of identity after your password?").fill(
        "2FA" if right else ""
    )
    page.get_by_role("button", name="Submit answers").click()


def test_fail_retry_pass_and_home_updates(live_server, phone, make_user, make_cohort, enrol):
    cohort_id, _ = make_cohort(name="Journey")
    trainee = make_user(email="journey@example.com")
    enrol(trainee, cohort_id)
    sign_in(phone, live_server, "journey@example.com")
    phone.goto(f"{live_server}/cohorts/{cohort_id}/")
    phone.get_by_role("link", name="Continue: Welcome").click()
    phone.get_by_role("button", name="Mark as done and continue").click()
    assert phone.locator("h1").inner_text() == "Strong passwords"
    phone.get_by_role("button", name="Mark as done and continue").click()
    assert phone.locator("h1").inner_text() == "Further reading (optional)"
    phone.get_by_role("button", name="Mark as done and continue").click()
    assert phone.locator("h1").inner_text() == "Day 1 check"

    source = phone.content()
    for secret in (
        "Length beats complexity",
        "two step verification",
        "3000",
        "first password attackers try",
    ):
        assert secret not in source

    answer_day_one(phone, right=False)
    assert "not passed yet" in phone.locator("main").inner_text()
    assert "This is the first password attackers try." in phone.locator("main").inner_text()
    phone.get_by_role("link", name="Try again").click()
    answer_day_one(phone, right=True)
    result = phone.locator("main").inner_text()
    assert "100" in result and "passed" in result and "1 attempt left" in result

    phone.goto(f"{live_server}/cohorts/{cohort_id}/")
    home = phone.locator("main").inner_text()
    assert "2 of 2 lessons done" in home
    assert "best 100%" in home and "passed" in home
    assert phone.locator("progress").get_attribute("value") == "3"

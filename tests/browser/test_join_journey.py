"""A new trainee joins with a code on a phone and sees Day 1 (Playwright, Debian chromium)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_new_trainee_joins_with_a_code_and_sees_day_one(live_server, phone, make_cohort, tmp_path):
    cohort_id, code = make_cohort(name="Karachi Creators 1")
    phone.goto(live_server + "/")
    phone.get_by_label("Cohort code").fill(f"{code[:3].lower()}-{code[3:].lower()}")
    phone.get_by_role("button", name="Join", exact=True).click()
    assert "Karachi Creators 1" in phone.locator("h1").inner_text()

    phone.get_by_label("Your name").fill("عائشہ خان")
    phone.get_by_label("E-mail or mobile number").fill("0300 1234567")
    phone.get_by_label("Choose a password").fill("river-lamp-orbit-sugar")
    phone.get_by_role("button", name="Create account and join").click()

    phone.wait_for_url(f"{live_server}/cohorts/{cohort_id}/")
    assert phone.get_by_role("heading", name="Day 1: Your accounts").is_visible()
    assert "عائشہ خان" in phone.locator("header").inner_text()
    phone.screenshot(path=str(tmp_path / "day1.png"), full_page=True)
    assert (tmp_path / "day1.png").stat().st_size > 5000

    phone.get_by_role("link", name="Welcome", exact=True).click()
    assert phone.locator("h1").inner_text() == "Welcome"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows sideways on a phone

"""Helpers for quiz tests: the sample course's answers and reading a quiz page's form."""

from __future__ import annotations

import re

from conftest import csrf_from

DAY1_RIGHT = {
    "q-strong-password": "1",
    "q-phishing-signs": ["0", "1"],
    "q-otp-never": "0",
    "q-save-percent": "3,000",
    "q-second-factor": " two-factor   AUTHENTICATION ",
}
DAY1_WRONG = {
    "q-strong-password": "0",
    "q-phishing-signs": ["0"],
    "q-otp-never": "1",
    "q-save-percent": "300",
}
DAY2_RIGHT = {"q-budget-savings": "800.000", "q-emergency-fund": "1"}
POST_RIGHT = {"q-passphrase": "0", "q-percent": "500000"}  # the sample course's post-test


def quiz_form(client, cohort_id: int, key: str) -> dict:
    """Open the quiz page; return the hidden fields a browser would submit."""
    html = client.get(f"/cohorts/{cohort_id}/quizzes/{key}").get_data(as_text=True)
    payload = re.search(r'name="attempt" value="([^"]+)"', html)
    assert payload, html[:2000]
    return {"csrf_token": csrf_from(html), "attempt": payload.group(1)}


def submit(client, cohort_id: int, key: str, answers: dict, form: dict | None = None):
    form = form or quiz_form(client, cohort_id, key)
    return client.post(f"/cohorts/{cohort_id}/quizzes/{key}", data={**form, **answers})

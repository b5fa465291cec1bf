"""First use: what a new user meets on the way in (join codes, setup)."""

from __future__ import annotations

import re

from conftest import csrf_from, sign_in_as


def test_join_code_has_one_spelling_in_the_cli_and_on_the_pages(app, runner, make_user):
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    result = runner.invoke(
        args=[
            "cohorts",
            "create",
            "--course",
            "online-safety-basics",
            "--name",
            "Karachi 1",
            "--start",
            "2026-12-01",
        ]
    )
    assert result.exit_code == 0, result.output
    printed = re.search(r"Join code: ([A-Z0-9]{3}-[A-Z0-9]{3})$", result.output, re.M).group(1)
    with app.app_context():
        cohort = db.session.scalar(db.select(Cohort))
        cohort_id, stored = cohort.id, cohort.join_code
    assert printed.replace("-", "") == stored
    admin = app.test_client()
    sign_in_as(admin, make_user("admin"))
    roster = admin.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    listing = admin.get("/teach/").get_data(as_text=True)
    for page in (roster, listing):
        assert f"<code>{printed}</code>" in page
        assert f"<code>{stored}</code>" not in page
    assert f"/join/{stored}" in roster  # the link carries the plain code
    rotated = admin.post(f"/teach/cohorts/{cohort_id}/code", data={"csrf_token": csrf_from(roster)})
    flashed = admin.get(rotated.headers["Location"]).get_data(as_text=True)
    code = re.search(r"New join code: ([A-Z0-9-]+)\.", flashed).group(1)
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    # a trainee can type it as printed
    assert admin.get(f"/join?code={code}").headers["Location"] == f"/join/{code.replace('-', '')}"

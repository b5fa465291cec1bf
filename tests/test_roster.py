"""The roster keeps sorting, filtering and pagination in its new layout, and each row
carries what the phone card shows: name, progress bar, at-risk flag, last active, and the
actions behind one menu."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from conftest import sign_in_as


def _many(app, cohort_id: int, n: int) -> None:
    """n trainees, inserted in bulk (the roster reads them as any others)."""
    from sqlalchemy import insert, select

    from lms.auth.models import User
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    with app.app_context():
        db.session.execute(
            insert(User),
            [
                {"email": f"p{i:03d}@test.example", "name": f"Person {i:03d}", "role": "trainee",
                 "language": "en", "active": True, "session_version": 1,
                 "created_at": datetime(2026, 1, 1)}
                for i in range(n)
            ],
        )  # fmt: skip
        ids = db.session.scalars(select(User.id).where(User.email.like("p%@test.example")))
        db.session.execute(
            insert(Enrolment),
            [
                {"cohort_id": cohort_id, "user_id": i, "status": "active",
                 "joined_at": datetime(2026, 1, 5, 9)}
                for i in ids
            ],
        )  # fmt: skip
        db.session.commit()


def test_pagination_sorting_and_filter_survive(make_app, make_user, make_cohort):
    app = make_app(NOW=datetime(2026, 1, 20, tzinfo=UTC))
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    _many(app, cohort_id, 105)
    client = app.test_client()
    sign_in_as(client, instructor)
    first = client.get(f"/teach/cohorts/{cohort_id}/", query_string={"sort": "name"})
    html = first.get_data(as_text=True)
    names = re.findall(r'<td class="name"><a [^>]*>([^<]+)</a>', html)
    assert len(names) == 100 and names[0] == "Person 000" and names[-1] == "Person 099"
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "sort=name" in next_link
    second = client.get(next_link).get_data(as_text=True)
    names = re.findall(r'<td class="name"><a [^>]*>([^<]+)</a>', second)
    assert names == [f"Person {i}" for i in range(100, 105)]
    # everyone has been idle since joining while the cohort runs: all at risk
    risky = client.get(
        f"/teach/cohorts/{cohort_id}/", query_string={"filter": "at-risk", "q": "Person 10"}
    ).get_data(as_text=True)
    names = re.findall(r'<td class="name"><a [^>]*>([^<]+)</a>', risky)
    assert names == [f"Person {i}" for i in range(100, 105)]
    assert risky.count('class="bad flag"') == 5


def test_each_row_has_bar_flag_last_active_and_one_menu(app, make_user, make_cohort, enrol):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    enrol(make_user(name="Zara <i>Q</i>"), cohort_id)
    client = app.test_client()
    sign_in_as(client, instructor)
    html = client.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    row = re.search(r'<tr class="trainee[^"]*">(.*?)</tr>', html, re.S).group(1)
    assert "Zara &lt;i&gt;Q&lt;/i&gt;" in row
    assert "<progress" in row and 'data-label="Last active"' in row
    assert row.count('<details class="menu">') == 1
    menu = row[row.index("<details") :]
    assert "Password link" in menu and "Withdraw" in menu and menu.count("csrf_token") == 2

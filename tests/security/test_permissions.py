"""Every URL against every role: the exact status each must get.

Two cohorts (A and B), each with its instructor, trainee and sponsor organisation, plus an
admin. "trainee", "instructor" and "sponsor" belong to cohort A; "other_*" to cohort B.
"""

from __future__ import annotations

import pytest
from conftest import csrf_from, sign_in_as

ROLES = [
    "anonymous",
    "trainee",
    "other_trainee",
    "instructor",
    "other_instructor",
    "sponsor",
    "other_sponsor",
    "admin",
]


def statuses(
    anonymous, trainee, other_trainee, instructor, other_instructor, sponsor, other_sponsor, admin
):
    return dict(
        zip(
            ROLES,
            [
                anonymous,
                trainee,
                other_trainee,
                instructor,
                other_instructor,
                sponsor,
                other_sponsor,
                admin,
            ],
            strict=True,
        )
    )


PUBLIC = statuses(*[200] * 8)
SIGNED_IN = statuses(302, *[200] * 7)
COHORT_A_LEARNER = statuses(302, 200, 404, 200, 404, 404, 404, 200)
TEACHERS = statuses(302, 403, 403, 200, 200, 403, 403, 200)
COHORT_A_MANAGER = statuses(302, 403, 403, 200, 403, 403, 403, 200)
COHORT_A_MANAGER_POST = statuses(302, 403, 403, 302, 403, 403, 403, 302)
SPONSORS = statuses(302, 403, 403, 403, 403, 200, 200, 200)
ADMINS = statuses(302, 403, 403, 403, 403, 403, 403, 200)

CASES = [
    ("GET", "/", PUBLIC),
    ("GET", "/healthz", PUBLIC),
    ("GET", "/courses/", PUBLIC),
    ("GET", "/courses/online-safety-basics/", PUBLIC),
    ("GET", "/courses/online-safety-basics/lessons/welcome", PUBLIC),
    ("GET", "/courses/online-safety-basics/media/padlock.svg", PUBLIC),
    ("GET", "/login", PUBLIC),
    ("GET", "/register", PUBLIC),
    ("GET", "/reset", PUBLIC),
    ("GET", "/reset/code", PUBLIC),
    ("GET", "/join", PUBLIC),
    ("GET", "/join/{code_a}", statuses(200, 302, 200, 200, 200, 200, 200, 200)),
    ("GET", "/join/NOCODE", statuses(*[404] * 8)),
    ("GET", "/account/password", SIGNED_IN),
    ("GET", "/cohorts/{a}/", COHORT_A_LEARNER),
    ("GET", "/cohorts/{a}/lessons/welcome", COHORT_A_LEARNER),
    (
        "GET",
        "/cohorts/{a}/lessons/no-such-lesson",
        statuses(302, 404, 404, 404, 404, 404, 404, 404),
    ),
    ("GET", "/cohorts/999/", statuses(302, *[404] * 7)),
    ("GET", "/teach/", TEACHERS),
    ("GET", "/teach/cohorts/new", TEACHERS),
    ("GET", "/teach/cohorts/{a}/", COHORT_A_MANAGER),
    ("GET", "/teach/cohorts/{a}/edit", COHORT_A_MANAGER),
    ("GET", "/teach/cohorts/{a}/enrol", COHORT_A_MANAGER),
    ("GET", "/teach/cohorts/999/", statuses(302, *[404] * 7)),
    ("GET", "/sponsor/", SPONSORS),
    ("GET", "/admin/", statuses(302, 403, 403, 403, 403, 403, 403, 302)),
    ("GET", "/admin/users", ADMINS),
    ("GET", "/admin/users/{trainee_id}", ADMINS),
    ("GET", "/admin/organisations", ADMINS),
    ("GET", "/admin/audit", ADMINS),
    ("POST", "/teach/cohorts/{a}/code", COHORT_A_MANAGER_POST),
    ("POST", "/teach/cohorts/{a}/instructors", COHORT_A_MANAGER_POST),
    ("POST", "/teach/cohorts/{a}/enrolments/{enrolment_a}/withdraw", COHORT_A_MANAGER),
    ("POST", "/teach/cohorts/{a}/enrolments/{enrolment_a}/reset", COHORT_A_MANAGER),
    (
        "POST",
        "/teach/cohorts/{a}/enrolments/{enrolment_b}/withdraw",
        statuses(302, 403, 403, 404, 403, 403, 403, 404),
    ),
    ("GET", "/reports/cohorts/{a}", statuses(302, 403, 403, 200, 403, 200, 403, 200)),
    ("GET", "/reports/cohorts/{a}.csv", statuses(302, 403, 403, 200, 403, 200, 403, 200)),
    ("GET", "/reports/cohorts/{a}/people", statuses(302, 403, 403, 200, 403, 403, 403, 200)),
    ("GET", "/reports/organisation", statuses(302, 403, 403, 403, 403, 200, 200, 404)),
    ("GET", "/teach/cohorts/{a}/roster.csv", COHORT_A_MANAGER),
    ("GET", "/teach/cohorts/{a}/enrolments/{enrolment_a}/", COHORT_A_MANAGER),
    ("GET", "/cohorts/{a}/quizzes/day-1", COHORT_A_LEARNER),
    ("GET", "/cohorts/{a}/certificate.pdf", statuses(302, *[404] * 7)),
    ("GET", "/account/profile", SIGNED_IN),
    ("GET", "/verify", PUBLIC),
    ("POST", "/logout", statuses(*[302] * 8)),
]


@pytest.fixture
def world(make_user, make_cohort, enrol):
    people = {
        "trainee": make_user(),
        "other_trainee": make_user(),
        "instructor": make_user("instructor"),
        "other_instructor": make_user("instructor"),
        "sponsor": make_user("sponsor", org="Org A"),
        "other_sponsor": make_user("sponsor", org="Org B"),
        "admin": make_user("admin"),
    }
    a, code_a = make_cohort(name="Cohort A", instructor=people["instructor"], org="Org A")
    b, _ = make_cohort(name="Cohort B", instructor=people["other_instructor"], org="Org B")
    ids = {
        "a": a,
        "code_a": code_a,
        "enrolment_a": enrol(people["trainee"], a),
        "enrolment_b": enrol(people["other_trainee"], b),
        "trainee_id": people["trainee"].id,
    }
    return people, ids


@pytest.mark.parametrize(
    ("method", "path", "expected"), CASES, ids=[f"{m} {p}" for m, p, _ in CASES]
)
def test_every_url_for_every_role(app, world, method, path, expected):
    people, ids = world
    url = path.format(**ids)
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            sign_in_as(client, people[role])
        if method == "GET":
            response = client.get(url)
        else:
            token = csrf_from(client.get("/").get_data(as_text=True))
            response = client.post(url, data={"csrf_token": token})
        response.close()
        assert response.status_code == expected[role], f"{role} {method} {url}"
        if (
            response.status_code == 302
            and role == "anonymous"
            and not url.startswith(("/logout", "/admin/"))
        ):
            assert response.headers["Location"].startswith("/login"), url


def test_denials_are_audited(app, world):
    people, ids = world
    client = app.test_client()
    sign_in_as(client, people["other_instructor"])
    assert client.get(f"/teach/cohorts/{ids['a']}/").status_code == 403
    with app.app_context():
        from lms.audit.models import AuditEntry
        from lms.extensions import db

        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "permission.denied")
        ).one()
        assert entry.actor_id == people["other_instructor"].id
        assert entry.details == {"path": f"/teach/cohorts/{ids['a']}/", "method": "GET"}

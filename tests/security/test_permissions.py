"""Every route of `app.url_map` × GET/POST × eight roles: the exact status each must get.

The matrix is generated from the app's own URL map, so a new route cannot be missed: a
rule with no row in `EXPECTED` fails the test (and so does a row no rule matches). URL
parameters are filled from the seeded world below. Two cohorts (A and B), each with its
instructor, trainee and sponsor organisation, plus an admin: "trainee", "instructor" and
"sponsor" belong to cohort A, "other_*" to cohort B. Anything that belongs to a cohort
answers 404 to whoever may not see it, exactly as for a cohort that does not exist.
POSTs carry only a valid CSRF token (an empty form).
"""

from __future__ import annotations

import re

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


def statuses(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


PUBLIC = statuses(*[200] * 8)
SIGNED_IN = statuses(302, *[200] * 7)
COHORT_A_LEARNER = statuses(302, 200, 404, 200, 404, 404, 404, 200)
TEACHERS = statuses(302, 403, 403, 200, 200, 403, 403, 200)
A_MANAGER = statuses(302, 404, 404, 200, 404, 404, 404, 200)
A_MANAGER_REDIRECT = statuses(302, 404, 404, 302, 404, 404, 404, 302)
A_REPORT = statuses(302, 404, 404, 200, 404, 200, 404, 200)
SPONSORS = statuses(302, 403, 403, 403, 403, 200, 200, 200)
ADMINS = statuses(302, 403, 403, 403, 403, 403, 403, 200)
NOBODY = statuses(*[404] * 8)
SIGNED_IN_404 = statuses(302, *[404] * 7)
TRAINEES = statuses(302, 200, 200, *[403] * 5)

NO_TOKEN = statuses(*[401] * 8)
UNSIGNED = statuses(*[401] * 8)  # a provider callback without the provider's signature
API_RULES = [
    ("GET", "/api/v1/courses"),
    ("GET", "/api/v1/courses/<slug>"),
    ("GET", "/api/v1/cohorts"),
    ("POST", "/api/v1/cohorts"),
    ("GET", "/api/v1/cohorts/<int:cohort_id>"),
    ("GET", "/api/v1/cohorts/<int:cohort_id>/enrolments"),
    ("POST", "/api/v1/cohorts/<int:cohort_id>/enrolments"),
    ("POST", "/api/v1/cohorts/<int:cohort_id>/enrolments/bulk"),
    ("POST", "/api/v1/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/withdraw"),
    ("GET", "/api/v1/me/progress"),
    ("GET", "/api/v1/cohorts/<int:cohort_id>/progress"),
    ("GET", "/api/v1/cohorts/<int:cohort_id>/quizzes/<quiz_key>"),
    ("POST", "/api/v1/cohorts/<int:cohort_id>/quizzes/<quiz_key>"),
    ("GET", "/api/v1/cohorts/<int:cohort_id>/quizzes/<quiz_key>/attempts"),
    ("GET", "/api/v1/cohorts/<int:cohort_id>/quizzes/<quiz_key>/attempts/<int:number>"),
    ("GET", "/api/v1/certificates"),
    ("GET", "/api/v1/certificates/<code>"),
    ("POST", "/api/v1/certificates/<code>/revoke"),
    ("POST", "/api/v1/certificates/<code>/reissue"),
    ("GET", "/api/v1/cohorts/<int:cohort_id>/report"),
    ("GET", "/api/v1/organisations/<int:organisation_id>/report"),
]

# (method, rule) -> statuses per role. Every rule of the URL map must be here.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/.well-known/did.json"): PUBLIC,
    ("GET", "/sw.js"): PUBLIC,
    ("GET", "/offline/<language>"): PUBLIC,
    ("GET", "/favicon.ico"): PUBLIC,
    ("GET", "/static/<path:filename>"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/courses/"): PUBLIC,
    ("GET", "/courses/<slug>/"): PUBLIC,
    ("GET", "/courses/<slug>/lessons/<lesson_slug>"): PUBLIC,
    ("GET", "/courses/<slug>/media/<path:filename>"): PUBLIC,
    ("GET", "/credentials/status/<int:number>"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,  # the form again, with errors
    ("POST", "/logout"): statuses(*[302] * 8),
    ("GET", "/register"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("POST", "/language"): statuses(*[400] * 8),  # no language chosen
    ("GET", "/reset"): PUBLIC,
    ("POST", "/reset"): PUBLIC,
    ("GET", "/reset/code"): PUBLIC,
    ("POST", "/reset/code"): PUBLIC,
    ("GET", "/reset/<token>"): statuses(*[302] * 8),  # "not valid": back to /reset
    ("POST", "/reset/<token>"): statuses(*[302] * 8),
    ("GET", "/join"): PUBLIC,
    ("GET", "/join/<code>"): statuses(200, 302, 200, 200, 200, 200, 200, 200),
    ("POST", "/join/<code>"): statuses(200, *[302] * 7),  # anonymous: "sign in first"
    ("GET", "/verify"): PUBLIC,
    ("GET", "/verify/<code>"): PUBLIC,
    ("GET", "/verify/<code>.json"): PUBLIC,
    ("GET", "/verify/<code>/badge.png"): PUBLIC,
    ("GET", "/verify/<code>/credential.json"): PUBLIC,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/account/profile"): SIGNED_IN,
    ("POST", "/account/profile"): SIGNED_IN,
    # a trainee's own cohort
    ("GET", "/cohorts/<int:cohort_id>/"): COHORT_A_LEARNER,
    ("GET", "/cohorts/<int:cohort_id>/continue"): statuses(302, 302, 404, 302, 404, 404, 404, 302),
    ("GET", "/cohorts/<int:cohort_id>/lessons/<lesson_slug>"): COHORT_A_LEARNER,
    ("POST", "/cohorts/<int:cohort_id>/lessons/<lesson_slug>/done"): statuses(
        302, 302, 404, 302, 404, 404, 404, 302
    ),
    ("GET", "/cohorts/<int:cohort_id>/media/<path:filename>"): PUBLIC,
    ("GET", "/cohorts/<int:cohort_id>/quizzes/<quiz_key>"): COHORT_A_LEARNER,
    ("POST", "/cohorts/<int:cohort_id>/quizzes/<quiz_key>"): COHORT_A_LEARNER,
    ("GET", "/cohorts/<int:cohort_id>/quizzes/<quiz_key>/attempts/<int:number>"): SIGNED_IN_404,
    ("GET", "/cohorts/<int:cohort_id>/survey"): SIGNED_IN_404,
    ("POST", "/cohorts/<int:cohort_id>/survey"): SIGNED_IN_404,
    ("GET", "/cohorts/<int:cohort_id>/certificate.pdf"): statuses(
        302, 404, 404, 404, 404, 404, 404, 404
    ),
    # instructors
    ("GET", "/teach/"): TEACHERS,
    ("GET", "/teach/cohorts/new"): TEACHERS,
    ("POST", "/teach/cohorts/new"): TEACHERS,  # the form again, with errors
    ("GET", "/teach/cohorts/<int:cohort_id>/"): A_MANAGER,
    ("GET", "/teach/cohorts/<int:cohort_id>/edit"): A_MANAGER,
    # instructor: "you cannot remove yourself" (the empty form chose no instructors)
    ("POST", "/teach/cohorts/<int:cohort_id>/edit"): statuses(
        302, 404, 404, 200, 404, 404, 404, 302
    ),
    ("GET", "/teach/cohorts/<int:cohort_id>/enrol"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/enrol"): A_MANAGER,
    ("GET", "/teach/cohorts/<int:cohort_id>/roster.csv"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/code"): A_MANAGER_REDIRECT,
    ("POST", "/teach/cohorts/<int:cohort_id>/instructors"): A_MANAGER_REDIRECT,
    ("GET", "/teach/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/withdraw"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/reset"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/grant/<quiz_key>"): (
        A_MANAGER_REDIRECT
    ),
    ("POST", "/teach/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/certificate"): (
        A_MANAGER_REDIRECT
    ),
    ("POST", "/teach/certificates/<int:certificate_id>/revoke"): A_MANAGER_REDIRECT,
    ("POST", "/teach/certificates/<int:certificate_id>/reissue"): A_MANAGER_REDIRECT,
    # sponsors and reports
    ("GET", "/sponsor/"): SPONSORS,
    ("GET", "/reports/cohorts/<int:cohort_id>"): A_REPORT,
    ("GET", "/reports/cohorts/<int:cohort_id>.<any(csv, xlsx, json, pdf):fmt>"): A_REPORT,
    ("GET", "/reports/cohorts/<int:cohort_id>/people"): statuses(
        302, 404, 404, 200, 404, 403, 404, 200
    ),
    ("GET", "/reports/organisation"): statuses(302, 403, 403, 403, 403, 200, 200, 404),
    ("GET", "/reports/organisation.<any(csv, xlsx, json, pdf):fmt>"): statuses(
        302, 403, 403, 403, 403, 200, 200, 404
    ),
    # admins
    ("GET", "/admin/"): statuses(302, 403, 403, 403, 403, 403, 403, 302),
    ("GET", "/admin/users"): ADMINS,
    ("POST", "/admin/users"): ADMINS,
    ("GET", "/admin/users/<int:user_id>"): ADMINS,
    ("POST", "/admin/users/<int:user_id>"): statuses(302, 403, 403, 403, 403, 403, 403, 302),
    ("GET", "/admin/organisations"): ADMINS,
    ("POST", "/admin/organisations"): ADMINS,
    ("GET", "/admin/audit"): ADMINS,
    ("GET", "/admin/webhooks/"): ADMINS,
    ("POST", "/admin/webhooks/"): ADMINS,  # the form again, with errors
    ("POST", "/admin/webhooks/<int:webhook_id>/remove"): statuses(
        302, 403, 403, 403, 403, 403, 403, 404
    ),
    # API tokens in the profile
    ("GET", "/account/tokens"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,  # the form again, with errors
    ("POST", "/account/tokens/revoke"): statuses(302, *[404] * 7),  # no such token of theirs
    # the course studio, attendance, item analysis
    # instructors of any cohort of the course (cohort B's teaches the same course) and admins
    ("GET", "/teach/courses/<slug>/preview"): statuses(302, 404, 404, 200, 200, 404, 404, 200),
    ("GET", "/teach/cohorts/<int:cohort_id>/roster.xlsx"): A_MANAGER,
    ("GET", "/teach/cohorts/<int:cohort_id>/items"): A_MANAGER,
    ("GET", "/teach/cohorts/<int:cohort_id>/sessions"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/sessions"): A_MANAGER,  # the form, with errors
    ("GET", "/teach/cohorts/<int:cohort_id>/sessions/<int:session_id>/"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/sessions/<int:session_id>/"): A_MANAGER_REDIRECT,
    ("GET", "/teach/cohorts/<int:cohort_id>/sessions/<int:session_id>/code"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/sessions/<int:session_id>/delete"): (
        A_MANAGER_REDIRECT
    ),
    ("GET", "/checkin"): PUBLIC,
    ("GET", "/checkin/<code>"): SIGNED_IN_404,  # not a code of a session going on now
    ("POST", "/checkin/<code>"): SIGNED_IN_404,
    # messages and nudges
    ("GET", "/teach/cohorts/<int:cohort_id>/messages"): A_MANAGER,
    ("POST", "/teach/cohorts/<int:cohort_id>/messages/hours"): A_MANAGER_REDIRECT,
    ("POST", "/teach/cohorts/<int:cohort_id>/messages/preview"): A_MANAGER_REDIRECT,
    ("POST", "/teach/cohorts/<int:cohort_id>/messages/send"): A_MANAGER_REDIRECT,
    ("POST", "/teach/messages/<int:message_id>/requeue"): SIGNED_IN_404,
    ("POST", "/teach/messages/<int:message_id>/cancel"): SIGNED_IN_404,
    ("GET", "/messages/unsubscribe/<token>"): NOBODY,  # not a valid link
    ("POST", "/messages/unsubscribe/<token>"): NOBODY,
    ("GET", "/account/messages"): SIGNED_IN,
    ("POST", "/account/messages"): SIGNED_IN,
    ("GET", "/login/code"): PUBLIC,
    ("POST", "/login/code"): PUBLIC,  # the form again, with errors
    ("POST", "/login/code/check"): statuses(*[400] * 8),  # no code sent
    # provider callbacks: signed by the provider, never by a browser session
    ("POST", "/hooks/sms/status"): UNSIGNED,
    ("POST", "/hooks/sms/inbound"): UNSIGNED,
    ("POST", "/hooks/twilio/status"): UNSIGNED,
    ("POST", "/hooks/twilio/inbound"): UNSIGNED,
    ("GET", "/hooks/whatsapp"): statuses(*[403] * 8),  # wrong verify token
    ("POST", "/hooks/whatsapp"): UNSIGNED,
    # the JSON API: a bearer token or nothing, whoever the browser session belongs to
    **{(method, rule): NO_TOKEN for method, rule in API_RULES},
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/docs"): PUBLIC,
    # personal data: anyone's own download; trainees ask for deletion; admins erase
    ("GET", "/account/data.json"): SIGNED_IN,
    ("GET", "/account/deletion"): TRAINEES,
    ("POST", "/account/deletion"): TRAINEES,  # the box not ticked: the form again
    ("POST", "/account/deletion/withdraw"): statuses(302, 302, 302, *[403] * 5),
    ("GET", "/admin/deletion-requests"): ADMINS,
    ("GET", "/admin/users/<int:user_id>/erase"): ADMINS,
    ("POST", "/admin/users/<int:user_id>/erase"): ADMINS,  # nothing typed: the form again
}

# Extra probes beyond one URL per rule: objects of the other cohort, and ids that do not
# exist, must look the same to everyone without access.
EXTRA: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/teach/cohorts/999/", SIGNED_IN_404),
    ("GET", "/teach/cohorts/{b}/", statuses(302, 404, 404, 404, 200, 404, 404, 200)),
    ("GET", "/reports/cohorts/999", SIGNED_IN_404),
    ("GET", "/reports/cohorts/{b}", statuses(302, 404, 404, 404, 200, 404, 200, 200)),
    ("GET", "/cohorts/999/", SIGNED_IN_404),
    ("GET", "/cohorts/{a}/lessons/no-such-lesson", SIGNED_IN_404),
    ("GET", "/join/NOCODE", NOBODY),
    ("GET", "/teach/cohorts/{a}/enrolments/{enrolment_b}/", SIGNED_IN_404),
    ("POST", "/teach/cohorts/{a}/enrolments/{enrolment_b}/withdraw", SIGNED_IN_404),
    ("POST", "/teach/certificates/999/revoke", SIGNED_IN_404),
    ("GET", "/admin/users/999/erase", statuses(302, *[403] * 6, 404)),
]

# How each URL parameter is filled, from the world fixture (by parameter name).
PARAMETERS = {
    "cohort_id": "{a}",
    "enrolment_id": "{enrolment_a}",
    "user_id": "{trainee_id}",
    "certificate_id": "{certificate_id}",
    "slug": "online-safety-basics",
    "lesson_slug": "welcome",
    "quiz_key": "day-1",
    "number": "1",
    "filename": "padlock.svg",
    "fmt": "csv",
    "token": "not-a-real-token",
    "webhook_id": "999",
    "session_id": "{session_a}",
    "message_id": "999",
    "organisation_id": "1",
    "language": "ur",
}
CODE_BY_RULE = {"/join/<code>": "{code_a}"}  # /verify/<code>... use the certificate's code
FILENAME_BY_RULE = {"/static/<path:filename>": "css/app.css"}
SKIP_ENDPOINTS = frozenset()  # none: every rule is probed


# An empty form changes little, but these POSTs change the world the others rely on (an
# empty join form joins; an empty edit form keeps every field but clears checkboxes and
# selections), so they come last, in this order, after every GET and every other POST.
LAST = ["/join/", "/code", "/edit", "/erase", "/admin/users/", "/logout"]


def _order(probe: tuple[str, str, dict]) -> tuple[int, int]:
    method, url, _ = probe
    if method == "GET":
        return (0, 0)
    late = [n for n, part in enumerate(LAST, start=1) if part in url]
    return (1, late[0] if late else 0)


def rules_of(app) -> list[tuple[str, str, str]]:
    """(method, rule, url template) for every GET/POST of the URL map."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        values = {}
        for name in rule.arguments:
            if name == "code":
                values[name] = CODE_BY_RULE.get(rule.rule, "{certificate_code}")
            elif name == "filename":
                values[name] = FILENAME_BY_RULE.get(rule.rule, PARAMETERS[name])
            else:
                values[name] = PARAMETERS[name]
        url = rule.rule
        for name, value in values.items():
            url = _replace_argument(url, name, value)
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((method, rule.rule, url))
    return found


def _replace_argument(url: str, name: str, value: str) -> str:
    """Put `value` in place of `<converter:name>` (arguments only in defaults are absent)."""
    return re.sub(r"<(?:[^<>]*:)?" + name + r">", lambda _m: value, url)


@pytest.fixture
def world(make_user, make_cohort, enrol, app):
    from lms.certificates import services as certificates
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

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
    graduate = enrol(make_user(name="Graduate"), a)
    with app.app_context():
        enrolment = db.session.get(Enrolment, graduate)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        certificate = certificates.issue(enrolment, get_catalogue().get("online-safety-basics"))
        db.session.commit()
        certificate_id, certificate_code = certificate.id, certificate.code
        from datetime import datetime

        from lms.attendance.models import ClassSession

        session = ClassSession(
            cohort_id=a,
            starts_at=datetime(2026, 1, 6, 9),
            ends_at=datetime(2026, 1, 6, 11),
            place="Hall",
            secret="s" * 32,
        )
        db.session.add(session)
        db.session.commit()
        session_a = session.id
    ids = {
        "a": a,
        "b": b,
        "code_a": code_a,
        "enrolment_a": enrol(people["trainee"], a),
        "enrolment_b": enrol(people["other_trainee"], b),
        "trainee_id": people["trainee"].id,
        "certificate_id": certificate_id,
        "certificate_code": certificate_code,
        "session_a": session_a,
    }
    return people, ids


@pytest.fixture
def matrix_app(make_app):
    return make_app(PDF_ISOLATED=False, RATELIMIT_ENABLED=False)  # statuses, not limits


def test_every_rule_has_a_declared_expectation(matrix_app):
    declared = set(EXPECTED)
    present = {(method, rule) for method, rule, _ in rules_of(matrix_app)}
    assert sorted(present - declared) == [], "routes with no expected statuses: add them"
    assert sorted(declared - present) == [], "expectations for routes that no longer exist"


def test_every_rule_for_every_role(matrix_app, world, make_user):
    people, ids = world
    clients = {}
    for role in ROLES:
        client = matrix_app.test_client()
        if role != "anonymous":
            sign_in_as(client, people[role])
        clients[role] = (client, csrf_from(client.get("/").get_data(as_text=True)))
    probes = [(m, url, EXPECTED[(m, rule)]) for m, rule, url in rules_of(matrix_app)]
    probes += EXTRA
    probes.sort(key=_order)
    wrong = []
    for method, template, expected in probes:
        url = template.format(**ids)
        for role in ROLES:
            client, token = clients[role]
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token})
            response.close()
            if response.status_code != expected[role]:
                wrong.append(f"{role} {method} {url}: {response.status_code}, not {expected[role]}")
            elif role == "anonymous" and response.status_code == 302 != expected["trainee"]:
                location = response.headers["Location"]  # a page for signed-in people only
                if not location.startswith("/login"):
                    wrong.append(f"anonymous {method} {url}: redirected to {location}")
    assert not wrong, "\n".join(wrong)


def test_denials_are_audited_even_when_answered_404(matrix_app, world):
    people, ids = world
    client = matrix_app.test_client()
    sign_in_as(client, people["other_instructor"])
    assert client.get(f"/teach/cohorts/{ids['a']}/").status_code == 404
    with matrix_app.app_context():
        from lms.audit.models import AuditEntry
        from lms.extensions import db

        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "permission.denied")
        ).one()
        assert entry.actor_id == people["other_instructor"].id
        assert entry.details == {"path": f"/teach/cohorts/{ids['a']}/", "method": "GET"}


def test_missing_and_forbidden_cohorts_look_the_same(matrix_app, world):
    """Body and headers too, not only the status: nothing tells the two apart."""
    people, ids = world
    client = matrix_app.test_client()
    sign_in_as(client, people["other_instructor"])
    forbidden = client.get(f"/teach/cohorts/{ids['a']}/edit")
    missing = client.get("/teach/cohorts/999/edit")
    assert forbidden.status_code == missing.status_code == 404

    def page(response) -> str:  # without the CSRF token, which is signed with a timestamp
        return re.sub(r'value="[^"]{40,}"', "", response.get_data(as_text=True))

    same_path = page(forbidden).replace(f"/cohorts/{ids['a']}/", "/cohorts/999/")
    assert same_path == page(missing)  # (the page links back to its own path)

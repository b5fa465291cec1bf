"""The API's permission matrix: every operation of /api/v1/openapi.json × eight roles × scope.

Generated from the OpenAPI document itself, so a new operation cannot be missed: one with
no row in `EXPECTED` fails the test (and so does a row for an operation that is gone).
For each operation and role: a token with the operation's scope gets the declared status;
a token with every other scope (but not that one, nor `admin`) gets 403
`insufficient_scope`; no token gets 401. The world is the pages' matrix's: cohorts A and
B, each with its instructor, trainee and sponsor organisation, and an admin.
Rows run in the table's order (reads first, then writes), and each write acts on
something of the role's own (a spare enrolment, a certificate), so no probe spoils the
next one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from apihelpers import bearer

from lms.api.tokens import SCOPES

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
PEOPLE = ROLES[1:]


def statuses(*codes: int) -> dict[str, int]:
    """Statuses for the seven token holders (no token is always 401)."""
    return dict(zip(PEOPLE, codes, strict=True))


ANY_TOKEN = statuses(*[200] * 7)
A_LEARNER = statuses(200, 404, 200, 404, 404, 404, 200)  # A's trainee, its managers
A_MANAGER = statuses(404, 404, 200, 404, 404, 404, 200)
A_REPORT = statuses(404, 404, 200, 404, 200, 404, 200)
# A's sponsor sees cohort A (its report) but not its trainees' names: 403, not 404.
A_NAMES = statuses(404, 404, 200, 404, 403, 404, 200)
# Certificate codes are public (anyone may verify one), so refusing to change someone
# else's certificate says 403: the code's existence is no secret.
CERTIFICATE_MANAGER = statuses(403, 403, 200, 403, 403, 403, 200)


@dataclass(frozen=True)
class Expect:
    scope: str  # the token scope the operation needs
    status: dict[str, int]
    body: Callable[[str, dict], dict] | None = None  # (role, world) -> JSON body
    values: dict[str, str] = field(default_factory=dict)  # path parameter -> world key


def _new_cohort(role: str, _world: dict) -> dict:
    return {"name": f"New cohort by {role}", "course_slug": "online-safety-basics",
            "start_date": "2026-03-02", "timezone": "Asia/Karachi"}  # fmt: skip


def _one(role: str, _world: dict) -> dict:
    return {"name": f"Newcomer of {role}", "email": f"new-{role}@test.example"}


def _rows(role: str, _world: dict) -> dict:
    return {"rows": [{"name": f"Bulk of {role}", "email": f"bulk-{role}@test.example"}]}


def _answers(role: str, world: dict) -> dict:
    return {"attempt": world["attempts"].get(role) or "none", "answers": {}}


# (method, OpenAPI path) -> the scope it needs and each token holder's status; in order.
EXPECTED: dict[tuple[str, str], Expect] = {
    ("GET", "/api/v1/courses"): Expect("read", ANY_TOKEN),
    ("GET", "/api/v1/courses/{slug}"): Expect("read", ANY_TOKEN),
    ("GET", "/api/v1/cohorts"): Expect("read", ANY_TOKEN),
    ("GET", "/api/v1/cohorts/{cohort_id}"): Expect("read", statuses(200, 404, 200, 404, 200, 404, 200)),
    ("GET", "/api/v1/cohorts/{cohort_id}/enrolments"): Expect("read", A_MANAGER),
    ("GET", "/api/v1/cohorts/{cohort_id}/progress"): Expect("read", A_NAMES),
    ("GET", "/api/v1/me/progress"): Expect("read", ANY_TOKEN),
    ("GET", "/api/v1/cohorts/{cohort_id}/report"): Expect("report", A_REPORT),
    ("GET", "/api/v1/organisations/{organisation_id}/report"):
        Expect("report", statuses(403, 403, 403, 403, 200, 404, 200)),
    ("GET", "/api/v1/certificates"): Expect("read", ANY_TOKEN),
    ("GET", "/api/v1/certificates/{code}"): Expect("read", ANY_TOKEN),
    ("GET", "/api/v1/cohorts/{cohort_id}/quizzes/{quiz_key}"): Expect("submit", A_LEARNER),
    ("POST", "/api/v1/cohorts/{cohort_id}/quizzes/{quiz_key}"):
        Expect("submit", statuses(201, 404, 422, 404, 404, 404, 422), body=_answers),
    ("GET", "/api/v1/cohorts/{cohort_id}/quizzes/{quiz_key}/attempts"): Expect("read", A_LEARNER),
    ("GET", "/api/v1/cohorts/{cohort_id}/quizzes/{quiz_key}/attempts/{number}"):
        Expect("read", statuses(200, 404, 404, 404, 404, 404, 404)),
    ("POST", "/api/v1/cohorts"):
        Expect("admin", statuses(403, 403, 201, 201, 403, 403, 201), body=_new_cohort),
    ("PATCH", "/api/v1/cohorts/{cohort_id}"):
        Expect("admin", A_MANAGER, body=lambda _role, _world: {"capacity": 500}),
    ("POST", "/api/v1/cohorts/{cohort_id}/enrolments"):
        Expect("enrol", statuses(404, 404, 201, 404, 404, 404, 201), body=_one),
    ("POST", "/api/v1/cohorts/{cohort_id}/enrolments/bulk"):
        Expect("enrol", A_MANAGER, body=_rows),
    ("POST", "/api/v1/cohorts/{cohort_id}/enrolments/{enrolment_id}/withdraw"):
        Expect("enrol", A_MANAGER, values={"enrolment_id": "spare"}),
    ("POST", "/api/v1/certificates/{code}/revoke"):
        Expect("admin", CERTIFICATE_MANAGER, values={"code": "to_revoke"},
               body=lambda role, _world: {"reason": f"Revoked by {role}"}),
    ("POST", "/api/v1/certificates/{code}/reissue"):
        Expect("admin", {**CERTIFICATE_MANAGER, "instructor": 201, "admin": 201},
               values={"code": "to_reissue"},
               body=lambda _role, _world: {"holder_name": "Corrected Name"}),
}  # fmt: skip


def document_operations(client) -> list[tuple[str, str, dict]]:
    """(METHOD, path, operation) for every operation the OpenAPI document describes."""
    document = client.get("/api/v1/openapi.json").json
    return [
        (method.upper(), path, described)
        for path, item in document["paths"].items()
        for method, described in item.items()
    ]


@pytest.fixture
def api_world(make_user, make_cohort, enrol, make_token, app):
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
    a, _ = make_cohort(name="Cohort A", instructor=people["instructor"], org="Org A")
    b, _ = make_cohort(name="Cohort B", instructor=people["other_instructor"], org="Org B")
    enrol(people["trainee"], a)
    enrol(people["other_trainee"], b)

    def certificate() -> str:
        graduate = enrol(make_user(name="Graduate"), a)
        with app.app_context():
            enrolment = db.session.get(Enrolment, graduate)
            enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
            course = get_catalogue().get("online-safety-basics")
            code = certificates.issue(enrolment, course).code
            db.session.commit()
            return code

    per_role = {
        role: {
            "cohort_id": str(a),
            "organisation_id": str(people["sponsor"].organisation_id),
            "slug": "online-safety-basics",
            "quiz_key": "day-1",
            "number": "1",
            "code": certificate() if role == "trainee" else None,
            "spare": str(enrol(make_user(name=f"Spare of {role}"), a)),
            "to_revoke": certificate(),
            "to_reissue": certificate(),
        }
        for role in PEOPLE
    }
    shared_code = per_role["trainee"]["code"]
    for values in per_role.values():
        values["code"] = shared_code
    only = {role: {scope: make_token(people[role], scope, name=f"only {scope}")
                   for scope in SCOPES} for role in PEOPLE}  # fmt: skip
    lacking: dict[tuple[str, tuple[str, ...]], str] = {}

    def without(role: str, scopes: tuple[str, ...]) -> str:
        """A token of every scope but `scopes` (and admin, which grants them all)."""
        if (role, scopes) not in lacking:
            rest = [s for s in SCOPES if s not in (*scopes, "admin")]
            lacking[role, scopes] = make_token(people[role], *rest, name=f"without {scopes}")
        return lacking[role, scopes]

    return {"values": per_role, "only": only, "without": without, "attempts": {}}


@pytest.fixture
def matrix_client(make_app):
    return make_app(RATELIMIT_ENABLED=False, API_TOKEN_RATE_LIMIT=100_000).test_client()


def test_every_operation_has_a_declared_expectation(matrix_client):
    present = {(method, path) for method, path, _ in document_operations(matrix_client)}
    assert sorted(present - set(EXPECTED)) == [], "operations with no expected statuses: add them"
    assert sorted(set(EXPECTED) - present) == [], "expectations for operations that are gone"


def test_declared_scopes_are_the_documents(matrix_client):
    for method, path, described in document_operations(matrix_client):
        assert EXPECTED[(method, path)].scope in described["x-scopes"], (method, path)


def url_of(path: str, values: dict, expect: Expect) -> str:
    """The path with each `{parameter}` filled from the world (through `expect.values`)."""
    return re.sub(r"\{(\w+)\}", lambda m: values[expect.values.get(m[1], m[1])], path)


def test_every_operation_for_every_role_and_scope(matrix_client, api_world):
    client = matrix_client
    scopes = {(m, p): tuple(d["x-scopes"]) for m, p, d in document_operations(client)}
    wrong = []

    def check(role: str, method: str, url: str, headers: dict, body, expected: int, code=None):
        response = client.open(url, method=method, json=body, headers=headers)
        got = response.status_code
        error = (response.json or {}).get("error", {}) if got >= 400 else {}
        if got != expected or (code and error.get("code") != code):
            wrong.append(f"{role} {method} {url}: {got} {error.get('code')}, not {expected} {code}")
        return response

    for (method, path), expect in EXPECTED.items():
        assert (method, path) in scopes
        for role in ROLES:
            if role == "anonymous":
                url = url_of(path, api_world["values"]["admin"], expect)
                body = expect.body("anonymous", api_world) if expect.body else None
                check(role, method, url, {}, body, 401, "unauthorized")
                continue
            url = url_of(path, api_world["values"][role], expect)
            body = expect.body(role, api_world) if expect.body else None
            right = api_world["only"][role][expect.scope]
            without = api_world["without"](role, scopes[method, path])
            check(role, method, url, bearer(without), body, 403, "insufficient_scope")
            response = check(role, method, url, bearer(right), body, expect.status[role])
            if (
                path.endswith("/quizzes/{quiz_key}")
                and method == "GET"
                and response.status_code == 200
            ):
                api_world["attempts"][role] = response.json["attempt"]
    assert not wrong, "\n".join(wrong)

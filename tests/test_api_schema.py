"""Schemathesis against the real server (`lms run` over HTTP) with an instructor's token.

Every operation of /api/v1/openapi.json gets generated requests; each response must not
be a 5xx, and must match the document (status code, content type, headers, body schema).
Path parameters are drawn both from the schema and from the seeded world (the real
cohort, enrolment, course and quiz), so the 200 paths are exercised, not only the 404s.
Bounded: a few examples per operation, derandomised, so a run is quick and repeatable.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import time
import urllib.request

import pytest
import schemathesis
from apihelpers import bearer
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_server import BIN, free_port

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 12  # per operation


@pytest.fixture
def seeded(make_user, make_cohort, enrol, make_token):
    """An instructor teaching cohort A (two trainees, sponsored by an organisation)."""
    instructor = make_user("instructor")
    sponsor = make_user("sponsor", org="Bank")
    cohort_id, _ = make_cohort(instructor, name="Cohort A", org="Bank")
    enrolments = [enrol(make_user("trainee"), cohort_id) for _ in range(2)]
    token = make_token(instructor, "read", "enrol", "submit", "report", "admin", name="fuzz")
    return {
        "token": token,
        "cohort_id": cohort_id,
        "enrolment_id": enrolments[0],
        "organisation_id": sponsor.organisation_id,
        "slug": "online-safety-basics",
        "quiz_key": "day-1",
        "number": 1,
    }


@pytest.fixture
def live(seeded, database_url, tmp_path, courses_dir):
    """`lms run` on a free port, on the seeded database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_INSTANCE_PATH=str(tmp_path / "instance"),
        LMS_COURSES_DIR=str(courses_dir),
        LMS_DATABASE_URL=database_url,
        LMS_SECRET_KEY="schema-test-secret",
        LMS_API_TOKEN_RATE_LIMIT="100000",  # the fuzzing must not meet the per-token limit
    )
    port = free_port()
    process = subprocess.Popen(
        [BIN / "lms", "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback only
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            if time.monotonic() > deadline:
                pytest.fail("the server did not start")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()


def with_real_values(document: dict, values: dict) -> dict:
    """The document with each path parameter held to the seeded world's value (or a
    missing one), so the bodies and queries are fuzzed on the success paths too."""
    document = copy.deepcopy(document)
    for item in document["paths"].values():
        for described in item.values():
            for parameter in described.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in values:
                    real = values[parameter["name"]]
                    missing = 999_999 if isinstance(real, int) else "no-such-thing"
                    parameter["schema"] = {"enum": [real, real, real, missing]}
    return document


def fuzz(operation, base: str, token: str, statuses: list[int]):
    """A bounded Hypothesis test of one operation; it records each answer's status."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def run(case) -> None:
        response = case.call_and_validate(
            base_url=base, headers=bearer(token), checks=CHECKS, timeout=10
        )
        statuses.append(response.status_code)

    return run


def test_every_operation_conforms_to_the_document(live, seeded):
    with urllib.request.urlopen(live + "/api/v1/openapi.json", timeout=10) as response:  # noqa: S310
        document = json.load(response)
    failures: dict[str, str] = {}
    calls: dict[str, list[int]] = {}
    for kind, described in (("any", document), ("seeded", with_real_values(document, seeded))):
        schema = schemathesis.openapi.from_dict(described)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == sum(len(item) for item in document["paths"].values()) > 15
        for operation in operations:
            label = f"{operation.label} ({kind} path values)"
            calls[label] = []
            try:
                fuzz(operation, live, seeded["token"], calls[label])()
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported together
                failures[label] = str(error)[:3000]

    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert all(calls.values()), calls
    # The seeded values reach the success paths: a good share of operations answer 2xx.
    seeded_calls = {label: codes for label, codes in calls.items() if "seeded" in label}
    succeeded = [
        label for label, codes in seeded_calls.items() if any(200 <= c < 300 for c in codes)
    ]
    assert len(succeeded) >= len(seeded_calls) // 2, "\n".join(
        f"{k}: {v}" for k, v in calls.items()
    )

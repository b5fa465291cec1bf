"""xAPI 1.0.3 learning records: when `LMS_XAPI_ENDPOINT` is set, lesson completions
(`experienced`), quiz attempts (`answered`, then `passed`/`failed`; the pre-test gets no
verdict) and course completions (`completed`) become statements, with the cohort as
context, written to the outbox (channel `xapi`) and POSTed to `<endpoint>/statements`
by the queue with retries. Learners are identified by an account on this server (their
id), never by name, e-mail or phone."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid

from flask import current_app

from lms.clock import now
from lms.cohorts.access import enrolment_entity
from lms.outbox.models import OutboxMessage
from lms.outbox.senders import SendFailed, gateway_url_allowed
from lms.outbox.services import queue_message
from lms.progress.events import EnrolmentCompleted, LessonCompleted
from lms.quizzes.events import AttemptRecorded

VERSION = "1.0.3"
VERBS = {
    "experienced": "http://adlnet.gov/expapi/verbs/experienced",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
ACTIVITY_TYPES = {
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "course": "http://adlnet.gov/expapi/activities/course",
}
TIMEOUT = 15


def _enabled() -> bool:
    return bool(current_app.config.get("XAPI_ENDPOINT"))


def _base() -> str:
    config = current_app.config
    return (config.get("PUBLIC_URL") or config.get("BASE_URL") or "").rstrip("/")


def _activity(iri: str, kind: str, name: str) -> dict:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": ACTIVITY_TYPES[kind], "name": {"en-US": name}},
    }


def statement(enrolment, verb: str, activity: dict, result: dict | None = None) -> dict:
    """One xAPI statement about `enrolment`'s learner, in the context of its cohort."""
    base = _base()
    cohort = enrolment_entity(enrolment).cohort  # the hot pages pass a row
    data = {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": base + "/", "name": str(enrolment.user_id)},
        },
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": activity,
        "context": {
            "registration": str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/enrolments/{enrolment.id}")
            ),
            "contextActivities": {
                "grouping": [
                    {
                        "objectType": "Activity",
                        "id": f"{base}/cohorts/{cohort.id}",
                        "definition": {"name": {"en-US": cohort.name}},
                    }
                ],  # fmt: skip
            },
            "platform": current_app.config.get("SITE_NAME", "Literacy LMS"),
        },
        "timestamp": now().isoformat(),
        "version": VERSION,
    }
    if result is not None:
        data["result"] = result
    return data


def _queue(enrolment, statements: list[dict]) -> None:
    queue_message(
        kind="xapi.statement",
        channel="xapi",
        recipient=current_app.config["XAPI_ENDPOINT"][:320],
        subject=statements[0]["verb"]["display"]["en-US"],
        body=json.dumps(statements, ensure_ascii=False),
        user_id=enrolment.user_id,
        cohort_id=enrolment.cohort_id,
    )


def on_lesson_completed(event: LessonCompleted) -> None:
    if not _enabled():
        return
    iri = f"{_base()}/courses/{event.course.slug}/lessons/{event.lesson.slug}"
    activity = _activity(iri, "lesson", event.lesson.title)
    _queue(event.enrolment, [statement(event.enrolment, "experienced", activity)])


def on_attempt_recorded(event: AttemptRecorded) -> None:
    if not _enabled():
        return
    attempt = event.attempt
    quiz = event.course.quiz(attempt.quiz_key)
    iri = f"{_base()}/courses/{event.course.slug}/quizzes/{attempt.quiz_key}"
    activity = _activity(iri, "assessment", quiz.title if quiz else attempt.quiz_key)
    score = {
        "scaled": round(float(attempt.score) / 100, 4),
        "raw": float(attempt.points),
        "min": 0,
        "max": attempt.max_points,
    }
    answered = {"score": score, "completion": True}
    statements = [statement(event.enrolment, "answered", activity, answered)]
    if attempt.quiz_key != "pre-test":
        verdict = "passed" if attempt.passed else "failed"
        result = {"score": score, "success": bool(attempt.passed), "completion": True}
        statements.append(statement(event.enrolment, verdict, activity, result))
    _queue(event.enrolment, statements)


def on_enrolment_completed(event: EnrolmentCompleted) -> None:
    if not _enabled():
        return
    activity = _activity(f"{_base()}/courses/{event.course.slug}", "course", event.course.title())
    result = {"completion": True, "success": True}
    _queue(event.enrolment, [statement(event.enrolment, "completed", activity, result)])


def send_statement(message: OutboxMessage) -> str | None:
    """POST the statements to the LRS (`LMS_XAPI_USERNAME`/`LMS_XAPI_PASSWORD`: Basic)."""
    config = current_app.config
    endpoint = (config.get("XAPI_ENDPOINT") or message.recipient).rstrip("/")
    if not gateway_url_allowed(endpoint):
        raise SendFailed("XAPI_ENDPOINT must be https:// (or http on loopback)")
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": VERSION}
    if config.get("XAPI_USERNAME"):
        pair = f"{config['XAPI_USERNAME']}:{config.get('XAPI_PASSWORD', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        f"{endpoint}/statements", data=message.body.encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            response.read(4096)
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"LRS answered {exc.code}") from None
    except OSError as exc:
        raise SendFailed(f"LRS unreachable: {exc.__class__.__name__}") from None
    return None

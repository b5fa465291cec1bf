"""A certificate as an Open Badges 3.0 `OpenBadgeCredential`, built from the database.

Everything comes from the certificate row (and the course's completion rule), the
issuer's DID and the published keys, and Ed25519 signatures are deterministic: asking
twice gives the same bytes. Nothing is stored; the credential is made on request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app

from lms.certificates.models import Certificate
from lms.courses.catalogue import get_catalogue
from lms.courses.engine.model import Completion, Course
from lms.credentials import dataintegrity, keys, status
from lms.credentials.issuer import did_web, iso, method_id
from lms.credentials.loader import OB_V3, VC_V2
from lms.public import public_url


def credential_url(code: str) -> str:
    return f"{public_url()}/verify/{code}/credential.json"


def narrative(completion: Completion | None) -> str:
    """The course's completion rule in words (the achievement's criteria)."""
    if completion is None:
        return "Completed the course as its completion rule requires."
    parts = []
    if completion.lessons == "all":
        parts.append("complete every required lesson")
    if completion.quizzes == "all":
        parts.append("pass every quiz")
    elif completion.quizzes and completion.quizzes != "none":
        days = ", ".join(str(day) for day in completion.quizzes)
        parts.append(f"pass the quizzes of day(s) {days}")
    if completion.post_test == "required":
        parts.append("take the final check (post-test)")
    if not parts:
        return "Enrol in the course and finish it."
    rule = " and ".join(parts)
    mark = f" (pass mark {completion.pass_mark}%)" if "quiz" in rule else ""
    return f"To earn this certificate a trainee must {rule}{mark}."


def _identity(certificate: Certificate) -> list[dict[str, Any]]:
    """The holder's name, and their e-mail or phone as a salted SHA-256 hash."""
    identities: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": certificate.holder_name,
        }
    ]
    user = certificate.enrolment.user
    contact, kind = (user.email, "emailAddress") if user.email else (user.phone, "phoneNumber")
    if contact:
        salt = hashlib.sha256(f"identity-salt:{certificate.code}".encode()).hexdigest()[:32]
        digest = hashlib.sha256((contact.strip().lower() + salt).encode("utf-8")).hexdigest()
        identities.append(
            {
                "type": "IdentityObject",
                "identityType": kind,
                "hashed": True,
                "identityHash": f"sha256${digest}",
                "salt": salt,
            }
        )
    return identities


def _achievement(certificate: Certificate, course: Course | None, base: str) -> dict[str, Any]:
    language = certificate.language
    description = (course.summary(language) if course else "") or (
        f"Completion of the course {certificate.course_title}."
    )
    achievement: dict[str, Any] = {
        "id": f"{base}/courses/{certificate.course_slug}",
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": certificate.course_title,
        "description": description,
        "criteria": {"narrative": narrative(course.completion if course else None)},
        "inLanguage": language,
    }
    if course and course.certificate.logo:
        name = course.certificate.logo.removeprefix("media/")
        achievement["image"] = {
            "id": f"{base}/courses/{certificate.course_slug}/media/{name}",
            "type": "Image",
        }
    return achievement


def unsigned_credential(certificate: Certificate) -> dict[str, Any]:
    """The credential without its proof."""
    base = public_url()
    did = did_web(base)
    course = get_catalogue().get(certificate.course_slug)
    return {
        "@context": [VC_V2, OB_V3],
        "id": credential_url(certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": did,
            "type": ["Profile"],
            "name": certificate.issuer or current_app.config["SITE_NAME"],
            "url": f"{base}/",
        },
        "validFrom": iso(certificate.issued_at),
        "name": f"{certificate.title}: {certificate.course_title}",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _identity(certificate),
            "achievement": _achievement(certificate, course, base),
        },
        "credentialStatus": status.entry(certificate.id),
    }


def signed_credential(certificate: Certificate) -> dict[str, Any]:
    """The credential, signed with the key that was current when it was issued."""
    key, private = keys.key_for(certificate.issued_at)
    created = iso(max(certificate.issued_at, key.created_at))
    document = unsigned_credential(certificate)
    method = method_id(document["issuer"]["id"], key)
    return dataintegrity.sign(document, private, method, created)

"""What the pages and commands call: a certificate's credential, the DID document, the
status lists, and verifying a credential on this server."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import current_app

from lms.certificates.models import Certificate
from lms.clock import now
from lms.credentials import baking, build, keys, status, verify
from lms.credentials.issuer import did_document, did_web
from lms.extensions import db
from lms.public import public_url


def ready_keys() -> None:
    """Publish the signing key(s) held here, making the first one on first use."""
    if keys.ensure():
        db.session.commit()


def credential(certificate: Certificate) -> dict[str, Any]:
    """The certificate's signed OpenBadgeCredential (the same bytes every time)."""
    ready_keys()
    return build.signed_credential(certificate)


def issuer_document() -> dict[str, Any]:
    ready_keys()
    return did_document(keys.published())


def status_list(number: int) -> dict[str, Any] | None:
    """Status list `number`, or None when there is no such list."""
    if number < 1 or number > status.list_count():
        return None
    ready_keys()
    return status.status_list_credential(number)


def _local_list(url: str) -> dict[str, Any] | None:
    prefix = status.list_url(1)[: -len("1")]
    number = url.removeprefix(prefix)
    if url.startswith(prefix) and number.isdigit():
        return status_list(int(number))
    return None


def check(document: Any, fetch=verify.fetch_did_web) -> verify.Result:
    """Verify any credential: this issuer's offline, did:key offline, did:web via its did.json."""
    issuer = verify._issuer_id(document) if isinstance(document, dict) else None
    own = did_web()
    if issuer == own:
        resolver = verify.did_document_resolver(issuer_document())
    elif isinstance(issuer, str) and issuer.startswith("did:key:"):
        resolver = verify.did_key_resolver
    elif isinstance(issuer, str) and issuer.startswith("did:web:"):
        try:
            resolver = verify.did_document_resolver(fetch(issuer))
        except Exception as error:  # noqa: BLE001 - any failure to resolve is reported
            return verify.Result(issuer=issuer, problems=[f"cannot resolve {issuer}: {error}"])
    else:
        return verify.Result(issuer=issuer, problems=[f"unsupported issuer {issuer!r}"])
    return verify.check(document, resolver, _local_list if issuer == own else _none, now())


def _none(url: str) -> None:
    return None


def credential_text(certificate: Certificate) -> str:
    """The credential as served (UTF-8 JSON, indented)."""
    return json.dumps(credential(certificate), ensure_ascii=False, indent=2)


def baked_badge(certificate: Certificate) -> bytes:
    """A PNG badge with the credential baked in."""
    verify_url = f"{public_url()}/verify/{certificate.code}"
    return baking.badge_png(verify_url, credential_text(certificate))


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's "add a certification" address, pointing at the verify page."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": certificate.issuer or current_app.config["SITE_NAME"],
        "issueYear": str(certificate.issued_at.year),
        "issueMonth": str(certificate.issued_at.month),
        "certUrl": f"{public_url()}/verify/{certificate.code}",
        "certId": certificate.code,
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(query)

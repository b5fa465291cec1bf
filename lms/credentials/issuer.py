"""Who issues the credentials: `did:web` of the public address, and its DID document.

The public address is `LMS_PUBLIC_URL` when set, else the address of the request (or
`BASE_URL` outside one). Behind a proxy set `LMS_PUBLIC_URL`: the DID is part of every
signed credential.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request

from lms.credentials.models import SigningKey

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def public_url() -> str:
    """The site's public address without a trailing slash."""
    config = current_app.config
    url = config.get("PUBLIC_URL") or config.get("LMS_PUBLIC_URL")
    if not url and has_request_context():
        url = request.url_root
    return (url or config["BASE_URL"]).rstrip("/")


def did_web(base: str | None = None) -> str:
    """`did:web:host` (a port is written `%3A`; a path adds `:segment`s)."""
    parts = urlsplit(base or public_url())
    host = quote(parts.netloc.lower(), safe="")
    segments = [quote(s, safe="") for s in parts.path.strip("/").split("/") if s]
    return ":".join(["did:web", host, *segments])


def method_id(did: str, key: SigningKey) -> str:
    return f"{did}#{key.public_key}"


def did_document(keys: list[SigningKey]) -> dict[str, Any]:
    """The DID document listing every published key, current and earlier."""
    did = did_web()
    methods = [
        {
            "id": method_id(did, key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key,
        }
        for key in keys
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }


def iso(moment: datetime) -> str:
    """A naive UTC datetime as an xsd:dateTime to the second (`...Z`)."""
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"

"""Who issues the credentials: `did:web` of the public address, and its DID document.

The public address is `lms.public.public_url()`: `LMS_PUBLIC_URL` when set, else the
address of the request (a command without the setting refuses). Behind a proxy set
`LMS_PUBLIC_URL`: the DID is part of every signed credential.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from lms.credentials.models import SigningKey
from lms.public import public_url

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


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

"""Checking a credential: its proof, its issuer's key, its dates and its revocation bit.

`check()` is pure: the caller says how to find keys and status lists. `check_here()`
wires it for this server: this issuer's keys and lists come from the database (no
network); did:key is decoded; another did:web issuer's `did.json` is fetched over https,
and nothing else ever is (contexts are shipped; other issuers' status lists are not
fetched and are reported as not checked).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.credentials import dataintegrity as di
from lms.credentials import status as status_lists
from lms.credentials.loader import ContextNotShipped, undefined_terms

KeyResolver = Callable[[str], Ed25519PublicKey]
ListLoader = Callable[[str], dict[str, Any] | None]


@dataclass
class Result:
    """What was checked; `valid` only when every check passed."""

    valid: bool = False
    issuer: str | None = None
    signed: bool = False
    revoked: bool | None = None  # None: not checked
    problems: list[str] = field(default_factory=list)


def _issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def check(
    document: Any,
    resolve_key: KeyResolver,
    load_list: ListLoader,
    now: datetime,
) -> Result:
    """Verify `document` (a parsed credential) at `now` (aware)."""
    result = Result()
    if not isinstance(document, dict) or "VerifiableCredential" not in (document.get("type") or []):
        result.problems.append("not a verifiable credential")
        return result
    result.issuer = _issuer_id(document)
    try:
        proof = di.verify(document, resolve_key)
        result.signed = True
        unsigned = undefined_terms(document)
    except (di.ProofError, ContextNotShipped) as error:
        result.problems.append(str(error))
        return result
    if unsigned:
        result.problems.append(
            "properties no context defines, so no signature covers them: " + ", ".join(unsigned)
        )
    if proof["verificationMethod"].partition("#")[0] != result.issuer:
        result.problems.append("the proof's key does not belong to the issuer")
    valid_from = _parse_time(document.get("validFrom"))
    if valid_from is None or valid_from > now:
        result.problems.append("the credential is not valid yet")
    valid_until = _parse_time(document.get("validUntil"))
    if document.get("validUntil") is not None and (valid_until is None or valid_until < now):
        result.problems.append("the credential has expired")
    result.revoked = _revoked(document.get("credentialStatus"), load_list, result)
    if result.revoked:
        result.problems.append("the credential has been revoked")
    result.valid = not result.problems
    return result


def _revoked(status: Any, load_list: ListLoader, result: Result) -> bool | None:
    entries = status if isinstance(status, list) else [status] if status else []
    revoked: bool | None = None
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            continue
        if entry.get("statusPurpose") != "revocation":
            continue
        listed = load_list(str(entry.get("statusListCredential")))
        if listed is None:
            return None
        try:
            bits = status_lists.decode(listed["credentialSubject"]["encodedList"])
            revoked = status_lists.bit(bits, int(entry["statusListIndex"]))
        except (KeyError, ValueError, IndexError, TypeError, OSError):
            result.problems.append("the status list cannot be read")
            return None
    return revoked


def did_key_resolver(method: str) -> Ed25519PublicKey:
    did, _, fragment = method.partition("#")
    if did != f"did:key:{fragment}":
        raise di.ProofError("did:key method must be did:key:<key>#<key>")
    return di.parse_public_multikey(fragment)


def did_document_resolver(document: dict[str, Any]) -> KeyResolver:
    """Keys authorised for assertions in a DID document."""

    def resolve(method: str) -> Ed25519PublicKey:
        if method not in (document.get("assertionMethod") or []):
            raise di.ProofError(f"{method} is not an assertion key of {document.get('id')}")
        for entry in document.get("verificationMethod") or []:
            if entry.get("id") == method and entry.get("type") == "Multikey":
                return di.parse_public_multikey(entry["publicKeyMultibase"])
        raise di.ProofError(f"{method} is not in the issuer's DID document")

    return resolve


def did_web_url(did: str) -> str:
    """Where a did:web's DID document is (always https)."""
    parts = [unquote(part) for part in did.removeprefix("did:web:").split(":")]
    if len(parts) == 1:
        return f"https://{parts[0]}/.well-known/did.json"
    return f"https://{parts[0]}/{'/'.join(parts[1:])}/did.json"


def fetch_did_web(did: str, timeout: float = 10) -> dict[str, Any]:
    """Fetch another issuer's DID document over https (the only network use)."""
    url = did_web_url(did)
    request = urllib.request.Request(url, headers={"Accept": "application/did+json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https only
        return json.loads(response.read(1024 * 1024))

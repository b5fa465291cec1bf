"""Revocation: Bitstring Status List credentials at `/credentials/status/<list>`.

Certificate N has bit (N-1) mod 131072 of list (N-1) div 131072 + 1: fixed by its id, so
nothing is stored. A bit is 1 when the certificate is no longer valid (revoked, or
superseded by a reissue). Each list is 16 KiB before compression (the minimum the
specification asks, for herd privacy), GZIP-compressed and base64url-multibase encoded.
"""

from __future__ import annotations

import base64
import gzip
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.credentials import dataintegrity, keys
from lms.credentials.issuer import did_web, iso, method_id
from lms.credentials.loader import VC_V2
from lms.extensions import db
from lms.public import public_url

LIST_BITS = 16 * 1024 * 8
PURPOSE = "revocation"


def position(certificate_id: int) -> tuple[int, int]:
    """(list number from 1, bit index) of a certificate."""
    return (certificate_id - 1) // LIST_BITS + 1, (certificate_id - 1) % LIST_BITS


def list_url(number: int) -> str:
    return f"{public_url()}/credentials/status/{number}"


def entry(certificate_id: int) -> dict[str, Any]:
    """The credential's `credentialStatus`."""
    number, index = position(certificate_id)
    url = list_url(number)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def encode(bits: bytearray) -> str:
    """GZIP (no timestamp, so reproducible) then multibase base64url without padding."""
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("u"):
        raise ValueError("encodedList is not base64url multibase")
    data = value[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit(bits: bytes, index: int) -> bool:
    """Bit `index`, counting from the most significant bit of the first byte."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_count() -> int:
    """How many lists exist (at least one)."""
    highest = db.session.scalar(select(func.max(Certificate.id))) or 0
    return max(1, position(highest)[0]) if highest else 1


def _invalid(number: int) -> list[tuple[int, datetime | None]]:
    first = (number - 1) * LIST_BITS + 1
    rows = db.session.execute(
        select(Certificate.id, Certificate.revoked_at).where(
            Certificate.id >= first,
            Certificate.id < first + LIST_BITS,
            Certificate.status != "valid",
        )
    )
    return [(row.id, row.revoked_at) for row in rows]


def status_list_credential(number: int) -> dict[str, Any]:
    """The signed status list `number`; valid from its latest change."""
    bits = bytearray(LIST_BITS // 8)
    invalid = _invalid(number)
    for certificate_id, _ in invalid:
        index = position(certificate_id)[1]
        bits[index // 8] |= 0x80 >> (index % 8)
    key, private = keys.key_for(None)
    changes = [moment for _, moment in invalid if moment is not None]
    valid_from = max([key.created_at, *changes])
    url = list_url(number)
    did = did_web()
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(bits),
        },
    }
    return dataintegrity.sign(document, private, method_id(did, key), iso(valid_from))

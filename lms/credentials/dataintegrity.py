"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa).

Both the document (without its proof) and the proof options (with the document's
`@context`) are canonicalised with RDFC-1.0; the signed data is SHA-256(proof options)
followed by SHA-256(document); the signature is Ed25519, written as base58btc multibase.
Keys are Multikey: `z6Mk...` (0xed01 + public key) and `z3u2...` (0x8026 + seed).
Pure: no Flask, no database.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from lms.credentials.loader import canonicalize

CRYPTOSUITE = "eddsa-rdfc-2022"
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


class ProofError(Exception):
    """A proof is missing, malformed, or does not match the document."""


def multibase_b58(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def from_multibase_b58(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("expected a base58btc multibase value (z...)")
    try:
        return base58.b58decode(value[1:])
    except ValueError as error:
        raise ProofError("invalid base58btc value") from error


def public_multikey(key: Ed25519PublicKey) -> str:
    """The public key as Multikey `publicKeyMultibase` (z6Mk...)."""
    return multibase_b58(ED25519_PUB + key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def private_multikey(key: Ed25519PrivateKey) -> str:
    """The private key as Multikey `secretKeyMultibase` (z3u2...)."""
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_b58(ED25519_PRIV + seed)


def parse_public_multikey(value: str) -> Ed25519PublicKey:
    raw = from_multibase_b58(value)
    if len(raw) != 34 or raw[:2] != ED25519_PUB:
        raise ProofError("not an Ed25519 Multikey public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def parse_private_multikey(value: str) -> Ed25519PrivateKey:
    raw = from_multibase_b58(value.strip())
    if len(raw) != 34 or raw[:2] != ED25519_PRIV:
        raise ProofError("not an Ed25519 Multikey private key")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def hash_data(document: dict[str, Any], proof_options: dict[str, Any], loader=None) -> bytes:
    """SHA-256 of the canonical proof options, then of the canonical document (64 bytes)."""
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    options["@context"] = document.get("@context")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof_hash = hashlib.sha256(canonicalize(options, loader).encode("utf-8")).digest()
    doc_hash = hashlib.sha256(canonicalize(unsecured, loader).encode("utf-8")).digest()
    return proof_hash + doc_hash


def sign(
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    loader=None,
) -> dict[str, Any]:
    """A copy of `document` with a DataIntegrityProof (assertionMethod) added."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(hash_data(document, proof, loader))
    signed = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    signed["proof"] = {**proof, "proofValue": multibase_b58(signature)}
    return signed


def verify(
    document: dict[str, Any],
    resolve_key: Callable[[str], Ed25519PublicKey],
    loader=None,
) -> dict[str, Any]:
    """Check the document's single eddsa-rdfc-2022 proof; return the proof or raise ProofError.

    `resolve_key(verification_method)` returns the public key the issuer authorises for
    assertions (it raises ProofError when the method is unknown).
    """
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no single proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"unsupported proof (expected DataIntegrityProof {CRYPTOSUITE})")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        raise ProofError("the proof names no verification method")
    signature = from_multibase_b58(proof.get("proofValue", ""))
    public_key = resolve_key(method)
    try:
        public_key.verify(signature, hash_data(document, proof, loader))
    except InvalidSignature:
        raise ProofError("the signature does not match the document") from None
    return proof

"""eddsa-rdfc-2022 reproduced byte for byte against the W3C vc-di-eddsa published vectors.

Source: tests/data/vc-di-eddsa/SOURCE.md (w3c/vc-di-eddsa, TestVectors/eddsa-rdfc-2022).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lms.credentials import dataintegrity as di
from lms.credentials.loader import ContextNotShipped, canonicalize, shipped_loader

DATA = Path(__file__).parent / "data" / "vc-di-eddsa"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def _json(name: str):
    return json.loads((DATA / name).read_text())


def _text(name: str) -> str:
    return (DATA / name).read_text()


@pytest.fixture
def loader():
    """Shipped contexts plus the examples context the vector uses (test data only)."""
    return shipped_loader({EXAMPLES_V2: _json("credentials-examples-v2.jsonld")})


def test_canonical_document_and_proof_options_match(loader):
    document = _json("unsigned.json")
    options = _json("proofConfigDataInt.json")
    assert canonicalize(document, loader) == _text("canonDocDataInt.txt")
    assert canonicalize(options, loader) == _text("proofCanonDataInt.txt")
    doc_hash = hashlib.sha256(_text("canonDocDataInt.txt").encode()).hexdigest()
    assert doc_hash == _text("docHashDataInt.txt").strip()


def test_hash_data_and_signature_match(loader):
    document = _json("unsigned.json")
    options = _json("proofConfigDataInt.json")
    combined = di.hash_data(document, options, loader)
    assert combined.hex() == _text("combinedHashDataInt.txt").strip()
    assert combined[:32].hex() == _text("proofHashDataInt.txt").strip()
    pair = _json("keyPair.json")
    key = di.parse_private_multikey(pair["privateKeyMultibase"])
    assert di.public_multikey(key.public_key()) == pair["publicKeyMultibase"]
    assert di.private_multikey(key) == pair["privateKeyMultibase"]
    signature = key.sign(combined)
    assert signature.hex() == _text("sigHexDataInt.txt").strip()
    assert di.multibase_b58(signature) == _text("sigBTC58DataInt.txt").strip()


def test_sign_reproduces_the_published_signed_credential(loader):
    pair = _json("keyPair.json")
    key = di.parse_private_multikey(pair["privateKeyMultibase"])
    options = _json("proofConfigDataInt.json")
    signed = di.sign(
        _json("unsigned.json"), key, options["verificationMethod"], options["created"], loader
    )
    assert signed == _json("signedDataInt.json")


def _did_key_resolver(method: str):
    did, _, fragment = method.partition("#")
    assert did == f"did:key:{fragment}"
    return di.parse_public_multikey(fragment)


def test_the_published_signed_credential_verifies_and_tampering_fails(loader):
    signed = _json("signedDataInt.json")
    assert di.verify(signed, _did_key_resolver, loader)["cryptosuite"] == "eddsa-rdfc-2022"
    signed["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(di.ProofError, match="signature"):
        di.verify(signed, _did_key_resolver, loader)


def test_an_unshipped_context_is_refused_not_fetched():
    """Without the test-only examples context the vector cannot be canonicalised."""
    with pytest.raises(ContextNotShipped, match="examples/v2"):
        canonicalize(_json("unsigned.json"))


# -- 1EdTech's Open Badges 3.0 linked-data-proof vector (tests/data/ob-v3p0/SOURCE.md) -----

OB = Path(__file__).parent / "data" / "ob-v3p0"


def test_open_badges_vector_reproduced_byte_for_byte():
    """Shipped contexts only: the OB 3.0.3 context is the one this project ships."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    vector = json.loads((OB / "vector.json").read_text())
    signed = json.loads((OB / "signed.json").read_text())
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    assert canonicalize(unsigned) == (OB / "document-canon.txt").read_text()
    assert canonicalize({**options, "@context": signed["@context"]}) == (
        (OB / "proof-canon.txt").read_text()
    )
    combined = di.hash_data(unsigned, options)
    assert combined[32:].hex() == vector["documentHashHex"]
    assert combined[:32].hex() == vector["proofHashHex"]
    assert combined.hex() == vector["dataToSignHex"]
    seed = bytes.fromhex(vector["privateKeyHex"])[:32]  # the 64-byte form is seed + public
    key = Ed25519PrivateKey.from_private_bytes(seed)
    assert di.public_multikey(key.public_key()) == vector["publicKeyMultibase"]
    assert key.sign(combined).hex() == vector["signatureHex"]
    resigned = di.sign(unsigned, key, options["verificationMethod"], options["created"])
    assert resigned["proof"]["proofValue"] == vector["proofValue"]
    assert resigned == signed
    public = di.parse_public_multikey(vector["publicKeyMultibase"])
    assert di.verify(signed, lambda method: public)["proofValue"] == vector["proofValue"]

"""Open Badges 3.0 credentials: issued, signed, verified, revoked, rotated; never fetched.

Every test runs with a network canary: pyld's default document loader and every socket
connection raise, so a context or document fetched from anywhere fails the test.
"""

from __future__ import annotations

import copy
import json
import socket
import stat

import pytest

PUBLIC = "https://lms.example.org"
DID = "did:web:lms.example.org"


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def network_canary(monkeypatch):
    from pyld import jsonld

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network used: {args!r}")

    monkeypatch.setattr(jsonld, "_default_document_loader", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def app(make_app):
    return make_app(PUBLIC_URL=PUBLIC, RATELIMIT_ENABLED=False)


@pytest.fixture
def certificate(app, make_user, make_cohort, enrol):
    """Issue a certificate to a completed trainee: returns (id, code, instructor)."""

    def make(name="Ayesha Khan", email="ayesha@example.org"):
        from lms.certificates import services
        from lms.clock import utcnow_naive
        from lms.cohorts.models import Enrolment
        from lms.courses.catalogue import get_catalogue
        from lms.extensions import db

        instructor = make_user("instructor")
        cohort_id = make_cohort(instructor=instructor, org="Demo Bank")[0]
        enrolment_id = enrol(make_user(name=name, email=email), cohort_id)
        with app.app_context():
            enrolment = db.session.get(Enrolment, enrolment_id)
            enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
            course = get_catalogue().get(enrolment.cohort.course_slug)
            issued = services.issue(enrolment, course)
            db.session.commit()
            return issued.id, issued.code, instructor

    return make


def fetch_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json(force=True) if status == 200 else None


def check(app, document):
    from lms.credentials import services

    with app.app_context():
        return services.check(document)


def test_credential_is_an_open_badge_signed_and_verifies(app, client, certificate):
    _, code, _ = certificate()
    credential = fetch_json(client, f"/verify/{code}/credential.json")
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{PUBLIC}/verify/{code}/credential.json"
    assert credential["issuer"]["id"] == DID and credential["issuer"]["type"] == ["Profile"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["name"] == "Online Safety Basics"
    assert "pass" in subject["achievement"]["criteria"]["narrative"]
    name, contact = subject["identifier"]
    assert name["identityHash"] == "Ayesha Khan" and name["hashed"] is False
    assert contact["identityType"] == "emailAddress" and contact["hashed"] is True
    assert "ayesha@example.org" not in json.dumps(credential)
    import hashlib

    expected = hashlib.sha256(("ayesha@example.org" + contact["salt"]).encode()).hexdigest()
    assert contact["identityHash"] == f"sha256${expected}"
    proof = credential["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022" and proof["type"] == "DataIntegrityProof"
    assert proof["verificationMethod"].startswith(f"{DID}#z6Mk")
    result = check(app, credential)
    assert result.valid and result.signed and result.revoked is False, result.problems
    # Reproducible: asked again, the same bytes.
    assert client.get(f"/verify/{code}/credential.json").data == (
        client.get(f"/verify/{code}/credential.json").data
    )


def test_every_field_is_defined_so_signed_and_an_undefined_addition_is_refused(
    app, client, certificate
):
    """pyld silently drops undefined terms; none of ours may be (they would be unsigned)."""
    from lms.credentials.loader import undefined_terms

    _, code, _ = certificate()
    credential = fetch_json(client, f"/verify/{code}/credential.json")
    assert undefined_terms(credential) == []
    padded = copy.deepcopy(credential)
    padded["credentialSubject"]["achievement"]["grade"] = "A+"  # no context defines it
    result = check(app, padded)
    assert result.signed and not result.valid  # the signature alone would not catch it
    assert "credentialSubject.achievement.grade" in result.problems[0]


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["credentialSubject"]["achievement"].update(name="Advanced Banking"),
        lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="Someone Else"),
        lambda c: c["issuer"].update(name="Another Issuer"),
        lambda c: c.update(validFrom="2020-01-01T00:00:00Z"),
        lambda c: c["credentialStatus"].update(statusListIndex="99"),
        lambda c: c["proof"].update(created="2020-01-01T00:00:00Z"),
        lambda c: c.update(description="an added claim"),
    ],
    ids=["achievement", "holder", "issuer", "validFrom", "status", "proof", "added"],
)
def test_any_change_to_a_signed_field_fails(app, client, certificate, change):
    _, code, _ = certificate()
    credential = fetch_json(client, f"/verify/{code}/credential.json")
    assert check(app, credential).valid
    tampered = copy.deepcopy(credential)
    change(tampered)
    result = check(app, tampered)
    assert not result.valid and not result.signed
    assert "signature does not match" in " ".join(result.problems)


def test_revoking_flips_the_bit_and_the_credential_no_longer_verifies(app, client, certificate):
    from lms.certificates import services
    from lms.certificates.models import Certificate
    from lms.credentials import status
    from lms.extensions import db

    certificate_id, code, instructor = certificate()
    other_id, other_code, _ = certificate(name="Budi Santoso", email="budi@example.org")
    credential = fetch_json(client, f"/verify/{code}/credential.json")
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"{PUBLIC}/credentials/status/1"
    index = int(entry["statusListIndex"])
    assert index == certificate_id - 1

    def bits():
        listed = fetch_json(client, "/credentials/status/1")
        assert check(app, listed).valid  # the list is signed the same way
        assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        decoded = status.decode(listed["credentialSubject"]["encodedList"])
        assert len(decoded) == 16 * 1024
        return decoded

    assert not status.bit(bits(), index) and not status.bit(bits(), other_id - 1)
    with app.app_context():
        from lms.auth.models import User

        actor = db.session.get(User, instructor.id)
        services.revoke(actor, db.session.get(Certificate, certificate_id), "Completed in error")
        db.session.commit()
    assert status.bit(bits(), index) and not status.bit(bits(), other_id - 1)
    result = check(app, credential)
    assert result.signed and result.revoked is True and not result.valid
    assert check(app, fetch_json(client, f"/verify/{other_code}/credential.json")).valid
    # The revoked certificate's credential is still served (its status says revoked).
    assert fetch_json(client, f"/verify/{code}/credential.json") == credential


def test_after_rotation_old_credentials_verify_and_new_ones_use_the_new_key(
    app, client, certificate
):
    _, old_code, _ = certificate()
    old = fetch_json(client, f"/verify/{old_code}/credential.json")
    old_key = old["proof"]["verificationMethod"]
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    _, new_code, _ = certificate(name="Budi Santoso", email="budi@example.org")
    new = fetch_json(client, f"/verify/{new_code}/credential.json")
    new_key = new["proof"]["verificationMethod"]
    assert new_key != old_key
    did = fetch_json(client, "/.well-known/did.json")
    assert did["id"] == DID
    assert [m["id"] for m in did["verificationMethod"]] == [old_key, new_key]
    assert did["assertionMethod"] == [old_key, new_key]
    assert check(app, old).valid and check(app, new).valid
    assert fetch_json(client, f"/verify/{old_code}/credential.json") == old  # same key as before
    with app.app_context():
        from sqlalchemy import select

        from lms.audit.models import AuditEntry
        from lms.extensions import db

        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "keys.rotate" in actions


def test_private_keys_stay_in_the_instance_folder_never_in_the_database(
    app, client, certificate, database_url
):
    from lms.credentials import dataintegrity, keys

    _, code, _ = certificate()
    fetch_json(client, f"/verify/{code}/credential.json")
    with app.app_context():
        held = keys.private_keys()
        folder = keys.keys_dir()
    assert len(held) == 1
    (path,) = folder.glob("*.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    private = dataintegrity.private_multikey(next(iter(held.values())))
    assert path.read_text().strip() == private
    if database_url.startswith("sqlite:///"):
        from pathlib import Path

        database = Path(database_url.removeprefix("sqlite:///"))
        wal = database.with_name(database.name + "-wal")
        dump = database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert private.encode() not in dump
        assert next(iter(held)).encode() in dump  # the public key is published there


def test_signing_key_from_the_environment_and_rotation_beside_it(make_app, client):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lms.credentials import dataintegrity, keys

    env_key = Ed25519PrivateKey.generate()
    app = make_app(PUBLIC_URL=PUBLIC, SIGNING_KEY=dataintegrity.private_multikey(env_key))
    env_public = dataintegrity.public_multikey(env_key.public_key())
    client = app.test_client()
    did = client.get("/.well-known/did.json").get_json(force=True)
    assert [m["publicKeyMultibase"] for m in did["verificationMethod"]] == [env_public]
    assert app.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
    did = client.get("/.well-known/did.json").get_json(force=True)
    assert len(did["verificationMethod"]) == 2
    assert did["verificationMethod"][0]["publicKeyMultibase"] == env_public
    with app.app_context():
        assert keys.key_for(None)[0].public_key != env_public


def test_keys_export_and_import_move_them_encrypted(app, client, certificate, tmp_path):
    from lms.credentials import keys

    _, code, _ = certificate()
    credential = fetch_json(client, f"/verify/{code}/credential.json")
    runner = app.test_cli_runner()
    out = tmp_path / "keys.json"
    env = {"LMS_KEYS_PASSPHRASE": "correct horse battery"}
    result = runner.invoke(args=["keys", "export", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    with app.app_context():
        (path,) = keys.keys_dir().glob("*.key")
    assert path.read_text().strip() not in out.read_text()
    path.unlink()  # a new server: the database but not the instance folder
    assert client.get(f"/verify/{code}/credential.json").status_code == 503
    wrong = runner.invoke(args=["keys", "import", str(out)], env={"LMS_KEYS_PASSPHRASE": "nope"})
    assert wrong.exit_code == 1 and "Wrong passphrase" in wrong.output
    assert runner.invoke(args=["keys", "import", str(out)], env=env).exit_code == 0
    assert fetch_json(client, f"/verify/{code}/credential.json") == credential


def test_cli_verifies_a_credential_file(app, client, certificate, tmp_path):
    _, code, _ = certificate()
    path = tmp_path / "credential.json"
    path.write_bytes(client.get(f"/verify/{code}/credential.json").data)
    runner = app.test_cli_runner()
    for command in (["credentials", "verify"], ["certificates", "verify"]):
        result = runner.invoke(args=[*command, str(path)])
        assert result.exit_code == 0, result.output
        assert "signature: valid" in result.output and "VALID" in result.output
    tampered = json.loads(path.read_text())
    tampered["name"] = "Something else"
    path.write_text(json.dumps(tampered))
    result = runner.invoke(args=["credentials", "verify", str(path)])
    assert result.exit_code == 1 and "NOT VALID" in result.output


def test_other_issuers_did_key_and_did_web(app):
    """did:key needs nothing; did:web resolves through the given fetcher (https in real use)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from lms.credentials import dataintegrity, services, verify

    key = Ed25519PrivateKey.generate()
    public = dataintegrity.public_multikey(key.public_key())
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": f"did:key:{public}",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:holder", "name": "A Holder"},
    }
    signed = dataintegrity.sign(unsigned, key, f"did:key:{public}#{public}", "2024-01-01T00:00:00Z")
    with app.app_context():
        assert services.check(signed).valid
        web = {**unsigned, "issuer": "did:web:other.example"}
        signed_web = dataintegrity.sign(web, key, f"did:web:other.example#{public}", "2024-01-01")
        document = {
            "id": "did:web:other.example",
            "verificationMethod": [
                {
                    "id": f"did:web:other.example#{public}",
                    "type": "Multikey",
                    "publicKeyMultibase": public,
                }
            ],
            "assertionMethod": [f"did:web:other.example#{public}"],
        }
        asked = []
        result = services.check(signed_web, fetch=lambda did: asked.append(did) or document)
        assert result.valid and result.revoked is None and asked == ["did:web:other.example"]
        document["assertionMethod"] = []
        assert not services.check(signed_web, fetch=lambda did: document).valid
    assert verify.did_web_url("did:web:example.com%3A8443:org:lms") == (
        "https://example.com:8443/org/lms/did.json"
    )


def test_unshipped_contexts_are_reported_not_fetched(app):
    from lms.credentials import services

    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx.json"],
        "type": ["VerifiableCredential"],
        "issuer": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "assertionMethod",
            "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
            "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "proofValue": "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9isea",
        },
    }
    with app.app_context():
        result = services.check(document)
    assert not result.valid and "not shipped" in result.problems[0]


def test_http_endpoints(app, client, certificate):
    _, code, _ = certificate()
    response = client.get(f"/verify/{code}/credential.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did.mimetype == "application/did+json"
    assert client.get("/credentials/status/1").status_code == 200
    assert client.get("/credentials/status/2").status_code == 404
    assert client.get("/credentials/status/0").status_code == 404
    assert client.get("/verify/AAAA-BBBB-CCCC/credential.json").status_code == 404
    assert client.get("/verify/not-a-code/credential.json").status_code == 404


def test_issuer_falls_back_to_the_request_address(make_app, make_user):
    app = make_app()
    did = app.test_client().get("/.well-known/did.json", base_url="https://school.example:8443")
    assert did.get_json(force=True)["id"] == "did:web:school.example%3A8443"


def test_baked_badge_carries_the_credential(app, client, certificate):
    import io

    from PIL import Image

    from lms.credentials import baking

    _, code, _ = certificate()
    response = client.get(f"/verify/{code}/badge.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "attachment" in response.headers["Content-Disposition"]
    image = Image.open(io.BytesIO(response.data))
    image.load()  # a well-formed PNG (every chunk CRC checked)
    assert image.format == "PNG" and image.width > 100
    baked = json.loads(baking.extract(response.data))
    assert baked == fetch_json(client, f"/verify/{code}/credential.json")
    assert check(app, baked).valid
    rebaked = baking.bake(response.data, "{}")  # baking again replaces, never duplicates
    assert rebaked.count(b"openbadgecredential") == 1 and baking.extract(rebaked) == "{}"


def test_verify_page_checks_the_credential_itself_and_the_holder_gets_links(
    app, client, certificate
):
    from conftest import sign_in_as

    from lms.auth.models import User
    from lms.certificates import services
    from lms.certificates.models import Certificate
    from lms.extensions import db

    certificate_id, code, instructor = certificate()
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "checked the credential's signature and its revocation status" in page
    assert f"/verify/{code}/credential.json?download=1" in page
    with app.app_context():
        cert = db.session.get(Certificate, certificate_id)
        services.revoke(db.session.get(User, instructor.id), cert, "Completed in error")
        db.session.commit()
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "marks it as no longer valid" in page
    # The holder's links (a fresh certificate, as the revoked one is gone from the home page).
    other_id, other_code, _ = certificate(name="Budi Santoso", email="budi@example.org")
    with app.app_context():
        other = db.session.get(Certificate, other_id)
        holder, cohort_id = other.enrolment.user, other.enrolment.cohort_id
    sign_in_as(client, holder)
    home = client.get(f"/cohorts/{cohort_id}/").get_data(as_text=True)
    assert f"/verify/{other_code}/badge.png" in home
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in home
    assert f"certUrl=https%3A%2F%2Flms.example.org%2Fverify%2F{other_code}" in home


def test_backup_says_where_the_signing_keys_are(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "signing-keys" in result.output and "lms keys export" in result.output


def test_reissue_gives_a_new_credential_and_flips_the_old_bit(app, client, certificate):
    from lms.auth.models import User
    from lms.certificates import services
    from lms.certificates.models import Certificate
    from lms.extensions import db

    certificate_id, code, instructor = certificate()
    old = fetch_json(client, f"/verify/{code}/credential.json")
    with app.app_context():
        new = services.reissue(
            db.session.get(User, instructor.id),
            db.session.get(Certificate, certificate_id),
            "Ayesha K. Khan",
        )
        db.session.commit()
        new_code = new.code
    fresh = fetch_json(client, f"/verify/{new_code}/credential.json")
    assert fresh["id"] != old["id"]
    assert fresh["credentialSubject"]["identifier"][0]["identityHash"] == "Ayesha K. Khan"
    assert check(app, fresh).valid
    result = check(app, old)
    assert result.signed and result.revoked is True and not result.valid

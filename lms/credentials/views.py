"""Public JSON: a certificate's credential, the issuer's DID document, the status lists."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, request

from lms.certificates import services as certificates
from lms.credentials import services
from lms.credentials.keys import KeyUnavailable
from lms.web.ratelimit import hit

bp = Blueprint("credentials", __name__)
VERIFY_LIMIT, VERIFY_WINDOW = 30, 60


def _json(body: dict, media_type: str = "application/json", max_age: int = 300) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False, indent=2), mimetype=media_type, status=200
    )
    response.headers["Access-Control-Allow-Origin"] = "*"  # wallets and verifiers in browsers
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.errorhandler(KeyUnavailable)
def _no_key(error: KeyUnavailable):
    return Response(str(error), status=503, mimetype="text/plain")


@bp.get("/verify/<code>/credential.json")
def credential(code: str):
    hit(f"verify:{request.remote_addr}", VERIFY_LIMIT, VERIFY_WINDOW)
    result = certificates.verify(code[:64])
    if result.certificate is None:
        abort(404)
    return _json(services.credential(result.certificate), max_age=60)


@bp.get("/.well-known/did.json")
def did_document():
    return _json(services.issuer_document(), "application/did+json")


@bp.get("/credentials/status/<int:number>")
def status_list(number: int):
    document = services.status_list(number)
    if document is None:
        abort(404)
    return _json(document, max_age=60)

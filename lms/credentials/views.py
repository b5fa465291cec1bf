"""Public JSON: a certificate's credential, the issuer's DID document, the status lists."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, request

from lms.certificates import services as certificates
from lms.credentials import services
from lms.credentials.keys import KeyUnavailable
from lms.web.limits import throttle

bp = Blueprint("credentials", __name__)


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
    throttle("verify")
    result = certificates.verify(code[:64])
    if result.certificate is None:
        abort(404)
    response = _json(services.credential(result.certificate), max_age=60)
    if request.args.get("download"):
        name = f"credential-{result.code}.json"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/.well-known/did.json")
def did_document():
    return _json(services.issuer_document(), "application/did+json")


@bp.get("/credentials/status/<int:number>")
def status_list(number: int):
    document = services.status_list(number)
    if document is None:
        abort(404)
    return _json(document, max_age=60)


@bp.get("/verify/<code>/badge.png")
def badge(code: str):
    """The badge image with the credential baked in (Open Badges PNG baking)."""
    throttle("verify")
    result = certificates.verify(code[:64])
    if result.certificate is None:
        abort(404)
    data = services.baked_badge(result.certificate)
    response = Response(data, mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="badge-{result.code}.png"'
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.app_template_global()
def credential_check(certificate):
    """For the verify page: the certificate's own credential, checked here."""
    try:
        return services.check(services.credential(certificate))
    except Exception:  # noqa: BLE001 - the page must still show the certificate's facts
        current_app.logger.exception("credential check failed for certificate %s", certificate.id)
        return None


@bp.app_template_global()
def linkedin_url(certificate) -> str:
    return services.linkedin_url(certificate)

"""Operations of `/api/v1` and the OpenAPI 3.1 document built from their typed schemas.

Each operation is declared once with `operation(...)`: its rule, scopes and pydantic
models. That one declaration registers the Flask view (which authenticates, parses and
validates, calls the thin view, serialises, adds the ETag) and describes it in the
document, so the document cannot miss an operation or disagree with its validation.
Pydantic's JSON Schema (draft 2020-12) is OpenAPI 3.1's own schema dialect.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from lms.api.http import authenticate, conditional, json_body
from lms.api.schemas import Error

PREFIX = "/api/v1"
ERRORS = {
    "400": "The request is malformed",
    "401": "No valid token (missing, unknown, expired or revoked)",
    "403": "The token lacks the scope, or its owner may not do this",
    "404": "Not found, or not visible to this token's owner",
    "422": "The input breaks a rule; the message says which",
    "429": "Too many requests for this token; see Retry-After",
}


@dataclass(frozen=True)
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    scopes: tuple[str, ...]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    public: bool
    description: str


OPERATIONS: list[Operation] = []


def operation(
    bp: Blueprint,
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    response: type[BaseModel] | None,
    scopes: tuple[str, ...] = ("read",),
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    status: int = 200,
    public: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn(actor, **path, body=..., query=...)` as an API operation.

    `fn` returns a model (sent with `status`), or `(model, status)`, or a Response."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS.append(
            Operation(
                PREFIX + rule,
                method,
                f"{bp.name}.{fn.__name__}",
                summary,
                tag,
                scopes,
                body,
                query,
                response,
                status,
                public,
                (fn.__doc__ or "").strip(),
            )  # fmt: skip
        )

        @wraps(fn)
        def view(**path: Any) -> Response:
            actor = None if public else authenticate(scopes)
            extra: dict[str, Any] = {}
            if query is not None:
                extra["query"] = query.model_validate(request.args.to_dict())
            if body is not None:
                extra["body"] = body.model_validate(json_body())
            result = fn(actor, **path, **extra) if not public else fn(**path, **extra)
            if isinstance(result, Response):
                return conditional(result)
            code = status
            if isinstance(result, tuple):
                result, code = result
            response_ = jsonify(result.model_dump(mode="json"))
            response_.status_code = code
            return conditional(response_)

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return fn

    return decorate


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_path(rule: str) -> str:
    """`/api/v1/cohorts/<int:cohort_id>` → `/api/v1/cohorts/{cohort_id}`."""
    return PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _path_parameters(rule: str) -> list[dict]:
    parameters = []
    for converter, name in PARAM.findall(rule):
        schema = (
            {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
            if converter == "int"
            else {"type": "string", "pattern": "^[^/]+$"}
        )
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(model: type[BaseModel], defs: dict) -> list[dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(op: Operation, names: dict, defs: dict) -> dict:
    content = "application/json"
    described: dict[str, Any] = {
        "operationId": op.endpoint.split(".", 1)[1],
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _path_parameters(op.rule),
        "responses": {},
    }
    if op.description:
        described["description"] = op.description
    if op.query is not None:
        described["parameters"] += _query_parameters(op.query, defs)
    if op.body is not None:
        body_ref = {"$ref": names[(op.body, "validation")]["$ref"]}
        described["requestBody"] = {"required": True, "content": {content: {"schema": body_ref}}}
    ok: dict[str, Any] = {"description": "OK"}
    if op.response is not None:
        ok["content"] = {content: {"schema": names[(op.response, "serialization")]}}
    if op.method == "GET":
        ok["headers"] = {"ETag": {"schema": {"type": "string"}, "required": True}}
        described["parameters"].append(
            {"name": "If-None-Match", "in": "header", "required": False,
             "schema": {"type": "string"}}
        )  # fmt: skip
        described["responses"]["304"] = {"description": "Not modified (the ETag matched)"}
    described["responses"][str(op.status)] = ok
    if op.status == 201:  # the same request again finds what the first one made
        described["responses"]["200"] = ok
    error = {content: {"schema": names[(Error, "serialization")]}}
    for code, text in ERRORS.items():
        if op.public and code in ("401", "403", "429"):
            continue
        described["responses"][code] = {"description": text, "content": error}
    if not op.public:
        scopes = " or ".join(op.scopes) or "any"
        described["security"] = [{"bearer": []}]
        described["x-scopes"] = list(op.scopes)
        described["summary"] = f"{op.summary} (scope: {scopes})"
    else:
        described["security"] = []
    return described


def build_document(info: dict[str, str]) -> dict:
    """The OpenAPI 3.1 document of every registered operation."""
    pairs: list[tuple[type[BaseModel], str]] = [(Error, "serialization")]
    for op in OPERATIONS:
        if op.response is not None:
            pairs.append((op.response, "serialization"))
        if op.body is not None:
            pairs.append((op.body, "validation"))
    pairs = list(dict.fromkeys(pairs))
    names, schema = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    defs = dict(schema.get("$defs", {}))
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path = paths.setdefault(openapi_path(op.rule), {})
        path[op.method.lower()] = _operation(op, names, defs)
    return {
        "openapi": "3.1.0",
        "info": info,
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `lms tokens create` or /account/tokens",
                }
            },
        },
    }

"""The JSON-LD document loader: only the contexts shipped in `contexts/`, never the network.

Signing and verifying must not depend on a remote server (nor leak who is verifying what),
so any URL not shipped raises `ContextNotShipped`. Pure: no Flask, no database. pyld is
imported when a credential is signed or checked, not when the app starts.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

SHIPPED = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-context-3.0.3.json",
}


class ContextNotShipped(Exception):
    """A document names a JSON-LD context this project does not ship."""


@cache
def _read(name: str) -> dict[str, Any]:
    return json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))


def shipped_loader(extra: dict[str, dict] | None = None):
    """A pyld document loader serving the shipped contexts (plus `extra`, for tests)."""
    documents = dict(extra or {})

    def load(url: str, options: dict | None = None) -> dict[str, Any]:
        if url in documents:
            document = documents[url]
        elif url in SHIPPED:
            document = _read(SHIPPED[url])
        else:
            raise ContextNotShipped(f"JSON-LD context not shipped with this project: {url}")
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def canonicalize(document: dict[str, Any], loader=None) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, pyld's URDNA2015) as N-Quads."""
    from pyld import jsonld

    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": loader or shipped_loader(),
            },
        )
    except jsonld.JsonLdError as error:
        cause = _root_cause(error)
        if isinstance(cause, ContextNotShipped):
            raise cause from error
        raise


def _root_cause(error: BaseException) -> BaseException:
    seen = error
    while True:
        nested = getattr(seen, "cause", None) or seen.__cause__ or seen.__context__
        if nested is None or nested is seen:
            return seen
        seen = nested


def undefined_terms(document: dict[str, Any], loader=None) -> list[str]:
    """Paths of properties that JSON-LD would silently drop (so no signature covers them).

    Expands the document and compacts it back with its own context: any key that does not
    come back is not defined by the contexts. (pyld has no "safe mode"; this is one.)
    """
    from pyld import jsonld

    options = {"documentLoader": loader or shipped_loader()}
    context = {"@context": document.get("@context")}
    try:
        back = jsonld.compact(jsonld.expand(document, options), context, options)
    except jsonld.JsonLdError as error:
        cause = _root_cause(error)
        if isinstance(cause, ContextNotShipped):
            raise cause from error
        raise
    missing: list[str] = []
    _compare(document, back, "", missing)
    return missing


ALIASES = {"@id": "id", "@type": "type"}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _compare(original: Any, back: Any, path: str, missing: list[str]) -> None:
    if isinstance(original, list):
        backs = _items(back)
        for index, item in enumerate(original):
            _compare(
                item, backs[index] if index < len(backs) else None, f"{path}[{index}]", missing
            )
        return
    if not isinstance(original, dict):
        return
    back = back if isinstance(back, dict) else {}
    for key, value in original.items():
        if key == "@context":
            continue
        name = ALIASES.get(key, key)
        if name not in back:
            missing.append(f"{path}.{key}" if path else key)
        else:
            _compare(value, back[name], f"{path}.{key}" if path else key, missing)

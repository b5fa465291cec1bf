"""Static files as a phone on 3G wants them: the best encoding the browser accepts.

Compressible files are answered with their pre-compressed `.br` or `.gz` (written by
`lms assets compress`), or, when those are missing or stale, compressed once into an
in-process cache; with `Content-Encoding`, `Vary: Accept-Encoding`, the original
`Content-Type` and an ETag per encoding. A fingerprinted URL (`?v=<hash>`) is cached for a
year as immutable, so a warm page never asks for it again; anything else is revalidated.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Response, request, send_file
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from lms.web.precompress import ENCODINGS, compressible, encode, fresh_variant

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "no-cache"

mimetypes.add_type("application/manifest+json", ".webmanifest")


@lru_cache(maxsize=512)
def _fingerprint(path: str, mtime: float, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def fingerprint(path: Path) -> str:
    """The first 10 hex digits of the file's SHA-256 ("0" when there is no such file)."""
    try:
        stat = path.stat()
    except OSError:
        return "0"
    return _fingerprint(str(path), stat.st_mtime, stat.st_size)


@lru_cache(maxsize=256)
def _packed(key: str, encoding: str, data: bytes) -> bytes | None:
    """`data` compressed once per (key, encoding); None when that saves nothing."""
    packed = encode(data, encoding)
    return packed if len(packed) < len(data) else None


def accepted_encodings() -> list[str]:
    """The encodings this request accepts, best first ("br", then "gzip")."""
    accept = request.accept_encodings
    return [name for name in ENCODINGS if accept[name] > 0]


def encoded_response(
    data: bytes, mimetype: str, etag: str, *, immutable: bool, path: Path | None = None
) -> Response:
    """`data` in the best accepted encoding: the fresh variant beside `path` if there is
    one, else compressed once into the cache; `etag` gets the encoding as a suffix."""
    chosen, body = None, data
    for encoding in accepted_encodings():
        written = fresh_variant(path, encoding, path.stat().st_mtime) if path else None
        packed = written.read_bytes() if written else _packed(etag, encoding, data)
        if packed is not None:
            chosen, body = encoding, packed
            break
    response = Response(body, mimetype=mimetype)
    response.precompressed = True  # lms.web.compress leaves it alone
    if chosen:
        response.headers["Content-Encoding"] = chosen
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{etag}-{chosen}" if chosen else etag)
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    return response.make_conditional(request)


def file_response(path: Path, *, immutable: bool) -> Response:
    """The file at `path` (already checked to lie inside the static folder)."""
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    tag = fingerprint(path)
    if compressible(path):
        response = encoded_response(
            path.read_bytes(), mimetype, tag, immutable=immutable, path=path
        )
        response.last_modified = path.stat().st_mtime
        return response
    response = send_file(path, mimetype=mimetype, etag=tag, conditional=True, max_age=None)
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    return response


def static_response(folder: Path, filename: str) -> Response:
    """`/static/<filename>`: immutable when the URL carries its fingerprint (`?v=`)."""
    joined = safe_join(str(folder), filename)
    if joined is None or not Path(joined).is_file() or Path(joined).suffix in (".br", ".gz"):
        raise NotFound()
    return file_response(Path(joined), immutable="v" in request.args)

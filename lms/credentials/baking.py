"""Baked badges: a PNG with its credential inside (Open Badges 3.0 "Baked Badge", PNG).

The credential's JSON goes, uncompressed, into one `iTXt` chunk with the keyword
`openbadgecredential`, placed before `IEND`. The picture is a QR code of the verify page,
so the image alone also leads a person to the check. Pure: no Flask, no database.
"""

from __future__ import annotations

import io
import struct
import zlib

import segno

SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"


def _chunks(png: bytes):
    if not png.startswith(SIGNATURE):
        raise ValueError("not a PNG")
    offset = len(SIGNATURE)
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        yield kind, data, png[offset : offset + 12 + length]
        offset += 12 + length


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bake(png: bytes, credential_json: str) -> bytes:
    """The PNG with the credential in an `openbadgecredential` iTXt chunk (replacing any)."""
    # keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty keyword NUL
    text = KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + credential_json.encode("utf-8")
    out = [SIGNATURE]
    for kind, data, raw in _chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\x00"):
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", text))
        out.append(raw)
    return b"".join(out)


def extract(png: bytes) -> str | None:
    """The credential JSON of the first `openbadgecredential` iTXt chunk, if any."""
    for kind, data, _ in _chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\x00"):
            rest = data[len(KEYWORD) + 1 :]
            if rest[0] != 0:
                raise ValueError("a compressed openbadgecredential chunk is not allowed")
            rest = rest[2:]
            _language, rest = rest.split(b"\x00", 1)
            _translated, text = rest.split(b"\x00", 1)
            return text.decode("utf-8")
    return None


def badge_png(verify_url: str, credential_json: str) -> bytes:
    """A QR code of the verify address, baked with the credential."""
    buffer = io.BytesIO()
    segno.make(verify_url, error="m").save(buffer, kind="png", scale=8, border=2)
    return bake(buffer.getvalue(), credential_json)

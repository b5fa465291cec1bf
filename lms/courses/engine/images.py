"""Image dimensions read from the file (SVG, PNG, GIF, JPEG), so pages can reserve the
space before the image arrives on a slow network. Pure; returns None when unknown."""

from __future__ import annotations

import re
import struct
from pathlib import Path

SVG_SIZE = re.compile(
    rb'<svg[^>]*?\swidth="(\d+(?:\.\d+)?)(?:px)?"[^>]*?\sheight="(\d+(?:\.\d+)?)(?:px)?"', re.S
)
SVG_VIEWBOX = re.compile(
    rb'<svg[^>]*?\sviewBox="[\d.\-]+[ ,]+[\d.\-]+[ ,]+([\d.]+)[ ,]+([\d.]+)"', re.S
)


def dimensions(path: Path) -> tuple[int, int] | None:
    try:
        head = path.read_bytes()[:65536]
    except OSError:
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if head.startswith(b"\xff\xd8"):
        return _jpeg(head)
    if b"<svg" in head:
        match = SVG_SIZE.search(head) or SVG_VIEWBOX.search(head)
        if match:
            return round(float(match.group(1))), round(float(match.group(2)))
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None

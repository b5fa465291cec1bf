"""Pre-compressed static files: `<file>.gz` and `<file>.br` beside each compressible file.

`lms assets compress` (run by `make install`) writes them once, at the highest levels
(gzip 9, brotli 11), so no request pays for compression; nginx's `gzip_static` and
`brotli_static` serve the same files (docs/deploy.md). A variant older than its file is
stale and never served.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import brotli

# What browsers fetch as text; fonts (woff2), images and PDFs are compressed already.
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".webmanifest", ".json", ".html", ".txt", ".xml"})
ENCODINGS = {"br": ".br", "gzip": ".gz"}  # best first
MIN_BYTES = 256  # below this the headers outweigh the saving


def compressible(path: Path) -> bool:
    """True for text files worth compressing (not the variants themselves)."""
    return path.suffix.lower() in COMPRESSIBLE


def encode(data: bytes, encoding: str) -> bytes:
    """`data` compressed with `encoding` ("br" or "gzip"), reproducibly (no timestamp)."""
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


def variant(path: Path, encoding: str) -> Path:
    """Where the `encoding` version of `path` lives: `app.css` -> `app.css.br`."""
    return path.with_name(path.name + ENCODINGS[encoding])


def fresh_variant(path: Path, encoding: str, mtime: float) -> Path | None:
    """The written variant of `path`, when it exists and is not older than the file."""
    candidate = variant(path, encoding)
    try:
        return candidate if candidate.stat().st_mtime >= mtime else None
    except OSError:
        return None


def _sources(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and compressible(path) and path.stat().st_size >= MIN_BYTES:
            yield path


def compress_folder(folder: Path) -> list[tuple[Path, int, dict[str, int]]]:
    """Write `.br` and `.gz` beside every compressible file of `folder` that lacks a fresh
    one (a variant no smaller than its file is not written, and an old one is removed).
    Returns (file, its size, {encoding: size written}) for each file looked at."""
    done = []
    for path in _sources(folder):
        data = path.read_bytes()
        mtime = path.stat().st_mtime
        sizes: dict[str, int] = {}
        for encoding in ENCODINGS:
            target = variant(path, encoding)
            if fresh_variant(path, encoding, mtime) is not None:
                sizes[encoding] = target.stat().st_size
                continue
            packed = encode(data, encoding)
            if len(packed) >= len(data):
                target.unlink(missing_ok=True)
                continue
            scratch = target.with_name(target.name + ".tmp")
            scratch.write_bytes(packed)
            scratch.replace(target)
            sizes[encoding] = len(packed)
        done.append((path, len(data), sizes))
    return done

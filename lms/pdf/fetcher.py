"""The only way WeasyPrint may read anything: the project's static files and course media.

URLs look like `lms:/static/fonts/NotoSans-Regular.ttf` or `lms:/media/<course>/logo.svg`.
Anything else (`file://`, `http(s)://`, `data:`, paths escaping those folders) is refused
and logged; a permitted file that is missing stops the render with a clear error.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote

log = logging.getLogger(__name__)
_FILES: dict[str, tuple[int, int, bytes]] = {}  # path -> (mtime_ns, size, bytes)
FILES_KEPT_BYTES = 32 << 20


def read_file(path: Path) -> bytes:
    """The file's bytes, kept in this process while its size and modification time stay
    the same (every certificate reads the same fonts, about 1.5 MB)."""
    status = path.stat()
    kept = _FILES.get(str(path))
    if kept is not None and kept[:2] == (status.st_mtime_ns, status.st_size):
        return kept[2]
    data = path.read_bytes()
    if sum(len(entry[2]) for entry in _FILES.values()) + len(data) > FILES_KEPT_BYTES:
        _FILES.clear()
    _FILES[str(path)] = (status.st_mtime_ns, status.st_size, data)
    return data


class RefusedURL(ValueError):
    """A URL outside the allow-list (WeasyPrint skips the resource)."""


class MissingResource(RuntimeError):
    """An allowed resource that does not exist."""


def resolve(url: str, static_dir: Path, media_dirs: dict[str, Path]) -> Path:
    """The file an `lms:` URL names, or an exception saying why it is not allowed."""
    if not url.startswith("lms:/"):
        raise RefusedURL(f"refused URL {url[:200]!r}: only the project's own files may be used")
    parts = [p for p in unquote(url.removeprefix("lms:/")).split("?")[0].split("/") if p]
    if len(parts) >= 2 and parts[0] == "static":
        base, rest = static_dir, parts[1:]
    elif len(parts) >= 3 and parts[0] == "media" and parts[1] in media_dirs:
        base, rest = media_dirs[parts[1]], parts[2:]
    else:
        raise RefusedURL(f"refused URL {url[:200]!r}: not a static file or course media")
    base = base.resolve()
    path = base.joinpath(*rest).resolve()
    if not path.is_relative_to(base) or any(part in ("..", "") for part in rest):
        raise RefusedURL(f"refused URL {url[:200]!r}: it leaves its folder")
    if not path.is_file():
        raise MissingResource(f"missing file for {url!r}")
    if path.stat().st_nlink > 1:  # a second name for a file that may live anywhere
        raise RefusedURL(f"refused URL {url[:200]!r}: a hard-linked file")
    return path


def make_fetcher(static_dir: Path, media_dirs: dict[str, Path]):
    """A WeasyPrint URL fetcher (imported lazily: WeasyPrint takes 0.5 s to import)."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class SafeFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=["lms"], allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            try:
                path = resolve(url, static_dir, media_dirs)
            except RefusedURL as exc:
                log.warning("PDF rendering: %s", exc)
                self.refused.append(url)
                raise
            except MissingResource as exc:
                raise FatalURLFetchingError(str(exc)) from None
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".ttf":
                mime = "font/ttf"
            return URLFetcherResponse(url, read_file(path), {"Content-Type": mime})

    return SafeFetcher()

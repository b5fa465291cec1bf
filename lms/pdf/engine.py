"""WeasyPrint itself, run inside the PDF worker: the safe fetcher and the shipped fonts.

WeasyPrint is imported on first use (about 0.5 s) and one FontConfiguration is reused per
process (a new one per render leaks memory). Only the fonts in `static/fonts`, loaded
through `@font-face` by each document, are used. The images a document fetches (a course's
logo) are parsed once per process too, kept while their file is unchanged: that saves
about a sixth of a certificate render (bench/certificates.py).
"""

from __future__ import annotations

import threading
from pathlib import Path

from lms.pdf.errors import PdfRenderError
from lms.pdf.fetcher import MissingResource, RefusedURL, make_fetcher, resolve

_font_config = None
_lock = threading.Lock()
IMAGE_CACHE_ENTRIES = 256  # past this, start afresh (images of many courses)


class ImageCache(dict):
    """WeasyPrint's image cache (a dict it looks URLs up in), kept across renders. An entry
    for a URL is dropped when the file it names (another course folder), its size or its
    modification time changed."""

    def __init__(self) -> None:
        super().__init__()
        self.stamps: dict[str, tuple[str, int, int] | None] = {}
        self.folders: tuple[Path, dict[str, Path]] = (Path(), {})

    def stamp(self, url: str) -> tuple[str, int, int] | None:
        """The file a URL names now, with its modification time and size."""
        try:
            path = resolve(url, *self.folders)
            status = path.stat()
        except (RefusedURL, MissingResource, OSError):
            return None
        return (str(path), status.st_mtime_ns, status.st_size)

    def __contains__(self, key: object) -> bool:
        if not super().__contains__(key):
            return False
        if key in self.stamps and (self.stamps[key] is None or self.stamp(key) != self.stamps[key]):
            del self[key]
            del self.stamps[key]
            return False
        return True

    def __setitem__(self, key, value) -> None:
        if isinstance(key, str) and key.startswith("lms:/"):
            self.stamps[key] = self.stamp(key)
        super().__setitem__(key, value)

    def ready_for(self, static_dir: Path, media_dirs: dict[str, Path]) -> ImageCache:
        if len(self) > IMAGE_CACHE_ENTRIES:
            self.clear()
            self.stamps.clear()
        self.folders = (static_dir, media_dirs)
        return self


_images = ImageCache()


def font_config():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_in_process(html: str, static_dir: Path, media_dirs: dict[str, Path]) -> bytes:
    """WeasyPrint with the safe fetcher and the shipped fonts only (runs in the PDF worker).
    No `/ID` in the trailer (optional in PDF 1.7): WeasyPrint computes it by serialising the
    whole document a second time, about 3% of a certificate render; the PDF is
    reproducible without it."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = make_fetcher(static_dir, media_dirs)
    with _lock:  # one FontConfiguration, used by one render at a time
        try:
            document = weasyprint.HTML(string=html, base_url="lms:/", url_fetcher=fetcher)
            images = _images.ready_for(static_dir, media_dirs)
            return document.write_pdf(font_config=font_config(), cache=images)
        except FatalURLFetchingError as exc:
            raise PdfRenderError(str(exc)) from None

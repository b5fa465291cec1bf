"""WeasyPrint itself, run inside the PDF worker: the safe fetcher and the shipped fonts.

WeasyPrint is imported on first use (about 0.5 s) and one FontConfiguration is reused per
process (a new one per render leaks memory). Only the fonts in `static/fonts`, loaded
through `@font-face` by each document, are used.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lms.pdf.errors import PdfRenderError
from lms.pdf.fetcher import make_fetcher

_font_config = None
_lock = threading.Lock()


def font_config():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_in_process(
    html: str, static_dir: Path, media_dirs: dict[str, Path], identifier: bytes
) -> bytes:
    """WeasyPrint with the safe fetcher and the shipped fonts only (runs in the PDF worker)."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = make_fetcher(static_dir, media_dirs)
    with _lock:  # one FontConfiguration, used by one render at a time
        try:
            document = weasyprint.HTML(string=html, base_url="lms:/", url_fetcher=fetcher)
            return document.write_pdf(font_config=font_config(), pdf_identifier=identifier)
        except FatalURLFetchingError as exc:
            raise PdfRenderError(str(exc)) from None

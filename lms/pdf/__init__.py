"""One PDF package for certificates and printable reports: worker process, fetcher, fonts.

`render_html_to_pdf` renders HTML in an isolated worker process (`worker`) with a time and
memory limit; inside it, `engine` runs WeasyPrint with the only fetcher allowed
(`fetcher`: the project's static files and course media, nothing else) and the shipped
fonts under `static/fonts`. Callers build the HTML; this package never reads the database.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_app_context

from lms.config import ROOT
from lms.pdf import worker
from lms.pdf.engine import render_in_process
from lms.pdf.errors import PdfRenderError

STATIC_DIR = ROOT / "static"

__all__ = ["STATIC_DIR", "PdfRenderError", "render_html_to_pdf", "shutdown"]


def render_html_to_pdf(html: str, media_dirs: dict[str, Path]) -> bytes:
    """Render in the isolated worker process, within PDF_TIMEOUT seconds and PDF_MEMORY_MB."""
    config = current_app.config if has_app_context() else {}
    if not config.get("PDF_ISOLATED", True):
        return render_in_process(html, STATIC_DIR, media_dirs)
    try:
        return worker.render(
            html,
            STATIC_DIR,
            media_dirs,
            timeout=float(config.get("PDF_TIMEOUT", 30)),
            memory_mb=int(config.get("PDF_MEMORY_MB", 1024)),
        )
    except worker.RenderFailed as exc:
        raise PdfRenderError(str(exc)) from None


def shutdown() -> None:
    """Stop the worker process (at server exit, and in tests)."""
    worker.shutdown()

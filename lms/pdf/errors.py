"""The one error PDF rendering raises: the document or a resource it names is unusable."""

from __future__ import annotations


class PdfRenderError(RuntimeError):
    """The template or a resource it names could not be used; the message says which."""

"""Files attached to outbox messages: the row holds a reference, never the bytes.

A reference is a file name under `instance/attachments/` (0700 folder, 0600 files: a
sponsor's report is not for other accounts on the machine). The SMTP backend reads the file
at the moment of sending and attaches it as a real MIME part.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from flask import current_app

from lms.private import write_private

FOLDER = "attachments"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class MissingAttachment(Exception):
    """The message names an attachment whose file is not there (or not a safe name)."""


def _folder() -> Path:
    return Path(current_app.instance_path) / FOLDER


def store_attachment(name: str, data: bytes) -> str:
    """Keep `data` as the file `name` (replacing an older one) and return its reference."""
    if not SAFE_NAME.match(name) or ".." in name:
        raise ValueError(f"unsafe attachment name: {name!r}")
    write_private(_folder() / name, data)
    return name


def read_attachment(reference: str) -> tuple[str, str, bytes]:
    """The file a reference names: (file name, MIME type, bytes)."""
    if not SAFE_NAME.match(reference) or ".." in reference:
        raise MissingAttachment(reference)
    path = _folder() / reference
    try:
        data = path.read_bytes()
    except OSError:
        raise MissingAttachment(reference) from None
    mimetype = mimetypes.guess_type(reference)[0] or "application/octet-stream"
    return reference, mimetype, data

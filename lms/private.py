"""Files only the server's own account may read: the SQLite database, backups, the queue
and cached PDFs hold password hashes and personal data, so folders are created 0700 and
files 0600 whatever the umask, and `tighten` narrows what an older version left open."""

from __future__ import annotations

import os
import threading
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def tighten(path: Path, mode: int) -> None:
    """Remove group and other permissions from `path` if it exists and is ours."""
    try:
        info = path.stat()
        if info.st_uid == os.geteuid() and info.st_mode & 0o777 & ~mode:
            os.chmod(path, info.st_mode & 0o777 & mode)
    except OSError:
        pass


def private_folder(path: Path) -> Path:
    """Create `path` (and missing parents) readable by the owner only."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        tighten(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    return path


def create_private_file(path: Path) -> None:
    """Create `path` empty and 0600 if it does not exist (before a library opens it)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        tighten(path, FILE_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, 0600, in a private folder."""
    private_folder(path.parent)
    temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    temporary.replace(path)

"""WeasyPrint in a separate worker process, with a time limit and a memory limit.

A hostile or broken template can then neither hang nor exhaust the server: a render that
takes longer than PDF_TIMEOUT seconds is abandoned and the worker replaced; the worker
cannot allocate more than PDF_MEMORY_MB. The worker stays warm between renders (fonts
loaded once), so a render costs only the work itself plus a few milliseconds; a new
worker is started and warmed (WeasyPrint imported, fonts configured) before the render's
time limit starts counting, since its start-up takes seconds on a busy machine. It ends
with the server that started it, however the server stops.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import resource
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from lms.pdf.engine import font_config, render_in_process

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_memory: int | None = None
PARENT_CHECK_SECONDS = 0.5
STARTUP_SECONDS = 120  # a new worker's start-up, counted apart from PDF_TIMEOUT


class RenderFailed(RuntimeError):
    """The document could not be rendered; the message says why, without a stack trace."""


def _limit_memory(megabytes: int) -> None:
    """The worker's start: its memory limit, and a watch on the server that started it."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    _watch_parent(os.getppid())


def _watch_parent(parent: int) -> None:
    """End the worker once its server is gone, however the server ended (SIGTERM, SIGKILL,
    Ctrl-C): an orphan is adopted by another process, so the parent id changes. Checked
    on a timer signal, not in a thread: a second thread switches the C allocator to its
    locking path for good, which made every render about 8% slower
    (docs/benchmarks.md "certificates"). The multiprocessing resource tracker exits by
    itself when the last of them is gone."""

    def check(_signum, _frame) -> None:
        if os.getppid() != parent:
            os._exit(0)

    signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, PARENT_CHECK_SECONDS, PARENT_CHECK_SECONDS)


def _warm_up() -> bool:
    """Runs in a new worker: import WeasyPrint and configure the fonts, once."""
    font_config()
    return True


def _render(html: str, static_dir: str, media_dirs: dict[str, str]) -> bytes:
    """Runs in the worker."""
    return render_in_process(html, Path(static_dir), {k: Path(v) for k, v in media_dirs.items()})


def _executor(memory_mb: int) -> ProcessPoolExecutor:
    global _pool, _pool_memory
    if _pool is None or _pool_memory != memory_mb:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        context = multiprocessing.get_context("spawn")
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_limit_memory,
                                    initargs=(memory_mb,))  # fmt: skip
        _pool_memory = memory_mb
        atexit.register(shutdown)  # a clean exit stops the worker at once
        try:
            _pool.submit(_warm_up).result(timeout=STARTUP_SECONDS)
        except (FutureTimeout, BrokenProcessPool, MemoryError):
            _discard()
            raise RenderFailed("the PDF renderer could not start") from None
    return _pool


def _discard() -> None:
    global _pool
    if _pool is not None:
        for process in list(getattr(_pool, "_processes", {}).values()):
            process.kill()
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def render(html: str, static_dir: Path, media_dirs: dict[str, Path], *,
           timeout: float, memory_mb: int) -> bytes:  # fmt: skip
    """Render in the worker; RenderFailed on a timeout, a memory blow-up or a crash."""
    args = (html, str(static_dir), {k: str(v) for k, v in media_dirs.items()})
    with _lock:
        future = _executor(memory_mb).submit(_render, *args)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            _discard()
            log.warning("PDF rendering took longer than %s s and was stopped", timeout)
            raise RenderFailed(f"the document took longer than {timeout:g} s to render") from None
        except (BrokenProcessPool, MemoryError):
            _discard()
            log.warning("PDF rendering ran out of memory or crashed")
            raise RenderFailed(
                "the renderer stopped: the document needed more memory than allowed"
            ) from None


def shutdown() -> None:
    with _lock:
        _discard()

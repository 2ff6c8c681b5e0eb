"""The cyclic collector around large parses: paused while one runs in a worker thread, frozen after one; and
the C allocator told to keep large blocks once a large document is open."""

from __future__ import annotations

import gc
import sys
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

LARGE = 5_000  # files or tags: from there, what was built for them is moved out of the collector's way


def freeze_if_large(count: int) -> None:
    """After building structures for `count` files or tags that live until they change: a full collection walks
    every tracked object, ~1 s at 100,000 files on a loaded machine, and comes back during completions; objects
    frozen are never walked (they are still freed by reference counting when replaced)."""
    if count >= LARGE:
        gc.freeze()


def freeze_first_parse(entries: int) -> None:
    """A large first parse leaves ~60 objects per entry that live as long as the document: move them out of the
    collector's way, or each full collection stalls an edit by 0.5 s."""
    if entries > 1000:
        gc.freeze()


def freeze_first_check(entries: int) -> bool:
    """Likewise after the first check of a large document (True then): its per-entry facts live as long as their
    entries, and a full collection that walked them stalled an edit by 110-220 ms."""
    if entries <= 1000:
        return False
    gc.freeze()
    return True


class _GcPause:
    """No cyclic collection while a large document is parsed or checked in a worker thread: the collector walked
    the growing parse again and again (1 s of the 1.5 s parse of 18,000 entries, 0.5 s of their 2.2 s check).
    Reference counting still frees everything else; the collector resumes when the last pause ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._count == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._count += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1
            if self._count == 0 and self._resume:
                gc.enable()


gc_paused = _GcPause()


def parse_paused(parse: Callable[[str, None], T], text: str, entries: Callable[[T], int]) -> T:
    """A format's parse, the collector paused (blocking: call in a worker thread). A large parse is frozen before
    the collector resumes: the first allocation after the pause walked its ~700,000 new objects (18,000 entries:
    0.3 s CPU, 0.6 s in the server) before the loop could freeze them."""
    keep_large_blocks()
    with gc_paused:
        document = parse(text, None)
        freeze_first_parse(entries(document))
        return document


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_kept: list[bool] = []


def keep_large_blocks() -> None:
    """Serve blocks up to 32 MB from the heap and keep up to 64 MB freed at its top (once per process). Each
    version of a 2 MB document is a new 2 MB string, and glibc's default (mmap from 128 KB, memory handed back
    to the system when freed) page-faulted each one in afresh: 1,200 faults, 5-6 ms of every keystroke, against
    0.3 ms from the heap. It sets what glibc's own adaptive threshold would reach; no-op without glibc."""
    if _kept or not sys.platform.startswith("linux"):
        return
    _kept.append(True)
    import ctypes  # only when a large document is open: nothing else needs it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)
    mallopt(_M_TRIM_THRESHOLD, 64 << 20)

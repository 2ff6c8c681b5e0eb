"""The cyclic collector around large parses: paused while one runs in a worker thread, frozen after one."""

from __future__ import annotations

import gc
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


def parse_paused(parse: Callable[[str, None], T], text: str) -> T:
    """A format's parse, the collector paused (blocking: call in a worker thread)."""
    with gc_paused:
        return parse(text, None)

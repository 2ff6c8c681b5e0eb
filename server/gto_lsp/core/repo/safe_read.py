"""Reading a file the workspace names, safely: regular files only (never a FIFO, a device such as /dev/zero, or
/proc/self/fd/0, which would block or never end), opened without blocking, and never more than a size cap."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

MAX_FILE = 16 * 1024 * 1024  # bytes read from any one file at the most
MAX_CHECKED = 3_000_000  # characters of a document gto-lsp parses and checks (10,000 entries of 8 lines fit)
MAX_LINES = 100_000  # lines of a document gto-lsp parses and checks
MAX_KEYS = 25_000  # lines that start at column 0 (top-level keys: entries of artifacts.yaml)
_KEY_START = re.compile(r"[^\s#]")  # a line starting with this is a top-level key
_KEY_AFTER_BREAK = re.compile(r"\n[^\s#]")  # a literal first character: 4x faster than ^ with MULTILINE


class NotReadable(OSError):
    """Not a regular file, or larger than the cap."""


def read_bytes(path: Union[str, os.PathLike[str]], limit: int = MAX_FILE) -> bytes:
    """The file's bytes; NotReadable for anything but a regular file of at most `limit` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(f"{path} is not a regular file")
        if info.st_size > limit:
            raise NotReadable(f"{path} is larger than {limit} bytes")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise NotReadable(f"{path} is larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


def read_text(path: Union[str, os.PathLike[str]], limit: int = MAX_FILE) -> Optional[str]:
    """The file's text (UTF-8, line endings kept), or None when it is not a readable regular file."""
    try:
        return read_bytes(path, limit).decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


class Shape(NamedTuple):
    """What `too_big` counts in a text; an editor's document carries it from version to version (`after`)."""

    chars: int
    breaks: int  # "\n"
    keys: int  # lines that start at column 0 with neither a blank nor "#"

    def after(self, before: str, start: int, end: int, inserted: str, text: str) -> Shape:
        """The shape of `text`, which is `before` with [start, end) replaced by `inserted`: only the edit and
        its line starts are read."""
        return Shape(
            len(text),
            self.breaks - before.count("\n", start, end) + inserted.count("\n"),
            self.keys - _keys_at(before, start, end) + _keys_at(text, start, start + len(inserted)),
        )


def shape_of(text: str) -> Shape:
    return Shape(len(text), text.count("\n"), _keys_at(text, 0, len(text)))


def _keys_at(text: str, low: int, high: int) -> int:
    """Top-level keys whose line starts at an offset in [low, high]."""
    count = 1 if low == 0 and _KEY_START.match(text) else 0
    return count + len(_KEY_AFTER_BREAK.findall(text, max(low - 1, 0), high + 1))


def counted(length: int) -> bool:
    """Whether `too_big` must count lines and keys in a text of this length (else its length decides)."""
    return MAX_LINES * 2 <= length <= MAX_CHECKED


def too_big(text: str, shape: Optional[Shape] = None) -> bool:
    """More than gto-lsp checks: MAX_CHECKED characters, MAX_LINES lines or MAX_KEYS top-level keys (250,000
    one-line entries fit in 1.5 MB: their check took minutes and gigabytes). `shape`, when given, is the text's."""
    if not counted(len(text)):  # too short to hold that many lines, or too long anyway
        return len(text) > MAX_CHECKED
    if shape is None:
        shape = shape_once(text)
    return shape.breaks > MAX_LINES or shape.keys > MAX_KEYS


def shape_once(text: str) -> Shape:
    """`shape_of`, counted once for the same or an equal text: every request asks about the same text, and the
    saved file read at start is the text the editor then opens."""
    last = _last
    if last and (last[0] is text or last[0] == text):
        return last[1]  # type: ignore[no-any-return]
    shape = shape_of(text)
    _last[:] = [text, shape]
    return shape


_last: list[Any] = []


def too_large(path: Optional[Path], limit: int = MAX_CHECKED) -> bool:
    """A regular file larger than `limit` bytes (or whose text is `too_big`)."""
    if path is None:
        return False
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if info.st_size > limit:
        return True
    text = read_text(path, limit) if info.st_size > MAX_LINES * 2 else None
    return text is not None and too_big(text)

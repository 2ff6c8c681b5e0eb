"""JSON-RPC framing over a byte stream (`Content-Length` headers), standard library only: the early start
(early.py) frames the first message with it before pygls and lsprotocol are loaded, the transport every message."""

from __future__ import annotations

import json
import re
from typing import Any, Optional

__all__ = ["MAX_MESSAGE", "PARSE_ERROR", "Framer"]

MAX_MESSAGE = 64 * 1024 * 1024  # bytes one message may declare (a 16 MB document is ~20 MB of JSON)
MAX_HEADER = 64 * 1024  # bytes of headers before a blank line
PARSE_ERROR = -32700
_HEADER = re.compile(rb"content-length:", re.IGNORECASE)
_LENGTH = re.compile(rb"^content-length:[ \t]*(\S*)[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")  # LF-only headers are read too: they cost nothing to accept
_NAME = b"content-length:"


class Framer:
    """Bytes in, JSON-RPC message bodies (or errors to answer) out; never holds more than one allowed message
    plus one read chunk."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.quiet = False  # after an error: junk before the next header is part of it, not a new error

    def feed(self, chunk: bytes) -> None:
        self.buffer += chunk

    def _resync(self, start: int) -> Optional[tuple[int, str]]:
        """Drop what precedes the next header at or after `start` (all but a possible partial header when there
        is none); an error to answer unless the junk belongs to an error already answered."""
        found = _HEADER.search(self.buffer, start)
        cut = found.start() if found else max(0, len(self.buffer) - len(b"content-length:"))
        junk = bytes(self.buffer[:cut]).strip()
        del self.buffer[:cut]
        if junk and not self.quiet:
            self.quiet = True
            return PARSE_ERROR, "Parse error: bytes outside a Content-Length framed message were dropped."
        return None

    def next(self, idle: bool) -> Optional[tuple[str, Any]]:
        """("body", bytes), ("error", (code, message)), ("again", None), or None when more input is needed.
        `idle`: no input came for a while, so a body still short of its declared length is taken as wrongly
        framed."""
        buffer = self.buffer
        if not buffer:
            return None
        header = _HEADER.search(buffer)
        if header is None or header.start() > 0:
            if header is None and (len(buffer) <= len(_NAME) or (len(buffer) < MAX_HEADER and not idle)):
                return None
            error = self._resync(0 if header is None else header.start())
            return ("error", error) if error else ("again", None)
        end = _HEADER_END.search(buffer, 0, MAX_HEADER + 4)
        if end is None:
            if len(buffer) > MAX_HEADER:
                error = self._resync(1)
                return ("error", error) if error else ("again", None)
            return None
        match = _LENGTH.search(bytes(buffer[: end.start()]))
        raw = match.group(1) if match else b""
        length = int(raw) if raw.isdigit() and len(raw) < 19 else -1
        body_start = end.end()
        if length < 0 or length > MAX_MESSAGE:
            del buffer[:body_start]
            self.quiet = True
            if length > MAX_MESSAGE:  # its bytes are dropped as they come, up to the next header
                message = f"Parse error: Content-Length {length} is larger than {MAX_MESSAGE} bytes."
            else:
                message = f"Parse error: Content-Length {raw.decode('latin-1')!r} is not a number."
            return "error", (PARSE_ERROR, message)
        body_end = body_start + length
        if len(buffer) < body_end:
            if not idle:  # (a scan per chunk would be quadratic)
                return None
            later = _HEADER.search(buffer, body_start)
            if later is not None:  # the declared length runs into the next message
                return self._cut(later.start())
            partial = bytes(buffer[body_start:]).rstrip()
            if partial[-1:] in (b"}", b"]") and _is_json(partial):  # a whole message, and no more is coming
                del buffer[:]
                self.quiet = True
                return "error", (PARSE_ERROR, "Parse error: the body is shorter than its Content-Length.")
            return None
        body = bytes(buffer[body_start:body_end])
        # The next header may start inside the declared body, or run past its end ("...}Content-Le|ngth: 9").
        later = _HEADER.search(buffer, body_start, body_end + len(_NAME))
        if later is not None and later.start() < body_end and not _is_json(body):
            return self._cut(later.start())
        if later is None and not idle and len(buffer) < body_end + len(_NAME) and _ends_like_a_header(body):
            return None  # the bytes that tell whether a header starts in the body are still to come
        del buffer[:body_end]
        self.quiet = False
        return "body", body

    def _cut(self, start: int) -> tuple[str, Any]:
        """The declared length ran into the next message, which starts at `start`."""
        del self.buffer[:start]
        self.quiet = False
        return "error", (PARSE_ERROR, "Parse error: the body is shorter than its Content-Length.")


def _ends_like_a_header(body: bytes) -> bool:
    tail = body[-len(_NAME) :].lower()
    return any(tail.endswith(_NAME[:size]) for size in range(1, len(_NAME)))


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True

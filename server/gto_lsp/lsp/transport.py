"""The stdio transport, hardened: pygls 2.1's reader (`pygls.io_.run_async`) stops answering after a message
with a wrong `Content-Length` and reads whatever length a header declares. This one answers JSON-RPC errors and
keeps serving:

- a body that is not JSON, or a length that cuts it: ParseError (-32700, id null); the bytes up to the next
  `Content-Length:` header are dropped, so a length too small or too large costs one message, not the session;
- a declared length above `MAX_MESSAGE`, or not a number: ParseError, and the body is dropped as it arrives,
  up to the next header (what is buffered never exceeds one allowed message and one read chunk);
- a body that is not an object (an array, a number), or an object that is no request, notification or response:
  InvalidRequest (-32600);
- a request whose params do not fit the method's types: InvalidParams (-32602) with its id; a notification
  whose params do not fit is dropped with a warning. Nothing a client sends is logged at error level.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import threading
from typing import Any, Optional

from lsprotocol import types
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage

from .state import GtoLanguageServer

logger = logging.getLogger("gto_lsp")

MAX_MESSAGE = 64 * 1024 * 1024  # bytes one message may declare (a 16 MB document is ~20 MB of JSON)
MAX_HEADER = 64 * 1024  # bytes of headers before a blank line
IDLE = 0.5  # seconds without input after which a length larger than what came is taken as wrong
PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32602, -32603
_HEADER = re.compile(rb"content-length:", re.IGNORECASE)
_LENGTH = re.compile(rb"^content-length:[ \t]*(\S*)[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
_EOF = b""


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
        """("body", bytes), ("error", (code, message)), or None when more input is needed. `idle`: no input came
        for a while, so a body still short of its declared length is taken as wrongly framed."""
        buffer = self.buffer
        if not buffer:
            return None
        header = _HEADER.search(buffer)
        if header is None or header.start() > 0:
            if header is None and (len(buffer) <= len(b"content-length:") or (len(buffer) < MAX_HEADER and not idle)):
                return None
            error = self._resync(0 if header is None else header.start())
            return ("error", error) if error else ("again", None)
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEADER:
                error = self._resync(1)
                return ("error", error) if error else ("again", None)
            return None
        match = _LENGTH.search(bytes(buffer[:end]))
        raw = match.group(1) if match else b""
        length = int(raw) if raw.isdigit() and len(raw) < 19 else -1
        body_start = end + 4
        if length < 0 or length > MAX_MESSAGE:
            del buffer[:body_start]
            self.quiet = True
            if length > MAX_MESSAGE:  # its bytes are dropped as they come, up to the next header
                message = f"Parse error: Content-Length {length} is larger than {MAX_MESSAGE} bytes."
            else:
                message = f"Parse error: Content-Length {raw.decode('latin-1')!r} is not a number."
            return "error", (PARSE_ERROR, message)
        if len(buffer) - body_start < length:
            later = _HEADER.search(buffer, body_start) if idle else None  # (a scan per chunk would be quadratic)
            if later is not None:  # the declared length runs into the next message
                del buffer[: later.start()]
                self.quiet = False
                return "error", (PARSE_ERROR, "Parse error: the body is shorter than its Content-Length.")
            return None
        body = bytes(buffer[body_start : body_start + length])
        later = _HEADER.search(body)
        if later is not None and not _is_json(body):  # the declared length ran into the next message
            del buffer[: body_start + later.start()]
            self.quiet = False
            return "error", (PARSE_ERROR, "Parse error: the body is shorter than its Content-Length.")
        del buffer[: body_start + length]
        self.quiet = False
        return "body", body


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


def _structure(ls: GtoLanguageServer, data: dict[str, Any]) -> Any:
    """pygls's `structure_message` without its error-level logging (a client's mistake is not ours)."""
    protocol = ls.protocol
    converter = protocol._converter
    if "id" in data:
        if "error" in data:
            return converter.structure(data, types.ResponseErrorMessage)
        if "method" in data:
            return converter.structure(data, protocol.get_message_type(data["method"]) or JsonRPCRequestMessage)
        return converter.structure(data, protocol._result_types.pop(data["id"], None) or JsonRPCResponseMessage)
    return converter.structure(data, protocol.get_message_type(data["method"]) or JsonRPCNotification)


def strict_strings(ls: GtoLanguageServer) -> None:
    """cattrs turns any value into a `str` field (`{"uri": ["x"]}` became the uri "['x']"): refuse it, so the
    request is answered InvalidParams instead of running on a made-up string."""

    def structure_str(value: Any, _: type) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        return value

    ls.protocol._converter.register_structure_hook(str, structure_str)


def _answer_internal_error(ls: GtoLanguageServer, body: bytes, error: Exception) -> None:
    """A request whose handling failed still gets an answer (InternalError), or its client waits for ever."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return
    if isinstance(data, dict) and isinstance(data.get("method"), str) and _valid_id(data.get("id")) and "id" in data:
        _send_error(ls, data["id"], INTERNAL_ERROR, f"Internal error: {_short(error)}")


def _send_error(ls: GtoLanguageServer, msg_id: Any, code: int, message: str) -> None:
    ls.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})


def _valid_id(value: Any) -> bool:
    return value is None or (isinstance(value, (int, str)) and not isinstance(value, bool))


def handle_body(ls: GtoLanguageServer, body: bytes) -> None:
    """One framed message: decoded, checked, structured, handed to pygls; a client's error answered."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        _send_error(ls, None, PARSE_ERROR, "Parse error: the message is not JSON.")
        return
    if not isinstance(data, dict):
        _send_error(ls, None, INVALID_REQUEST, "Invalid request: a message must be a JSON object.")
        return
    msg_id = data.get("id")
    reply_to = msg_id if _valid_id(msg_id) else None
    method = data.get("method")
    is_response = "id" in data and "method" not in data and ("result" in data or "error" in data)
    if data.get("jsonrpc") != "2.0" or not _valid_id(msg_id) or not (isinstance(method, str) or is_response):
        if "method" in data or not is_response:
            _send_error(ls, reply_to, INVALID_REQUEST, "Invalid request: not a JSON-RPC 2.0 request or notification.")
        return
    try:
        message = _structure(ls, data)
    except Exception as error:
        if "id" in data and isinstance(method, str):
            _send_error(ls, msg_id, INVALID_PARAMS, f"Invalid params for {method}: {_short(error)}")
        else:
            logger.warning("dropped a message whose params do not fit %s: %s", method, _short(error))
        return
    ls.protocol.handle_message(message)


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    notes = getattr(error, "exceptions", None)
    if notes:
        text += ": " + "; ".join(str(e) for e in notes[:3])
    return text[:300]


async def serve_stdio(ls: GtoLanguageServer) -> None:
    """Read stdin in a thread (chunks, never a declared length at once) and handle each framed message."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    fd = sys.stdin.buffer.fileno()

    def pump() -> None:
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = _EOF
            loop.call_soon_threadsafe(queue.put_nowait, chunk)
            if not chunk:
                return

    threading.Thread(target=pump, name="gto-lsp-stdin", daemon=True).start()
    framer = Framer()
    stop = ls._stop_event
    eof = False
    while stop is None or not stop.is_set():
        idle = False
        if not eof:
            try:
                chunk = await asyncio.wait_for(queue.get(), IDLE if framer.buffer else None)
                framer.feed(chunk)
                eof = idle = not chunk
            except asyncio.TimeoutError:
                idle = True
        while True:
            step = framer.next(idle)
            if step is None:
                break
            kind, value = step
            if kind == "error":
                _send_error(ls, None, *value)
            elif kind == "body":
                try:
                    handle_body(ls, value)
                except Exception as error:  # pygls's own handling failed: say so, keep serving
                    logger.warning("could not handle a message: %r", error)
                    _answer_internal_error(ls, value, error)
        if eof:
            break


def start_io(ls: GtoLanguageServer) -> None:
    """`LanguageServer.start_io`, with the reader above."""
    from threading import Event

    from pygls.io_ import StdoutWriter

    ls._stop_event = Event()
    ls.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    try:
        asyncio.run(serve_stdio(ls))
    except BrokenPipeError:
        logger.warning("the client closed the connection")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        ls.shutdown()  # type: ignore[no-untyped-call]

"""The stdio transport, hardened: pygls 2.1's reader (`pygls.io_.run_async`) stops answering after a message
with a wrong `Content-Length` and reads whatever length a header declares. This one answers JSON-RPC errors and
keeps serving:

- a body that is not JSON, or a length that cuts it: ParseError (-32700, id null); the bytes up to the next
  `Content-Length:` header are dropped, so a length too small or too large costs one message, not the session;
- a declared length above `MAX_MESSAGE`, or not a number: ParseError, and the body is dropped as it arrives,
  up to the next header (what is buffered never exceeds one allowed message and one read chunk);
- a body that is not an object (an array, a number), or an object that is no request, notification or response:
  InvalidRequest (-32600);
- a request whose params do not fit the method's types: InvalidParams (-32602) with its id, naming the first
  misfit only (collecting every misfit of a 200,000-character string given for a list took 25 s and 840 MB); a
  notification whose params do not fit is dropped with a warning. Nothing a client sends is logged at error level.

The reader thread also ends the process, whatever the main loop is doing (a long check holds it): on end of input,
on `exit`, and when the client's process (`processId`) ends, the main loop is asked to stop and, if it has not
within `GRACE`, the process exits. A `shutdown` the busy main loop has not answered within `GRACE` is answered by
the reader, as vscode-languageclient sends `exit` only after that answer (and gives up after 2 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import select
import sys
import threading
import time
from typing import Any, Callable, Optional

from lsprotocol import types
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage

from gto_lsp.core.repo.lock import alive
from gto_lsp.lsp import early
from gto_lsp.lsp.early import Answered
from gto_lsp.lsp.framing import PARSE_ERROR, Framer
from gto_lsp.lsp.session.background import FOREGROUND, serving
from gto_lsp.lsp.session.server import GtoLanguageServer

logger = logging.getLogger("gto_lsp")

IDLE = 0.5  # seconds without input after which a length larger than what came is taken as wrong
GRACE = 0.5  # seconds the main loop has to stop (or answer `shutdown`) before the reader thread does it
PARENT_POLL = 0.5  # seconds between checks that the client's process lives, where there is no pidfd
INSPECT = 1 << 20  # bodies larger than this are no initialize, shutdown or exit: not decoded by the reader
REQUEST_INSPECT = 1 << 16  # larger requests are not counted in flight (hover, lens, completion: far smaller)
INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32600, -32602, -32603
_EOF = b""


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


def strict_converter(ls: GtoLanguageServer) -> None:
    """Params are checked, not coerced, and a misfit is reported at the first one found.

    cattrs turns any value into a `str` field (`{"uri": ["x"]}` became the uri "['x']"): refused, so the request
    is answered InvalidParams instead of running on a made-up string. cattrs's detailed validation collects every
    misfit with its traceback: a 20,000-character string given for a list took 4 s, 80,000 more than 12 (the
    garbage collector walks every collected exception), while the messages behind it waited."""

    def structure_str(value: Any, _: type) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        return value

    converter = ls.protocol._converter
    converter.detailed_validation = False  # read when each type's structuring code is generated: before any
    converter.register_structure_hook(str, structure_str)


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
    if "id" in data and isinstance(method, str):
        # The handler's tasks and threads copy this: what they run for the request never waits for it.
        token = serving.set(msg_id)
        try:
            ls.protocol.handle_message(message)
        finally:
            serving.reset(token)
    else:
        ls.protocol.handle_message(message)


def _short(error: BaseException) -> str:
    if isinstance(error, KeyError) and error.args:
        return f"missing field {error.args[0]!r}"[:300]
    text = str(error) or type(error).__name__
    notes = getattr(error, "exceptions", None)
    if notes:
        text += ": " + "; ".join(str(e) for e in notes[:3])
    return text[:300]


class Lifeline:
    """What the reader thread does by itself, whatever the main loop is doing (see the module's doc)."""

    def __init__(
        self, ls: GtoLanguageServer, deliver: Callable[[tuple[str, Any]], None], answered: Optional[Answered] = None
    ) -> None:
        self.deliver = deliver
        self.answered = answered  # `initialize`, answered by the early start: the server's own answer is dropped
        self.writing = threading.Lock()  # one write to stdout at a time: the main loop's or the reader's
        self.lock = threading.Lock()  # the state below; never held while writing (a client not reading blocks it)
        self.shutdown = ""  # "pending" (seen by the reader), "claimed" (by the main loop), "answered" (by the reader)
        self.shutdown_id: Any = None
        self.ending = False
        self.watching = False
        self._send = send = ls.protocol._send_data

        def locked_send(data: Any) -> None:
            try:
                with self.writing:
                    if self.shutdown == "answered" and _answers(data, self.shutdown_id):
                        return  # the reader answered it already
                    if self.answered is not None and _answers(data, self.answered[0]):
                        _compare(ls, data, self.answered[1])
                        self.answered = None
                        return
                    send(data)
            finally:
                answered = _response_id(data)
                if answered is not _NO_ID:
                    FOREGROUND.end(answered)

        ls.protocol._send_data = locked_send  # type: ignore[method-assign]

    def inspect(self, body: bytes) -> str:
        """The kind of a body the reader acts on ("exit", "shutdown"), else ""; initialize's processId is watched."""
        if len(body) > INSPECT or not any(word in body for word in (b'"exit"', b'"shutdown"', b'"initialize"')):
            return ""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return ""
        if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
            return ""
        method, has_id = data.get("method"), "id" in data and _valid_id(data.get("id"))
        if method == "exit" and "id" not in data:
            return "exit"
        if method == "shutdown" and has_id:
            with self.lock:
                if not self.shutdown:
                    self.shutdown, self.shutdown_id = "pending", data["id"]
                    _later(GRACE, self._answer_shutdown)
            return "shutdown"
        params = data.get("params")
        if method == "initialize" and has_id and isinstance(params, dict):
            self.watch(params.get("processId"))
        return ""

    def claim_shutdown(self) -> None:
        """The main loop reached the shutdown request: it answers it."""
        with self.lock:
            if self.shutdown == "pending":
                self.shutdown = "claimed"

    def _answer_shutdown(self) -> None:
        with self.lock:
            if self.shutdown != "pending":
                return
            self.shutdown = "answered"
        with self.writing:
            try:
                self._send({"jsonrpc": "2.0", "id": self.shutdown_id, "result": None})
            except Exception as error:  # the client is gone: end of input follows
                logger.warning("could not answer shutdown: %r", error)

    def end(self, why: str) -> None:
        """Ask the main loop to stop; end the process, as the main loop would, if it has not within `GRACE`."""
        with self.lock:
            if self.ending:
                return
            self.ending = True
        self.deliver(("end", why))
        code = 1 if why == "exit" and not self.shutdown else 0  # `exit` without shutdown: 1, as pygls says
        _later(GRACE, lambda: self._exit(why, code))

    def _exit(self, why: str, code: int) -> None:
        logger.warning("exiting on %s: the server was still busy %s s later", why, GRACE)
        os._exit(code)

    def watch(self, pid: Any) -> None:
        """End when the client's process ends (POSIX only: os.kill(pid, 0) would end it on Windows)."""
        if self.watching or sys.platform == "win32" or type(pid) is not int or pid <= 0:
            return
        if not alive(pid):  # a process of another machine or pid namespace (a container): not ours to watch
            logger.warning("the client's process %s is not visible from here: not watched", pid)
            return
        self.watching = True
        threading.Thread(target=self._watch, args=(pid,), name="gto-lsp-client-process", daemon=True).start()

    def _watch(self, pid: int) -> None:
        try:
            handle = os.pidfd_open(pid)  # Linux: readable once the process ends (even unreaped); no pid reuse
        except (AttributeError, OSError):
            while alive(pid):
                time.sleep(PARENT_POLL)
        else:
            select.select([handle], [], [])
            os.close(handle)
        self.end(f"the end of the client's process {pid}")


def _compare(ls: GtoLanguageServer, data: Any, early: dict[str, Any]) -> None:
    """The early answer was the server's: say so when not (the table is out of date; early_gen rewrites it)."""
    own = json.loads(json.dumps(data, default=ls.protocol._serialize_message))
    if own != early:
        logger.warning("the early answer to initialize was not the server's: %s instead of %s", early, own)


def _later(seconds: float, work: Callable[[], None]) -> None:
    timer = threading.Timer(seconds, work)
    timer.daemon = True
    timer.start()


_NO_ID = object()


def _response_id(data: Any) -> Any:
    """The id `data` answers, or _NO_ID when it is no response."""
    if isinstance(data, dict):
        return data.get("id") if "method" not in data and "id" in data else _NO_ID
    return getattr(data, "id", _NO_ID) if not hasattr(data, "method") else _NO_ID


def _request_id(body: bytes) -> Any:
    """The id of a request's body, or _NO_ID (a notification, a response, a body too large to be a request the
    background waits for)."""
    if len(body) > REQUEST_INSPECT or b'"id"' not in body or b'"method"' not in body:
        return _NO_ID
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return _NO_ID
    if (
        isinstance(data, dict)
        and isinstance(data.get("method"), str)
        and data.get("id") is not None
        and _valid_id(data["id"])
    ):
        return data["id"]
    return _NO_ID


def _answers(data: Any, msg_id: Any) -> bool:
    """`data` is the response to request `msg_id`."""
    if isinstance(data, dict):
        return "method" not in data and data.get("id") == msg_id
    return not hasattr(data, "method") and getattr(data, "id", None) == msg_id


def _read_chunks(fd: int, chunks: queue.Queue[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            chunk = _EOF
        chunks.put(chunk)
        if not chunk:
            return


def _read_messages(fd: int, lifeline: Lifeline, chunks: Optional[queue.Queue[bytes]] = None) -> None:
    """Frame stdin (read in chunks, never a declared length at once; `chunks`: read by the early start) into
    messages for the main loop; on end of input and on `exit`, end."""
    if chunks is None:
        chunks = queue.Queue()
        threading.Thread(target=_read_chunks, args=(fd, chunks), name="gto-lsp-stdin", daemon=True).start()
    framer = Framer()
    while True:
        idle = False
        try:
            chunk = chunks.get(timeout=IDLE if framer.buffer else None)
        except queue.Empty:
            idle = True
        else:
            if not chunk:
                break
            framer.feed(chunk)
        while True:
            step = framer.next(idle)
            if step is None:
                break
            kind, value = step
            if kind == "body":
                kind = lifeline.inspect(value) or kind
                asked = _request_id(value)
                if asked is not _NO_ID:
                    FOREGROUND.begin(asked)  # background work gives way from now until it is answered
            lifeline.deliver((kind, value))
            if kind == "exit":
                lifeline.end("exit")
                return
    lifeline.end("end of input")


async def serve_stdio(ls: GtoLanguageServer) -> None:
    """Handle each message the reader thread frames, until input ends."""
    loop = asyncio.get_running_loop()
    messages: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def deliver(item: tuple[str, Any]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has ended
            loop.call_soon_threadsafe(messages.put_nowait, item)

    handed = early.take()  # stdin as the early start read it, and its answer to `initialize`
    lifeline = Lifeline(ls, deliver, handed[1] if handed else None)
    reader = threading.Thread(
        target=_read_messages,
        args=(sys.stdin.buffer.fileno(), lifeline, handed[0] if handed else None),
        name="gto-lsp-reader",
        daemon=True,
    )
    reader.start()
    stop = ls._stop_event
    while stop is None or not stop.is_set():
        kind, value = await messages.get()
        if kind == "end":
            break
        if lifeline.ending and kind not in ("exit", "shutdown"):
            continue  # the client is gone: nothing left to answer (shutdown still counts for exit's code)
        if kind == "error":
            _send_error(ls, None, *value)
            continue
        if kind == "shutdown":
            lifeline.claim_shutdown()
        if kind in ("body", "shutdown", "exit"):
            try:
                handle_body(ls, value)
            except Exception as error:  # pygls's own handling failed: say so, keep serving
                logger.warning("could not handle a message: %r", error)
                _answer_internal_error(ls, value, error)


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
    except KeyboardInterrupt:
        pass
    finally:  # (pygls's `exit` raises SystemExit with its code: 0 after shutdown, else 1)
        ls.shutdown()  # type: ignore[no-untyped-call]

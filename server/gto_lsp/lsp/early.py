"""The early start: `initialize` answered before pygls, lsprotocol and the server are loaded (importing them is most
of the start-up, and the answer needs nothing but JSON), then every byte read handed to the transport.

`start` (the stdio entry, `cli.serve_stdio`) begins reading stdin in a thread that frames the first message. When it
is a plain `initialize` (params of the types lsprotocol reads, every value one the table covers), the thread writes
the answer the server would give, from early_table.py (written from the real server by early_gen.py). Anything
else, or an `initialize` complete only after the transport took over, is left to the normal path. The thread goes
on reading into the same queue; `take` hands it to the transport, with the id answered, whose own answer the
transport then drops (the server still handles `initialize`: client capabilities, folders, options, processId).
Standard library only: this module runs before the heavy imports. GTO_LSP_EARLY=0 turns it off.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from typing import Any, Optional

from gto_lsp import __version__
from gto_lsp.lsp.framing import Framer

__all__ = ["ENCODINGS", "SERVER_NAME", "Answered", "Early", "TableKey", "answer_for", "start", "take"]

SWITCH = "GTO_LSP_EARLY"  # "0": no early answer
SERVER_NAME = "gto-lsp"
ENCODINGS = ("utf-8", "utf-16", "utf-32")  # pygls's, in no order: the client's first one it knows wins
# Position encoding, rename's prepareSupport, notebookDocument given, willSave given, willSaveWaitUntil given.
TableKey = tuple[str, bool, bool, bool, bool]
LARGEST = 1 << 20  # bytes: a first message larger than this is left to the normal path
CHUNK = 1 << 16
# Chunks read ahead of the transport, at most (16 MB): while the server loads nobody frames them, and a client
# writing meanwhile waits on the pipe, as it did before the early start, instead of filling memory.
QUEUED = 256
_ENVELOPE = {"jsonrpc", "id", "method", "params"}
Answered = tuple[Any, dict[str, Any]]  # the id of the `initialize` answered, and the answer

_table: Optional[dict[str, Any]] = None
_early: Optional[Early] = None


class Early:
    """Reads `fd_in` into `chunks` from the start; answers the first message on `fd_out` when it can."""

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in, self.fd_out = fd_in, fd_out
        self.chunks: queue.Queue[bytes] = queue.Queue(QUEUED)
        self.framer: Optional[Framer] = Framer()  # until the first message is framed
        self.lock = threading.Lock()  # `taken` and the answer: the early answer is written before the handover
        self.taken = False
        self.answered: Optional[Answered] = None

    def start(self) -> None:
        threading.Thread(target=self._read, name="gto-lsp-stdin", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd_in, CHUNK)
            except OSError:
                chunk = b""
            if self.framer is not None:
                self._look(chunk)
            self.chunks.put(chunk)  # after the answer: the transport frames the initialize only after it
            if not chunk:
                return

    def _look(self, chunk: bytes) -> None:
        framer = self.framer
        assert framer is not None
        framer.feed(chunk)
        step = framer.next(False)  # as the transport's framer does with these bytes (not idle: they keep coming)
        if step is None and chunk and len(framer.buffer) <= LARGEST:
            return
        self.framer = None
        if step is None or step[0] != "body":
            return
        answer = answer_for(step[1])
        if answer is None:
            return
        with self.lock:
            if self.taken:
                return
            _write_all(self.fd_out, _frame(answer))
            self.answered = (answer["id"], answer)

    def take(self) -> tuple[queue.Queue[bytes], Optional[Answered]]:
        """Hand stdin over: the queue of what was and will be read, and the request answered (id, answer)."""
        with self.lock:
            self.taken = True
            return self.chunks, self.answered


def start(fd_in: int = 0, fd_out: int = 1) -> None:
    """Begin reading stdin, answering `initialize` early (unless GTO_LSP_EARLY=0)."""
    global _early
    if os.environ.get(SWITCH, "1") == "0" or _early is not None:
        return
    _load()  # here, not in the thread: an import there would wait for the main thread's imports
    _early = Early(fd_in, fd_out)
    _early.start()


def take() -> Optional[tuple[queue.Queue[bytes], Optional[Answered]]]:
    """What `start` read and answered, for the transport; None when it did not start."""
    global _early
    early, _early = _early, None
    return None if early is None else early.take()


def answer_for(body: bytes) -> Optional[dict[str, Any]]:
    """The server's answer to this first message, when it is a plain `initialize` the table covers, else None."""
    if len(body) > LARGEST or b'"initialize"' not in body:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not set(data) <= _ENVELOPE or data.get("jsonrpc") != "2.0":
        return None
    msg_id, params = data.get("id"), data.get("params")
    if data.get("method") != "initialize" or type(msg_id) not in (int, str) or not isinstance(params, dict):
        return None
    table = _load()
    if not fits(params, "InitializeParams", table["params"]):
        return None
    answers = table["answers"]
    differences = answers["differences"].get(",".join(map(str, key_of(params["capabilities"]))))
    if differences is None:
        return None
    capabilities = {**answers["base"], **differences}
    capabilities = {name: value for name, value in capabilities.items() if value is not None}
    result = {"capabilities": capabilities, "serverInfo": {"name": SERVER_NAME, "version": __version__}}
    return {"id": msg_id, "jsonrpc": "2.0", "result": result}


def key_of(capabilities: dict[str, Any]) -> TableKey:
    """What pygls's answer reads of the client's capabilities (checked by `fits` first)."""
    general = capabilities.get("general") or {}
    encoding = next((e for e in general.get("positionEncodings") or () if e in ENCODINGS), "utf-16")
    text_document = capabilities.get("textDocument") or {}
    rename = text_document.get("rename") or {}
    synchronization = text_document.get("synchronization") or {}
    return (
        encoding,
        rename.get("prepareSupport") is True,
        capabilities.get("notebookDocument") is not None,
        synchronization.get("willSave") is not None,
        synchronization.get("willSaveWaitUntil") is not None,
    )


def fits(value: Any, kind: Any, classes: dict[str, Any], depth: int = 0) -> bool:
    """`value` is of `kind` (early_gen.params_types's notation), strictly: what fits, lsprotocol's converter (with
    the transport's strict strings) reads without error; a value it would coerce does not fit."""
    if depth > 40:
        return False
    if isinstance(kind, str):
        if kind == "s":
            return isinstance(value, str)
        if kind == "i":
            return type(value) is int
        if kind == "b":
            return type(value) is bool
        if kind == "f":
            return type(value) in (int, float)
        if kind == "n":
            return value is None
        if kind == "a":
            return True
        fields, required = classes[kind]
        if not isinstance(value, dict) or any(name not in value for name in required):
            return False
        return all(fits(item, fields[name], classes, depth + 1) for name, item in value.items() if name in fields)
    tag, arg = kind
    if tag in ("e", "c"):
        return type(value) in (str, int) and value in arg
    if tag == "l":
        return isinstance(value, list) and all(fits(item, arg, classes, depth + 1) for item in value)
    if tag == "m":
        return isinstance(value, dict) and all(fits(item, arg, classes, depth + 1) for item in value.values())
    return tag == "u" and any(fits(value, option, classes, depth + 1) for option in arg)


def _load() -> dict[str, Any]:
    global _table
    if _table is None:
        from gto_lsp.lsp.early_table import TABLE

        _table = json.loads(TABLE)
    return _table


def _frame(answer: dict[str, Any]) -> bytes:
    """As pygls frames its messages."""
    body = json.dumps(answer).encode()
    return b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n%s" % (
        len(body),
        body,
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]

"""Issue 9 §1, malformed transport: raw bytes on the server's stdin. Each malformed message gets the JSON-RPC
error it deserves (ParseError, InvalidRequest) and the server keeps answering what follows."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

from lsp.conftest import SERVER_COMMAND, git_env


def frame(body: bytes, length: Optional[bytes] = None) -> bytes:
    return b"Content-Length: " + (str(len(body)).encode() if length is None else length) + b"\r\n\r\n" + body


def message(payload: dict[str, Any]) -> bytes:
    """A well-formed message, with the Content-Type header pygls and VS Code send."""
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n%s" % (
        len(body),
        body,
    )


class Raw:
    def __init__(self, home: Path) -> None:
        self.process = subprocess.Popen(
            SERVER_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env(home)
        )
        self.pending = b""
        self.next_id = 100

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def read(self, timeout: float) -> Optional[dict[str, Any]]:
        """The next message from the server, or None after `timeout` seconds."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while True:
            end = self.pending.find(b"\r\n\r\n")
            if end >= 0:
                length = int(self.pending[:end].split(b"Content-Length: ")[1].split(b"\r\n")[0])
                if len(self.pending) >= end + 4 + length:
                    body = self.pending[end + 4 : end + 4 + length]
                    self.pending = self.pending[end + 4 + length :]
                    found: dict[str, Any] = json.loads(body)
                    return found
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self.pending += chunk

    def messages(self, timeout: float) -> list[dict[str, Any]]:
        """Every message that arrives within `timeout` seconds."""
        out = []
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            got = self.read(left)
            if got is None:
                break
            out.append(got)
        return out

    def until(self, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
        """The messages that arrive until `done` holds for them; a failure when it does not within 30 s (a hang
        bound, not a speed)."""
        out: list[dict[str, Any]] = []
        deadline = time.monotonic() + 30
        while not done(out):
            left = deadline - time.monotonic()
            got = self.read(left) if left > 0 else None
            if got is None:
                raise AssertionError(f"no such answer within 30 s: {out}")
            out.append(got)
        return out

    def responses_until(self, ids: Callable[[set[Any]], bool]) -> list[dict[str, Any]]:
        """The responses (not notifications) that arrive until `ids` holds for the set of their ids."""
        got = self.until(lambda out: ids({r.get("id") for r in out if "method" not in r}))
        return [r for r in got if "method" not in r]

    def ping(self) -> None:
        """A real request after the garbage: it must be answered (a hang bound of 30 s)."""
        self.next_id += 1
        self.send(
            message(
                {
                    "jsonrpc": "2.0",
                    "id": self.next_id,
                    "method": "workspace/executeCommand",
                    "params": {"command": "gto.server.validateName", "arguments": [{"name": "ok"}]},
                }
            )
        )
        deadline = time.monotonic() + 30  # a hang bound, not a speed
        while (left := deadline - time.monotonic()) > 0:
            got = self.read(left)
            if got is not None and got.get("id") == self.next_id:
                assert got["result"]["ok"] is True
                return
        raise AssertionError("the server stopped answering")

    def peak_kb(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("VmHWM:"))

    def close(self) -> str:
        self.process.kill()
        self.process.wait(5)
        assert self.process.stderr is not None
        return self.process.stderr.read().decode(errors="replace")


def served(home: Path) -> Iterator[Raw]:
    """An initialized server; at the end, nothing logged at error level."""
    server = Raw(home)
    server.send(message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
    assert server.read(30) is not None
    server.send(message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    yield server
    stderr = server.close()
    assert "ERROR" not in stderr and "Traceback" not in stderr, stderr


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[Raw]:
    yield from served(tmp_path / "home")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Raw]:
    """One server for every malformed message in turn: each case ends with the server answering again, which is
    what the next one starts from (one start instead of twenty)."""
    yield from served(tmp_path_factory.mktemp("transport") / "home")


BODY = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "shutdownx"}).encode()
RANGE = {
    "textDocument": {"uri": "file:///a/artifacts.yaml"},
    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
}
CASES = {
    "not json": (frame(b"{this is not json"), -32700),
    "truncated json": (frame(b'{"jsonrpc": "2.0", "id": 3, "meth'), -32700),
    "length too small": (frame(BODY, str(len(BODY) - 10).encode()), -32700),
    "length too large": (frame(BODY, str(len(BODY) + 40).encode()), -32700),
    "length too large by 10": (frame(BODY, str(len(BODY) + 10).encode()), -32700),
    "length too large by 10, then a request": (frame(BODY, str(len(BODY) + 10).encode()), -32700),
    "length huge": (frame(b"{}", b"99999999999999999999"), -32700),
    "length 1 GB": (frame(b"{}", str(1 << 30).encode()), -32700),
    "length not a number": (frame(BODY, b"12abc"), -32700),
    "length negative": (frame(BODY, b"-5"), -32700),
    "no length": (b"Content-Type: application/json\r\n\r\n" + BODY, -32700),
    "an array": (frame(b"[1, 2, 3]"), -32600),
    "an empty array": (frame(b"[]"), -32600),
    "a number": (frame(b"42"), -32600),
    "a string": (frame(b'"hello"'), -32600),
    "null": (frame(b"null"), -32600),
    "an object without method": (frame(b'{"jsonrpc": "2.0", "id": 9}'), -32600),
    "method not a string": (frame(b'{"jsonrpc": "2.0", "id": 9, "method": 5}'), -32600),
    "id an object": (frame(b'{"jsonrpc": "2.0", "id": {}, "method": "x"}'), -32600),
    "deeply nested": (frame(b"[" * 100_000 + b"]" * 100_000), -32700),
    "invalid utf-8": (frame(b'{"jsonrpc": "2.0", "id": 3, "method": "\xff\xfe"}'), -32700),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_message_gets_an_error_and_the_server_keeps_serving(shared: Raw, case: str) -> None:
    raw = shared
    data, code = CASES[case]
    follows = case.startswith("length too large") and case != "length too large by 10"
    if follows:  # the next message's bytes complete the wrong length: it is cut there, and answered
        data += VALIDATE
    raw.send(data)
    # the error (its id is null or the request's), and the request that follows when there is one
    got = raw.responses_until(lambda ids: bool(ids - {50}) and (not follows or 50 in ids))
    assert [r["error"]["code"] for r in got if "error" in r][:1] == [code], got
    if follows:
        assert [r["result"]["ok"] for r in got if r.get("id") == 50] == [True], got
    raw.ping()
    raw.ping()


VALIDATE = message(
    {
        "jsonrpc": "2.0",
        "id": 50,
        "method": "workspace/executeCommand",
        "params": {"command": "gto.server.validateName", "arguments": [{"name": "ok"}]},
    }
)


def test_lf_only_headers_are_read(raw: Raw) -> None:
    """`Content-Length: N\\n\\n`: the next request was not answered; such a message is read as it is meant."""
    body = VALIDATE.split(b"\r\n\r\n", 1)[1]
    raw.send(b"Content-Length: %d\n\n%s" % (len(body), body))
    got = raw.responses_until(lambda ids: bool(ids))
    assert [r["result"]["ok"] for r in got if r.get("id") == 50] == [True], got
    raw.ping()


@pytest.mark.parametrize(
    "method, params",
    [
        ("textDocument/codeAction", {**RANGE, "context": {"diagnostics": "x" * 200_000}}),
        ("textDocument/hover", {"textDocument": {"uri": "file:///a/artifacts.yaml"}, "position": ["x"] * 200_000}),
        (
            "textDocument/didChange",
            {"textDocument": {"uri": "file:///a", "version": 2}, "contentChanges": "x" * 200_000},
        ),
    ],
    ids=["a string for a list", "a list for an object", "a notification"],
)
def test_a_long_wrong_typed_parameter_costs_one_message(raw: Raw, method: str, params: dict[str, Any]) -> None:
    """A 200,000-character string given for the list of diagnostics took 25 s and 840 MB to refuse (cattrs kept
    an exception and its traceback for each character) while the hovers behind it waited: refused at its first
    misfit now."""
    request: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
    if method != "textDocument/didChange":
        request["id"] = 40
    raw.send(message(request))
    hover = {"textDocument": {"uri": "file:///a/artifacts.yaml"}, "position": {"line": 0, "character": 0}}
    for number in range(4):
        raw.send(message({"jsonrpc": "2.0", "id": 41 + number, "method": "textDocument/hover", "params": hover}))
    got: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + 30  # a hang is no answer in 30 s
    while len(got) < 4 + ("id" in request) and (left := deadline - time.monotonic()) > 0:
        answer = raw.read(left)
        if answer is not None and "method" not in answer:
            got[answer["id"]] = answer
    assert sorted(got) == ([40] if "id" in request else []) + [41, 42, 43, 44]
    if "id" in request:
        assert got[40]["error"]["code"] == -32602
        assert len(got[40]["error"]["message"]) < 400
    assert raw.peak_kb() < 300 * 1024


def test_a_huge_declared_length_allocates_nothing(raw: Raw) -> None:
    raw.send(b"Content-Length: 4000000000\r\n\r\n" + b"x" * 100_000)
    got = raw.responses_until(lambda ids: bool(ids))
    assert [r["error"]["code"] for r in got] == [-32700]
    assert raw.peak_kb() < 300 * 1024
    raw.send(b"y" * 100_000)
    raw.ping()


def test_documents_never_opened_log_nothing(raw: Raw) -> None:
    """Changes, saves, closes and requests for a uri never opened: answered, and nothing is logged or shown at
    error level (`KeyError: 'file:///...'` tracebacks; the fixture checks stderr)."""
    ghost = "file:///nowhere/ghost/artifacts.yaml"
    start = {"line": 0, "character": 0}
    notifications: list[tuple[str, dict[str, Any]]] = [
        (
            "textDocument/didChange",
            {
                "textDocument": {"uri": ghost, "version": 2},
                "contentChanges": [{"range": {"start": start, "end": start}, "text": "x"}],
            },
        ),
        ("textDocument/didChange", {"textDocument": {"uri": ghost, "version": 3}, "contentChanges": [{"text": "a"}]}),
        ("textDocument/didSave", {"textDocument": {"uri": ghost}}),
        ("textDocument/didClose", {"textDocument": {"uri": ghost}}),
    ]
    for method, params in notifications:
        raw.send(message({"jsonrpc": "2.0", "method": method, "params": params}))
    requests: list[tuple[str, dict[str, Any]]] = [
        ("textDocument/hover", {"textDocument": {"uri": ghost}, "position": start}),
        ("textDocument/documentSymbol", {"textDocument": {"uri": ghost}}),
        ("textDocument/codeLens", {"textDocument": {"uri": ghost}}),
        ("textDocument/completion", {"textDocument": {"uri": ghost}, "position": start}),
        (
            "textDocument/codeAction",
            {"textDocument": {"uri": ghost}, "range": {"start": start, "end": start}, "context": {"diagnostics": []}},
        ),
    ]
    for number, (method, params) in enumerate(requests):
        raw.send(message({"jsonrpc": "2.0", "id": 500 + number, "method": method, "params": params}))
    wanted = set(range(500, 500 + len(requests)))
    everything = raw.until(lambda out: wanted <= {r.get("id") for r in out if "method" not in r})
    got = [r for r in everything if "method" not in r]
    assert sorted(r["id"] for r in got) == list(range(500, 500 + len(requests)))
    assert all("error" not in r for r in got), got
    # didChange made pygls show "Error in server: KeyError: 'file:///nowhere/...'" (window/showMessage, Error)
    shown = [m for m in everything if m.get("method", "").startswith("window/") and m["params"].get("type") == 1]
    assert shown == []
    raw.ping()


def test_a_request_whose_handling_fails_is_still_answered() -> None:
    """pygls failing inside `handle_message` must not leave the client waiting for ever: an InternalError."""

    from gto_lsp.lsp import transport

    sent: list[dict[str, Any]] = []

    class Protocol:
        def _send_data(self, data: dict[str, Any]) -> None:
            sent.append(data)

    class Server:
        protocol = Protocol()

    request = b'{"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {}}'
    notification = b'{"jsonrpc": "2.0", "method": "initialized", "params": {}}'
    transport._answer_internal_error(Server(), request, RuntimeError("boom"))  # type: ignore[arg-type]
    transport._answer_internal_error(Server(), notification, RuntimeError("boom"))  # type: ignore[arg-type]
    assert sent == [{"jsonrpc": "2.0", "id": 7, "error": {"code": -32603, "message": "Internal error: boom"}}]

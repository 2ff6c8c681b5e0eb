"""Issue 17, start-up: `initialize` is answered by the early start (lsp/early.py) before pygls and lsprotocol load,
and that answer is the one the server gives. The table it answers from is current; for real clients' recorded
capabilities (VS Code, Neovim, Emacs eglot, pytest-lsp's recordings) and a minimal `{}` the early answer is the
server's; over many hostile params, whatever the early start answers is what the server answers; over stdio, the
answers with and without it are the same, and what the client sends while the server loads is handled as before."""

from __future__ import annotations

import copy
import json
import os
import random
import select
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp

from gto_lsp.lsp import early, early_gen, early_table
from lsp.test_transport import message

RECORDED = sorted((Path(pytest_lsp.__file__).parent / "clients").glob("*.json"))
# The recorded sets the early start answers; the others (neovim 0.9.1 sends a list for callHierarchy, which
# lsprotocol's converter reads as "nothing given") are left to the server.
ANSWERED = {path.stem for path in RECORDED} - {"neovim_v0.9.1"}


def recorded(path: Path) -> dict[str, Any]:
    client = json.loads(path.read_text())
    params = {"processId": None, "rootUri": None, "capabilities": client["capabilities"]}
    if "clientInfo" in client:
        params["clientInfo"] = client["clientInfo"]
    return params


def initialize(params: Any, msg_id: Any = 1) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": "initialize", "params": params}).encode()


def test_the_table_is_the_servers_today() -> None:
    assert json.loads(early_table.TABLE) == early_gen.table(), "out of date: python -m gto_lsp.lsp.early_gen"


@pytest.mark.parametrize("path", RECORDED, ids=[path.stem for path in RECORDED])
def test_recorded_clients_get_the_servers_answer(path: Path) -> None:
    params = recorded(path)
    answer = early.answer_for(initialize(params))
    assert (answer is not None) == (path.stem in ANSWERED)
    if answer is not None:
        assert answer == early_gen.normal_answer(params)


@pytest.mark.parametrize(
    "capabilities",
    [
        {},
        {"general": {"positionEncodings": ["utf-32", "utf-8"]}},
        {"general": {"positionEncodings": ["utf-7"]}},
        {"general": {"positionEncodings": []}},
        {"general": None, "textDocument": None, "notebookDocument": None},
        {"textDocument": {"rename": {"prepareSupport": True}, "synchronization": {"willSave": False}}},
        {"notebookDocument": {"synchronization": {"executionSummarySupport": True}}},
        {"experimental": {"anything": [1, {"x": None}]}, "unknown": 5},
    ],
)
def test_minimal_and_unusual_capabilities_get_the_servers_answer(capabilities: dict[str, Any]) -> None:
    params = {"capabilities": capabilities}
    answer = early.answer_for(initialize(params, "init"))
    assert answer is not None
    normal = early_gen.normal_answer(params)
    assert answer == {**normal, "id": "init"}


HOSTILE: list[Any] = [None, True, False, 0, 1, -1, 2, 1.5, 2**70, "", "x", "utf-8", "plaintext", "markdown"]
HOSTILE += [[], [1], ["utf-32"], ["x", 1], [None], {}, {"x": 1}, {"dynamicRegistration": "yes"}, [{}]]


def mutate(value: Any, rng: random.Random) -> Any:
    """`value` with one place changed: a value replaced by a hostile one, a key dropped or added."""
    places: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            places.append((node, key))
            walk(child)

    value = copy.deepcopy(value)
    walk(value)
    if not places:
        return {"capabilities": rng.choice(HOSTILE)}
    node, key = rng.choice(places)
    move = rng.random()
    if move < 0.3 and isinstance(node, dict):
        del node[key]
    elif move < 0.4 and isinstance(node[key], dict):
        node[key]["extra"] = rng.choice(HOSTILE)
    elif move < 0.6 and isinstance(node[key], bool):
        node[key] = not node[key]
    else:
        node[key] = rng.choice(HOSTILE)
    return value


def test_an_early_answer_is_always_the_one_the_server_gives() -> None:
    """Soundness of the early check: params it accepts, the server's converter reads, to the same answer."""
    rng = random.Random(17)
    bases = [recorded(path) for path in RECORDED] + [{"capabilities": {}}]
    answered = refused = 0
    for _ in range(2000):
        params = rng.choice(bases)
        for _ in range(rng.choice((1, 1, 2, 3))):
            params = mutate(params, rng)
        answer = early.answer_for(initialize(params))
        if answer is None:
            refused += 1
            continue
        answered += 1
        assert answer == early_gen.normal_answer(params), params
    assert answered > 300 and refused > 300  # both sides were exercised


@pytest.mark.parametrize(
    "envelope",
    [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize"},
        {"jsonrpc": "2.0", "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "id": None, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "id": True, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "id": 1.5, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "1.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}, "more": 1},
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}},
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [{"capabilities": {}}]},
        {"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {"initialize": 1}},
        ["initialize"],
    ],
)
def test_anything_but_a_plain_initialize_is_left_to_the_server(envelope: Any) -> None:
    assert early.answer_for(json.dumps(envelope).encode()) is None


def test_bodies_that_are_no_json_are_left_to_the_server() -> None:
    assert early.answer_for(b'{"method": "initialize", ') is None
    assert early.answer_for(b"[" * 100_000 + b'"initialize"') is None


def test_the_first_message_is_framed_as_the_transport_frames_it() -> None:
    """However the reads split the first message, the early start answers it once, and only once it is whole."""
    data = message({"jsonrpc": "2.0", "id": 7, "method": "initialize", "params": {"capabilities": {}}})
    data += message({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    for cut in range(1, len(data), 5):
        read, write = os.pipe()
        try:
            starter = early.Early(-1, write)
            starter._look(data[:cut])
            assert (starter.answered is not None) == (cut >= data.index(b"Content-Length", 10))
            if starter.framer is not None:
                starter._look(data[cut:])
            assert starter.framer is None and starter.answered is not None and starter.answered[0] == 7
            assert starter.take() == (starter.chunks, starter.answered)
            assert os.read(read, 1 << 16).count(b"Content-Length:") == 1
        finally:
            os.close(read)
            os.close(write)


def test_after_the_handover_the_early_start_answers_nothing() -> None:
    read, write = os.pipe()
    try:
        starter = early.Early(-1, write)
        assert starter.take() == (starter.chunks, None)
        starter._look(message({"jsonrpc": "2.0", "id": 7, "method": "initialize", "params": {"capabilities": {}}}))
        assert starter.answered is None and not select.select([read], [], [], 0)[0]
    finally:
        os.close(read)
        os.close(write)


def test_while_the_server_loads_the_read_ahead_is_bounded() -> None:
    """A client writing while nobody frames its bytes waits on the pipe once QUEUED chunks are read: it does not
    fill the server's memory."""
    read_end, write_end = os.pipe()
    out = os.open(os.devnull, os.O_WRONLY)
    start = early.Early(read_end, out)
    start.start()
    chunk = b"x" * early.CHUNK
    writer = threading.Thread(target=lambda: [os.write(write_end, chunk) for _ in range(early.QUEUED + 64)])
    writer.daemon = True
    writer.start()
    deadline = time.monotonic() + 30
    while start.chunks.qsize() < early.QUEUED and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # more time to read, had the queue no bound
    assert start.chunks.qsize() == early.QUEUED and writer.is_alive()
    while writer.is_alive() and time.monotonic() < deadline:  # the transport drains it: the writer goes on
        start.chunks.get(timeout=30)
    assert not writer.is_alive()
    os.close(write_end)
    os.close(out)

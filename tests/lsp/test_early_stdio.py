"""Issue 17, start-up, over stdio: the early start answers `initialize` while the server's modules are still
loading (their import is held until the answer came), and the server then handles the same `initialize` and what
the client sent meanwhile (initialized, didOpen, hover, a malformed body, params that do not fit, shutdown, exit)
exactly as without the early start (GTO_LSP_EARLY=0): the same answers, and no second answer to `initialize`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp

from lsp.conftest import SERVER_COMMAND, Repo, git_env, uri
from lsp.test_transport import Raw, frame, message

# The server with the import of lsprotocol held until the file GATE names exists (a hang bound of 30 s).
HELD = """
import os, sys, time

class Gate:
    def find_spec(self, name, path=None, target=None):
        if name == "lsprotocol":
            deadline = time.monotonic() + 30
            while not os.path.exists(os.environ["GATE"]) and time.monotonic() < deadline:
                time.sleep(0.005)
        return None

sys.meta_path.insert(0, Gate())
from gto_lsp.cli import main
sys.exit(main(["serve"]))
"""

VSCODE = json.loads((Path(pytest_lsp.__file__).parent / "clients" / "visual_studio_code_v1.65.2.json").read_text())
NEOVIM_091 = json.loads((Path(pytest_lsp.__file__).parent / "clients" / "neovim_v0.9.1.json").read_text())


class Held(Raw):
    """A raw client of a server whose modules load only once `release` is called."""

    def __init__(self, home: Path, early: bool, cwd: Path) -> None:
        self.gate = home.parent / f"gate-{early}"
        env = {**git_env(home), "GATE": str(self.gate), "GTO_LSP_EARLY": "1" if early else "0"}
        self.process = subprocess.Popen(
            [SERVER_COMMAND[0], "-c", HELD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        self.pending = b""
        self.next_id = 100

    def release(self) -> None:
        self.gate.touch()

    def loaded(self) -> bool:
        return self.gate.exists()


def session(repo: Repo, early: bool, first: bytes) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """`first`, then a session's messages sent at once while the server loads; what comes back (the answers by
    id and the diagnostics), and the exit code. With the early start the answer to `first` must come before the
    server's modules load."""
    doc = uri(repo.index)
    server = Held(repo.root.parent / f"home-{early}", early, repo.root)
    try:
        server.send(first)
        if early:
            answer = server.read(30)  # a hang bound
            assert answer is not None and not server.loaded(), "initialize was not answered before the server loaded"
            before = [answer]
        else:
            before = []
        text = repo.index.read_text()
        server.send(
            message({"jsonrpc": "2.0", "method": "initialized", "params": {}})
            + message(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {"textDocument": {"uri": doc, "languageId": "yaml", "version": 1, "text": text}},
                }
            )
            + message(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "textDocument/hover",
                    "params": {"textDocument": {"uri": doc}, "position": {"line": 1, "character": 3}},
                }
            )
            + frame(b"{not json")
            + message({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"textDocument": 5}})
            + message({"jsonrpc": "2.0", "id": 4, "method": "textDocument/documentSymbol", "params": {"x": []}})
        )
        server.release()
        got = before + server.until(
            lambda out: (
                {2, 3, 4} <= {m.get("id") for m in out}
                and any(m.get("method") == "textDocument/publishDiagnostics" for m in out)
            )
        )
        server.send(message({"jsonrpc": "2.0", "id": 5, "method": "shutdown"}))
        got += server.until(lambda out: any(m.get("id") == 5 for m in out))
        server.send(message({"jsonrpc": "2.0", "method": "exit"}))
        code = server.process.wait(30)
        got += server.messages(0.5)
    finally:
        stderr = server.close()
    assert "not the server's" not in stderr and "Traceback" not in stderr, stderr  # (transport._compare)
    answers = [m for m in got if "method" not in m]
    published = [m["params"] for m in got if m.get("method") == "textDocument/publishDiagnostics"]
    last = {p["uri"]: p["diagnostics"] for p in published}  # how many times is the debounce's business
    return answers, last, code


def initialize(params: Any, msg_id: Any = 1) -> bytes:
    return message({"jsonrpc": "2.0", "id": msg_id, "method": "initialize", "params": params})


@pytest.mark.parametrize(
    "client",
    [
        {"capabilities": {}},
        {"capabilities": VSCODE["capabilities"], "clientInfo": VSCODE["clientInfo"], "processId": os.getpid()},
        {"capabilities": {"general": {"positionEncodings": ["utf-8"]}}, "initializationOptions": {"trusted": False}},
    ],
    ids=["minimal", "vscode", "utf-8-untrusted"],
)
def test_a_session_is_served_as_without_the_early_start(tmp_path: Path, client: dict[str, Any]) -> None:
    repo = Repo(tmp_path / "repo", git_env(tmp_path / "home"))
    repo.commit({"artifacts.yaml": "model:\n  type: model\n  path: missing.pkl\n  bogus: 1\n"})
    params = {**client, "rootUri": uri(repo.root), "workspaceFolders": [{"uri": uri(repo.root), "name": "repo"}]}
    with_early = session(repo, True, initialize(params, "init"))
    without = session(repo, False, initialize(params, "init"))
    assert with_early == without
    answers, diagnostics, code = with_early
    assert [a["id"] for a in answers].count("init") == 1 and "result" in answers[0]
    assert code == 0 and diagnostics[uri(repo.index)]


@pytest.mark.parametrize(
    "first",
    [
        initialize({"capabilities": NEOVIM_091["capabilities"]}),  # read by the server, not by the early start
        initialize({"capabilities": {"general": {"positionEncodings": "utf-8"}}}),  # InvalidParams
        initialize({"capabilities": {}, "rootUri": 5}),
        message({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {}}),
        frame(b'{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}'),
        b"garbage\r\n\r\n" + initialize({"capabilities": {}}),
    ],
    ids=["neovim-0.9.1", "invalid-params", "root-uri-a-number", "not-initialize", "cut-body", "junk-before"],
)
def test_what_the_early_start_does_not_answer_the_server_answers_as_before(tmp_path: Path, first: bytes) -> None:
    repo = Repo(tmp_path / "repo", git_env(tmp_path / "home"))
    repo.commit({"artifacts.yaml": "model:\n  type: model\n"})
    results = []
    for early in (True, False):
        server = Held(tmp_path / f"home-{early}", early, repo.root)
        try:
            server.send(first)
            assert server.read(0.5) is None or server.loaded()  # nothing before the server loaded
            server.release()
            server.send(message({"jsonrpc": "2.0", "id": 9, "method": "shutdown"}))
            got = server.until(lambda out: any(m.get("id") == 9 for m in out))
            server.send(message({"jsonrpc": "2.0", "method": "exit"}))
            results.append((got, server.process.wait(30)))
        finally:
            server.close()
    assert results[0] == results[1]


def test_the_held_import_is_the_servers(tmp_path: Path) -> None:
    """The gate above holds what the server loads: without release, nothing but the early answer comes."""
    server = Held(tmp_path / "home", True, tmp_path)
    try:
        server.send(initialize({"capabilities": {}}) + message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        assert server.read(30) is not None
        assert server.read(1) is None  # shutdown waits for the server
        server.release()
        assert server.read(30) == {"jsonrpc": "2.0", "id": 2, "result": None}
    finally:
        server.close()

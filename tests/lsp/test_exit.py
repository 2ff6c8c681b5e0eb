"""Issue 12 item 3: the server exits when its client is gone, whatever its main loop is doing. The main loop is
kept busy by real input (a burst of full-text edits of a 3,000-entry artifacts.yaml, each followed by a request
that needs the new text parsed), then input ends, `exit` comes, or the client's process dies: the process must be
gone within `GONE` seconds (before, it ran until the burst was done: over a minute for 60 edits). GONE is a hang
bound that a busy machine cannot trip; the burst is long enough that a server that finishes it first fails."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from lsp.conftest import Repo, git_env, uri
from lsp.test_hostile import entries
from lsp.test_transport import Raw, message

GONE = 30.0  # seconds, a hang bound (the failure was "still running 5 s after its input ended")
ROUNDS = 200  # edits in the burst: each costs the main loop a parse of 200 KB (60 took over a minute)


class Server(Raw):
    """A raw client whose output is read by a thread, so that a server writing large answers never waits on it."""

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while (got := super().read(3600)) is not None:
            self.inbox.put(got)

    def read(self, timeout: float) -> Optional[dict[str, Any]]:
        try:
            return self.inbox.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.send(message({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}))
        return self.next_id

    def notify(self, method: str, params: Any) -> None:
        self.send(message({"jsonrpc": "2.0", "method": method, "params": params}))

    def answer(self, msg_id: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            got = self.read(left)
            if got is not None and got.get("id") == msg_id and "method" not in got:
                return got
        raise AssertionError(f"request {msg_id} not answered within {timeout} s")

    def make_busy(self, index: Path) -> None:
        """A burst of edits and symbol requests; the server must still be working through it afterwards."""
        doc = uri(index)
        text = entries(3000)
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": doc, "languageId": "yaml", "version": 1, "text": text}}
        )
        last = 0
        for version in range(2, ROUNDS + 2):
            change = {"text": f"# edit {version}\n{text}"}
            self.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": doc, "version": version}, "contentChanges": [change]},
            )
            last = self.request("textDocument/documentSymbol", {"textDocument": {"uri": doc}})
        time.sleep(1)
        answered = [m["id"] for m in self.messages(0.2) if m.get("id") == last]
        assert not answered, "the burst no longer keeps the server busy: make it larger"

    def gone_within(self, seconds: float) -> int:
        """The exit code; fails if the process is still running `seconds` after now."""
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server is still running {seconds} s later") from None


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    made = Repo(tmp_path / "repo", git_env(tmp_path / "home"))
    made.commit({"README.md": "x\n"})
    return made


@pytest.fixture
def parent() -> Iterator[subprocess.Popen[bytes]]:
    """A stand-in for the editor: its pid is the `processId` the server is given."""
    process = subprocess.Popen(["sleep", "600"])
    yield process
    process.kill()
    process.wait()


def start(repo: Repo, process_id: Any = None) -> Server:
    server = Server(repo.root.parent / "home")
    folder = {"uri": uri(repo.root), "name": "repo"}
    server.request("initialize", {"processId": process_id, "capabilities": {}, "workspaceFolders": [folder]})
    server.answer(server.next_id, 30)
    server.notify("initialized", {})
    return server


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        stderr = server.close()
        assert "Traceback" not in stderr and "ERROR" not in stderr, stderr


def test_end_of_input_ends_a_busy_server(repo: Repo, servers: list[Server]) -> None:
    server = start(repo)
    servers.append(server)
    server.make_busy(repo.index)
    assert server.process.stdin is not None
    server.process.stdin.close()
    server.gone_within(GONE)


def test_exit_ends_a_busy_server(repo: Repo, servers: list[Server]) -> None:
    server = start(repo)
    servers.append(server)
    server.make_busy(repo.index)
    server.notify("exit", None)
    assert server.gone_within(GONE) == 1  # exit without shutdown: 1, as the protocol says


def test_restart_of_a_busy_server(repo: Repo, servers: list[Server]) -> None:
    """What "Restart Server" in VS Code does: shutdown, and exit once shutdown is answered (vscode-languageclient
    gives up after its timeout, 5 s here, without sending exit)."""
    server = start(repo)
    servers.append(server)
    server.make_busy(repo.index)
    shutdown = server.request("shutdown", None)
    assert server.answer(shutdown, GONE)["result"] is None
    server.notify("exit", None)
    assert server.gone_within(GONE) == 0


def test_the_end_of_the_client_process_ends_a_busy_server(
    repo: Repo, servers: list[Server], parent: subprocess.Popen[bytes]
) -> None:
    server = start(repo, parent.pid)
    servers.append(server)
    server.make_busy(repo.index)
    parent.kill()
    parent.wait()
    server.gone_within(GONE)  # its input is still open


def test_a_client_process_not_visible_here_is_not_taken_for_dead(repo: Repo, servers: list[Server]) -> None:
    """An editor in another pid namespace (a container) gives a pid that does not exist here: keep serving."""
    server = start(repo, 4_194_000)  # above any pid_max of a default system
    servers.append(server)
    time.sleep(1.5)
    assert server.process.poll() is None
    server.ping()


def test_an_idle_server_exits_at_once_on_end_of_input(repo: Repo, servers: list[Server]) -> None:
    server = start(repo)
    servers.append(server)
    server.ping()
    assert server.process.stdin is not None
    server.process.stdin.close()
    server.gone_within(GONE)

"""Issue 12 item 5: git operations that talk to a remote give up with a clear message when the remote never
answers, and `-r URL` clones are removed however the process ends. A real listener on 127.0.0.1 that accepts
connections and never writes; the real CLI in subprocesses."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from helpers.cli import HANG, finish
from helpers.git import git, isolated_env


@pytest.fixture
def silent() -> Iterator[int]:
    """A port that accepts connections and never answers; the connections are closed at the end."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = isolated_env(drop=("GIT_", "GTO_", "GTOLSP_"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env.update(TMPDIR=str(tmp), GTO_EMOJIS="false")
    env.update(GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.com")
    return env


def clones(env: dict[str, str]) -> list[str]:
    return sorted(p.name for p in Path(env["TMPDIR"]).glob("gto-lsp-clone-*"))


def cli(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gto_lsp", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.mark.parametrize("scheme", ["http", "git"])
def test_a_remote_that_never_answers_times_out(silent: int, env: dict[str, str], scheme: str) -> None:
    env["GTOLSP_GIT_TIMEOUT"] = "3"
    code, output = finish(cli(env, "register", "rf", "-r", f"{scheme}://127.0.0.1:{silent}/repo.git"))
    assert code == 1 and "Failed to clone repo" in output and "no answer from the remote within 3 s" in output
    assert "GTOLSP_GIT_TIMEOUT" in output and "Traceback" not in output
    assert clones(env) == []


def wait_for_clone(env: dict[str, str]) -> str:
    deadline = time.monotonic() + HANG
    while not clones(env):
        assert time.monotonic() < deadline, "no clone folder made"
        time.sleep(0.05)
    return clones(env)[0]


def _signals_as_in_a_terminal() -> None:
    """The CLI keeps a signal its parent ignores (nohup, a `&` job of a script); the test asks about one that
    reaches it, whatever ran pytest."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_removes_the_clone(silent: int, env: dict[str, str], signum: int) -> None:
    proc = cli(env, "register", "rf", "-r", f"git://127.0.0.1:{silent}/repo.git", preexec_fn=_signals_as_in_a_terminal)
    wait_for_clone(env)
    time.sleep(0.5)  # git is running
    proc.send_signal(signum)
    code, output = finish(proc)
    assert code != 0 and "Traceback" not in output, output
    assert clones(env) == []


def test_a_clone_left_by_sigkill_is_swept_next_time(silent: int, env: dict[str, str], tmp_path: Path) -> None:
    proc = cli(env, "register", "rf", "-r", f"git://127.0.0.1:{silent}/repo.git")
    left = wait_for_clone(env)
    assert left.startswith(f"gto-lsp-clone-{proc.pid}-")
    proc.kill()
    proc.communicate()
    assert clones(env) == [left]
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare), env=env)
    code, output = finish(cli(env, "show", "-r", bare.as_uri()))
    assert code == 0, output
    assert clones(env) == []


def test_a_push_to_a_remote_that_never_answers_times_out(silent: int, env: dict[str, str], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    author = {**env, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@e.com"}
    for args in (
        ["init", "-q", "-b", "main", str(repo)],
        ["-C", str(repo), "commit", "-q", "--allow-empty", "-m", "c"],
    ):
        git(tmp_path, *args, env=author)
    git(repo, "remote", "add", "origin", f"git://127.0.0.1:{silent}/r.git")
    env["GTOLSP_GIT_TIMEOUT"] = "3"
    code, output = finish(cli(env, "register", "rf", "--push", cwd=repo))
    assert code == 1 and "no answer from the remote within 3 s" in output and "Traceback" not in output, output

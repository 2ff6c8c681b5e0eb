"""Running git: the one runner (`run_git`, `run_network`), its errors, and finding a repository's root.

GitPython runs the git binary; nothing here starts a shell or imports pygls.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import os
import posixpath
import signal
import subprocess
import sys
import time
from pathlib import Path, PureWindowsPath
from typing import Mapping, NamedTuple

import git

from gto_lsp.core.messages import no_git_repo
from gto_lsp.core.paths import escapes


class GitError(Exception):
    """A git problem, with a sentence that says what went wrong and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotARepository(GitError):
    def __init__(self, path: str | os.PathLike[str], hint: str = "") -> None:
        # GTO 0.2.8's wording.
        super().__init__(no_git_repo(os.fspath(path)) + hint)


class NoCommits(GitError):
    def __init__(self) -> None:
        super().__init__("The repository has no commit yet. Create a first commit, then run this again.")


class DetachedHead(GitError):
    pass


class HookFailed(GitError):
    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


class CommitRefused(GitError):
    pass


# --- running git ---------------------------------------------------------------

# Never prompt: an LSP server has no terminal, and its stdin is the protocol.
NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}


class GitOutput(NamedTuple):
    status: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")


def run_git(
    g: git.Git,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> GitOutput:
    if sys.platform == "win32":  # GitPython can't time-limit a command on Windows
        timeout = None
    status, out, err = g.execute(
        [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args],
        with_extended_output=True,
        with_exceptions=False,
        stdout_as_string=False,
        strip_newline_in_stdout=False,
        env=dict(env or {}),
        kill_after_timeout=timeout,
    )
    return GitOutput(status, out or b"", err or "")


# --- talking to a remote ---------------------------------------------------------

NETWORK_TIMEOUT = 60.0  # seconds a clone or push may take in all (GTOLSP_GIT_TIMEOUT: slower networks)
_LOW_SPEED = {"GIT_HTTP_LOW_SPEED_LIMIT": "1000", "GIT_HTTP_LOW_SPEED_TIME": "20"}  # bytes/s, s: a stalled http


def network_timeout() -> float:
    try:
        value = float(os.environ.get("GTOLSP_GIT_TIMEOUT", NETWORK_TIMEOUT))
    except ValueError:
        return NETWORK_TIMEOUT
    return value if value > 0 else NETWORK_TIMEOUT


def timed_out(seconds: float) -> str:
    return (
        f"Timeout: no answer from the remote within {seconds:g} s (set GTOLSP_GIT_TIMEOUT to the seconds a slow "
        "network needs)"
    )


def run_network(cwd: str | os.PathLike[str], *args: str, timeout: float | None = None) -> GitOutput:
    """A git command that talks to a remote (clone, push): it never prompts, gives up on a stalled http transfer
    and after `timeout` seconds in all (a `git://` server that accepts and never answers), and is killed with its
    helpers (git-remote-http, ssh) when it times out or this process is interrupted (SIGINT, SIGTERM)."""
    limit = network_timeout() if timeout is None else timeout
    env = {**os.environ, **NO_PROMPT, **{k: v for k, v in _LOW_SPEED.items() if k not in os.environ}}
    posix = sys.platform != "win32"
    with subprocess.Popen(
        [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,  # its own group: killed with every helper it started
    ) as proc:

        def kill() -> None:
            try:
                if posix:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            except OSError:
                proc.kill()

        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=5)  # a helper that left the group may hold the pipes: not waited for
            return GitOutput(-1, b"", timed_out(limit))
        except BaseException:
            kill()
            proc.wait()
            raise
    return GitOutput(proc.returncode, out or b"", (err or b"").decode("utf-8", "replace"))


def run_index(g: git.Git, *args: str) -> GitOutput:
    """Run a command that locks the index, retrying briefly: editors run `git status` all the time."""
    for _ in range(4):
        res = run_git(g, *args)
        if res.status == 0 or "index.lock" not in res.err:
            break
        time.sleep(0.25)
    return res


def literal_pathspec(rel: str) -> str:
    # A file name, not a glob ('a[1].pkl' must not match 'a1.pkl'). Not the env var: hooks would inherit it.
    return f":(literal){rel}"


def z_list(out: bytes) -> list[str]:
    parts = out.decode("utf-8", "surrogateescape").split("\0")
    if parts and not parts[-1]:
        parts.pop()  # the terminator of the last path
    return [p for p in parts if p] if "" in parts else parts  # C-speed test: no copy when git gave no empty name


def sorted_unique(paths: list[str]) -> list[str]:
    """`sorted(set(paths))`. git lists paths sorted by their bytes, which is this order for UTF-8 names: strictly
    increasing is the usual case and one C-speed pass (100,000 paths: ~5 ms, where dropping repeats by a dict took
    ~15 ms and the sort 80-130 ms); a conflicted path repeats (dropped in one pass), and names that are not UTF-8
    can change the order (sorted)."""
    following = itertools.islice(paths, 1, None)
    if all(map(operator.lt, paths, following)):
        return list(paths)
    if all(map(operator.le, paths, itertools.islice(paths, 1, None))):
        return list(dict.fromkeys(paths))
    return sorted(set(paths))


def norm_relpath(path: str) -> str | None:
    """'./a/b', 'dir/', 'a//b' -> git's form; None if absolute, empty or outside the root."""
    if not path or path.startswith("/") or PureWindowsPath(path).drive:
        return None
    norm = posixpath.normpath(path)
    if norm == "." or escapes(norm):
        return None
    return norm


def is_root(path: str) -> bool:
    return bool(path) and not path.startswith("/") and posixpath.normpath(path) == "."


# --- find_root -----------------------------------------------------------------


def find_root(start: str | os.PathLike[str]) -> Path:
    """The work-tree root of the repository that contains `start` (a folder or a file)."""
    folder = Path(start).absolute()
    while not folder.is_dir():  # a file, or a path not created yet
        if folder.parent == folder:
            raise NotARepository(start)
        folder = folder.parent
    # rev-parse fails in a bare repo and inside .git, which are not work trees.
    res = run_git(git.Git(folder), "rev-parse", "--show-toplevel")
    top = res.text.strip()
    if res.status != 0 or not top:
        if "dubious ownership" in res.err:
            raise NotARepository(
                start,
                ": Git refuses it because another user owns it. If you trust it, run "
                f"`git config --global --add safe.directory {folder.as_posix()}`.",
            )
        raise NotARepository(start)
    return Path(top)


def reason(text: str) -> str:
    """The line of git's output that says why; git's last line is often a generic summary."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("fatal:", "! [", "Timeout:")):
            return ln.removeprefix("fatal:").strip().rstrip(".")
    return lines[-1].rstrip(".") if lines else "git gave no reason"


def commit_of(root: str | os.PathLike[str], ref: str) -> str | None:
    """REF's full commit sha (an annotated tag is peeled), as GTO resolves it; None when REF names no commit."""
    if ref.startswith("-"):
        return None
    res = run_git(git.Git(str(root)), "rev-parse", "-q", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    sha = res.text.strip()
    return sha if res.status == 0 and sha else None


def is_bare(folder: str | os.PathLike[str]) -> bool:
    return run_git(git.Git(str(folder)), "rev-parse", "--is-bare-repository").text.strip() == "true"

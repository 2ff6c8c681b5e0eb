"""Git facts and the commit used by annotate (spec §1.6, §4, §5.4).

GitPython runs the git binary; nothing here starts a shell or imports pygls.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Callable, Mapping, NamedTuple, Sequence

import git

from .messages import no_git_repo
from .paths import escapes

__all__ = [
    "ArtifactRegistry",
    "CommitRefused",
    "CommitResult",
    "DetachedHead",
    "GitError",
    "HeadInfo",
    "HookFailed",
    "NoCommits",
    "NotARepository",
    "RepoFacts",
    "VersionInfo",
    "annotate_message",
    "commit_file",
    "commit_files",
    "find_root",
    "remove_message",
]


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
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}


class _Out(NamedTuple):
    status: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")


def _run(
    g: git.Git,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> _Out:
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
    return _Out(status, out or b"", err or "")


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


def run_network(cwd: str | os.PathLike[str], *args: str, timeout: float | None = None) -> _Out:
    """A git command that talks to a remote (clone, push): it never prompts, gives up on a stalled http transfer
    and after `timeout` seconds in all (a `git://` server that accepts and never answers), and is killed with its
    helpers (git-remote-http, ssh) when it times out or this process is interrupted (SIGINT, SIGTERM)."""
    limit = network_timeout() if timeout is None else timeout
    env = {**os.environ, **_NO_PROMPT, **{k: v for k, v in _LOW_SPEED.items() if k not in os.environ}}
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
            return _Out(-1, b"", timed_out(limit))
        except BaseException:
            kill()
            proc.wait()
            raise
    return _Out(proc.returncode, out or b"", (err or b"").decode("utf-8", "replace"))


def _run_index(g: git.Git, *args: str) -> _Out:
    """Run a command that locks the index, retrying briefly: editors run `git status` all the time."""
    for _ in range(4):
        res = _run(g, *args)
        if res.status == 0 or "index.lock" not in res.err:
            break
        time.sleep(0.25)
    return res


def _literal(rel: str) -> str:
    # A file name, not a glob ('a[1].pkl' must not match 'a1.pkl'). Not the env var: hooks would inherit it.
    return f":(literal){rel}"


def _z_list(out: bytes) -> list[str]:
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _norm_relpath(path: str) -> str | None:
    """'./a/b', 'dir/', 'a//b' -> git's form; None if absolute, empty or outside the root."""
    if not path or path.startswith("/") or PureWindowsPath(path).drive:
        return None
    norm = posixpath.normpath(path)
    if norm == "." or escapes(norm):
        return None
    return norm


def _is_root(path: str) -> bool:
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
    res = _run(git.Git(folder), "rev-parse", "--show-toplevel")
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


# --- registry state from tags (core/registry: the grammar in tags.py, GTO's state in state.py) ---------------

from .registry.state import (  # noqa: E402 - re-exported for existing importers
    FOR_EACH_REF_FORMAT,
    ArtifactRegistry,
    HeadInfo,
    VersionInfo,
    parse_registry,
)
from .registry.tags import TAG_RE as _TAG_RE  # noqa: E402,F401
from .registry.tags import semver_key as _semver_key  # noqa: E402,F401


def _parse_registry(refs: bytes, head: HeadInfo | None = None) -> dict[str, ArtifactRegistry]:
    """`git for-each-ref --format=FOR_EACH_REF_FORMAT refs/tags` output -> the registry (the old 4-field
    format is read too); `head` adds GTO's HEAD commit events (artifacts annotated at HEAD)."""
    return parse_registry(refs, head).artifacts


# --- RepoFacts -----------------------------------------------------------------


class RepoFacts:
    """Read-only facts about one repository, cached until HEAD or the tags change."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        try:
            self._repo = git.Repo(self.root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise NotARepository(self.root) from exc
        if self._repo.bare:
            raise NotARepository(self.root)
        self._git = self._repo.git
        self._tree_cache: tuple[str, frozenset[str]] | None = None
        self._registry_cache: tuple[bytes, dict[str, ArtifactRegistry], HeadInfo | None] | None = None
        self._head_info: HeadInfo | None = None

    def head_sha(self) -> str | None:
        # Reading the ref files is much cheaper than starting git, and in_head() asks often.
        try:
            return str(git.SymbolicReference.dereference_recursive(self._repo, "HEAD"))
        except (ValueError, OSError):
            pass
        res = _run(self._git, "rev-parse", "-q", "--verify", "HEAD^{commit}")  # e.g. reftable repos
        return (res.text.strip() or None) if res.status == 0 else None

    def branch(self) -> str | None:
        res = _run(self._git, "symbolic-ref", "-q", "--short", "HEAD")
        return (res.text.strip() or None) if res.status == 0 else None

    def branch_remote(self, branch: str) -> str | None:
        """The remote `branch` pushes to (its configured upstream), or None."""
        return branch_remote(self._git, branch) or None

    def _head_paths(self) -> frozenset[str]:
        sha = self.head_sha()
        if sha is None:
            return frozenset()
        cached = self._tree_cache
        if cached is not None and cached[0] == sha:
            return cached[1]
        res = _run(self._git, "ls-tree", "-r", "-t", "-z", "--full-tree", "--name-only", sha)
        paths = frozenset(_z_list(res.out)) if res.status == 0 else frozenset()
        self._tree_cache = (sha, paths)
        return paths

    def head_paths(self) -> frozenset[str]:
        """Every file and folder in HEAD's tree (posix, relative to the root); empty with no commit."""
        return self._head_paths()

    def in_head_at(self, sha: str | None) -> Callable[[str], bool]:
        """`in_head` bound to one HEAD: no HEAD look-up per call (the LSP asks thousands of times per check)."""
        paths = self._head_paths() if sha is not None else frozenset()

        def answer(path: str) -> bool:
            if _is_root(path):
                return bool(paths)
            norm = _norm_relpath(path)
            return norm is not None and norm in paths

        return answer

    def in_head(self, path: str) -> bool:
        """True if `path` is a file or folder in HEAD's tree (GTO's --must-exist check; `.` is the root)."""
        if _is_root(path):
            return bool(self._head_paths())
        norm = _norm_relpath(path)
        return norm is not None and norm in self._head_paths()

    def tracked_files(self) -> list[str]:
        res = _run(self._git, "ls-files", "-z", "--full-name")
        return sorted(set(_z_list(res.out)))  # a conflicted path is listed once per stage

    def untracked_files(self) -> list[str]:
        res = _run(self._git, "ls-files", "-z", "--full-name", "--others", "--exclude-standard")
        return sorted(_z_list(res.out))

    @property
    def common_dir(self) -> Path:
        """The folder that holds the refs (`.git`, or the main repository's for a linked worktree)."""
        return Path(self._repo.common_dir)

    def registry_output(self) -> bytes:
        """Every tag in one `git for-each-ref` pass: the input of `_parse_registry`."""
        res = _run(self._git, "for-each-ref", f"--format={FOR_EACH_REF_FORMAT}", "refs/tags")
        return res.out if res.status == 0 else b""

    def registry_head(self) -> HeadInfo | None:
        """What the language server's registry passes `_parse_registry` about HEAD: None for now (no HEAD commit
        events, as `registry_state` did); `self.head_info()` to count them."""
        return None

    def registry_state(self) -> dict[str, ArtifactRegistry]:
        """GTO's registry from annotated tags (spec §5.4). Do not mutate the values."""
        out = self.registry_output()
        head = self.head_info()
        cached = self._registry_cache
        if cached is None or cached[0] != out or cached[2] != head:
            cached = (out, _parse_registry(out, head), head)
            self._registry_cache = cached
        return dict(cached[1])

    def head_info(self) -> HeadInfo | None:
        """HEAD's sha, date and the artifacts of its committed artifacts.yaml (GTO's HEAD commit events)."""
        sha = self.head_sha()
        if sha is None:
            return None
        cached = self._head_info
        if cached is None or cached.sha != sha:
            from .registry.state import head_info

            def run(*args: str) -> tuple[int, bytes]:
                out = _run(self._git, *args)
                return out.status, out.out

            cached = head_info(self.root, run)
            self._head_info = cached
        return cached

    def file_at_head(self, relpath: str) -> str | None:
        if self.head_sha() is None:
            return None
        return self.file_at_rev("HEAD", relpath)

    def same_as_head(self, relpath: str) -> bool:
        """Whether the file on disk is what HEAD holds, as git sees it: through core.autocrlf, .gitattributes'
        eol and clean filters (a CRLF file with autocrlf=true is unchanged though its bytes differ)."""
        norm = _norm_relpath(relpath)
        if norm is None or self.head_sha() is None:
            return False
        head = _run(self._git, "rev-parse", "-q", "--verify", f"HEAD:{norm}")
        disk = _run(self._git, "hash-object", "--", norm)
        return head.status == 0 and disk.status == 0 and head.text.strip() == disk.text.strip()

    def file_at_rev(self, rev: str, relpath: str) -> str | None:
        """Text of the file at a revision; None when the revision has no such file."""
        norm = _norm_relpath(relpath)
        if norm is None or rev.startswith("-"):
            return None
        res = _run(self._git, "cat-file", "blob", f"{rev}:{norm}")
        return res.out.decode("utf-8", "replace") if res.status == 0 else None


# --- commit --------------------------------------------------------------------


@dataclass(frozen=True)
class CommitResult:
    sha: str
    message: str
    pushed: bool
    push_error: str | None
    files: tuple[str, ...] = ()  # what the commit changed, read back from git after the hooks ran
    requested: tuple[str, ...] = ()  # the files asked for

    @property
    def others(self) -> tuple[str, ...]:
        """Files a commit hook added to the commit besides the ones asked for."""
        return tuple(f for f in self.files if f not in self.requested)

    @property
    def left_out(self) -> tuple[str, ...]:
        """Files asked for that the commit does not change (a hook reverted or unstaged them)."""
        return tuple(f for f in self.requested if f not in self.files)

    def holds(self) -> str:
        """What the commit holds, plainly: `committed only 'artifacts.yaml'` only when that is true."""
        short = self.sha[:7]
        if not self.others and not self.left_out:
            return f"Commit {short} holds only {_quoted(self.requested)}."
        out = f"Commit {short} does not hold only {_quoted(self.requested)}:"
        if self.others:
            out += f" a commit hook added {_quoted(self.others)} to it."
        if self.left_out:
            verb = "is" if len(self.left_out) == 1 else "are"
            out += f" {_quoted(self.left_out)} {verb} not in it (a commit hook changed the commit)."
        return out + (
            " Check it with `git show --stat`; `git reset --soft HEAD~1` undoes the commit, keeping the changes."
        )


def annotate_message(name: str, type: str | None, path: str | None) -> str:
    msg = f"Annotate artifact `{name}`"
    if type:
        msg += f" of type `{type}`"
    if path:
        msg += f" with path `{path}`"
    return msg


def remove_message(name: str) -> str:
    return f"Remove annotation for artifact `{name}`"


_COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg")
_NOTHING_TO_COMMIT = ("nothing to commit", "nothing added to commit", "no changes added to commit")


def _has_commit_hook(g: git.Git, top: Path) -> bool:
    res = _run(g, "rev-parse", "--git-path", "hooks")  # honours core.hooksPath
    hooks = top / res.text.strip()
    for name in _COMMIT_HOOKS:
        hook = hooks / name
        if hook.is_file() and (sys.platform == "win32" or os.access(hook, os.X_OK)):
            return True
    return False


def _reason(text: str) -> str:
    """The line of git's output that says why; git's last line is often a generic summary."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("fatal:", "! [", "Timeout:")):
            return ln.removeprefix("fatal:").strip().rstrip(".")
    return lines[-1].rstrip(".") if lines else "git gave no reason"


def branch_remote(g: git.Git, branch: str) -> str:
    """`branch.<branch>.remote` from git's config, or ""."""
    return _run(g, "config", "--get", f"branch.{branch}.remote").text.strip()


def _push(g: git.Git, branch: str, short: str, timeout: float | None) -> str | None:
    """Push `branch` to its upstream; the error sentence, or None when pushed."""
    remote = branch_remote(g, branch)
    merge = _run(g, "config", "--get", f"branch.{branch}.merge").text.strip()
    if not remote or not merge:
        remotes = _run(g, "remote").text.split()
        if not remotes:
            return (
                f"Committed {short}, but could not push: the repository has no remote. "
                f"Add one with `git remote add origin <url>`, then run `git push -u origin {branch}`."
            )
        target = "origin" if "origin" in remotes else remotes[0]
        return (
            f"Committed {short}, but could not push: the branch '{branch}' has no upstream. "
            f"Run `git push -u {target} {branch}` once."
        )
    res = run_network(g.working_dir or ".", "push", remote, f"refs/heads/{branch}:{merge}", timeout=timeout)
    if res.status == 0:
        return None
    why = _reason(f"{res.err}\n{res.text}")
    return (
        f"Committed {short}, but could not push to '{remote}': {why}. "
        "The commit is kept; fix that, then run `git push`."
    )


def commit_file(
    root: Path,
    relpath: str,
    message: str,
    push: bool = False,
    *,
    push_timeout: float | None = None,
) -> CommitResult:
    """Commit exactly `relpath` as it is on disk, leaving every other change as it was.

    Uses `git commit --only`: git builds the commit from a temporary index, so other
    staged entries stay staged and nothing is stashed. Hooks run as usual. A repository
    without commits gets a root commit holding just this file.
    """
    return commit_files(root, [relpath], message, push, push_timeout=push_timeout)


def _quoted(rels: Sequence[str]) -> str:
    names = [f"'{rel}'" for rel in rels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def commit_files(
    root: Path,
    relpaths: Sequence[str],
    message: str,
    push: bool = False,
    *,
    push_timeout: float | None = None,
) -> CommitResult:
    """Commit exactly these files as they are on disk in one commit, leaving every other change as it was
    (`commit_file` for several files: `git commit --only` with all of them). A file deleted on disk is committed
    as deleted. Refused when none of them changed since HEAD."""
    top = find_root(root)
    rels: list[str] = []
    for relpath in relpaths:
        rel = _norm_relpath(relpath)
        if rel is not None and Path(root).resolve() != top:  # relpath was relative to a subfolder
            rel = _norm_relpath(Path(os.path.relpath(Path(root).resolve() / rel, top)).as_posix())
        if rel is None:
            raise CommitRefused(f"'{relpath}' is not a path inside the repository {top}; give it relative to the root.")
        if rel not in rels:
            rels.append(rel)
    if not rels:
        raise CommitRefused("No file to commit.")
    g = git.Git(top)

    branch_res = _run(g, "symbolic-ref", "-q", "--short", "HEAD")
    branch = branch_res.text.strip()
    head_res = _run(g, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    head = head_res.text.strip() if head_res.status == 0 else ""
    if branch_res.status != 0 or not branch:
        raise DetachedHead(
            f"HEAD is detached (at {head[:7] or 'no commit'}), so a commit would be on no branch. "
            "Check out a branch (`git switch <branch>`), then run this again."
        )
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if _run(g, "var", var).status != 0:
            raise CommitRefused(
                'Git does not know who you are. Run `git config user.name "Your Name"` and '
                "`git config user.email you@example.com`, then run this again."
            )

    unchanged: list[str] = []
    to_add: list[str] = []
    for rel in rels:
        disk = top / rel
        if disk.is_dir() and not disk.is_symlink():
            raise CommitRefused(f"'{rel}' is a folder; only a file can be committed here.")
        on_disk = disk.is_file() or disk.is_symlink()
        head_blob = _run(g, "rev-parse", "-q", "--verify", f"HEAD:{rel}").text.strip() if head else ""
        if not on_disk and not head_blob:
            raise CommitRefused(f"'{rel}' does not exist, so there is nothing to commit.")
        if on_disk and head_blob and _run(g, "hash-object", "--", rel).text.strip() == head_blob:
            unchanged.append(rel)
        if not _run(g, "ls-files", "-z", "--", _literal(rel)).out:
            if on_disk and _run(g, "check-ignore", "-q", "--no-index", "--", rel).status == 0:
                raise CommitRefused(
                    f"'{rel}' is ignored by Git (.gitignore). Stop ignoring it, or add it once with "
                    f"`git add -f {rel}`, then run this again."
                )
            to_add.append(rel)
    if len(unchanged) == len(rels):
        verb = "is" if len(rels) == 1 else "are"
        raise CommitRefused(f"{_quoted(rels)} {verb} unchanged since the last commit: there is nothing to commit.")

    added: list[str] = []
    for rel in to_add:
        # `commit --only` takes paths git knows; an untracked file must be added first.
        res = _run_index(g, "add", "--", _literal(rel))
        if res.status != 0:
            for undo in added:
                _run_index(g, "update-index", "--force-remove", "--", undo)
            raise CommitRefused(f"Could not add '{rel}' to Git: {_reason(res.err)}.")
        added.append(rel)

    res = _run_index(g, "commit", "--only", "-m", message, "--", *(_literal(rel) for rel in rels))
    if res.status != 0:
        for undo in added:  # undo our `git add`: the file goes back to untracked
            _run_index(g, "update-index", "--force-remove", "--", undo)
        output = "\n".join(s for s in (res.err.strip(), res.text.strip()) if s)
        # git's own refusals come before any hook runs, and start with 'fatal:' or report no change.
        own = output.startswith("fatal:") or any(s in output for s in _NOTHING_TO_COMMIT)
        if not own and _has_commit_hook(g, top):
            raise HookFailed(
                f"A Git commit hook refused the commit of {_quoted(rels)}; nothing was committed. "
                f"Fix what it reports, then run this again.\n{output}",
                output,
            )
        if "index.lock" in output:
            raise CommitRefused(
                f"Another git command (an editor's, or a second annotate's commit) held the repository's index "
                f"(index.lock) while committing {_quoted(rels)}: nothing was committed, the file is written. Run "
                f"the same commit again once it is done: `git commit -m '{message}' -- {' '.join(rels)}`."
            )
        raise CommitRefused(f"Git refused to commit {_quoted(rels)}: {_reason(output)}.")

    sha = _run(g, "rev-parse", "HEAD").text.strip()
    final_message = _run(g, "log", "-1", "--format=%B", "HEAD").text.strip()  # hooks may edit it
    # What the commit really holds: a pre-commit hook may have staged other files into it (or dropped ours).
    changed = _z_list(_run(g, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "--root", "HEAD").out)
    push_error = _push(g, branch, sha[:7], push_timeout) if push else None
    return CommitResult(
        sha=sha,
        message=final_message,
        pushed=push and push_error is None,
        push_error=push_error,
        files=tuple(changed),
        requested=tuple(rel for rel in rels if rel not in unchanged),
    )

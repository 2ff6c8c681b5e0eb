"""Carry out a TagPlan: annotated tags as GTO writes them, deletions, and pushing only those tag refs.

Public API::

    write_plan(root, plan, push=False, report=None, remote=None, now=None, replan=None) -> WriteResult
        # creates plan.create in order (or deletes plan.delete); with push, pushes each tag right after
        # creating (deleting) it, as GTO does: a failed push stops there and raises PushError, the local tag
        # stays. report(kind, tag) is called as it goes: kind in "created", "deleted", "pushing", "pushed".
        # Holds registry_lock(root); replan(registry) plans again from the registry read under it: its
        # PlanError (GTO's refusal) is raised as WriteError, and so is a plan that came out different.
    registry_lock(root)                                       # one registry writer per repository
    push_tags(root, names, delete=False, remote=None) -> str   # the remote used; raises PushError
    tag_remote(root, remote=None) -> str                     # the branch's remote, else 'origin', else the only one
    WriteResult(created: tuple[str, ...], deleted: tuple[str, ...], pushed: tuple[str, ...], remote: str | None)
    WriteError(message, unexpected=False)                    # nothing (more) written; GTO-like text
    PushError(WriteError): kind "no-remote" | "rejected" | "auth" | "failed"; the local tags stay

Tags are annotated, point at the commit, carry the committer identity (GIT_COMMITTER_NAME/EMAIL, else
user.name/user.email) and a tagger time later than plan.not_before (every existing tag event of the artifact, not its
commit dates, as GTO) and than the tag before it in the same plan, so the replay order never depends on a tie.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

import git

from gto_lsp.core.messages import NO_IDENTITY
from gto_lsp.core.registry.plan import PlanError, TagPlan
from gto_lsp.core.registry.read import read_registry
from gto_lsp.core.registry.state import Registry
from gto_lsp.core.repo.commit import branch_remote
from gto_lsp.core.repo.lock import LockBusy, file_lock
from gto_lsp.core.repo.run import reason, run_git, run_network

__all__ = ["PushError", "WriteError", "WriteResult", "push_tags", "registry_lock", "tag_remote", "write_plan"]

Report = Callable[[str, str], None]
Replan = Callable[[Registry], TagPlan]
REGISTRY_LOCK = "gto-lsp-registry"  # `<git dir>/gto-lsp-registry.lock`: shared by the worktrees


class WriteError(Exception):
    def __init__(self, message: str, unexpected: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unexpected = unexpected


class PushError(WriteError):
    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class WriteResult:
    created: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    pushed: tuple[str, ...] = ()
    remote: Optional[str] = None


def tag_remote(root: str | os.PathLike[str], remote: Optional[str] = None) -> str:
    """The remote tags go to: `remote`, else the current branch's remote, else 'origin', else the only one."""
    g = git.Git(str(root))
    remotes = run_git(g, "remote").text.split()
    if remote:
        if remote not in remotes:
            raise PushError(f"There is no remote named '{remote}'.", "no-remote")
        return remote
    if not remotes:
        raise PushError(
            "The repository has no remote: nothing to push to. Add one with `git remote add origin <url>`; "
            "the tags are kept locally.",
            "no-remote",
        )
    branch = run_git(g, "symbolic-ref", "-q", "--short", "HEAD").text.strip()
    if branch:
        configured = branch_remote(g, branch)
        if configured in remotes:
            return configured
    if "origin" in remotes:
        return "origin"
    if len(remotes) == 1:
        return remotes[0]
    raise PushError(
        f"The branch has no upstream and there is no 'origin' among the remotes ({', '.join(remotes)}): "
        "say which one to push the tags to.",
        "no-remote",
    )


def _classify(output: str) -> str:
    low = output.lower()
    if any(s in low for s in ("authentication failed", "permission denied", "could not read username", "403")):
        return "auth"
    if "rejected" in low or "already exists" in low or "failed to push some refs" in low:
        return "rejected"
    return "failed"


def push_tags(
    root: str | os.PathLike[str],
    names: Sequence[str],
    delete: bool = False,
    remote: Optional[str] = None,
    timeout: Optional[float] = None,
) -> str:
    """Push (or delete on the remote) exactly these tag refs; the branch and other tags stay unpushed."""
    target = tag_remote(root, remote)
    specs = [(f":refs/tags/{n}" if delete else f"refs/tags/{n}:refs/tags/{n}") for n in names]
    res = run_network(root, "push", "--porcelain", target, *specs, timeout=timeout)  # GTOLSP_GIT_TIMEOUT
    if res.status == 0:
        return target
    output = f"{res.err}\n{res.text}"
    kind = _classify(output)
    shown = " ".join(names)
    command = f"git push{' --delete ' if delete else ' '}{target} {shown}"
    why = {
        "auth": f"the remote '{target}' refused the credentials ({reason(output)})",
        "rejected": f"the remote '{target}' rejected it ({reason(output)}): it may already have "
        + ("this tag at another commit" if not delete else "no such tag"),
        "failed": reason(output),
    }[kind]
    raise PushError(
        f"The command `{command}` failed: {why}. Make sure your local repository is in sync with the remote; "
        "the local tags are kept.",
        kind,
    )


def _check_identity(g: git.Git) -> None:
    """GTO (libgit2) needs a configured identity: GIT_COMMITTER_NAME/EMAIL, else user.name/user.email. git itself
    would guess one from the host name; a tag signed `root <root@host>` is refused here as GTO refuses it."""
    for var, key in (("GIT_COMMITTER_NAME", "user.name"), ("GIT_COMMITTER_EMAIL", "user.email")):
        if not os.environ.get(var) and not run_git(g, "config", "--get", key).text.strip():
            raise WriteError(NO_IDENTITY)
    if run_git(g, "var", "GIT_COMMITTER_IDENT").status != 0:
        raise WriteError(NO_IDENTITY)


def _offset() -> str:
    secs = -time.altzone if time.daylight and time.localtime().tm_isdst > 0 else -time.timezone
    sign = "+" if secs >= 0 else "-"
    secs = abs(secs)
    return f"{sign}{secs // 3600:02d}{secs % 3600 // 60:02d}"


@contextlib.contextmanager
def registry_lock(root: str | os.PathLike[str]) -> Iterator[Path]:
    """One registry writer at a time per repository: two processes that each read the registry, plan and tag
    would both pass GTO's rules (one version per commit) and break them together. core.lock's file lock in the
    git dir (a bare repository's own folder); WriteError when it cannot be taken."""
    res = run_git(git.Git(str(root)), "rev-parse", "--git-common-dir")
    if res.status != 0 or not res.text.strip():
        raise WriteError(f"{root} is not a git repository", unexpected=True)
    git_dir = Path(root) / res.text.strip()  # relative to root, or absolute
    try:
        with file_lock(git_dir / REGISTRY_LOCK, what="the registry") as lock:
            yield lock
    except LockBusy as error:
        raise WriteError(error.message) from error


def _replanned(root: str | os.PathLike[str], plan: TagPlan, replan: Replan) -> TagPlan:
    """The plan made again from the registry as it is now (under the lock): GTO's refusal if another writer
    made it wrong meanwhile, and a refusal if it would now write other tags than the ones planned."""
    try:
        fresh = replan(read_registry(root))
    except PlanError as error:
        raise WriteError(error.message, unexpected=error.unexpected) from error
    if (fresh.create, fresh.delete) != (plan.create, plan.delete):
        raise WriteError(
            "The registry changed while this was planned (another program wrote tags meanwhile): "
            "nothing was written. Run the command again."
        )
    return fresh


def write_plan(
    root: str | os.PathLike[str],
    plan: TagPlan,
    push: bool = False,
    report: Optional[Report] = None,
    remote: Optional[str] = None,
    now: Optional[float] = None,
    replan: Optional[Replan] = None,
) -> WriteResult:
    """Create (or delete) the plan's tags holding the registry lock; see the module docstring."""
    with registry_lock(root) as lock:
        if replan is not None:
            plan = _replanned(root, plan, replan)
        say = report or (lambda kind, tag: None)

        def reported(kind: str, tag: str) -> None:
            if kind == "pushing":  # a push may take a while: the lock stays fresh (core.lock's STALE_AFTER)
                with contextlib.suppress(OSError):
                    os.utime(lock)
            say(kind, tag)

        return _write(root, plan, push, reported, remote, now)


def _write(
    root: str | os.PathLike[str],
    plan: TagPlan,
    push: bool,
    say: Report,
    remote: Optional[str],
    now: Optional[float],
) -> WriteResult:
    g = git.Git(str(Path(root)))
    created: list[str] = []
    deleted: list[str] = []
    pushed: list[str] = []
    used: Optional[str] = None
    if plan.create:
        _check_identity(g)
    when = int(max(now if now is not None else time.time(), plan.not_before + 1))
    for name in plan.delete:
        res = run_git(g, "update-ref", "-d", f"refs/tags/{name}")
        if res.status != 0:
            raise WriteError(f"tag '{name}' is not found")
        deleted.append(name)
        say("deleted", name)
        if push:
            say("pushing", name)
            used = push_tags(root, [name], delete=True, remote=remote)
            pushed.append(name)
            say("pushed", name)
    for tag in plan.create:
        env = {"GIT_COMMITTER_DATE": f"{when} {_offset()}"}
        if run_git(g, "rev-parse", "-q", "--verify", f"refs/tags/{tag.name}").status == 0:
            raise WriteError(f"tag '{tag.name}' already exists")
        res = run_git(g, "tag", "-a", "--cleanup=verbatim", "-m", tag.message, "--", tag.name, tag.commit, env=env)
        if res.status != 0:
            raise WriteError("Failed to create tag", unexpected=True)
        created.append(tag.name)
        say("created", tag.name)
        when += 1
        if push:
            say("pushing", tag.name)
            used = push_tags(root, [tag.name], remote=remote)
            pushed.append(tag.name)
            say("pushed", tag.name)
    return WriteResult(tuple(created), tuple(deleted), tuple(pushed), used)

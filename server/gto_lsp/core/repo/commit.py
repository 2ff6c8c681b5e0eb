"""The commit annotate makes (spec §4, §5.4): exactly the files asked for, hooks reported, an optional push."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import git

from gto_lsp.core.repo.run import (
    CommitRefused,
    DetachedHead,
    HookFailed,
    find_root,
    literal_pathspec,
    norm_relpath,
    reason,
    run_git,
    run_index,
    run_network,
    z_list,
)


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
    res = run_git(g, "rev-parse", "--git-path", "hooks")  # honours core.hooksPath
    hooks = top / res.text.strip()
    for name in _COMMIT_HOOKS:
        hook = hooks / name
        if hook.is_file() and (sys.platform == "win32" or os.access(hook, os.X_OK)):
            return True
    return False


def branch_remote(g: git.Git, branch: str) -> str:
    """`branch.<branch>.remote` from git's config, or ""."""
    return run_git(g, "config", "--get", f"branch.{branch}.remote").text.strip()


def _push(g: git.Git, branch: str, short: str, timeout: float | None) -> str | None:
    """Push `branch` to its upstream; the error sentence, or None when pushed."""
    remote = branch_remote(g, branch)
    merge = run_git(g, "config", "--get", f"branch.{branch}.merge").text.strip()
    if not remote or not merge:
        remotes = run_git(g, "remote").text.split()
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
    why = reason(f"{res.err}\n{res.text}")
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
        rel = norm_relpath(relpath)
        if rel is not None and Path(root).resolve() != top:  # relpath was relative to a subfolder
            rel = norm_relpath(Path(os.path.relpath(Path(root).resolve() / rel, top)).as_posix())
        if rel is None:
            raise CommitRefused(f"'{relpath}' is not a path inside the repository {top}; give it relative to the root.")
        if rel not in rels:
            rels.append(rel)
    if not rels:
        raise CommitRefused("No file to commit.")
    g = git.Git(top)

    branch_res = run_git(g, "symbolic-ref", "-q", "--short", "HEAD")
    branch = branch_res.text.strip()
    head_res = run_git(g, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    head = head_res.text.strip() if head_res.status == 0 else ""
    if branch_res.status != 0 or not branch:
        raise DetachedHead(
            f"HEAD is detached (at {head[:7] or 'no commit'}), so a commit would be on no branch. "
            "Check out a branch (`git switch <branch>`), then run this again."
        )
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if run_git(g, "var", var).status != 0:
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
        head_blob = run_git(g, "rev-parse", "-q", "--verify", f"HEAD:{rel}").text.strip() if head else ""
        if not on_disk and not head_blob:
            raise CommitRefused(f"'{rel}' does not exist, so there is nothing to commit.")
        if on_disk and head_blob and run_git(g, "hash-object", "--", rel).text.strip() == head_blob:
            unchanged.append(rel)
        if not run_git(g, "ls-files", "-z", "--", literal_pathspec(rel)).out:
            if on_disk and run_git(g, "check-ignore", "-q", "--no-index", "--", rel).status == 0:
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
        res = run_index(g, "add", "--", literal_pathspec(rel))
        if res.status != 0:
            for undo in added:
                run_index(g, "update-index", "--force-remove", "--", undo)
            raise CommitRefused(f"Could not add '{rel}' to Git: {reason(res.err)}.")
        added.append(rel)

    res = run_index(g, "commit", "--only", "-m", message, "--", *(literal_pathspec(rel) for rel in rels))
    if res.status != 0:
        for undo in added:  # undo our `git add`: the file goes back to untracked
            run_index(g, "update-index", "--force-remove", "--", undo)
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
        raise CommitRefused(f"Git refused to commit {_quoted(rels)}: {reason(output)}.")

    sha = run_git(g, "rev-parse", "HEAD").text.strip()
    final_message = run_git(g, "log", "-1", "--format=%B", "HEAD").text.strip()  # hooks may edit it
    # What the commit really holds: a pre-commit hook may have staged other files into it (or dropped ours).
    changed = z_list(run_git(g, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "--root", "HEAD").out)
    push_error = _push(g, branch, sha[:7], push_timeout) if push else None
    return CommitResult(
        sha=sha,
        message=final_message,
        pushed=push and push_error is None,
        push_error=push_error,
        files=tuple(changed),
        requested=tuple(rel for rel in rels if rel not in unchanged),
    )

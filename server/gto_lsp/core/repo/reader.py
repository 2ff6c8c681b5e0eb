"""Read-only git facts about one repository (`RepoFacts`): HEAD, its tree, tracked files, cached until HEAD
changes. The registry reads its tags through `RepoFacts.run` (core/registry/read.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import git

from gto_lsp.core.repo.commit import branch_remote
from gto_lsp.core.repo.run import GitOutput, NotARepository, is_root, norm_relpath, run_git, sorted_unique, z_list


class RepoFacts:
    """Read-only facts about one repository, cached until HEAD changes."""

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

    def head_sha(self) -> str | None:
        # Reading the ref files is much cheaper than starting git, and in_head() asks often.
        try:
            return str(git.SymbolicReference.dereference_recursive(self._repo, "HEAD"))
        except (ValueError, OSError):
            pass
        res = run_git(self._git, "rev-parse", "-q", "--verify", "HEAD^{commit}")  # e.g. reftable repos
        return (res.text.strip() or None) if res.status == 0 else None

    def branch(self) -> str | None:
        res = run_git(self._git, "symbolic-ref", "-q", "--short", "HEAD")
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
        res = run_git(self._git, "ls-tree", "-r", "-t", "-z", "--full-tree", "--name-only", sha)
        paths = frozenset(z_list(res.out)) if res.status == 0 else frozenset()
        self._tree_cache = (sha, paths)
        return paths

    def head_paths(self) -> frozenset[str]:
        """Every file and folder in HEAD's tree (posix, relative to the root); empty with no commit."""
        return self._head_paths()

    def in_head_at(self, sha: str | None) -> Callable[[str], bool]:
        """`in_head` bound to one HEAD: no HEAD look-up per call (the LSP asks thousands of times per check)."""
        paths = self._head_paths() if sha is not None else frozenset()

        def answer(path: str) -> bool:
            if is_root(path):
                return bool(paths)
            norm = norm_relpath(path)
            return norm is not None and norm in paths

        return answer

    def in_head(self, path: str) -> bool:
        """True if `path` is a file or folder in HEAD's tree (GTO's --must-exist check; `.` is the root)."""
        if is_root(path):
            return bool(self._head_paths())
        norm = norm_relpath(path)
        return norm is not None and norm in self._head_paths()

    def tracked_files(self) -> list[str]:
        res = run_git(self._git, "ls-files", "-z", "--full-name")
        return sorted_unique(z_list(res.out))  # a conflicted path is listed once per stage

    def untracked_files(self) -> list[str]:
        res = run_git(self._git, "ls-files", "-z", "--full-name", "--others", "--exclude-standard")
        return sorted_unique(z_list(res.out))

    @property
    def common_dir(self) -> Path:
        """The folder that holds the refs (`.git`, or the main repository's for a linked worktree)."""
        return Path(self._repo.common_dir)

    def run(self, *args: str) -> GitOutput:
        """Run git in this repository (the registry reads its tags through this)."""
        return run_git(self._git, *args)

    def file_at_head(self, relpath: str) -> str | None:
        if self.head_sha() is None:
            return None
        return self.file_at_rev("HEAD", relpath)

    def same_as_head(self, relpath: str) -> bool:
        """Whether the file on disk is what HEAD holds, as git sees it: through core.autocrlf, .gitattributes'
        eol and clean filters (a CRLF file with autocrlf=true is unchanged though its bytes differ)."""
        norm = norm_relpath(relpath)
        if norm is None or self.head_sha() is None:
            return False
        head = run_git(self._git, "rev-parse", "-q", "--verify", f"HEAD:{norm}")
        disk = run_git(self._git, "hash-object", "--", norm)
        return head.status == 0 and disk.status == 0 and head.text.strip() == disk.text.strip()

    def file_at_rev(self, rev: str, relpath: str) -> str | None:
        """Text of the file at a revision; None when the revision has no such file."""
        norm = norm_relpath(relpath)
        if norm is None or rev.startswith("-"):
            return None
        res = run_git(self._git, "cat-file", "blob", f"{rev}:{norm}")
        return res.out.decode("utf-8", "replace") if res.status == 0 else None


# --- commit --------------------------------------------------------------------

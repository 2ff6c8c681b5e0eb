"""Read-only git facts about one repository (`RepoFacts`), cached until HEAD or the tags change."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import git

from gto_lsp.core.registry.replay import registry_artifacts
from gto_lsp.core.registry.state import FOR_EACH_REF_FORMAT, ArtifactRegistry, HeadInfo, head_info
from gto_lsp.core.repo.commit import branch_remote
from gto_lsp.core.repo.run import NotARepository, is_root, norm_relpath, run_git, z_list


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
        return sorted(set(z_list(res.out)))  # a conflicted path is listed once per stage

    def untracked_files(self) -> list[str]:
        res = run_git(self._git, "ls-files", "-z", "--full-name", "--others", "--exclude-standard")
        return sorted(z_list(res.out))

    @property
    def common_dir(self) -> Path:
        """The folder that holds the refs (`.git`, or the main repository's for a linked worktree)."""
        return Path(self._repo.common_dir)

    def registry_output(self) -> bytes:
        """Every tag in one `git for-each-ref` pass: the input of `registry_artifacts`."""
        res = run_git(self._git, "for-each-ref", f"--format={FOR_EACH_REF_FORMAT}", "refs/tags")
        return res.out if res.status == 0 else b""

    def registry_head(self) -> HeadInfo | None:
        """What the language server's registry passes `registry_artifacts` about HEAD: None for now (no HEAD commit
        events, as `registry_state` did); `self.head_info()` to count them."""
        return None

    def registry_state(self) -> dict[str, ArtifactRegistry]:
        """GTO's registry from annotated tags (spec §5.4). Do not mutate the values."""
        out = self.registry_output()
        head = self.head_info()
        cached = self._registry_cache
        if cached is None or cached[0] != out or cached[2] != head:
            cached = (out, registry_artifacts(out, head), head)
            self._registry_cache = cached
        return dict(cached[1])

    def head_info(self) -> HeadInfo | None:
        """HEAD's sha, date and the artifacts of its committed artifacts.yaml (GTO's HEAD commit events)."""
        sha = self.head_sha()
        if sha is None:
            return None
        cached = self._head_info
        if cached is None or cached.sha != sha:

            def run(*args: str) -> tuple[int, bytes]:
                out = run_git(self._git, *args)
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

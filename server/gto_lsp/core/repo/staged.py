"""The tree git's index holds, the one the next commit will record (`StagedTree`), and the view of the repository
that judges paths by it (`StagedView`): what `check --staged` and a pre-commit hook read.

Read only: `git ls-files --stage` lists the index once, blobs come from one persistent `git cat-file`, and nothing
is written (not even a tree object). GIT_INDEX_FILE is honoured (git sets it for the hooks of `git commit -a`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Optional

import git

from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.repo.run import GitError, NotARepository, is_root, norm_relpath, run_git
from gto_lsp.core.repo.safe_read import MAX_CHECKED, MAX_FILE

# What `git add -N` (intent to add) records: the empty blob, in SHA-1 and SHA-256 repositories.
_EMPTY_BLOBS = frozenset(
    (
        "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
        "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
    )
)
_REGULAR = ("100644", "100755")
_LINK = "120000"
UNMERGED_SHOWN = 5  # unmerged paths named in the message


class Unmerged(GitError):
    """The index has conflicted entries (stages 1-3): there is no one staged tree to judge."""

    def __init__(self, paths: list[str]) -> None:
        shown = ", ".join(paths[:UNMERGED_SHOWN])
        more = f" and {len(paths) - UNMERGED_SHOWN} more" if len(paths) > UNMERGED_SHOWN else ""
        super().__init__(
            f"git's index has unmerged paths (a merge, rebase or cherry-pick stopped on conflicts): {shown}{more}. "
            "Resolve the conflicts and `git add` the files (git commits nothing before), or run check without "
            "--staged to check the working tree."
        )
        self.paths = paths


class NotRegular(GitError):
    """An annotations file that the index holds as a symbolic link or a submodule, not as a file."""


class Entry(NamedTuple):
    mode: str  # 100644, 100755, 120000 (a link), 160000 (a submodule)
    sha: str


class StagedTree:
    """The files of git's index (stage 0, without intent-to-add entries, which a commit leaves out) and the folders
    above them; blobs are read on demand, at most `MAX_FILE` bytes each."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._git = git.Git(str(self.root))
        listing = run_git(self._git, "ls-files", "--stage", "-z", "--full-name")
        if listing.status != 0:
            raise NotARepository(self.root, f": git could not read its index ({listing.err.strip()})")
        files: dict[str, Entry] = {}
        unmerged: list[str] = []
        for record in listing.out.split(b"\0"):  # one record per index entry: bounded by the index itself
            meta, tab, raw = record.partition(b"\t")
            fields = meta.split()
            if not tab or len(fields) != 3:
                continue
            path = raw.decode("utf-8", "surrogateescape")
            if fields[2] != b"0":
                if not unmerged or unmerged[-1] != path:  # stages 1-3 of one path come together
                    unmerged.append(path)
                continue
            files[path] = Entry(fields[0].decode(), fields[1].decode())
        if unmerged:
            raise Unmerged(unmerged)
        if any(entry.sha in _EMPTY_BLOBS for entry in files.values()):
            for path in self._intent_to_add():
                files.pop(path, None)
        self.files = files
        self.folders = frozenset(_folders(files))
        self._texts: dict[str, Optional[str]] = {}

    def _intent_to_add(self) -> list[str]:
        # pre-commit's own test: an intent-to-add entry shows as a new file in the working tree's diff.
        res = run_git(self._git, "diff", "--no-ext-diff", "--ignore-submodules", "--diff-filter=A", "--name-only", "-z")
        return [p.decode("utf-8", "surrogateescape") for p in res.out.split(b"\0") if p] if res.status == 0 else []

    def paths(self) -> list[str]:
        """Every file of the index, sorted (as `git ls-files` lists them)."""
        return sorted(self.files)

    def has(self, path: str) -> bool:
        """Whether `path` (relative to the root) is a file or a folder of the staged tree; `.` when it holds any."""
        if is_root(path):
            return bool(self.files)
        norm = norm_relpath(path)
        return norm is not None and (norm in self.files or norm in self.folders)

    def entry(self, path: str) -> Optional[Entry]:
        norm = norm_relpath(path)
        return None if norm is None else self.files.get(norm)

    def blob(self, path: str, limit: int = MAX_FILE) -> Optional[bytes]:
        """The staged bytes of the file at `path`; None when the index has no file there. NotRegular for a link or a
        submodule (their blob is no file's content); OSError for a blob over `limit` bytes."""
        entry = self.entry(path)
        if entry is None:
            return None
        if entry.mode not in _REGULAR:
            kind = "a symbolic link" if entry.mode == _LINK else "a submodule"
            raise NotRegular(
                f"{path} is {kind} in git's index, not a file: --staged reads only files. Stage the file itself, "
                "or run check without --staged."
            )
        _, _, size = self._git.get_object_header(entry.sha)
        if size > limit:
            raise OSError(f"{path} is larger than {limit} bytes in git's index")
        return self._git.get_object_data(entry.sha)[3]

    def text(self, path: str) -> Optional[str]:
        """The staged text of a file read by the checks (a params or vars file): None when the index has no regular
        file there, or it is over MAX_CHECKED bytes or not UTF-8. Cached (at most 256 texts)."""
        if path in self._texts:
            return self._texts[path]
        try:
            data = self.blob(path, MAX_CHECKED)
            text = None if data is None else data.decode("utf-8")
        except (OSError, UnicodeDecodeError, GitError, ValueError):
            text = None
        if len(self._texts) >= 256:
            self._texts.clear()
        self._texts[path] = text
        return text

    def close(self) -> None:
        """End the persistent `git cat-file` processes."""
        self._git.clear_cache()


def _folders(files: dict[str, Entry]) -> set[str]:
    folders: set[str] = set()
    for path in files:
        folder = posixpath.dirname(path)
        while folder and folder not in folders:  # each folder once: linear in the listing's size
            folders.add(folder)
            folder = posixpath.dirname(folder)
    return folders


@dataclass
class StagedView(RepoView):
    """The repository as the next commit leaves it: a path staged is present and committed (`in_head`), even when
    the working tree has deleted it; a path git does not track (untracked, ignored, DVC's data) is judged by the
    disk, since a commit does not change it. The staged text of a tracked file wins over the working tree's."""

    staged: Optional[StagedTree] = None

    def __post_init__(self) -> None:
        if self.staged is not None and self.in_head is None:
            self.in_head = self.staged.has

    def exists(self, path: str) -> Optional[bool]:
        if self.staged is not None and self.staged.has(path):
            return True
        return super().exists(path)

    def read_text(self, path: str) -> Optional[str]:
        entry = None if self.staged is None else self.staged.entry(path)
        if self.staged is None or entry is None or entry.mode == _LINK:  # a link: the disk's, kept inside
            return super().read_text(path)
        return self.staged.text(path)

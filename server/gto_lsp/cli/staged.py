"""Where check reads the repository: the working tree, or with --staged git's index (what the next commit holds,
what a pre-commit hook must judge: pre-commit hides the unstaged changes, but a hand-run --staged does not)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from gto_lsp.cli.common import EXIT_USAGE, CliError

if TYPE_CHECKING:
    from gto_lsp.core.config import Config
    from gto_lsp.core.repo.fs import RepoView
    from gto_lsp.core.repo.reader import RepoFacts
    from gto_lsp.core.repo.staged import StagedTree


class Skipped(Exception):
    """A dvc.yaml check does not read (a link out of the repository, a link in the index): said, not fatal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckedFiles:
    """The annotations files, the candidates for dvc.yaml and the view of paths, from one source."""

    def __init__(self, root: Path, facts: Optional[RepoFacts], staged: bool) -> None:
        from gto_lsp.core.repo.fs import ExistsCache
        from gto_lsp.core.repo.run import GitError
        from gto_lsp.core.repo.staged import StagedTree

        self.root = root
        self.facts = facts
        self.tree: Optional[StagedTree] = None
        if staged:
            try:
                self.tree = StagedTree(root)
            except GitError as error:  # unmerged entries, an unreadable index
                raise CliError(error.message, EXIT_USAGE) from error
        self._exists = ExistsCache()  # one disk cache for every view: the answers do not depend on the outputs

    def close(self) -> None:
        if self.tree is not None:
            self.tree.close()

    def config(self) -> Config:
        from gto_lsp.core.config import CONFIG_FILE, parse_config, read_config

        if self.tree is None:
            return read_config(self.root)
        data = self._staged_bytes(CONFIG_FILE)
        try:
            return parse_config(None if data is None else data.decode("utf-8"))
        except UnicodeDecodeError:  # as read_config reads an undecodable `.gto`: as none
            return parse_config(None)

    def has_config(self) -> bool:
        from gto_lsp.core.config import CONFIG_FILE

        return (self.root / CONFIG_FILE).exists() if self.tree is None else self.tree.has(CONFIG_FILE)

    def index_text(self, index: str) -> Optional[str]:
        """artifacts.yaml (or `.gto`'s index) as staged, or on disk; None when absent. One outside the repository
        (read only on --allow-outside-index) is not git's: read from the disk either way."""
        from gto_lsp.cli.common import read_text

        rel = self._inside(index)
        if self.tree is None or rel is None:
            return read_text(self.root / index)
        data = self._staged_bytes(rel)
        try:
            return None if data is None else data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CliError(f"Cannot read {rel} as staged in git's index: {error}", EXIT_USAGE) from error

    def candidates(self) -> list[str]:
        """The paths among which DVC finds its dvc.yaml files: tracked and untracked-not-ignored, or the index's
        (an untracked dvc.yaml is not in the commit); only the root's outside git."""
        from gto_lsp.core.formats.dvc.files import DVC_FILE

        if self.tree is not None:
            return self.tree.paths()
        if self.facts is not None:
            return self.facts.tracked_files() + self.facts.untracked_files()
        return [DVC_FILE] if (self.root / DVC_FILE).is_file() else []

    def dvc_bytes(self, rel: str) -> Optional[bytes]:
        """A dvc.yaml's bytes; None when absent (tracked but deleted in the working tree). Skipped for a link."""
        from gto_lsp.core.formats.dvc.files import PathRefused, annotations_file

        if self.tree is not None:
            return self._staged_bytes(rel, links_skipped=True)
        try:
            path = annotations_file(self.root, rel, folder_must_exist=False)
        except PathRefused as error:  # a tracked dvc.yaml that links out
            raise Skipped(error.message) from error
        return disk_bytes(path)

    def dvcignore(self, rel: str) -> Optional[str]:
        """A `.dvcignore`'s text as DVC reads it, None when there is none (or it cannot be read)."""
        from gto_lsp.core.repo.run import GitError

        try:
            data = disk_bytes(self.root / rel) if self.tree is None else self._staged_bytes(rel)
        except (CliError, GitError):
            return None
        return None if data is None else data.decode("utf-8", "replace")

    def view(self, outputs: frozenset[str] = frozenset()) -> RepoView:
        """What the path rules ask: with --staged, a staged path is present and committed; otherwise the disk,
        and HEAD for `path-not-committed` (not asked before a first commit)."""
        from gto_lsp.core.repo.fs import RepoView
        from gto_lsp.core.repo.staged import StagedView

        if self.tree is not None:
            return StagedView(root=self.root, exists_cache=self._exists, outputs=outputs, staged=self.tree)
        facts = self.facts
        in_head = facts.in_head if facts is not None and facts.head_sha() is not None else None
        return RepoView(root=self.root, in_head=in_head, exists_cache=self._exists, outputs=outputs)

    def _staged_bytes(self, rel: str, links_skipped: bool = False) -> Optional[bytes]:
        from gto_lsp.core.repo.staged import NotRegular

        assert self.tree is not None
        try:
            return self.tree.blob(rel)
        except NotRegular as error:
            if links_skipped:
                raise Skipped(error.message) from error
            raise CliError(error.message, EXIT_USAGE) from error
        except OSError as error:
            raise CliError(f"Cannot read {rel}: {error}", EXIT_USAGE) from error
        except ValueError as error:  # the object is missing (a partial clone): git names it
            raise CliError(f"Cannot read {rel} from git's index: {error}", EXIT_USAGE) from error

    def _inside(self, index: str) -> Optional[str]:
        """The index's path relative to the root, None when it is outside (GTO_INDEX may be absolute)."""
        import os

        from gto_lsp.core.paths import within
        from gto_lsp.core.repo.run import norm_relpath

        if os.path.isabs(index):
            if not within(os.path.normpath(index), str(self.root)):
                return None
            index = os.path.relpath(os.path.normpath(index), self.root)
        return norm_relpath(index.replace(os.sep, "/"))


def disk_bytes(path: Path) -> Optional[bytes]:
    """The file's bytes; None when absent. A FIFO, a device or a file over 16 MB is refused, never read."""
    from gto_lsp.core.repo.safe_read import read_bytes

    try:
        return read_bytes(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CliError(f"Cannot read {path}: {error}", EXIT_USAGE) from error

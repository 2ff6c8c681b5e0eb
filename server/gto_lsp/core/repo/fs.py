"""What the path rules may ask the file system: whether a path exists inside the repository, cached.

The one part of checking that touches the disk; the rules receive it as an oracle (a RepoView), so they stay
testable with a view of no repository at all.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from gto_lsp.core.paths import PATH_MAX, exists_inside, within
from gto_lsp.core.repo.safe_read import MAX_CHECKED, read_text


class ExistsCache(dict):  # type: ignore[type-arg]
    """Answers of the file system; `clear()` (on file events) also retires results computed from them."""

    generation = 0

    def __init__(self) -> None:
        super().__init__()
        self.folders: dict[str, str] = {}  # RepoView's real paths of folders, valid as long as the answers

    def clear(self) -> None:
        super().clear()
        self.folders.clear()
        self.generation += 1


_MAX_NAMES = 64  # deeper paths take os.path.realpath: the folder cache holds every prefix of a path
_MAX_FOLDERS = 200_000


@dataclass
class RepoView:
    """What the path rules may ask about the repository; None where it is unknown (no repository, no git).

    Keep one per repository (or at least its `exists_cache`) and call `invalidate()` (or clear the cache) when
    files or HEAD change."""

    root: Optional[Path] = None
    in_head: Optional[Callable[[str], bool]] = None
    exists_cache: dict[str, bool] = field(default_factory=ExistsCache)
    # Outputs of the stages of the repository's dvc.yaml files (relative to the root): DVC makes them.
    outputs: frozenset[str] = frozenset()
    _real_root: Optional[str] = field(default=None, repr=False)
    # Texts read (`read_text`), kept while `exists_cache` keeps its answers (the same generation).
    _texts: dict[str, Optional[str]] = field(default_factory=dict, repr=False)
    _texts_generation: Any = field(default=None, repr=False)
    _folders: dict[str, str] = field(default_factory=dict, repr=False)  # when exists_cache has none

    def invalidate(self) -> None:
        self.exists_cache.clear()
        self._texts.clear()

    @property
    def token(self) -> tuple[Any, ...]:
        """Identifies the answers this view gives: results across entries are reused only for the same token."""
        owner = getattr(self.in_head, "__self__", self.in_head)
        generation = getattr(self.exists_cache, "generation", None)
        return (self.root, id(self.exists_cache), generation, id(owner), self.outputs)

    @property
    def files_token(self) -> tuple[Any, ...]:
        """Identifies the answers about files alone (exists, read_text): what is computed from files only is reused
        across views that differ in HEAD's answers or in the outputs."""
        return (self.root, id(self.exists_cache), getattr(self.exists_cache, "generation", None))

    def exists(self, path: str) -> Optional[bool]:
        if self.root is None:
            return None
        cached = self.exists_cache.get(path)
        if cached is None:
            if self._real_root is None:
                self._real_root = os.path.realpath(self.root)
            cached = self._exists_inside(path, self.root, self._real_root)
            self.exists_cache[path] = cached
        return cached

    def _exists_inside(self, path: str, root: Path, real_root: str) -> bool:
        """paths.exists_inside's answer with one lstat per path and one per folder not yet seen, where realpath
        takes one per name of the path (9 for `models/m1/model.pkl`): the real path of a folder is its parent's
        plus its name unless it is a symlink, which realpath resolves as before. Paths with `.`, `..`, empty
        names or many names take exists_inside itself."""
        names = path.split("/")
        if len(names) > _MAX_NAMES or "" in names or "." in names or ".." in names:
            return exists_inside(root, path, real_root)
        full = _under(os.fspath(root), path)
        try:
            mode = os.lstat(full).st_mode
        except (OSError, ValueError):
            return False  # what os.path.lexists says
        if stat.S_ISLNK(mode):
            return within(os.path.realpath(full), real_root)
        folders: dict[str, str] = getattr(self.exists_cache, "folders", self._folders)
        if len(folders) > _MAX_FOLDERS:
            folders.clear()
        parent = _folder_real(root, real_root, names, len(names) - 1, folders)
        if parent is None:
            return exists_inside(root, path, real_root)
        return within(_under(parent, names[-1]), real_root)

    def read_text(self, path: str) -> Optional[str]:
        """The text of a file of the repository (`path` relative to the root), or None: no repository, missing,
        outside it (a symlink out included), not a regular file, larger than MAX_CHECKED bytes or not UTF-8.
        Cached until the view is invalidated (or its `exists_cache` cleared)."""
        if self.root is None:
            return None
        generation = getattr(self.exists_cache, "generation", None)
        if generation != self._texts_generation:
            self._texts.clear()
            self._texts_generation = generation
        if path in self._texts:
            return self._texts[path]
        text = read_text(os.path.join(self.root, path), MAX_CHECKED) if self.exists(path) else None
        if len(self._texts) >= 256:  # a bound: each text is a params or vars file the document names
            self._texts.clear()
        self._texts[path] = text
        return text

    def managed(self, resolved: str) -> bool:
        """Whether DVC or MLEM makes the data at `resolved` (normalised, relative to the root) though it is not in
        the working tree: a `.dvc` file of it or of a folder above it, a stage's output, or MLEM's `.mlem`
        metafile beside it."""
        if self.root is None:
            return False
        return tracked_by_dvc(resolved, self, self.outputs) or bool(self.exists(resolved + ".mlem"))


def _under(folder: str, name: str) -> str:
    """os.path.join(folder, name) for a name with no slash, without its generality (a third of the lookup)."""
    return folder + name if folder.endswith("/") or not folder else folder + "/" + name


def _folder_real(root: Path, real_root: str, names: list[str], count: int, folders: dict[str, str]) -> Optional[str]:
    """The real path of the folder made of the first `count` names (the root for none), cached in `folders`;
    None when the disk does not answer (then the caller asks realpath)."""
    if count == 0:
        return real_root
    folder = "/".join(names[:count])
    found = folders.get(folder)
    if found is not None:
        return found
    parent = _folder_real(root, real_root, names, count - 1, folders)
    if parent is None:
        return None
    full = _under(os.fspath(root), folder)
    try:
        mode = os.lstat(full).st_mode
    except (OSError, ValueError):
        return None
    real = os.path.realpath(full) if stat.S_ISLNK(mode) else _under(parent, names[count - 1])
    folders[folder] = real
    return real


def tracked_by_dvc(resolved: str, repo: RepoView, outputs: set[str] | frozenset[str]) -> bool:
    """`resolved` or a folder above it is an output of a stage (`outputs`) or has a `.dvc` file. Folders are
    tried from the top, and the disk only down to the first folder that is not there (nothing below it has a
    `.dvc` file): a hostile path (`//x`, 200 KB of `a/a/a`) ends, and caches no more than the folders that exist."""
    if len(resolved) > PATH_MAX or resolved.strip("/") in ("", "."):
        return False  # names no file
    on_disk = True
    end = resolved.find("/")
    while end >= 0:
        folder = resolved[:end]
        if folder.strip("/") and folder != ".":
            if folder in outputs or (on_disk and repo.exists(folder + ".dvc")):
                return True
            on_disk = on_disk and bool(repo.exists(folder))
        end = resolved.find("/", end + 1)
    return resolved in outputs or bool(repo.exists(resolved + ".dvc"))

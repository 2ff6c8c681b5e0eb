"""Paths and uris of the server's files, and the repository's file lists for path completion."""

from __future__ import annotations

import bisect
import os
from itertools import filterfalse, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, Optional

from pygls.uris import from_fs_path, to_fs_path

from gto_lsp.core.repo.safe_read import read_text as safe_read_text


def norm(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.normpath(os.path.abspath(path)))


def uri_to_path(uri: str) -> Optional[Path]:
    path = to_fs_path(uri)
    return norm(path) if path else None


def path_to_uri(path: Path) -> str:
    return str(from_fs_path(str(path)))


def read_text(path: Path) -> Optional[str]:
    """A regular file's text, never more than 16 MB, never blocking on a FIFO or a device (core.safe_read)."""
    return safe_read_text(path)


# (is_folder, tracked) of a folder's runs of entries, in their order
KINDS = ((True, True), (False, True), (True, False), (False, False))


class Folder(NamedTuple):
    """One folder's entries, each once: tracked folders, tracked files, untracked folders, untracked files, each
    run sorted; `kinds` the (start, end) of each run in `paths`. They share the folder's "parent/", so a typed start
    of a name is one bisection of a run. (path, is_folder, tracked) tuples are made only for what is answered: a
    folder of 20,000 files was 20,000 tuples and base names (~16 ms) at its first ask."""

    paths: list[str]
    kinds: tuple[tuple[int, int], ...]

    def starting_with(self, prefix: str, limit: int) -> list[tuple[str, bool, bool]]:
        """The entries whose path starts with `prefix` (the folder's "parent/" and a typed start of a name), in
        `entries`' order, at most `limit`: one bisection per run."""
        paths = self.paths
        out: list[tuple[str, bool, bool]] = []
        for (start, end), (is_folder, tracked) in zip(self.kinds, KINDS):
            at = bisect.bisect_left(paths, prefix, start, end)
            while at < end and len(out) < limit and paths[at].startswith(prefix):
                out.append((paths[at], is_folder, tracked))
                at += 1
        return out

    def entries(self) -> list[tuple[str, bool, bool]]:
        out: list[tuple[str, bool, bool]] = []
        for (start, end), (is_folder, tracked) in zip(self.kinds, KINDS):
            out.extend(zip(self.paths[start:end], repeat(is_folder), repeat(tracked)))
        return out


class Tracked:
    """The repository's file lists for path completion, cached until HEAD or the index changes. Each list is
    sorted, so the paths below a folder are one contiguous run of it (found by bisection). The lists of folders
    are made when first read (`folders_of`: ~30 ms at 100,000 files, off the listing's way); path completion takes
    a folder's subfolders from the files below it instead."""

    def __init__(
        self,
        stamp: Any,
        files: list[str],
        folders: Optional[list[str]],
        untracked: list[str],
        untracked_folders: Optional[list[str]],
    ) -> None:
        self.stamp = stamp
        self.files = files
        self.untracked = untracked
        self._folders = folders
        self._untracked_folders = untracked_folders
        self.children: dict[str, Folder] = {}  # the folders asked so far: their entries

    @property
    def folders(self) -> list[str]:
        if self._folders is None:
            self._folders = folders_of(self.files)
        return self._folders

    @property
    def untracked_folders(self) -> list[str]:
        if self._untracked_folders is None:
            self._untracked_folders = folders_of(self.untracked)
        return self._untracked_folders

    def index(self) -> dict[str, Folder]:
        """The root's entries, ready before the first completion (the other folders are built when asked)."""
        self.folder("")
        return self.children

    def folder(self, parent: str) -> Optional[Folder]:
        """The folder's entries, None when it has none; built on the first ask, from its runs of the lists (the
        work follows the folder's size, not the repository's)."""
        found = self.children.get(parent)
        if found is None:
            found = self.children[parent] = self._build(parent)
        return found if found.paths else None

    def _build(self, parent: str) -> Folder:
        paths: list[str] = []
        seen: set[str] = set()
        bounds = []
        below_tracked: list[str] = []
        below_untracked: list[str] = []
        files = direct_children(self.files, parent, below_tracked)
        untracked = direct_children(self.untracked, parent, below_untracked)
        # the folders with files below them: folders_of's (sorted: "a-b/" files come before "a/" ones)
        for children in (sorted(below_tracked), files, sorted(below_untracked), untracked):
            # a folder both tracked and untracked is listed once, as tracked
            fresh = list(filterfalse(seen.__contains__, children)) if seen else children
            seen.update(fresh)
            start = len(paths)
            paths.extend(fresh)
            bounds.append((start, len(paths)))
        return Folder(paths, tuple(bounds))


def direct_children(names: list[str], parent: str, subfolders: Optional[list[str]] = None) -> list[str]:
    """The paths of the sorted list `names` whose folder is `parent` ("" is the root), in order. A subfolder's
    paths are skipped with one bisection, a run of the folder's own files taken by growing slices checked in C:
    the steps follow the folder's subfolders, not the paths below them nor its files one by one. Each subfolder
    skipped is added to `subfolders` when given (once: its paths are one run)."""
    prefix = parent + "/" if parent else ""
    size = len(prefix)
    # every path that starts with `prefix` sorts in [prefix, prefix with its last "/" raised to "0")
    at = bisect.bisect_left(names, prefix) if prefix else 0
    end = bisect.bisect_left(names, parent + "0", at) if prefix else len(names)
    out: list[str] = []
    while at < end:
        name = names[at]
        slash = name.find("/", size)
        if slash >= 0:  # below a subfolder: past all of it
            if subfolders is not None:
                subfolders.append(name[:slash])
            at = bisect.bisect_left(names, name[:slash] + "0", at + 1, end)
            continue
        stop, step = at + 1, 1
        while stop < end and step:
            upto = min(stop + step, end)
            if any(map(str.count, names[stop:upto], repeat("/"), repeat(size))):
                step //= 2  # a deeper path in there: try a shorter slice
            else:
                stop, step = upto, step * 2
        out.extend(names[at:stop])
        at = stop
    return out


def folders_of(files: list[str]) -> list[str]:
    """Every folder above the files, sorted: each distinct parent (C-speed passes over the files) and the
    folders above it."""
    parents = dict.fromkeys(map(itemgetter(0, 1), map(str.rpartition, files, repeat("/"))))
    folders: set[str] = set()
    for parent, slash in parents:
        if not slash:
            continue  # a file at the root
        while parent not in folders:
            folders.add(parent)
            parent, slash, _ = parent.rpartition("/")
            if not slash:
                break
    return sorted(folders)

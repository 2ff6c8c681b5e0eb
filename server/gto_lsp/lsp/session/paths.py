"""Paths and uris of the server's files, and the repository's file lists for path completion."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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


class Folder(NamedTuple):
    """One folder's entries, (path, is_folder, tracked), each once: tracked folders, tracked files, untracked
    folders, untracked files, each kind by name; `names` are their base names; `kinds` the (start, end) of each
    kind, where the names are sorted (so a typed prefix is a bisection, not a scan)."""

    entries: list[tuple[str, bool, bool]]
    names: list[str]
    kinds: tuple[tuple[int, int], ...]


@dataclass
class Tracked:
    """The repository's file lists for path completion, cached until HEAD or the index changes."""

    stamp: Any
    files: list[str]
    folders: list[str]
    untracked: list[str]
    untracked_folders: list[str]
    children: dict[str, Folder] = field(default_factory=dict)  # `index()`: every folder's entries

    def index(self) -> dict[str, Folder]:
        """Every folder's entries, built once per listing (blocking, ~0.1 s for 100,000 files: in a thread)."""
        index = self.children
        if index:
            return index
        lists: dict[str, list[list[tuple[str, bool, bool]]]] = {}
        kinds = (
            (self.folders, True, True),
            (self.files, False, True),
            (self.untracked_folders, True, False),
            (self.untracked, False, False),
        )
        for kind, (names, is_folder, is_tracked) in enumerate(kinds):
            for name in names:
                parent = name.rsplit("/", 1)[0] if "/" in name else ""
                lists.setdefault(parent, [[], [], [], []])[kind].append((name, is_folder, is_tracked))
        built: dict[str, Folder] = {}
        for parent, by_kind in lists.items():
            entries: list[tuple[str, bool, bool]] = []
            seen: set[str] = set()
            bounds = []
            for listed in by_kind:
                start = len(entries)
                for entry in listed:  # already sorted: the lists are, and these share their parent
                    if entry[0] not in seen:
                        seen.add(entry[0])
                        entries.append(entry)
                bounds.append((start, len(entries)))
            built[parent] = Folder(entries, [entry[0].rsplit("/", 1)[-1] for entry in entries], tuple(bounds))
        self.children = built
        return built

    def folder(self, parent: str) -> Optional[Folder]:
        return self.index().get(parent)


def folders_of(files: list[str]) -> list[str]:
    folders: set[str] = set()
    for name in files:
        parts = name.split("/")[:-1]
        for index in range(1, len(parts) + 1):
            folders.add("/".join(parts[:index]))
    return sorted(folders)

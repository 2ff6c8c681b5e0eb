"""Which dvc.yaml files a repository has, and the full names of the artifacts they declare."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

DVC_FILE = "dvc.yaml"


def dvc_files(paths: Iterable[str]) -> list[str]:
    """The dvc.yaml files among repository paths (tracked and untracked-not-ignored), root first, then by
    folder. A dvc.yaml inside a nested DVC repository (a folder with its own `.dvc/`) is that repository's."""
    listed = list(paths)
    nested = {posixpath.dirname(posixpath.dirname(p)) for p in listed if p.endswith("/.dvc/config")}
    found = []
    for path in listed:
        if posixpath.basename(path) != DVC_FILE:
            continue
        folder = posixpath.dirname(path)
        if any(folder == n or folder.startswith(n + "/") for n in nested if n):
            continue
        found.append(path)
    return sorted(set(found), key=lambda p: (p.count("/"), p))


def folder_of(dvc_file: str) -> str:
    """The folder of a dvc.yaml relative to the repository root, "" for the root one."""
    path = dvc_file.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return posixpath.dirname(path)


def full_name(folder: str, name: str) -> str:
    """How DVC and GTO address an artifact of `folder`/dvc.yaml: `name` at the root, `folder:name` below."""
    return f"{folder}:{name}" if folder else name


def tag_name(full: str) -> str:
    """The spelling of a full name inside GTO's git tags (`sub/dir:name` -> `sub/dir=name`)."""
    return full.replace(":", "=", 1)


def split_full_name(full: str) -> tuple[str, str]:
    """(folder, name) of `sub/dir:name`, `sub/dir/dvc.yaml:name` (DVC's accepted spelling) or `name`."""
    if ":" not in full:
        return "", full
    folder, name = full.rsplit(":", 1)
    if folder == DVC_FILE or folder.endswith("/" + DVC_FILE):
        folder = posixpath.dirname(folder)
    return folder, name


def dvc_file_of(folder: str) -> str:
    return posixpath.join(folder, DVC_FILE) if folder else DVC_FILE


def relative_to_folder(repo_path: str, folder: str) -> Optional[str]:
    """A repository-relative path rewritten relative to `folder` (what a dvc.yaml there stores)."""
    if not folder:
        return repo_path
    return posixpath.relpath(repo_path, folder)


def walk_files(root: Path, limit: int = 50_000) -> list[str]:
    """Files under `root` without asking git (at start-up, or in an untrusted workspace), skipping hidden
    folders (`.git`, `.dvc`) and node_modules; at most `limit` names."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        if ".dvc" in dirs and relative != ".":
            found.append(f"{relative}/.dvc/config")  # a nested DVC repository: dvc_files() skips its files
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules"]
        found.extend(name if relative == "." else f"{relative}/{name}" for name in files)
        if len(found) > limit:
            break
    return found

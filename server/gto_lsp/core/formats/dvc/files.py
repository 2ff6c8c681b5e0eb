"""Which dvc.yaml files a repository has, the full names of the artifacts they declare, and DVC's path rule: a
`path:` in `dir/dvc.yaml` is relative to `dir`, in both directions (resolve_path: as written -> from the
repository root; to_folder: from the root -> as written)."""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from gto_lsp.core.paths import escapes, is_absolute, is_external, normalise, within

if TYPE_CHECKING:
    from gto_lsp.core.formats.dvc.reads import DvcIgnore

DVC_FILE = "dvc.yaml"


def dvc_files(paths: Iterable[str], ignore: Optional[DvcIgnore] = None) -> list[str]:
    """The dvc.yaml files among repository paths (tracked and untracked-not-ignored) that DVC reads, root first,
    then by folder: not one inside a nested DVC repository (a folder with its own `.dvc/`, whose file it is),
    inside `.dvc/` or `.git/`, or excluded by a `.dvcignore` (when `ignore` is given)."""
    listed = list(paths)
    nested = {posixpath.dirname(posixpath.dirname(p)) for p in listed if p.endswith("/.dvc/config")}
    found = []
    for path in listed:
        if posixpath.basename(path) != DVC_FILE:
            continue
        folder = posixpath.dirname(path)
        if any(folder == n or folder.startswith(n + "/") for n in nested if n) or (ignore and ignore.reason(path)):
            continue
        found.append(path)
    return sorted(set(found), key=lambda p: (p.count("/"), p))


def inside_outputs(files: Iterable[str], outputs: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """The dvc.yaml files DVC never reaches because they lie inside a stage's output folder, each with the reason.
    DVC walks top-down and does not enter the output folders of the dvc.yaml files it has read: an output counts
    below the folder of the dvc.yaml that declares it, and only when that dvc.yaml is read itself. `outputs`:
    each file's stage outputs, relative to the repository root."""
    skipped: dict[str, str] = {}
    read: list[str] = []
    for file in sorted(files, key=lambda p: (p.count("/"), p)):
        folder = folder_of(file)
        holder = next(
            (
                (output, other)
                for other in read
                for output in outputs.get(other, ())
                if _below(output, folder_of(other)) and (folder == output or _below(folder, output))
            ),
            None,
        )
        if holder is None:
            read.append(file)
        else:
            skipped[file] = f"it is inside `{holder[0]}/`, an output of a stage of {holder[1]}"
    return skipped


def _below(path: str, folder: str) -> bool:
    """`path` is strictly inside `folder` (both relative to the repository root, "" for the root)."""
    if folder:
        return path.startswith(folder + "/")
    return path not in ("", ".", "..") and not path.startswith("../")


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


def to_folder(path: str, folder: str) -> str:
    """A repository-relative path as a dvc.yaml in `folder` must write it (absolute paths and URLs as written:
    check reports them there as it does in artifacts.yaml)."""
    if not folder or path.startswith("/") or is_external(path):
        return path
    return relative_to_folder(posixpath.normpath(path.replace("\\", "/")), folder) or path


@dataclass(frozen=True)
class ResolvedPath:
    written: str
    resolved: str  # relative to the repository root, normalised
    problem: Optional[str]  # "absolute", "url", "escapes", "interpolated" or None


def resolve_path(path: str, folder: str) -> ResolvedPath:
    """Where DVC looks for `path` of an artifact declared in `folder`/dvc.yaml."""
    if "${" in path:
        return ResolvedPath(path, path, "interpolated")
    if is_external(path):
        return ResolvedPath(path, path, "url")
    cleaned = path.replace("\\", "/")
    if cleaned.startswith("/"):
        return ResolvedPath(path, posixpath.normpath(cleaned.lstrip("/")) if cleaned.strip("/") else ".", "absolute")
    resolved = posixpath.normpath(posixpath.join(folder, cleaned)) if cleaned else (folder or ".")
    if escapes(resolved):
        return ResolvedPath(path, resolved, "escapes")
    return ResolvedPath(path, resolved, None)


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


class PathRefused(ValueError):
    """A file a command would read or write is not a regular file inside the repository; `message` says why."""

    def __init__(self, message: str, outside: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.outside = outside  # False: inside, but not usable (not a regular file, no folder, an OS error)


def annotations_file(root: Path, rel: str, folder_must_exist: bool = True) -> Path:
    """The annotations file `rel` (relative to the repository root: artifacts.yaml, `.gto`'s index, SUB/dvc.yaml)
    as a path inside the repository once symlinks are resolved, else PathRefused: `..` or an absolute path, a link
    (of the file or of a folder on the way) out of the repository, a folder, FIFO or device. A missing file is
    fine (a write creates it); its folder must exist unless `folder_must_exist` is false (a reader finds nothing).
    The one check the command line and the server share, so nothing outside the repository is read or written."""
    shown = f"'{rel}'"
    if not rel:
        raise PathRefused("No file named: name a file inside the repository, relative to its root.", outside=False)
    if is_absolute(rel) or os.path.isabs(rel):
        raise PathRefused(f"{shown} is an absolute path: name a file inside the repository {root}, relative to it.")
    norm = normalise(rel)
    if escapes(norm):
        raise PathRefused(f"{shown} leads out of the repository {root}: name a file inside it.")
    path = root / norm
    try:
        real = os.path.realpath(path)
        if not within(real, os.path.realpath(root)):
            raise PathRefused(
                f"{shown} is a link out of the repository {root} (to {real}): gto-lsp reads and writes only files "
                "inside the repository."
            )
        if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
            raise PathRefused(
                f"{shown} is not a regular file (a folder, a FIFO or a device): gto-lsp reads and writes only "
                "regular files.",
                outside=False,
            )
        if folder_must_exist and not os.path.isdir(path.parent):
            folder = posixpath.dirname(norm)
            raise PathRefused(
                f"No folder '{folder}' in the repository {root} for {shown}: create it first.", outside=False
            )
    except OSError as error:  # a name too long for the file system, a loop of links
        raise PathRefused(f"{shown} cannot be used: {error.strerror or error}.", outside=False) from error
    return path

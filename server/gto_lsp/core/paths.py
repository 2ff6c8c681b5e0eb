"""Artifact paths: the rules GTO applies to `path:` values, and "is it inside the repository" on disk.

A `path:` is relative to the repository root (for dvc.yaml, to the file's folder). These are the string rules
(no disk access) and `inside`, the one place that resolves symlinks to decide whether a file is in the repository.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Union

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DRIVE = re.compile(r"^[a-zA-Z]:[\\/]")


def is_external(path: str) -> bool:
    """A URL (`s3://bucket/model.pkl`): not a file of the repository."""
    return _URL.match(path) is not None


def normalise(path: str) -> str:
    """`./a//b/` -> `a/b`, backslashes read as separators (check's reading of a path)."""
    return posixpath.normpath(path.replace("\\", "/")) if path else path


def is_absolute(path: str) -> bool:
    """A POSIX root or a Windows drive (`C:/`, `C:\\`)."""
    return normalise(path).startswith("/") or _DRIVE.match(path) is not None


def escapes(norm: str) -> bool:
    """A normalised relative path that leads out of its base folder."""
    return norm == ".." or norm.startswith("../")


PATH_MAX = 4096  # bytes: Linux's limit; no file system names a longer path


def folder_keys(norm: str) -> tuple[int, tuple[int, ...]]:
    """A key for a normalised path and one for each folder that contains it, innermost first (`a/b/c` -> keys of
    `a/b/c`; `a/b`, `a`), in time and memory linear in its length: each key hashes the key of the folder above
    with the next name, so no prefix is ever built (a 200 KB `a/a/a/...` has 100,000 of them). Equal paths have
    equal keys; a caller that finds one compares the paths, as two keys may collide. Names that are no folder
    (`""`, `/`, `//`, `.`) get no key, so `//x` ends; a path longer than PATH_MAX names no file: no folder keys."""
    key = 0
    folders: list[int] = []
    rooted = True  # only empty names so far: the prefix is "" or slashes
    keep = len(norm) <= PATH_MAX
    start = 0
    while True:
        end = norm.find("/", start)
        if end < 0:
            return hash((key, norm[start:])), tuple(reversed(folders))
        name = norm[start:end]
        key = hash((key, name))
        rooted = rooted and not name
        if keep and not rooted and not (start == 0 and name == "."):
            folders.append(key)
        start = end + 1


def resolved(path: str) -> str:
    """GTO's `Path(p).resolve()` run from the repository root, without touching the disk (no symlinks)."""
    return posixpath.normpath(path if path.startswith("/") else "/__repository__/" + path)


def conflict(a: str, b: str) -> bool:
    """GTO's find_repeated_path: equal, or one an ancestor of the other (a backslash is a plain character)."""
    ra, rb = resolved(a), resolved(b)
    return ra == rb or rb.startswith(ra.rstrip("/") + "/") or ra.startswith(rb.rstrip("/") + "/")


def within(real: str, real_root: str) -> bool:
    """Whether a resolved path is `real_root` or below it."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def inside(path: Union[str, os.PathLike[str]], root: Union[str, os.PathLike[str]]) -> bool:
    """`path` is `root` or below it, also after resolving symlinks (a link out of the repository is outside)."""
    try:
        return within(os.path.realpath(path), os.path.realpath(root))
    except (OSError, ValueError):
        return False


def exists_inside(root: Path, path: str, real_root: str) -> bool:
    """`path` (relative to `root`) exists, and is inside the repository once symlinks are resolved: a link that
    leads out counts as missing, so nothing outside is read."""
    full = os.path.join(root, path)
    if not os.path.lexists(full):
        return False
    return within(os.path.realpath(full), real_root)

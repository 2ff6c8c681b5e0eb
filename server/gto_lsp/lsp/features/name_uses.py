"""The uses of artifact names in a repository's files (core/usages.py's finder over git's file list), kept per
file by its stamp (a saved file: modification time and size; an open document: its version), so a second
question about any name reads only the files that changed. Blocking: runs in a worker thread."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types
from pygls.workspace import PositionCodec

from gto_lsp.core.repo.safe_read import NotReadable, read_bytes
from gto_lsp.core.usages import MAX_BYTES, MAX_FILES, PYTHON, Use, is_binary, kind_of, uses
from gto_lsp.lsp.positions import LineIndex
from gto_lsp.lsp.session.paths import path_to_uri

Opened = dict[str, tuple[str, Optional[int], str]]  # path -> (uri, version, text) of the open documents
Spot = tuple[str, Optional[int], types.Range]  # (uri, version or None for a saved file, range) of a use
Found = list[tuple[Use, types.Range]]
Cache = dict[str, tuple[Any, Found]]  # path -> (stamp, every use in the file)

# A Python file naming none of these has no use the finder reads (no ast parse needed).
_PYTHON_WORDS = (b"artifacts_show", b"log_artifact", b"gto")


def _uses_in(text: str, kind: str, codec: PositionCodec) -> Found:
    found = uses(text, kind)
    if not found:
        return []
    lines = LineIndex(text, codec)
    return [(use, lines.range(use.span)) for use in found]


def _read_uses(path: Path, kind: str, codec: PositionCodec) -> Found:
    try:
        data = read_bytes(path, MAX_BYTES)
    except (NotReadable, OSError, ValueError):
        return []
    if is_binary(data) or (kind == PYTHON and not any(word in data for word in _PYTHON_WORDS)):
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    return _uses_in(text, kind, codec)


def scan(
    root: Path, files: list[str], opened: Opened, folder: str, name: str, codec: PositionCodec, cache: Cache
) -> list[Spot]:
    """The uses of `folder:name` in the repository's files (at most MAX_FILES of them, the open documents' text
    instead of the disk's); `cache` keeps every file's uses between calls."""
    out: list[Spot] = []
    for rel in files[:MAX_FILES]:
        kind = kind_of(rel)
        if kind is None:
            continue
        known = cache.get(rel)
        if rel in opened:
            uri, version, text = opened[rel]
            stamp: Any = ("open", uri, version, len(text))
            if known is None or known[0] != stamp:
                known = cache[rel] = (stamp, _uses_in(text, kind, codec))
        else:
            try:
                info = os.stat(root / rel)
            except (OSError, ValueError):
                cache.pop(rel, None)
                continue
            stamp = (info.st_mtime_ns, info.st_size)
            if known is None or known[0] != stamp:
                known = cache[rel] = (stamp, _read_uses(root / rel, kind, codec))
            uri, version = "", None
        for use, rng in known[1]:
            if use.name == name and use.folder == folder:
                out.append((uri or path_to_uri(root / rel), version, rng))
    return out

"""What `gto show NAME --json` says beyond the registry state, read from git: each tag's tagger and message
(tag_info.py), each version's commit (author, committer, date, message) and the index file at that commit, in one
`git cat-file --batch` each (cat_file_batch, which read.py's index check uses too)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, NamedTuple, Optional

if TYPE_CHECKING:
    from gto_lsp.core.registry.tag_info import TagInfo

__all__ = ["CommitInfo", "Details", "cat_file_batch", "parse_commit", "read_details"]


class CommitInfo(NamedTuple):
    author: str
    author_email: str
    committer: str
    committer_email: str
    time: float
    offset: int  # the committer date's time zone, seconds east of UTC
    message: str


_IDENT = re.compile(r"^(.*?)\s*<([^>]*)>\s*(-?\d+)\s+([+-])(\d\d)(\d\d)$")


def _ident(line: str) -> tuple[str, str, float, int]:
    m = _IDENT.match(line)
    if not m:
        return line, "", 0.0, 0
    sign = -1 if m[4] == "-" else 1
    return m[1], m[2], float(m[3]), sign * (int(m[5]) * 3600 + int(m[6]) * 60)


def parse_commit(raw: bytes) -> CommitInfo:
    """A raw commit object -> its author, committer, committer date and message (as GTO's git library reads it)."""
    head, _, message = raw.decode("utf-8", "replace").partition("\n\n")
    fields = {}
    for line in head.split("\n"):
        key, _, value = line.partition(" ")
        if key in ("author", "committer"):
            fields[key] = _ident(value)
    author = fields.get("author", ("", "", 0.0, 0))
    committer = fields.get("committer", ("", "", 0.0, 0))
    return CommitInfo(author[0], author[1], committer[0], committer[1], committer[2], committer[3], message)


def cat_file_batch(root: Path, names: list[str], kind: str) -> list[Optional[bytes]]:
    """`git cat-file --batch`: each object's content, None for a missing one or one not of type `kind`."""
    if not names:
        return []
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input="".join(f"{n}\n" for n in names).encode(),
        capture_output=True,
        check=False,
    )
    out, pos = done.stdout, 0
    found: list[Optional[bytes]] = []
    for _ in names:  # one answer per name asked
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] == b"missing":
            found.append(None)
            continue
        size = int(header[2])
        found.append(out[pos : pos + size] if header[1] == kind.encode() else None)
        pos += size + 1
    return found + [None] * (len(names) - len(found))


class Details(NamedTuple):
    """What the versions' JSON says beyond the state, read from git."""

    tags: Mapping[str, TagInfo]  # by the name in the tag object
    commits: Mapping[str, CommitInfo]
    index_files: Mapping[str, Optional[str]]  # commit -> the index file's text there (None: no such file)


def read_details(root: Path, commits: list[str], index: str, with_files: bool) -> Details:
    """Tag infos (one for-each-ref), and the commits with the index file at each (one cat-file each)."""
    from gto_lsp.core.registry.tag_info import read_tag_info

    infos = {c: parse_commit(b) for c, b in zip(commits, cat_file_batch(root, commits, "commit")) if b is not None}
    files = cat_file_batch(root, [f"{c}:{index}" for c in commits], "blob") if with_files else []
    texts = {c: None if b is None else b.decode("utf-8", "replace") for c, b in zip(commits, files)}
    return Details(read_tag_info(root), infos, texts)

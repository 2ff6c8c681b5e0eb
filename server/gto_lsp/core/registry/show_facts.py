"""What `gto show NAME --json` says beyond the registry state, read from git: each tag's tagger and message
(tag_info.py), each version's commit (author, committer, date, message) and the artifact's annotation in the
index file at that commit, the commits and files in one `git cat-file --batch`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional

if TYPE_CHECKING:
    from gto_lsp.core.registry.replay import GtoArtifact
    from gto_lsp.core.registry.tag_info import TagInfo

__all__ = ["CommitInfo", "Details", "parse_commit", "read_details"]


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


def _batch(root: Path, names: list[str]) -> list[Optional[bytes]]:
    """`git cat-file --batch`: each object's content, None for a missing one."""
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
        found.append(out[pos : pos + size])
        pos += size + 1
    return found + [None] * (len(names) - len(found))


class Details(NamedTuple):
    """What the versions' JSON says beyond the state, read from git."""

    tags: Mapping[str, TagInfo]  # by the name in the tag object
    commits: Mapping[str, CommitInfo]
    annotations: Mapping[str, Optional[dict[str, Any]]]  # commit -> the artifact's annotation there


def read_details(root: Path, art: GtoArtifact, index: str, with_annotations: bool) -> Details:
    """Tag infos (one for-each-ref), and each version's commit with the artifact's entry in `index` there (one
    cat-file)."""
    from gto_lsp.core.registry.tag_info import read_tag_info

    commits = sorted({v.commit for v in art.versions if v.commit})
    names = commits + ([f"{c}:{index}" for c in commits] if with_annotations else [])
    blobs = _batch(root, names)
    infos = {c: parse_commit(b) for c, b in zip(commits, blobs) if b is not None}
    annotations: dict[str, Optional[dict[str, Any]]] = {}
    parsed: dict[bytes, Optional[dict[str, Any]]] = {}  # one parse per distinct file
    for commit, blob in zip(commits, blobs[len(commits) :]):
        if blob is not None and blob not in parsed:
            parsed[blob] = _annotation(blob.decode("utf-8", "replace"), art.name)
        annotations[commit] = parsed[blob] if blob is not None else None
    return Details(read_tag_info(root), infos, annotations)


def _annotation(text: str, name: str) -> Optional[dict[str, Any]]:
    """The artifact's fields in an artifacts.yaml as GTO's model dumps them (every field), None when absent."""
    from gto_lsp.core.formats.gto.check import full_values, values_of
    from gto_lsp.core.formats.gto.document import parse

    document = parse(text)
    target = document.find(name)
    return None if target is None else full_values(values_of(document, target))

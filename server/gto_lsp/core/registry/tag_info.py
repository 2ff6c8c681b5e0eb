"""What GTO's events say beyond the registry state: each annotated tag's tagger name and email, its tagger date's
time zone and its message, read in one `git for-each-ref` pass (parse_tag_info is pure: the output comes in as
bytes)."""

from __future__ import annotations

import os
from typing import Callable, NamedTuple, Optional

__all__ = ["TAG_INFO_FORMAT", "TagInfo", "parse_tag_info", "read_tag_info"]

# One record per tag, ended by a NUL and a record separator that a tag message does not hold in practice.
_END = "\x00\x1e\x00"
TAG_INFO_FORMAT = (
    "%(refname:strip=2)%00%(objecttype)%00%(tag)%00%(tagger)%00%(taggerdate:raw)%00%(contents:signature)%00"
    "%(contents)%00%1e%00"
)
_IDENTITY_NAME_LIMIT = 4096  # a tagger field longer than this is not an identity anyone wrote


class TagInfo(NamedTuple):
    author: str  # the tagger's name, as GTO's git library parses it
    author_email: str
    message: str  # the tag's message without its signature, stripped (as GTO keeps it)
    offset: int  # the tagger date's time zone, in seconds east of UTC


def _identity(raw: str) -> tuple[str, str]:
    # dulwich's `(?P<name>.+)\s+<(?P<email>.+)>`: the last " <" that a ">" closes.
    raw = raw[:_IDENTITY_NAME_LIMIT]
    end = raw.rfind(">")
    start = raw.rfind("<", 0, end) if end >= 0 else -1
    if start <= 0:
        return raw, ""
    return raw[:start].rstrip(), raw[start + 1 : end]


def _offset(raw: str) -> int:
    parts = raw.split()
    if len(parts) != 2 or len(parts[1]) != 5 or parts[1][0] not in "+-" or not parts[1][1:].isdigit():
        return 0
    sign = -1 if parts[1][0] == "-" else 1
    return sign * (int(parts[1][1:3]) * 3600 + int(parts[1][3:5]) * 60)


def parse_tag_info(out: bytes) -> dict[str, TagInfo]:
    """`git for-each-ref --format=TAG_INFO_FORMAT refs/tags` output -> {name in the tag object: its info}, for
    annotated tags (the first ref of a name wins: two tag objects of one name are one event to GTO)."""
    infos: dict[str, TagInfo] = {}
    for record in out.decode("utf-8", "replace").split(_END):
        fields = record.lstrip("\n").split("\x00")
        if len(fields) < 7 or fields[1] != "tag":
            continue
        _ref, _type, obj_name, tagger, date, signature, contents = fields[:7]
        if signature and contents.endswith(signature):
            contents = contents[: -len(signature)]
        # %(tagger) is "Name <email> time zone": the identity is what precedes the date.
        identity = tagger.rsplit(" ", 2)[0] if tagger.count(" ") >= 2 else tagger
        name, email = _identity(identity)
        infos.setdefault(obj_name, TagInfo(name, email, contents.strip(), _offset(date)))
    return infos


Run = Callable[..., tuple[int, bytes]]  # run(*git_args) -> (status, stdout)


def read_tag_info(root: str | os.PathLike[str], run: Optional[Run] = None) -> dict[str, TagInfo]:
    """The info of every annotated tag of the repository at `root` (one `git for-each-ref`)."""
    if run is None:
        import git

        from gto_lsp.core.repo.run import run_git

        g = git.Git(str(root))

        def run(*args: str) -> tuple[int, bytes]:
            res = run_git(g, *args)
            return res.status, res.out

    status, out = run("for-each-ref", f"--format={TAG_INFO_FORMAT}", "refs/tags")
    return parse_tag_info(out) if status == 0 else {}

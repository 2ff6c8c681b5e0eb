"""GTO's tag grammar, both ways (spec §2): read a tag name, write one.

Public API::

    parse_tag("sub/dir=nn#prod!#4") -> Tag(artifact="sub/dir:nn", action="unassign", version=None,
                                             stage="prod", counter=4)          # None: not a GTO tag
    format_tag(artifact, action, version=None, stage=None, counter=None) -> str
        # format_tag("sub/dir:nn", "assign", stage="prod", counter=5) == "sub/dir=nn#prod#5"
    name_to_tag("dir:name") == "dir=name";  tag_to_name("dir=name") == "dir:name"
    next_counter(tag_names, artifact) -> int  # 1 + the highest `#N` of the artifact's tags (lightweight too)
    semver_key("v1.2.3-rc.1") -> sortable key, None when not "v" + SemVer 2.0
    is_version(value) -> bool                 # "v" + SemVer 2.0, as GTO's --version wants
    parse_shortcut("rf@latest") -> Shortcut(name="rf", stage=None, version=None, latest=True)  # None: a plain name

Actions: "register" (`NAME@vX.Y.Z`), "deregister" (`NAME@vX.Y.Z!`), "assign" (`NAME#STAGE`), "unassign"
(`NAME#STAGE!`), "deprecate" (`NAME@deprecated`), "created" (`NAME@created`: in GTO's grammar, but a registry
holding one breaks every GTO command). Every form may end with `#N`, the per-artifact counter.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, NamedTuple, Optional

from gto_lsp.core.names import NAME

__all__ = [
    "ACTIONS",
    "Shortcut",
    "Tag",
    "format_tag",
    "is_version",
    "name_to_tag",
    "next_counter",
    "parse_shortcut",
    "parse_tag",
    "semver_key",
    "tag_to_name",
]

ACTIONS = ("register", "deregister", "assign", "unassign", "deprecate", "created")

_NUM = r"(?:0|[1-9][0-9]*)"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
_SEMVER = (
    rf"v(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
SEMVER_RE = re.compile(_SEMVER)
# GTO's tag_re (constants.py); in tag names the ':' of 'dir:name' is written '='.
TAG_RE = re.compile(
    rf"(?P<artifact>(?:[a-zA-Z0-9_./-]+=)?{NAME})"
    rf"(?:(?:#(?P<stage>{NAME})|@(?P<version>v[^@#!]+))(?P<cancel>!?)"
    r"|@(?P<deprecated>deprecated)|@(?P<created>created))"
    r"(?:#(?P<counter>[0-9]+))?"
)


class Tag(NamedTuple):
    artifact: str  # 'dir:name' as GTO shows it (the tag writes 'dir=name')
    action: str  # one of ACTIONS
    version: Optional[str] = None  # register/deregister
    stage: Optional[str] = None  # assign/unassign
    counter: Optional[int] = None  # the trailing '#N', None for a simple tag


def name_to_tag(name: str) -> str:
    return name.replace(":", "=")


def tag_to_name(name: str) -> str:
    return name.replace("=", ":")


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked again for the same names (a registry of 10,000 tags)
def semver_key(version: str) -> Optional[tuple[object, ...]]:
    """SemVer 2.0 precedence (build metadata ignored); None when `version` is not 'v' + SemVer."""
    m = SEMVER_RE.fullmatch(version)
    if not m:
        return None
    pre = m["pre"]
    # A release ranks above its prereleases; numeric identifiers rank below alphanumeric ones.
    pre_key: tuple[object, ...] = (
        (1,) if pre is None else (0, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")))
    )
    return (int(m["major"]), int(m["minor"]), int(m["patch"]), pre_key)


def is_version(value: str) -> bool:
    return SEMVER_RE.fullmatch(value) is not None


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked again for the same names (a registry of 10,000 tags)
def parse_tag(name: str) -> Optional[Tag]:
    """The GTO event a tag name stands for; None for names GTO ignores (`v1.0.0`, `rf@v1`, `rf@latest`)."""
    m = TAG_RE.fullmatch(name)
    if not m:
        return None
    version = m["version"]
    if version is not None and not is_version(version):
        return None
    if m["deprecated"]:
        action = "deprecate"
    elif m["created"]:
        action = "created"
    elif version:
        action = "deregister" if m["cancel"] else "register"
    else:
        action = "unassign" if m["cancel"] else "assign"
    counter = int(m["counter"]) if m["counter"] else None
    return Tag(tag_to_name(m["artifact"]), action, version, m["stage"], counter)


def format_tag(
    artifact: str,
    action: str,
    version: Optional[str] = None,
    stage: Optional[str] = None,
    counter: Optional[int] = None,
) -> str:
    """The tag name GTO 1.10.1 writes (spec §2.1)."""
    base = name_to_tag(artifact)
    if action in ("register", "deregister"):
        if not version:
            raise ValueError(f"{action} needs a version")
        text = f"{base}@{version}" + ("!" if action == "deregister" else "")
    elif action in ("assign", "unassign"):
        if not stage:
            raise ValueError(f"{action} needs a stage")
        text = f"{base}#{stage}" + ("!" if action == "unassign" else "")
    elif action in ("deprecate", "created"):
        text = f"{base}@{'deprecated' if action == 'deprecate' else 'created'}"
    else:
        raise ValueError(f"unknown action {action!r}")
    return text if counter is None else f"{text}#{counter}"


def next_counter(tag_names: Iterable[str], artifact: str) -> int:
    """GTO's shared counter: 1 + the highest `#N` in any tag name of `artifact` (lightweight tags count too)."""
    highest = 0
    for name in tag_names:
        tag = parse_tag(name)
        if tag is not None and tag.artifact == artifact and tag.counter is not None:
            highest = max(highest, tag.counter)
    return highest + 1


class Shortcut(NamedTuple):
    name: str
    stage: Optional[str] = None
    version: Optional[str] = None
    latest: bool = False


# GTO's shortcut_re: NAME@latest, NAME@greatest, NAME@vX.Y.Z, NAME#STAGE (NAME may be dir:name).
_SHORTCUT_RE = re.compile(
    rf"^(?P<artifact>(?:[a-zA-Z0-9-_./]+:)?{NAME})(?:#(?P<stage>{NAME})|@(?P<version>latest|greatest|{_SEMVER}))$"
)


def parse_shortcut(value: str) -> Optional[Shortcut]:
    """`gto show`'s naming shortcuts; None when `value` is a plain name (or nothing GTO reads as a shortcut)."""
    m = _SHORTCUT_RE.search(value)
    if not m:
        return None
    version = m["version"]
    latest = version in ("latest", "greatest")
    return Shortcut(m["artifact"], m["stage"], None if latest else version, latest)

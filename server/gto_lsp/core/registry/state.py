"""The registry state from git tags, computed as GTO 1.10.1's `gto show` computes it (spec §7): what it is made of.

Public API::

    read.read_registry(root) -> Registry       # one `git for-each-ref` pass + HEAD's artifacts.yaml
    read.registry_state(root) -> dict[str, ArtifactRegistry]   # read_registry(root).artifacts
    replay.parse_registry(refs: bytes, head: HeadInfo | None = None) -> Registry   # pure: for-each-ref output in
    FOR_EACH_REF_FORMAT                         # the --format that parse_registry reads (one line per tag)

    Registry:          artifacts {name: ArtifactRegistry}, tags {ref name: TagRef} (every tag, lightweight
                       too: the counter and "tag exists" need them), error (GTO's message when GTO cannot read
                       this registry at all, e.g. a `NAME@created` tag: then every command of GTO fails; the
                       artifacts are still computed, leniently, and each carries the same `error`), error_cause
                       ("created", "versions", "tag-name"), head sha, order (the artifacts in `gto show`'s order;
                       `artifacts` is sorted by name).
    ArtifactRegistry:  name, versions (VersionInfo, highest SemVer first, deregistered ones included with
                       active=False, then sha-named versions: commits with stage tags only, and HEAD for an
                       artifact annotated there), latest, stages {stage: version} (as
                       `gto show` prints them: --sort timestamp, one version per stage), deprecated,
                       registered (has GTO tags, not only an artifacts.yaml entry), error, events (every GTO
                       event, oldest first: what plan.py needs for counters, `--delete` and tagger times).
    VersionInfo:       version ('v1.0.0', or the commit sha for a commit with stage tags only), commit, active,
                       created_at, stages (active ones, oldest assignment first), registered, events (GTO's
                       events of this version, oldest first).
    Event:             kind (register, deregister, assign, unassign, deprecate, commit), time, commit,
                       version, stage, tag (the tag's name, None for a commit event).

What GTO does and this reproduces: only tags whose ref name matches the grammar and that are annotated count;
the event is built from the name stored in the tag object; events replay in tagger-time order, deprecations
then registrations then stage tags, so a stage tag belongs to the version registered on its commit whatever the
order; every version's commit (at its commit date) and HEAD for each artifact in HEAD's committed
artifacts.yaml count as events for deprecation; ties are broken the way GTO's stable sorts break them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Optional

from gto_lsp.core.registry.tags import parse_tag

__all__ = [
    "FOR_EACH_REF_FORMAT",
    "ArtifactRegistry",
    "Event",
    "HeadInfo",
    "Registry",
    "TagRef",
    "VersionInfo",
    "multiple_versions",
]

# ref name, object type, peeled commit, tagger date, name in the tag object, peeled commit's date, object.
FOR_EACH_REF_FORMAT = (
    "%(refname:strip=2)%00%(objecttype)%00%(*objectname)%00%(taggerdate:raw)%00%(tag)"
    "%00%(*committerdate:raw)%00%(objectname)"
)


class Event(NamedTuple):
    kind: str  # register, deregister, assign, unassign, deprecate, commit
    time: float
    commit: str
    version: Optional[str] = None  # the version an event belongs to (a sha for a stage-only commit)
    stage: Optional[str] = None
    tag: Optional[str] = None  # the tag's name (as stored in the tag object); None for commit events


@dataclass(frozen=True)
class TagRef:
    name: str  # the ref name under refs/tags/
    commit: str  # the commit it points at ('' when it points at something else)
    annotated: bool
    time: float  # tagger time, 0 for a lightweight tag
    object_name: str  # the name stored in the tag object ('' for a lightweight tag)


@dataclass(frozen=True)
class VersionInfo:
    version: str  # 'v1.0.0', or the commit sha for a commit that got a stage without a version tag
    commit: str
    active: bool  # its newest registration/deregistration tag is a registration
    created_at: float  # tagger time (Unix seconds) of its newest registration tag, else of its newest tag
    stages: tuple[str, ...]  # stages whose newest tag for this version is an assignment, oldest first
    registered: bool = True  # False for a sha-named version (stage tags only)
    events: tuple[Event, ...] = field(default=(), compare=False, repr=False)  # GTO's, oldest first


@dataclass(frozen=True)
class ArtifactRegistry:
    name: str
    versions: tuple[VersionInfo, ...]  # highest SemVer first, then sha-named versions
    latest: Optional[str]  # highest SemVer among active registered versions
    stages: dict[str, str]  # stage -> version, as `gto show` prints it
    deprecated: bool
    registered: bool = True  # False: only annotated in HEAD's artifacts.yaml, no GTO tag
    error: Optional[str] = None  # GTO cannot read the registry this artifact is in: its message
    events: tuple[Event, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class HeadInfo:
    sha: str
    time: float  # HEAD's committer date
    annotated: tuple[str, ...] = ()  # artifact names in HEAD's committed artifacts.yaml


@dataclass(frozen=True)
class Registry:
    artifacts: dict[str, ArtifactRegistry]
    tags: dict[str, TagRef]
    error: Optional[str] = None
    error_cause: Optional[str] = None  # "created" (a NAME@created tag), "versions", "tag-name", "index"
    head: Optional[str] = None
    order: tuple[str, ...] = ()  # the artifacts in GTO's order (as `gto show` lists them); `artifacts` is sorted
    # GTO's model itself (replay.GtoArtifact per name, GTO's order): what `show`'s options query. Read-only.
    model: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


class RegistryUnreadable(Exception):
    """What GTO 1.10.1 fails with on this registry (every command that reads it)."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


VERSIONS_NAMED = 5  # versions a message names; 8,000 versions on one commit made a 100 KB line


def multiple_versions(artifact: str, versions: list[str]) -> str:
    """GTO's refusal of several versions on one commit: its words, naming the first few versions and counting the
    rest."""
    named = f"'{versions}'"
    if len(versions) > VERSIONS_NAMED:
        named = f"'{versions[:VERSIONS_NAMED]}' and {len(versions) - VERSIONS_NAMED:,} more"
    return (
        "Multiple versions are not allowed on the same Git commit. "
        f"Violation detected for artifact '{artifact}', versions {named}."
    )


def head_info(root: Path, run: Callable[..., tuple[int, bytes]], index: Optional[str] = None) -> Optional[HeadInfo]:
    """HEAD's sha, committer date and the artifacts of its committed artifacts.yaml (`run(*git_args)`)."""
    status, out = run("log", "-1", "--format=%H %ct", "HEAD")
    parts = out.decode().split()
    if status != 0 or len(parts) != 2:
        return None
    sha, when = parts
    if index is None:
        from gto_lsp.core.config import read_config

        index = read_config(root).index
    status, text = run("cat-file", "blob", f"{sha}:{index}")
    names = _annotated_names(text.decode("utf-8", "replace")) if status == 0 else ()
    return HeadInfo(sha, float(when), names)


def _annotated_names(text: str) -> tuple[str, ...]:
    """The artifact names GTO reads from an artifacts.yaml (none when GTO could not read it)."""
    fast = plain_names(text)
    if fast is not None:
        return fast
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except Exception:
        return ()
    if not isinstance(data, dict):
        return ()
    return tuple(str(k) for k in data if isinstance(k, str))


_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_/-]*\Z")  # text in YAML 1.1 and 1.2 alike, unless a word below
_WORDS = frozenset(("true", "false", "null", "yes", "no", "on", "off"))
_SAFE_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq"))
_NODE_BUDGET = 1_000_000


def plain_names(text: str) -> Optional[tuple[str, ...]]:
    """The top-level keys by libyaml's composer (ruamel's pure loader, GTO's, took 3 s on 400 artifacts), when
    every node is one both read alike: standard tags only (no timestamp: ruamel may refuse it), no alias, no
    repeated key (ruamel refuses the file), each top-level key quoted or a plain name that is no YAML 1.1
    word. None: ask ruamel."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        root = yaml.compose(text, Loader=loader)
    except Exception:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or node.tag not in _SAFE_TAGS or len(seen) > _NODE_BUDGET:
            return None  # an alias, a tag or a size this does not vouch for
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
            if len(keys) != len(node.value) or len(set(keys)) != len(keys) or "<<" in keys:
                return None
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)

    def text_alike(key: Any) -> bool:
        quoted = key.style in ("'", '"')
        plain = key.style in (None, "")  # libyaml says "", PyYAML None
        return quoted or (plain and bool(_PLAIN_KEY.match(key.value)) and key.value.lower() not in _WORDS)

    if not all(text_alike(key) for key, _ in root.value):
        return None
    return tuple(key.value for key, _ in root.value)


def names_in(tags: Iterable[str]) -> set[str]:
    """The artifact names that these tag names belong to."""
    return {t.artifact for t in map(parse_tag, tags) if t is not None}

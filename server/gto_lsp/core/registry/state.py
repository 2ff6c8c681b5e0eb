"""The registry state from git tags, computed as GTO 1.10.1's `gto show` computes it (spec §7).

Public API::

    read_registry(root) -> Registry            # one `git for-each-ref` pass + HEAD's artifacts.yaml
    registry_state(root) -> dict[str, ArtifactRegistry]   # read_registry(root).artifacts
    parse_registry(refs: bytes, head: HeadInfo | None = None) -> Registry   # pure: for-each-ref output in
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

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Optional

from gto_lsp.core.registry.tags import Tag, parse_tag, semver_key

__all__ = [
    "FOR_EACH_REF_FORMAT",
    "ArtifactRegistry",
    "Event",
    "HeadInfo",
    "Registry",
    "TagRef",
    "VersionInfo",
    "multiple_versions",
    "parse_registry",
    "read_registry",
    "registry_state",
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


# --- a port of GTO's model (gto/base.py): the same lists, sorts and look-ups ------------------------------


def _insort(events: list[Event], ev: Event) -> None:
    # GTO appends then sorts by created_at, stably: `ev` goes after every event of its time or earlier. Events come
    # mostly in time order, so this walks back a step or two instead of sorting the list again.
    index = len(events)
    while index and events[index - 1].time > ev.time:
        index -= 1
    events.insert(index, ev)


class _VStage:
    def __init__(self) -> None:
        self.events: list[Event] = []  # assignments then unassignments, each sorted
        self._ordered: Optional[list[Event]] = None  # ordered()'s answer until the next add (read-only)

    def add(self, ev: Event) -> None:
        self.events.append(ev)
        self._ordered = None

    def ordered(self) -> list[Event]:
        if self._ordered is None:
            assigns = sorted((e for e in self.events if e.kind == "assign"), key=lambda e: e.time)
            unassigns = sorted((e for e in self.events if e.kind == "unassign"), key=lambda e: e.time)
            self._ordered = sorted(assigns + unassigns, key=lambda e: e.time)  # ascending, stable
        return self._ordered

    @property
    def active(self) -> bool:
        return self.ordered()[::-1][0].kind == "assign"

    @property
    def activated_at(self) -> float:
        return self.ordered()[::-1][0].time

    @property
    def created_at(self) -> float:
        # GTO's authoring event: the newest assignment.
        adds = [e for e in self.ordered()[::-1] if e.kind == "assign"]
        return (adds or self.ordered()[::-1])[0].time


class _Version:
    def __init__(self, name: str, commit: str) -> None:
        self.name = name
        self.commit = commit
        self.regs: list[Event] = []
        self.deregs: list[Event] = []
        self.commits: list[Event] = []
        self.stages: dict[str, _VStage] = {}
        self._events: dict[tuple[bool, bool], list[Event]] = {}  # events()'s answers until the next add (read-only)

    def events(self, direct: bool = True, indirect: bool = True) -> list[Event]:
        found = self._events.get((direct, indirect))
        if found is None:
            out: list[Event] = (self.regs + self.deregs) if direct else []
            if indirect:
                out = out + self.commits + [e for s in self.stages.values() for e in s.ordered()[::-1]]
            found = self._events[(direct, indirect)] = sorted(out, key=lambda e: e.time)  # ascending
        return found

    def add(self, ev: Event) -> None:
        self._events.clear()  # (a stage's events change only through here)
        if ev.kind == "register":
            _insort(self.regs, ev)
        elif ev.kind == "deregister":
            _insort(self.deregs, ev)
        elif ev.kind == "commit":
            _insort(self.commits, ev)
        else:
            assert ev.stage is not None
            self.stages.setdefault(ev.stage, _VStage()).add(ev)

    @property
    def discovered(self) -> bool:
        return not self.regs and not self.deregs

    @property
    def registered(self) -> bool:
        return bool(self.regs)

    @property
    def active(self) -> bool:
        direct = self.events(indirect=False)
        if direct:
            return direct[::-1][0].kind == "register"
        return bool(self.events(direct=False))

    @property
    def created_at(self) -> float:
        adds = [e for e in self.events(indirect=False)[::-1] if e.kind == "register"]
        if adds:
            return adds[0].time
        indirect = self.events(direct=False)[::-1]
        return indirect[0].time if indirect else 0.0

    def vstages(self) -> list[tuple[str, _VStage]]:
        """Active stages, oldest activation first (get_vstages(ascending=True))."""
        active = [(s, vs) for s, vs in self.stages.items() if vs.events and vs.active]
        return sorted(active, key=lambda p: p[1].activated_at)


class _Artifact:
    def __init__(self, name: str, lenient: bool) -> None:
        self.name = name
        self.lenient = lenient
        self.versions: list[_Version] = []
        self.deprecations: list[Event] = []
        self._by_commit: dict[str, list[_Version]] = {}  # the versions of each commit, in self.versions' order
        self._by_name: dict[str, list[_Version]] = {}

    def find_version(
        self, name: Optional[str] = None, commit: Optional[str] = None, create: bool = False
    ) -> Optional[_Version]:
        # The smaller pool first: 8,000 versions on one commit made each registration scan all of them (25 s).
        pool = self._by_name.get(name, []) if name else self._by_commit.get(commit, []) if commit else self.versions
        found = [
            v
            for v in pool
            if (v.name == name if name else True) and (v.commit == commit if commit else True) and not v.discovered
        ]
        if create and not found:
            v = _Version(name or commit or "", commit or "")
            self.versions.append(v)
            self._by_commit.setdefault(v.commit, []).append(v)
            self._by_name.setdefault(v.name, []).append(v)
            found = [v]
        if len(found) > 1:
            if not self.lenient:
                raise RegistryUnreadable(multiple_versions(self.name, [v.name for v in found]), "versions")
            return max(found, key=lambda v: (v.active, semver_key(v.name) or ()))
        return found[0] if found else None

    def add(self, ev: Event) -> None:
        if ev.kind == "deprecate":
            _insort(self.deprecations, ev)
            return
        v = self.find_version(ev.version, ev.commit, create=True)
        assert v is not None
        v.add(ev)

    def events(self) -> list[Event]:
        return sorted(self.deprecations + [e for v in self.versions for e in v.events()[::-1]], key=lambda e: e.time)

    @property
    def active(self) -> bool:
        events = self.events()
        return bool(events) and events[::-1][0].kind != "deprecate"

    def get_versions(self, include_non_explicit: bool, by_time: bool = False) -> list[_Version]:
        versions = [
            v
            for v in self.versions
            if v.active and ((v.registered and not v.discovered) or (include_non_explicit and not v.registered))
        ]
        if by_time:
            return sorted(versions, key=lambda v: v.created_at)[::-1]
        return _semver_sorted(versions, lambda v: v.name)

    def show_stages(self) -> dict[str, str]:
        """get_vstages(registered_only=False, assignments_per_version=-1, versions_per_stage=1, sort=timestamp)."""
        versions = self.get_versions(include_non_explicit=True, by_time=True)
        assignments = [(stage, v.name, vs) for v in versions for stage, vs in v.vstages()]
        assignments = sorted(assignments, key=lambda a: a[2].created_at)[::-1]
        stages: dict[str, str] = {}
        for stage, version, _ in assignments:
            stages.setdefault(stage, version)
        return stages


def _semver_sorted(items: list[_Version], name: Callable[[_Version], str]) -> list[_Version]:
    """GTO's sort_versions(sort=semver, descending): SemVer ones (ties: the later one first), then by name."""
    valid = [v for v in items if semver_key(name(v)) is not None]
    other = [v for v in items if semver_key(name(v)) is None]
    ordered = sorted(valid, key=lambda v: semver_key(name(v)) or ())[::-1]
    return ordered + sorted(other, key=name)[::-1]


# --- reading --------------------------------------------------------------------------------------------


def _time(raw: str) -> float:
    try:
        return float(raw.split()[0])
    except (IndexError, ValueError):
        return 0.0


class _Line(NamedTuple):
    ref: Tag  # parsed from the ref name
    obj: Optional[Tag]  # parsed from the name in the tag object
    obj_name: str
    commit: str
    time: float
    commit_time: Optional[float]
    object_sha: str


def _read_lines(refs: bytes) -> tuple[dict[str, TagRef], list[_Line], bool]:
    """Every tag, the annotated GTO ones as lines, and whether a `NAME@created` ref exists."""
    tags: dict[str, TagRef] = {}
    created = False
    lines: list[_Line] = []
    for line in refs.decode("utf-8", "replace").split("\n"):
        fields = line.split("\0")
        if len(fields) < 4 or not fields[0]:
            continue
        name, objtype, peeled, date = fields[:4]
        obj_name = fields[4] if len(fields) > 4 else name
        commit_date = fields[5] if len(fields) > 5 else ""
        object_sha = fields[6] if len(fields) > 6 else ""
        annotated = objtype == "tag"
        commit = peeled if annotated else (object_sha if objtype == "commit" else "")
        tags[name] = TagRef(name, commit, annotated, _time(date) if annotated else 0.0, obj_name if annotated else "")
        ref = parse_tag(name)
        created = created or (ref is not None and ref.action == "created")
        if ref is None or not annotated:  # lightweight tags are not GTO events
            continue
        ct = _time(commit_date) if commit_date else None
        lines.append(_Line(ref, parse_tag(obj_name), obj_name, peeled, _time(date), ct, object_sha or name))
    return tags, lines, created


_MANAGERS = (("deprecate", "created"), ("register", "deregister"), ("assign", "unassign"))


def _build(lines: list[_Line], head: Optional[HeadInfo], lenient: bool, created: bool) -> dict[str, _Artifact]:
    if not lenient and created:
        raise RegistryUnreadable("Unexpected error: 'action'", "created")  # GTO's KeyError on `@created`
    ordered = sorted(lines, key=lambda ln: ln.time)  # for-each-ref's name order, then tagger time
    state: dict[str, _Artifact] = {}
    commit_times: dict[str, float] = {}
    seen: set[str] = set()
    for actions in _MANAGERS:
        for ln in ordered:
            if ln.ref.action not in actions:
                continue
            if ln.commit_time is not None:
                commit_times[ln.commit] = ln.commit_time
            obj = ln.obj
            if obj is None or obj.action == "created":
                if lenient:
                    continue
                raise RegistryUnreadable(f"Cannot parse tag name '{ln.obj_name}'", "tag-name")
            if ln.object_sha in seen:  # a second ref to the same tag object: the same event, once
                continue
            seen.add(ln.object_sha)
            art = state.setdefault(obj.artifact, _Artifact(obj.artifact, lenient))
            version = obj.version
            if obj.action in ("assign", "unassign"):
                at = art.find_version(commit=ln.commit, create=True)
                assert at is not None
                version = at.name
            art.add(Event(obj.action, ln.time, ln.commit, version, obj.stage, ln.obj_name))
    # Commit events (GTO's enrichments): every version's commit at its date, then HEAD for annotated artifacts.
    for art in state.values():
        for v in list(art.versions):
            when = commit_times.get(v.commit)
            if when is not None:
                v.add(Event("commit", when, v.commit, v.name))
    if head is not None:
        for name in head.annotated:
            art = state.setdefault(name, _Artifact(name, lenient))
            at_head = art.find_version(commit=head.sha, create=True)
            assert at_head is not None
            if not any(e.kind == "commit" for e in at_head.commits):
                at_head.add(Event("commit", head.time, head.sha, at_head.name))
    return state


def _result(art: _Artifact, error: Optional[str]) -> ArtifactRegistry:
    merged: dict[tuple[str, str], list[_Version]] = {}
    for v in art.versions:
        if not v.events():
            continue  # GTO's empty version objects (made by a look-up): nothing to list
        merged.setdefault((v.name, v.commit), []).append(v)
    infos: list[VersionInfo] = []
    for (name, commit), group in merged.items():
        tagged = [e for v in group for e in v.events() if e.kind != "commit"]
        regs = [e.time for v in group for e in v.regs]
        stage_pairs = sorted(((vs.activated_at, s) for v in group for s, vs in v.vstages()), key=lambda p: p[0])
        stages = tuple(dict.fromkeys(s for _, s in stage_pairs))
        registered = any(v.registered for v in group)
        infos.append(
            VersionInfo(
                version=name,
                commit=commit,
                active=any(v.active for v in group),
                created_at=max(regs) if regs else max((e.time for e in tagged), default=0.0),
                stages=stages,
                registered=registered,
                events=tuple(sorted((e for v in group for e in v.events()), key=lambda e: e.time)),
            )
        )
    semver = sorted((i for i in infos if semver_key(i.version) is not None), key=lambda i: semver_key(i.version) or ())
    others = sorted((i for i in infos if semver_key(i.version) is None), key=lambda i: i.version)
    latest = art.get_versions(include_non_explicit=False)
    events = art.events()
    return ArtifactRegistry(
        name=art.name,
        versions=tuple(semver[::-1] + others[::-1]),
        latest=latest[0].name if latest else None,
        stages=dict(sorted(art.show_stages().items())),
        deprecated=not art.active,
        registered=any(e.kind != "commit" for e in events),
        error=error,
        events=tuple(events),
    )


def parse_registry(refs: bytes, head: Optional[HeadInfo] = None) -> Registry:
    """The registry from `git for-each-ref --format=FOR_EACH_REF_FORMAT refs/tags` output (pure).

    Lines with only the first 4 fields (ref name, type, peeled commit, tagger date) are read too: the ref name
    then stands for the tag object's name and commit dates are unknown."""
    tags, lines, created = _read_lines(refs)
    error: Optional[str] = None
    cause: Optional[str] = None
    try:
        state = _build(lines, head, False, created)
    except RegistryUnreadable as exc:
        error, cause = str(exc), exc.cause
        state = _build(lines, head, True, created)
    artifacts = {name: _result(state[name], error) for name in sorted(state)}
    return Registry(
        artifacts=artifacts,
        tags=tags,
        error=error,
        error_cause=cause,
        head=head.sha if head else None,
        order=tuple(state),
    )


def registry_artifacts(refs: bytes, head: Optional[HeadInfo] = None) -> dict[str, ArtifactRegistry]:
    """`git for-each-ref --format=FOR_EACH_REF_FORMAT refs/tags` output -> each artifact's registry (the old
    4-field format is read too); `head` adds GTO's HEAD commit events (artifacts annotated at HEAD)."""
    return parse_registry(refs, head).artifacts


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
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except Exception:
        return ()
    if not isinstance(data, dict):
        return ()
    return tuple(str(k) for k in data if isinstance(k, str))


def read_registry(root: str | os.PathLike[str]) -> Registry:
    """Read the registry of the repository at `root` (git for-each-ref, HEAD's artifacts.yaml)."""
    import git

    from gto_lsp.core.repo.run import run_git

    g = git.Git(str(root))

    def run(*args: str) -> tuple[int, bytes]:
        res = run_git(g, *args)
        return res.status, res.out

    status, out = run("for-each-ref", f"--format={FOR_EACH_REF_FORMAT}", "refs/tags")
    registry = parse_registry(out if status == 0 else b"", head_info(Path(root), run))
    return with_index_error(registry, index_error(Path(root), registry))


INDEX_ERROR = "artifacts.yaml file doesn't conform to GTO format"


def index_error(root: Path, registry: Registry) -> Optional[str]:
    """GTO's error when the artifacts.yaml committed at HEAD or at a commit holding a version cannot be read by
    GTO: it reads each of them for every command (its enrichments), and fails them all, even once HEAD is fixed."""
    import subprocess

    from gto_lsp.core.codes import CheckSettings, refuses
    from gto_lsp.core.config import read_config
    from gto_lsp.core.formats.gto.check import check
    from gto_lsp.core.parse import parse

    config = read_config(root)
    commits = {v.commit for a in registry.artifacts.values() for v in a.versions}
    commits.update(e.commit for a in registry.artifacts.values() for e in a.events if e.kind == "commit")
    if registry.head:
        commits.add(registry.head)
    if not commits:
        return None
    names = sorted(commits)
    done = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=root,
        input="".join(f"{c}:{config.index}\n" for c in names).encode(),
        capture_output=True,
        check=False,
    )
    out, seen = done.stdout, set()
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # missing: no artifacts.yaml at that commit
        size = int(header[2])
        blob, pos = out[pos : pos + size], pos + size + 1
        if header[0] in seen:
            continue
        seen.add(header[0])
        text = blob.decode("utf-8", "replace")
        problems = check(parse(text), config, None, CheckSettings(paths=False, foreign_files=True))
        if any(refuses(p.code) for p in problems):
            return INDEX_ERROR
    return None


def with_index_error(registry: Registry, error: Optional[str]) -> Registry:
    """The registry marked as one GTO cannot read because of an artifacts.yaml (see index_error)."""
    import dataclasses

    if error is None or registry.error is not None:
        return registry
    artifacts = {n: dataclasses.replace(a, error=error) for n, a in registry.artifacts.items()}
    return dataclasses.replace(registry, artifacts=artifacts, error=error, error_cause="index")


def registry_state(root: str | os.PathLike[str]) -> dict[str, ArtifactRegistry]:
    return read_registry(root).artifacts


def names_in(tags: Iterable[str]) -> set[str]:
    """The artifact names that these tag names belong to."""
    return {t.artifact for t in map(parse_tag, tags) if t is not None}

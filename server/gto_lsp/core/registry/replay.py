"""GTO's registry replayed from its tags: a port of GTO's model (gto/base.py, the same lists, sorts and look-ups)
and the replay of `git for-each-ref` lines into it (parse_registry). Pure: the tags come in as bytes."""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional

from gto_lsp.core.registry.state import (
    ArtifactRegistry,
    Event,
    HeadInfo,
    Registry,
    RegistryUnreadable,
    TagRef,
    VersionInfo,
    multiple_versions,
)
from gto_lsp.core.registry.tags import Tag, parse_tag, semver_key


def _insort(events: list[Event], ev: Event) -> None:
    # GTO appends then sorts by created_at, stably: `ev` goes after every event of its time or earlier. Events come
    # mostly in time order, so this walks back a step or two instead of sorting the list again.
    index = len(events)
    while index and events[index - 1].time > ev.time:
        index -= 1
    events.insert(index, ev)


class GtoStage:
    """GTO's VStage: one stage's assignments and unassignments on one version."""

    def __init__(self, artifact: str = "", version: str = "", commit: str = "", stage: str = "") -> None:
        self.artifact, self.version, self.commit, self.stage = artifact, version, commit, stage
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

    def of_kind(self, kind: str) -> list[Event]:
        """GTO's `assignments` / `unassignments` lists (each sorted by time, stably)."""
        return sorted((e for e in self.events if e.kind == kind), key=lambda e: e.time)

    @property
    def active(self) -> bool:
        return self.ordered()[::-1][0].kind == "assign"

    @property
    def activated_at(self) -> float:
        return self.ordered()[::-1][0].time

    @property
    def authoring(self) -> Event:
        # GTO's authoring event: the newest assignment.
        adds = [e for e in self.ordered()[::-1] if e.kind == "assign"]
        return (adds or self.ordered()[::-1])[0]

    @property
    def created_at(self) -> float:
        return self.authoring.time


class GtoVersion:
    """GTO's Version: a (name, commit) pair and its events (GTO may hold several of one pair)."""

    def __init__(self, name: str, commit: str, artifact: str = "") -> None:
        self.artifact = artifact
        self.name = name
        self.commit = commit
        self.regs: list[Event] = []
        self.deregs: list[Event] = []
        self.commits: list[Event] = []
        self.stages: dict[str, GtoStage] = {}
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
            stage = self.stages.get(ev.stage)
            if stage is None:
                stage = self.stages[ev.stage] = GtoStage(self.artifact, self.name, self.commit, ev.stage)
            stage.add(ev)

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
    def authoring(self) -> Optional[Event]:
        """GTO's authoring event: the newest registration, else the newest commit or stage event."""
        adds = [e for e in self.events(indirect=False)[::-1] if e.kind == "register"]
        if adds:
            return adds[0]
        indirect = self.events(direct=False)[::-1]
        return indirect[0] if indirect else None

    @property
    def created_at(self) -> float:
        found = self.authoring
        return found.time if found else 0.0

    @property
    def activated_at(self) -> Optional[Event]:
        """The oldest registration, else the oldest event."""
        if self.regs:
            return self.regs[0]
        events = self.events()
        return events[0] if events else None

    def vstages(self) -> list[tuple[str, GtoStage]]:
        """Active stages, oldest activation first (get_vstages(ascending=True))."""
        active = [(s, vs) for s, vs in self.stages.items() if vs.events and vs.active]
        return sorted(active, key=lambda p: p[1].activated_at)


class GtoArtifact:
    """GTO's Artifact: its versions in GTO's order (duplicates kept) and its deprecations."""

    def __init__(self, name: str, lenient: bool) -> None:
        self.name = name
        self.lenient = lenient
        self.versions: list[GtoVersion] = []
        self.deprecations: list[Event] = []
        self._by_commit: dict[str, list[GtoVersion]] = {}  # the versions of each commit, in self.versions' order
        self._by_name: dict[str, list[GtoVersion]] = {}

    def find_version(
        self, name: Optional[str] = None, commit: Optional[str] = None, create: bool = False
    ) -> Optional[GtoVersion]:
        # The smaller pool first: 8,000 versions on one commit made each registration scan all of them (25 s).
        pool = self._by_name.get(name, []) if name else self._by_commit.get(commit, []) if commit else self.versions
        found = [
            v
            for v in pool
            if (v.name == name if name else True) and (v.commit == commit if commit else True) and not v.discovered
        ]
        if create and not found:
            v = GtoVersion(name or commit or "", commit or "", self.name)
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

    @property
    def registered(self) -> bool:
        """GTO's is_registered: it has a tag event, not only commit events."""
        return any(e.kind != "commit" for e in self.events())

    def get_versions(
        self,
        active_only: bool = True,
        include_non_explicit: bool = False,
        include_discovered: bool = False,
        sort: str = "semver",
    ) -> list[GtoVersion]:
        """GTO's Artifact.get_versions (descending)."""
        versions = [
            v
            for v in self.versions
            if not active_only
            or (
                v.active
                and (
                    (v.registered and not v.discovered)
                    or (include_discovered and v.discovered)
                    or (include_non_explicit and not v.registered)
                )
            )
        ]
        if sort == "timestamp":
            return sorted(versions, key=lambda v: v.created_at)[::-1]
        return _semver_sorted(versions, lambda v: v.name)

    def get_vstages(
        self, registered_only: bool = False, per_version: int = -1, per_stage: int = 1, sort: str = "semver"
    ) -> dict[str, list[GtoStage]]:
        """GTO's Artifact.get_vstages: per stage, its versions' assignments (`--av`, `--vs`, `--sort`)."""
        if per_version < -1:
            raise ValueError("'assignments_per_version' must be >= -1")
        if per_stage < -1:
            raise ValueError("'versions_per_stage' must be >=-1")
        versions = self.get_versions(include_non_explicit=not registered_only, sort=sort)
        assignments = [
            vs for v in versions for _, vs in (v.vstages()[:per_version] if per_version > -1 else v.vstages())
        ]
        if sort == "timestamp":
            assignments = sorted(assignments, key=lambda a: a.created_at)[::-1]
        stages: dict[str, list[GtoStage]] = {}
        names: dict[str, set[str]] = {}  # the versions listed per stage (GTO scans the list: O(n²))
        for a in assignments:
            listed = stages.setdefault(a.stage, [])
            if per_stage > -1 and len(listed) >= per_stage:
                continue
            seen = names.setdefault(a.stage, set())
            if a.version not in seen:
                seen.add(a.version)
                listed.append(a)
        return stages

    def show_stages(self) -> dict[str, str]:
        """get_vstages(registered_only=False, assignments_per_version=-1, versions_per_stage=1, sort=timestamp)."""
        return {stage: found[0].version for stage, found in self.get_vstages(sort="timestamp").items() if found}


def _semver_sorted(items: list[GtoVersion], name: Callable[[GtoVersion], str]) -> list[GtoVersion]:
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


def _build(lines: list[_Line], head: Optional[HeadInfo], lenient: bool, created: bool) -> dict[str, GtoArtifact]:
    if not lenient and created:
        raise RegistryUnreadable("Unexpected error: 'action'", "created")  # GTO's KeyError on `@created`
    ordered = sorted(lines, key=lambda ln: ln.time)  # for-each-ref's name order, then tagger time
    state: dict[str, GtoArtifact] = {}
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
            art = state.setdefault(obj.artifact, GtoArtifact(obj.artifact, lenient))
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
            art = state.setdefault(name, GtoArtifact(name, lenient))
            at_head = art.find_version(commit=head.sha, create=True)
            assert at_head is not None
            if not any(e.kind == "commit" for e in at_head.commits):
                at_head.add(Event("commit", head.time, head.sha, at_head.name))
    return state


def _result(art: GtoArtifact, error: Optional[str]) -> ArtifactRegistry:
    merged: dict[tuple[str, str], list[GtoVersion]] = {}
    for v in art.versions:
        if not v.events():
            continue  # GTO's empty version objects (made by a look-up): nothing to list
        merged.setdefault((v.name, v.commit), []).append(v)
    infos: list[VersionInfo] = []
    for (name, commit), group in merged.items():
        # GTO's authoring event: the newest registration, else the newest commit or stage event (not a
        # deregistration: a version with only `rf@v1.0.0!` was created at its commit's date).
        regs = [e.time for v in group for e in v.regs]
        indirect = [e.time for v in group for e in v.events(direct=False)]
        stage_pairs = sorted(((vs.activated_at, s) for v in group for s, vs in v.vstages()), key=lambda p: p[0])
        stages = tuple(dict.fromkeys(s for _, s in stage_pairs))
        registered = any(v.registered for v in group)
        infos.append(
            VersionInfo(
                version=name,
                commit=commit,
                active=any(v.active for v in group),
                created_at=max(regs) if regs else max(indirect, default=0.0),
                stages=stages,
                registered=registered,
                events=tuple(sorted((e for v in group for e in v.events()), key=lambda e: e.time)),
            )
        )
    semver = sorted((i for i in infos if semver_key(i.version) is not None), key=lambda i: semver_key(i.version) or ())
    others = sorted((i for i in infos if semver_key(i.version) is None), key=lambda i: i.version)
    latest = art.get_versions()
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
        model=state,
    )


def registry_artifacts(refs: bytes, head: Optional[HeadInfo] = None) -> dict[str, ArtifactRegistry]:
    """`git for-each-ref --format=FOR_EACH_REF_FORMAT refs/tags` output -> each artifact's registry (the old
    4-field format is read too); `head` adds GTO's HEAD commit events (artifacts annotated at HEAD)."""
    return parse_registry(refs, head).artifacts

"""What `gto register / assign / deprecate` would do, as data (PURE: no git, no I/O). register and assign are
here with what every plan shares; deprecate's three forms (unassign, deregister, deprecate) in deprecate.py.

Public API (every function raises PlanError with GTO 1.10.1's exact message, no emoji)::

    plan_register(registry, name, ref_sha, version=None, bump=None, message=None, simple=None, force=False)
    plan_assign(registry, name, stage, ref_sha=None, version=None, name_version=None, message=None,
                simple=None, force=False, skip_registration=False, allowed_stages=None)
        # ref_sha: the commit to assign at (REF); version: an existing version to assign (no REF);
        # name_version: with ref_sha, the version to register there if it has none (`--version` with REF)
    plan_unassign(registry, name, version, stage, message=None, simple=None, force=False, delete=False,
                  allowed_stages=None)
    plan_deregister(registry, name, version, message=None, simple=None, force=False, delete=False)
    plan_deprecate(registry, name, ref_sha=None, head_sha=None, message=None, simple=None, force=False,
                   delete=False)
        -> TagPlan
    next_version(registry, name, bump="patch") -> str     # what `register NAME` would name the next version
    check_register(name, version, bump, bumps) / check_assign(...)  # GTO's checks made before reading git

    registry: state.Registry (state.read_registry(root)); ref_sha: a full commit sha (resolve REF first);
    simple: None means GTO's "auto"; bump: None | "major" | "minor" | "patch"; allowed_stages: `.gto` stages
    (None: any). A TagPlan either creates tags (in order: assign's auto-registration first) or deletes some:

    TagPlan(artifact, create=(NewTag(name, message, commit, action, version, stage, stdout), ...),
            delete=("rf#dev#1", ...), not_before)  # not_before: the newest time of the artifact's tags and
                                                       # events (not commit dates): new tags must be later
    NewTag.stdout: GTO's line, e.g. "Created git tag 'rf@v0.0.1' that registers version".

Deliberate difference from GTO (README, compatibility notes): without `--version`, a bump that lands on a
version name already taken by a deregistered version (GTO: `tag 'rf@v0.0.2' already exists`) is bumped again
until the name is free; `NAME@created` tags, which make every GTO command fail, are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from gto_lsp.core.messages import not_allowed
from gto_lsp.core.names import NAME, invalid_name_message
from gto_lsp.core.registry.state import ArtifactRegistry, Event, Registry, VersionInfo, multiple_versions
from gto_lsp.core.registry.tags import format_tag, is_version, next_counter, parse_tag, semver_key

__all__ = [
    "NewTag",
    "PlanError",
    "TagPlan",
    "bump_version",
    "check_assign",
    "check_register",
    "next_version",
    "plan_assign",
    "plan_register",
]


class PlanError(Exception):
    """GTO's refusal; `message` is what GTO prints after the emoji. `unexpected`: GTO's 'Unexpected error'."""

    def __init__(self, message: str, unexpected: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unexpected = unexpected


@dataclass(frozen=True)
class NewTag:
    name: str
    message: str
    commit: str
    action: str  # register, deregister, assign, unassign, deprecate
    version: Optional[str]  # the version it is about (a sha for `--skip-registration`)
    stage: Optional[str]
    stdout: str  # GTO's "Created git tag ..." line


@dataclass(frozen=True)
class TagPlan:
    artifact: str
    create: tuple[NewTag, ...] = ()
    delete: tuple[str, ...] = ()
    not_before: float = 0.0  # new tags need a tagger time later than this


# GTO's constants.fullname_re, searched as GTO does (so a trailing newline passes, as in GTO).
_FULLNAME_RE = re.compile(rf"^(?P<dirname>[a-zA-Z0-9-_./]+:)?(?P<name>{NAME})$")
_NAME_RE = re.compile(rf"^{NAME}$")


def check_name(name: str) -> None:
    if not _FULLNAME_RE.search(name):
        raise PlanError(invalid_name_message(name, "artifact name"))


def check_stage(stage: str, allowed: Optional[Sequence[str]]) -> None:
    if not _NAME_RE.search(stage):
        raise PlanError(invalid_name_message(stage, "stage"))
    if allowed is not None and stage not in allowed:
        raise PlanError(not_allowed("stage", stage, allowed))


def check_version(version: str) -> None:
    if not is_version(version):
        raise PlanError(f"Version '{version}' is not valid. Example of valid version: 'v1.0.0'")


def check_readable(registry: Registry) -> None:
    """GTO fails every command on a registry it cannot read. Not here for `@created` tags (ignored) and for a
    committed artifacts.yaml GTO cannot read (the tags themselves are fine: writing them harms nothing)."""
    if registry.error and registry.error_cause not in ("created", "index"):
        unexpected = registry.error.startswith("Unexpected error: ")
        raise PlanError(registry.error.removeprefix("Unexpected error: "), unexpected=unexpected)


def _direct(art: Optional[ArtifactRegistry]) -> list[VersionInfo]:
    """GTO's non-'discovered' versions: those with registration or deregistration tags."""
    return [v for v in (art.versions if art else ()) if semver_key(v.version) is not None]


def find_version(
    art: Optional[ArtifactRegistry], name: Optional[str] = None, commit: Optional[str] = None
) -> Optional[VersionInfo]:
    found = [
        v for v in _direct(art) if (v.version == name if name else True) and (v.commit == commit if commit else True)
    ]
    if len(found) > 1:
        assert art is not None
        found.sort(key=lambda v: min((e.time for e in v.events if e.kind in ("register", "deregister")), default=0))
        raise PlanError(multiple_versions(art.name, [v.version for v in found]))
    return found[0] if found else None


_VERSIONS_SHOWN = 5  # a registry may hold thousands: the message names the highest few


def no_such_version(art: Optional[ArtifactRegistry], name: str, version: str) -> PlanError:
    """GTO says `No versions found for 'rf'` also when rf has versions, just not this one: name the ones it has."""
    versions = sorted(
        {v.version for v in _direct(art) if v.registered}, key=lambda v: semver_key(v) or (), reverse=True
    )
    if not versions:
        return PlanError(f"No versions found for '{name}'")
    shown = ", ".join(versions[:_VERSIONS_SHOWN])
    more = f" and {len(versions) - _VERSIONS_SHOWN} more" if len(versions) > _VERSIONS_SHOWN else ""
    return PlanError(f"Version '{version}' is not registered for '{name}': its versions are {shown}{more}")


def version_events(art: ArtifactRegistry, v: VersionInfo) -> list[Event]:
    return list(v.events) if v.events else [e for e in art.events if e.version == v.version and e.commit == v.commit]


def distinct_tags(events: Sequence[Event]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.tag for e in events if e.tag))


def newest_time(registry: Registry, name: str) -> float:
    """The newest time among the artifact's tags (lightweight ones have none) and its tag events. Commit dates do
    not count: GTO dates its tags now, so a tag older than a future-dated commit replays before it there too (the
    artifact stays active after `deprecate`, as in GTO)."""
    times = [t.time for t in registry.tags.values() if (p := parse_tag(t.name)) is not None and p.artifact == name]
    art = registry.artifacts.get(name)
    times += [e.time for e in (art.events if art else ()) if e.kind != "commit"]
    return max(times, default=0.0)


def new_tag_name(registry: Registry, name: str, action: str, simple: bool, **kw: Optional[str]) -> str:
    counter = None if simple else next_counter(registry.tags, name)
    tag = format_tag(name, action, counter=counter, **kw)
    if tag in registry.tags:
        raise PlanError(f"tag '{tag}' already exists")
    return tag


def bump_version(version: str, bump: str = "patch") -> str:
    """semver's bump_major/minor/patch, 'v' kept: prerelease and build dropped (v2.0.0-rc.1 -> v2.0.1)."""
    key = semver_key(version)
    if key is None:
        raise PlanError(f"Supplied version '{version}' cannot be parsed")
    major, minor, patch = (int(x) for x in key[:3])  # type: ignore[call-overload]
    if bump == "major":
        return f"v{major + 1}.0.0"
    if bump == "minor":
        return f"v{major}.{minor + 1}.0"
    return f"v{major}.{minor}.{patch + 1}"


def _free_bump(registry: Registry, art: Optional[ArtifactRegistry], name: str, last: str, bump: str) -> str:
    """Bump `last`; past versions taken by a deregistered version (GTO collides with them instead)."""
    taken = {v.version for v in (art.versions if art else ())}
    version = bump_version(last, bump)
    while version in taken or format_tag(name, "register", version=version) in registry.tags:
        version = bump_version(version, bump)
    return version


def next_version(registry: Registry, name: str, bump: str = "patch") -> str:
    """The version `register NAME` (with `--bump-<bump>`) would create: v0.0.1 for the first one."""
    art = registry.artifacts.get(name)
    if art is None or art.latest is None:
        return "v0.0.1"
    return _free_bump(registry, art, name, art.latest, bump)


def _register_tag(
    registry: Registry,
    name: str,
    ref_sha: str,
    version: Optional[str],
    bump: Optional[str],
    message: Optional[str],
    simple: Optional[bool],
    force: bool,
) -> NewTag:
    art = registry.artifacts.get(name)
    found = find_version(art, commit=ref_sha)
    if found is not None:
        if not force and found.registered and found.active:
            raise PlanError(f"'{name}' is already registered in this commit with version '{found.version}'")
        if not version:
            version = found.version
        elif found.version != version:
            raise PlanError(f"For this REF you can only register {found.version}")
    if version:
        if not is_version(version):
            raise PlanError(f"Supplied version '{version}' cannot be parsed")
        if find_version(art, name=version) != found:
            raise PlanError(f"Version '{version}' already was registered.\n")
    else:
        last = art.latest if art else None
        if last:
            version = _free_bump(registry, art, name, last, bump or "patch")
        elif bump:
            raise PlanError("Can't apply bump, because this is the first version being registered")
        else:
            version = "v0.0.1"
    tag = new_tag_name(registry, name, "register", simple is not False, version=version)
    return NewTag(
        name=tag,
        message=message or f"Registering artifact {name} version {version}",
        commit=ref_sha,
        action="register",
        version=version,
        stage=None,
        stdout=f"Created git tag '{tag}' that registers version",
    )


def check_register(name: str, version: Optional[str] = None, bump: Optional[str] = None, bumps: int = 0) -> None:
    """What `gto register` checks before it looks at git: the name, then one of --version/--bump-* at most."""
    check_name(name)
    if bumps > 1 or (version and bump):
        raise PlanError("Need to specify either version or single bump argument")


def check_assign(
    name: str,
    stage: str,
    version: Optional[str] = None,
    name_version: Optional[str] = None,
    skip_registration: bool = False,
    allowed_stages: Optional[Sequence[str]] = None,
) -> None:
    """What `gto assign` checks before it looks at git: name, stage (`.gto`), versions, --skip-registration."""
    check_name(name)
    check_stage(stage, allowed_stages)
    if version:
        check_version(version)
    if name_version:
        check_version(name_version)
    if name_version and skip_registration:
        raise PlanError("You either need to supply version name or skip registration")


def plan_register(
    registry: Registry,
    name: str,
    ref_sha: str,
    version: Optional[str] = None,
    bump: Optional[str] = None,
    message: Optional[str] = None,
    simple: Optional[bool] = None,
    force: bool = False,
    bumps: int = 0,
) -> TagPlan:
    """`gto register NAME REF`. `bumps`: how many of --version/--bump-* were given, when the caller lets the
    user give several (GTO refuses more than one)."""
    check_register(name, version, bump, bumps)
    check_readable(registry)
    new = _register_tag(registry, name, ref_sha, version, bump, message, simple, force)
    return TagPlan(name, create=(new,), not_before=newest_time(registry, name))


def plan_assign(
    registry: Registry,
    name: str,
    stage: str,
    ref_sha: Optional[str] = None,
    version: Optional[str] = None,
    name_version: Optional[str] = None,
    message: Optional[str] = None,
    simple: Optional[bool] = None,
    force: bool = False,
    skip_registration: bool = False,
    allowed_stages: Optional[Sequence[str]] = None,
) -> TagPlan:
    """`gto assign NAME [REF] --stage STAGE [--version V]`: with REF, `--version` is `name_version`."""
    check_assign(name, stage, version, name_version, skip_registration, allowed_stages)
    if (version is None) == (ref_sha is None):
        raise PlanError("One and only one of (version, rev) must be specified.")
    check_readable(registry)
    art = registry.artifacts.get(name)
    created: list[NewTag] = []
    target: str
    if version:
        found = find_version(art, name=version)
        if found is None:
            raise PlanError(f"Version '{version}' is not registered")
        target = found.commit
        shown, stages = found.version, found.stages
    else:
        assert ref_sha is not None
        target = ref_sha
        found = find_version(art, commit=ref_sha)
        if found is not None:
            if name_version:
                raise PlanError(
                    f"Can't register '{name_version}', since '{found.version}' is registered already at this ref"
                )
            shown, stages = found.version, found.stages
        elif not skip_registration:
            reg = _register_tag(registry, name, ref_sha, name_version, None, None, True, False)
            created.append(reg)
            shown, stages = reg.version or "", ()
        else:
            shown, stages = ref_sha, ()
    if not force and stage in stages:
        raise PlanError(
            f"Version '{shown}' is already in stage '{stage}'. "
            "Use the '--force' flag to create a new Git tag nevertheless."
        )
    tag = new_tag_name(registry, name, "assign", bool(simple), stage=stage)
    created.append(
        NewTag(
            name=tag,
            message=message or f"Assigning stage {stage} to artifact {name} version {shown}",
            commit=target,
            action="assign",
            version=shown,
            stage=stage,
            stdout=f"Created git tag '{tag}' that assigns stage to version '{shown}'",
        )
    )
    return TagPlan(name, create=tuple(created), not_before=newest_time(registry, name))

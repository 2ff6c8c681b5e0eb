"""What `gto register / assign / deprecate` would do, as data (PURE: no git, no I/O).

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
                                                       # events (commit dates too): new tags must be later
    NewTag.stdout: GTO's line, e.g. "Created git tag 'rf@v0.0.1' that registers version".

Deliberate difference from GTO (README, compatibility notes): without `--version`, a bump that lands on a
version name already taken by a deregistered version (GTO: `tag 'rf@v0.0.2' already exists`) is bumped again
until the name is free; `NAME@created` tags, which make every GTO command fail, are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from gto_lsp.core.messages import cannot_find_artifact, not_allowed
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
    "plan_deprecate",
    "plan_deregister",
    "plan_register",
    "plan_unassign",
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


def _check_name(name: str) -> None:
    if not _FULLNAME_RE.search(name):
        raise PlanError(invalid_name_message(name, "artifact name"))


def _check_stage(stage: str, allowed: Optional[Sequence[str]]) -> None:
    if not _NAME_RE.search(stage):
        raise PlanError(invalid_name_message(stage, "stage"))
    if allowed is not None and stage not in allowed:
        raise PlanError(not_allowed("stage", stage, allowed))


def _check_version(version: str) -> None:
    if not is_version(version):
        raise PlanError(f"Version '{version}' is not valid. Example of valid version: 'v1.0.0'")


def _readable(registry: Registry) -> None:
    """GTO fails every command on a registry it cannot read. Not here for `@created` tags (ignored) and for a
    committed artifacts.yaml GTO cannot read (the tags themselves are fine: writing them harms nothing)."""
    if registry.error and registry.error_cause not in ("created", "index"):
        unexpected = registry.error.startswith("Unexpected error: ")
        raise PlanError(registry.error.removeprefix("Unexpected error: "), unexpected=unexpected)


def _direct(art: Optional[ArtifactRegistry]) -> list[VersionInfo]:
    """GTO's non-'discovered' versions: those with registration or deregistration tags."""
    return [v for v in (art.versions if art else ()) if semver_key(v.version) is not None]


def _find(
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


def _no_such_version(art: Optional[ArtifactRegistry], name: str, version: str) -> PlanError:
    """GTO says `No versions found for 'rf'` also when rf has versions, just not this one: name the ones it has."""
    versions = sorted(
        {v.version for v in _direct(art) if v.registered}, key=lambda v: semver_key(v) or (), reverse=True
    )
    if not versions:
        return PlanError(f"No versions found for '{name}'")
    shown = ", ".join(versions[:_VERSIONS_SHOWN])
    more = f" and {len(versions) - _VERSIONS_SHOWN} more" if len(versions) > _VERSIONS_SHOWN else ""
    return PlanError(f"Version '{version}' is not registered for '{name}': its versions are {shown}{more}")


def _version_events(art: ArtifactRegistry, v: VersionInfo) -> list[Event]:
    return list(v.events) if v.events else [e for e in art.events if e.version == v.version and e.commit == v.commit]


def _distinct_tags(events: Sequence[Event]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.tag for e in events if e.tag))


def _not_before(registry: Registry, name: str) -> float:
    """The newest time among the artifact's tags (lightweight ones have none) and its GTO events, commit dates
    included: a new tag older than a version's commit or HEAD's (annotated artifacts) would replay before it."""
    times = [t.time for t in registry.tags.values() if (p := parse_tag(t.name)) is not None and p.artifact == name]
    art = registry.artifacts.get(name)
    times += [e.time for e in (art.events if art else ())]
    return max(times, default=0.0)


def _tag_name(registry: Registry, name: str, action: str, simple: bool, **kw: Optional[str]) -> str:
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
    found = _find(art, commit=ref_sha)
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
        if _find(art, name=version) != found:
            raise PlanError(f"Version '{version}' already was registered.\n")
    else:
        last = art.latest if art else None
        if last:
            version = _free_bump(registry, art, name, last, bump or "patch")
        elif bump:
            raise PlanError("Can't apply bump, because this is the first version being registered")
        else:
            version = "v0.0.1"
    tag = _tag_name(registry, name, "register", simple is not False, version=version)
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
    _check_name(name)
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
    _check_name(name)
    _check_stage(stage, allowed_stages)
    if version:
        _check_version(version)
    if name_version:
        _check_version(name_version)
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
    _readable(registry)
    new = _register_tag(registry, name, ref_sha, version, bump, message, simple, force)
    return TagPlan(name, create=(new,), not_before=_not_before(registry, name))


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
    _readable(registry)
    art = registry.artifacts.get(name)
    created: list[NewTag] = []
    target: str
    if version:
        found = _find(art, name=version)
        if found is None:
            raise PlanError(f"Version '{version}' is not registered")
        target = found.commit
        shown, stages = found.version, found.stages
    else:
        assert ref_sha is not None
        target = ref_sha
        found = _find(art, commit=ref_sha)
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
    tag = _tag_name(registry, name, "assign", bool(simple), stage=stage)
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
    return TagPlan(name, create=tuple(created), not_before=_not_before(registry, name))


def _known(registry: Registry, name: str) -> ArtifactRegistry:
    art = registry.artifacts.get(name)
    if art is None:
        raise PlanError(cannot_find_artifact(name))
    return art


def plan_unassign(
    registry: Registry,
    name: str,
    version: str,
    stage: str,
    message: Optional[str] = None,
    simple: Optional[bool] = None,
    force: bool = False,
    delete: bool = False,
    allowed_stages: Optional[Sequence[str]] = None,
) -> TagPlan:
    """`gto deprecate NAME VERSION STAGE [--delete]`."""
    _check_name(name)
    _check_stage(stage, allowed_stages)
    _check_version(version)
    _readable(registry)
    art = _known(registry, name)
    found = _find(art, name=version)
    if found is None:
        raise _no_such_version(art, name, version)
    events = _version_events(art, found)
    if not force and all(e.stage != stage for e in events):
        raise PlanError(f"Stage '{stage}' is not assigned to a version '{found.version}'")
    if delete:
        tags = _distinct_tags([e for e in events if e.stage == stage])
        return TagPlan(name, delete=tags)
    tag = _tag_name(registry, name, "unassign", bool(simple), stage=stage)
    new = NewTag(
        name=tag,
        message=message or f"Unassigning stage '{stage}' to artifact '{name}' version '{found.version}'",
        commit=found.commit,
        action="unassign",
        version=found.version,
        stage=stage,
        stdout=f"Created git tag '{tag}' that unassigns stage from version '{found.version}'",
    )
    return TagPlan(name, create=(new,), not_before=_not_before(registry, name))


def plan_deregister(
    registry: Registry,
    name: str,
    version: str,
    message: Optional[str] = None,
    simple: Optional[bool] = None,
    force: bool = False,
    delete: bool = False,
) -> TagPlan:
    """`gto deprecate NAME VERSION [--delete]`."""
    _check_name(name)
    _check_version(version)
    _readable(registry)
    art = registry.artifacts.get(name)
    if not force:
        checked = _find(art, name=version)
        if checked is None:
            raise _no_such_version(art, name, version)
        if not checked.registered:
            raise PlanError(f"The version at ref '{checked.commit}' is not registered")
        if not checked.active:
            raise PlanError(f"The version at ref '{checked.commit}' was deregistered already")
    found = _find(art, name=version)
    if found is None or art is None:
        raise PlanError("Can't deregister a version that have no git tags")
    if delete:
        return TagPlan(name, delete=_distinct_tags(_version_events(art, found)))
    tag = _tag_name(registry, name, "deregister", simple is not False, version=version)
    new = NewTag(
        name=tag,
        message=message or f"Deregistering artifact {name} version {version}",
        commit=found.commit,
        action="deregister",
        version=version,
        stage=None,
        stdout=f"Created git tag '{tag}' that deregisters version",
    )
    return TagPlan(name, create=(new,), not_before=_not_before(registry, name))


def plan_deprecate(
    registry: Registry,
    name: str,
    ref_sha: Optional[str] = None,
    head_sha: Optional[str] = None,
    message: Optional[str] = None,
    simple: Optional[bool] = None,
    force: bool = False,
    delete: bool = False,
) -> TagPlan:
    """`gto deprecate NAME [--ref REF] [--delete]`: the tag goes on REF, else on the commit of the artifact's
    newest event, else (an unknown artifact with --force) on HEAD (`head_sha`)."""
    _check_name(name)
    if force:
        if simple:
            raise PlanError("Can't use 'force' with 'simple=True'")
        simple = False
    else:
        if simple is None:
            simple = True
        _readable(registry)
        if _known(registry, name).deprecated:
            raise PlanError("Artifact was deprecated already")
    _readable(registry)
    art = registry.artifacts.get(name)
    if delete:
        return TagPlan(name, delete=_distinct_tags(_known(registry, name).events))
    target = ref_sha
    if target is None:
        target = art.events[-1].commit if art is not None and art.events else head_sha
    if not target:  # an unknown artifact with --force, in a repository without commits
        raise PlanError("Ref 'HEAD' was not found in the repository history")
    tag = _tag_name(registry, name, "deprecate", bool(simple))
    new = NewTag(
        name=tag,
        message=message or f"Deprecating artifact '{name}'",
        commit=target,
        action="deprecate",
        version=None,
        stage=None,
        stdout=f"Created git tag '{tag}' that deprecates artifact",
    )
    return TagPlan(name, create=(new,), not_before=_not_before(registry, name))

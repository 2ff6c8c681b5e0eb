"""What `gto deprecate` would do, as data (PURE): its three forms, unassign a stage (NAME VERSION STAGE),
deregister a version (NAME VERSION) and deprecate an artifact (NAME), each with `--delete` (plan.py's API)."""

from __future__ import annotations

from typing import Optional, Sequence

from gto_lsp.core.messages import cannot_find_artifact
from gto_lsp.core.registry.plan import (
    NewTag,
    PlanError,
    TagPlan,
    check_name,
    check_readable,
    check_stage,
    check_version,
    distinct_tags,
    find_version,
    new_tag_name,
    newest_time,
    no_such_version,
    version_events,
)
from gto_lsp.core.registry.state import ArtifactRegistry, Registry


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
    check_name(name)
    check_stage(stage, allowed_stages)
    check_version(version)
    check_readable(registry)
    art = _known(registry, name)
    found = find_version(art, name=version)
    if found is None:
        raise no_such_version(art, name, version)
    events = version_events(art, found)
    if not force and all(e.stage != stage for e in events):
        raise PlanError(f"Stage '{stage}' is not assigned to a version '{found.version}'")
    if delete:
        tags = distinct_tags([e for e in events if e.stage == stage])
        return TagPlan(name, delete=tags)
    tag = new_tag_name(registry, name, "unassign", bool(simple), stage=stage)
    new = NewTag(
        name=tag,
        message=message or f"Unassigning stage '{stage}' to artifact '{name}' version '{found.version}'",
        commit=found.commit,
        action="unassign",
        version=found.version,
        stage=stage,
        stdout=f"Created git tag '{tag}' that unassigns stage from version '{found.version}'",
    )
    return TagPlan(name, create=(new,), not_before=newest_time(registry, name))


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
    check_name(name)
    check_version(version)
    check_readable(registry)
    art = registry.artifacts.get(name)
    if not force:
        checked = find_version(art, name=version)
        if checked is None:
            raise no_such_version(art, name, version)
        if not checked.registered:
            raise PlanError(f"The version at ref '{checked.commit}' is not registered")
        if not checked.active:
            raise PlanError(f"The version at ref '{checked.commit}' was deregistered already")
    found = find_version(art, name=version)
    if found is None or art is None:
        raise PlanError("Can't deregister a version that have no git tags")
    if delete:
        return TagPlan(name, delete=distinct_tags(version_events(art, found)))
    tag = new_tag_name(registry, name, "deregister", simple is not False, version=version)
    new = NewTag(
        name=tag,
        message=message or f"Deregistering artifact {name} version {version}",
        commit=found.commit,
        action="deregister",
        version=version,
        stage=None,
        stdout=f"Created git tag '{tag}' that deregisters version",
    )
    return TagPlan(name, create=(new,), not_before=newest_time(registry, name))


def plan_deprecate(
    registry: Registry,
    name: str,
    ref_sha: Optional[str] = None,
    head_sha: Optional[str] = None,
    message: Optional[str] = None,
    simple: Optional[bool] = None,
    force: bool = False,
    delete: bool = False,
    ref: Optional[str] = None,
) -> TagPlan:
    """`gto deprecate NAME [--ref REF] [--delete]`: the tag goes on REF, else on the commit of the artifact's
    newest event, else (an unknown artifact with --force) on HEAD (`head_sha`). `ref` is REF as given, `ref_sha`
    its commit (None when it names none: GTO says so only after its other checks, and `--delete` ignores it)."""
    check_name(name)
    if force:
        if simple:
            raise PlanError("Can't use 'force' with 'simple=True'")
        simple = False
    else:
        if simple is None:
            simple = True
        check_readable(registry)
        if _known(registry, name).deprecated:
            raise PlanError("Artifact was deprecated already")
    check_readable(registry)
    art = registry.artifacts.get(name)
    if delete:
        return TagPlan(name, delete=distinct_tags(_known(registry, name).events))
    if ref is not None and ref_sha is None:
        raise PlanError(f"Ref '{ref}' was not found in the repository history")
    target = ref_sha
    if target is None:
        target = art.events[-1].commit if art is not None and art.events else head_sha
    if not target:  # an unknown artifact with --force, in a repository without commits
        raise PlanError("Ref 'HEAD' was not found in the repository history")
    tag = new_tag_name(registry, name, "deprecate", bool(simple))
    new = NewTag(
        name=tag,
        message=message or f"Deprecating artifact '{name}'",
        commit=target,
        action="deprecate",
        version=None,
        stage=None,
        stdout=f"Created git tag '{tag}' that deprecates artifact",
    )
    return TagPlan(name, create=(new,), not_before=newest_time(registry, name))

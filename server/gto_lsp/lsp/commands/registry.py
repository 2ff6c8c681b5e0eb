"""Registry commands: `gto.server.registryState`, `gto.server.register`, `gto.server.assign`,
`gto.server.deprecate`, `gto.server.pushTags` (the contract of lsp/commands/: one object argument,
`{ok, message, ...}`).

All of them sit behind one gate: an untrusted workspace or `gto.git.enabled: false` gets a clear refusal and no git
is run at all. The rules (names, versions, bumps, stages, counters, messages, refusals) are the registry core's
(core/registry); this module only reads the arguments, runs the core in a worker thread with a progress report,
and afterwards drops the cached registry so code lenses (refreshed) and hovers show the new state.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional

from lsprotocol import types

from gto_lsp.core.messages import no_git_repo, unknown_revision
from gto_lsp.core.registry.tags import name_to_tag
from gto_lsp.lsp.commands.args import arg_bool, arg_str, arg_strings
from gto_lsp.lsp.commands.commit import progress_begin, progress_end
from gto_lsp.lsp.commands.refusals import UserError, git_refusal
from gto_lsp.lsp.commands.target import repository_folder
from gto_lsp.lsp.features import code_lens
from gto_lsp.lsp.session.repos import RepoState
from gto_lsp.lsp.session.server import GtoLanguageServer

if TYPE_CHECKING:
    from gto_lsp.core.registry.plan import TagPlan
    from gto_lsp.core.registry.state import ArtifactRegistry, Registry

BUMPS = ("patch", "minor", "major")
DOING = "read or change the GTO registry"  # what the git gate's refusal says gto-lsp cannot do


@dataclass
class Gate:
    root: Path
    repo: RepoState


async def git_gate(ls: GtoLanguageServer, arg: dict[str, Any]) -> Gate:
    """The repository, once trust and the setting allow git; a refusal (UserError) before any git runs."""
    refusal = git_refusal(ls, None, DOING)
    if refusal is not None:
        raise UserError(refusal)
    folder = repository_folder(ls, arg_str(arg, "repository"))
    settings = await ls.settings_for(folder)
    refusal = git_refusal(ls, settings, DOING)
    if refusal is not None:
        raise UserError(refusal)
    root = ls.repo_root(folder)
    if root is None:
        raise UserError(no_git_repo(str(folder)))
    repo = ls.repo(root)
    if await ls.facts(repo, settings) is None:
        raise UserError(f"Git cannot read the repository at '{root}'.")
    return Gate(root, repo)


def _registry(gate: Gate) -> Registry:
    """The registry as it is now on disk (blocking: a worker thread): one `git for-each-ref` pass. Writes plan
    from this fresh read, never from a cache: the counter and "tag exists" need every tag."""
    from gto_lsp.core.registry.read import read_registry

    return read_registry(gate.root)


def _resolve(root: Path, ref: str) -> str:
    """A full commit sha for REF (blocking)."""
    from gto_lsp.core.repo.run import commit_of

    sha = commit_of(root, ref)
    if sha is None:
        raise UserError(unknown_revision(ref))
    return sha


def _stages_in_use(registry: Registry) -> list[str]:
    return sorted({e.stage for art in registry.artifacts.values() for e in art.events if e.stage})


def _head_version(art: Optional[ArtifactRegistry], head: Optional[str]) -> Optional[str]:
    if art is None or head is None:
        return None
    for v in art.versions:
        if v.commit == head and v.registered and v.active:
            return v.version
    return None


def _state(gate: Gate, name: str) -> dict[str, Any]:
    """registryState's answer (blocking)."""
    from gto_lsp.core.registry.plan import PlanError, next_version, plan_register

    registry = _registry(gate)
    art = registry.artifacts.get(name)
    registered = art is not None and art.registered
    config = gate.repo.config
    next_versions: dict[str, str] = {}
    register_tags: dict[str, str] = {}
    for bump in BUMPS:
        if registered and art is not None and art.latest:
            next_versions[bump] = next_version(registry, name, bump)
        if registry.head is None:
            continue
        with contextlib.suppress(PlanError):
            plan = plan_register(registry, name, registry.head, bump=bump if art is not None and art.latest else None)
            register_tags[bump] = plan.create[0].name
    stages = list(config.stages) if config.stages is not None else _stages_in_use(registry)
    return {
        "ok": True,
        "message": registry.error or "",
        "name": name,
        "tagName": name_to_tag(name),
        "registered": registered,
        "latest": art.latest if art is not None else None,
        "stages": dict(art.stages) if art is not None else {},
        "deprecated": bool(art and art.deprecated),
        "versions": [
            {"version": v.version, "commit": v.commit, "active": v.active, "stages": list(v.stages)}
            for v in (art.versions if art is not None else ())
            if v.registered or v.stages  # not a commit GTO only discovered (no tag of its own)
        ],
        "next": next_versions,
        "defaultVersion": next_version(registry, name, "patch"),
        "stageChoices": stages,
        "stagesRestricted": config.stages is not None,
        "head": {"commit": registry.head, "version": _head_version(art, registry.head)},
        "registerTags": register_tags,
        "remote": remote_of(gate.root),
    }


def remote_of(root: Path) -> Optional[str]:
    """Where a push of the tags would go, or None (no remote): the client offers Push only when there is one."""
    from gto_lsp.core.registry.write import PushError, tag_remote

    try:
        return tag_remote(root)
    except PushError:
        return None


async def registry_state(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    name = arg_str(arg, "name", required=True)
    assert name is not None
    gate = await git_gate(ls, arg)
    return await asyncio.to_thread(_state, gate, name)


# --- writes ----------------------------------------------------------------------------------------------------

Planner = Callable[["Registry", Gate], "TagPlan"]


def _bump(arg: dict[str, Any]) -> Optional[str]:
    bump = arg_str(arg, "bump")
    if bump is not None and bump not in BUMPS:
        raise UserError('`bump` must be "patch", "minor" or "major".')
    return bump


def _tags_of(plan: TagPlan) -> list[dict[str, str]]:
    return [{"tag": t.name, "message": t.message, "commit": t.commit} for t in plan.create]


async def _write(ls: GtoLanguageServer, arg: dict[str, Any], title: str, planner: Planner) -> dict[str, Any]:
    """Plan with the core from a fresh read; a dry run answers the plan; else create the tags (and push) in a
    worker thread with a progress report, then refresh what shows the registry."""
    from gto_lsp.core.registry.plan import PlanError

    push = arg_bool(arg, "push")
    dry_run = arg_bool(arg, "dryRun")
    gate = await git_gate(ls, arg)
    from gto_lsp.core.registry.write import PushError, WriteError, write_plan  # imports GitPython: after the gate

    try:
        plan = await asyncio.to_thread(lambda: planner(_registry(gate), gate))
    except PlanError as error:
        return {"ok": False, "message": error.message.rstrip("\n")}
    tags = _tags_of(plan)
    if not plan.create:
        return {"ok": False, "message": "Nothing to create."}
    last = plan.create[-1].name
    if dry_run:
        return {"ok": True, "message": "", "tag": last, "tags": tags, "dryRun": True}
    token = await progress_begin(ls, f"{title} ({last})" + (": creating and pushing" if push else ""))
    loop = asyncio.get_running_loop()

    def report(kind: str, tag: str) -> None:
        if token is not None:
            loop.call_soon_threadsafe(_progress_report, ls, token, f"{kind} {tag}")

    push_error: Optional[str] = None
    pushed: tuple[str, ...] = ()
    try:
        # planned again under the registry lock: another writer may have tagged meanwhile
        replan = lambda registry: planner(registry, gate)  # noqa: E731
        result = await asyncio.to_thread(write_plan, gate.root, plan, push, report, replan=replan)
        pushed = result.pushed
    except PushError as error:
        push_error = error.message
    except WriteError as error:
        progress_end(ls, token, "Not created")
        after_write(ls, gate.repo)
        return {"ok": False, "message": error.message}
    except BaseException:
        progress_end(ls, token, "Failed")
        after_write(ls, gate.repo)
        raise
    progress_end(ls, token, f"Created {last}")
    after_write(ls, gate.repo)
    lines = [t.stdout for t in plan.create]
    answer: dict[str, Any] = {
        "ok": True,
        "message": ". ".join(lines),
        "tag": last,
        "tags": tags,
        "pushed": push and push_error is None and len(pushed) == len(plan.create),
    }
    if push_error is not None:
        answer["pushError"] = push_error
    return answer


def _progress_report(ls: GtoLanguageServer, token: str, message: str) -> None:
    with contextlib.suppress(Exception):
        ls.work_done_progress.report(token, types.WorkDoneProgressReport(message=message))


async def register(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto register NAME [REF] [--version V | --bump-X] [-m MSG] [--push]` (REF: `ref`, default HEAD)."""
    from gto_lsp.core.registry.plan import plan_register

    name = arg_str(arg, "name", required=True)
    assert name is not None
    version, bump, message, ref = arg_str(arg, "version"), _bump(arg), arg_str(arg, "message"), arg_str(arg, "ref")

    def planner(registry: Registry, gate: Gate) -> TagPlan:
        sha = _resolve(gate.root, ref or "HEAD")
        return plan_register(registry, name, sha, version=version, bump=bump, message=message)

    return await _checked(_write(ls, arg, f"Registering {name}", planner))


async def assign(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto assign NAME [REF] --stage STAGE [--version V] [--force] [--push]`: with `version` and no `ref`, that
    version; else REF's commit (default HEAD), registered first when it has no version."""
    from gto_lsp.core.registry.plan import plan_assign

    name = arg_str(arg, "name", required=True)
    stage = arg_str(arg, "stage", required=True)
    assert name is not None and stage is not None
    version, ref, message, force = (
        arg_str(arg, "version"),
        arg_str(arg, "ref"),
        arg_str(arg, "message"),
        arg_bool(arg, "force"),
    )

    def planner(registry: Registry, gate: Gate) -> TagPlan:
        allowed = gate.repo.config.stages
        if version and not ref:
            return plan_assign(
                registry, name, stage, version=version, message=message, force=force, allowed_stages=allowed
            )
        sha = _resolve(gate.root, ref or "HEAD")
        return plan_assign(
            registry,
            name,
            stage,
            ref_sha=sha,
            name_version=version,
            message=message,
            force=force,
            allowed_stages=allowed,
        )

    return await _checked(_write(ls, arg, f"Assigning {stage} to {name}", planner))


async def deprecate(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto deprecate NAME [VERSION [STAGE]] [--force] [--push]`: the artifact; with `version`, deregister it;
    with `version` and `stage`, unassign the stage."""
    from gto_lsp.core.registry.deprecate import plan_deprecate, plan_deregister, plan_unassign

    name = arg_str(arg, "name", required=True)
    assert name is not None
    version, stage, message, force = (
        arg_str(arg, "version"),
        arg_str(arg, "stage"),
        arg_str(arg, "message"),
        arg_bool(arg, "force"),
    )
    if stage and not version:
        raise UserError("`stage` needs `version`: the version to unassign the stage from.")

    def planner(registry: Registry, gate: Gate) -> TagPlan:
        allowed = gate.repo.config.stages
        if version and stage:
            return plan_unassign(registry, name, version, stage, message=message, force=force, allowed_stages=allowed)
        if version:
            return plan_deregister(registry, name, version, message=message, force=force)
        return plan_deprecate(registry, name, head_sha=registry.head, message=message, force=force)

    title = (
        f"Unassigning {stage} of {name}"
        if stage
        else f"Deregistering {name} {version}"
        if version
        else (f"Deprecating {name}")
    )
    return await _checked(_write(ls, arg, title, planner))


async def _checked(work: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """A UserError raised inside a planner (an unknown REF) is the same refusal as one raised before it."""
    try:
        return await work
    except UserError as error:
        return {"ok": False, "message": str(error)}


async def push_tags(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """Push exactly these tags (created earlier without `push`) to the branch's remote."""
    names = list(arg_strings(arg, "tags"))
    if not names or not all(names):
        raise UserError("`tags` must be a list of tag names.")
    gate = await git_gate(ls, arg)
    from gto_lsp.core.registry.write import PushError
    from gto_lsp.core.registry.write import push_tags as core_push

    token = await progress_begin(ls, f"Pushing {', '.join(names)}")
    try:
        remote = await asyncio.to_thread(core_push, gate.root, names)
    except PushError as error:
        progress_end(ls, token, "Not pushed")
        return {"ok": False, "message": error.message, "pushed": False}
    except BaseException:
        progress_end(ls, token, "Failed")
        raise
    progress_end(ls, token, "Pushed")
    return {"ok": True, "message": f"Pushed {', '.join(names)} to {remote}", "pushed": True, "tags": names}


def after_write(ls: GtoLanguageServer, repo: RepoState) -> None:
    """The tags changed: drop the cached registry, re-ask code lenses (hovers read the registry again)."""
    repo.refs_changed()
    code_lens.refresh(ls, repo.root)

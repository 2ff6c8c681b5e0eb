"""Registry commands: `gto.server.registryState`, `gto.server.register`, `gto.server.assign`,
`gto.server.deprecate` (the contract of lsp/commands.py: one object argument, `{ok, message, ...}`).

All four sit behind one gate: an untrusted workspace or `gto.git.enabled: false` gets a clear refusal and no git
is run at all. The rules (names, versions, bumps, stages, counters, messages, refusals) are the registry core's
(core/registry); this module only reads the arguments, runs the core in a worker thread with a progress report,
and afterwards drops the cached registry so code lenses (refreshed) and hovers show the new state.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from ..core.messages import no_git_repo
from ..core.registry.tags import name_to_tag
from . import code_lens
from .commands import Handler, UserError, _bool, _progress_begin, _progress_end, _str, repository_folder
from .state import GtoLanguageServer, RepoState

UNTRUSTED = "The workspace is not trusted: gto-lsp runs no git here, so it cannot read or change the GTO registry."
GIT_OFF = "Git is turned off (`gto.git.enabled`), so gto-lsp cannot read or change the GTO registry."


@dataclass
class Gate:
    root: Path
    repo: RepoState


async def _gate(ls: GtoLanguageServer, arg: dict[str, Any]) -> Gate:
    """The repository, once trust and the setting allow git; a refusal (UserError) before any git runs."""
    if not ls.state.trusted:
        raise UserError(UNTRUSTED)
    folder = repository_folder(ls, _str(arg, "repository"))
    settings = await ls.settings_for(folder)
    if not settings.git_enabled:
        raise UserError(GIT_OFF)
    root = ls.repo_root(folder)
    if root is None:
        raise UserError(no_git_repo(str(folder)))
    repo = ls.repo(root)
    if await ls.facts(repo, settings) is None:
        raise UserError(f"Git cannot read the repository at '{root}'.")
    return Gate(root, repo)


def _state_of(name: str, entry: Any) -> dict[str, Any]:
    if entry is None:
        return {"registered": False, "latest": None, "stages": {}, "deprecated": False, "versions": []}
    return {
        "registered": True,
        "latest": entry.latest,
        "stages": dict(entry.stages),
        "deprecated": entry.deprecated,
        "versions": [
            {"version": v.version, "commit": v.commit, "active": v.active, "stages": list(v.stages)}
            for v in entry.versions
        ],
    }


async def registry_state(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    name = _str(arg, "name", required=True)
    assert name is not None
    gate = await _gate(ls, arg)
    registry = await asyncio.to_thread(gate.repo.registry)
    if registry is None:
        raise UserError(f"Could not read the GTO tags of '{gate.root}'.")
    return {
        "ok": True,
        "message": "",
        "name": name,
        "tagName": name_to_tag(name),
        **_state_of(name, registry.get(name)),
    }


async def _write(ls: GtoLanguageServer, arg: dict[str, Any], action: str) -> dict[str, Any]:
    _str(arg, "name", required=True)
    _bool(arg, "push")
    gate = await _gate(ls, arg)
    token = await _progress_begin(ls, f"GTO: {action}")
    _progress_end(ls, token, "Not available")
    del gate
    raise UserError(f"`{action}` is not available yet in this server.")


async def register(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    return await _write(ls, arg, "register")


async def assign(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    return await _write(ls, arg, "assign")


async def deprecate(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    return await _write(ls, arg, "deprecate")


def after_write(ls: GtoLanguageServer, repo: RepoState) -> None:
    """The tags changed: drop the cached registry, re-ask code lenses (hovers read the registry again)."""
    repo.refs_changed()
    code_lens.refresh(ls, repo.root)


COMMANDS: dict[str, Handler] = {
    "gto.server.registryState": registry_state,
    "gto.server.register": register,
    "gto.server.assign": assign,
    "gto.server.deprecate": deprecate,
}

__all__ = ["COMMANDS", "types"]

"""The Registry view's commands (also LSP custom requests `gto/...`, for editors without VS Code's view):
`gto.server.registry`, `gto.server.artifactVersions`, `gto.server.versionDetails`, `gto.server.history`,
`gto.server.gitFile`. Each takes one object argument and answers `{ok, message, ...}`, behind the one git gate of
commands/registry.py (an untrusted workspace or `gto.git.enabled: false` runs no git and gets a refusal).

The registry comes from the session's cache (RepoState: one `git for-each-ref` only when the tags or HEAD moved);
the annotations from every annotations file as the editor holds it (open documents' unsaved text included).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gto_lsp.core.formats.dvc.files import dvc_files
from gto_lsp.core.formats.dvc.reads import DvcIgnore
from gto_lsp.core.messages import cannot_find_artifact
from gto_lsp.core.registry.overview import (
    Annotation,
    annotations_of,
    read_tag_notes,
    registry_error,
    rows,
    stage_columns,
    versions_json,
)
from gto_lsp.lsp.commands.args import arg_str
from gto_lsp.lsp.commands.refusals import UserError
from gto_lsp.lsp.commands.registry import Gate, git_gate, remote_of
from gto_lsp.lsp.session.documents import DVC
from gto_lsp.lsp.session.paths import read_text
from gto_lsp.lsp.session.server import GtoLanguageServer

if TYPE_CHECKING:
    from gto_lsp.core.registry.cache import LazyRegistry

# Annotations files read per request: a repository with more dvc.yaml files is cut (the view says so).
MAX_FILES = 1_000


def _name(arg: dict[str, Any]) -> str:
    name = arg_str(arg, "name", required=True)
    assert name is not None
    return name


async def _registry(gate: Gate, complete: bool) -> LazyRegistry:
    """The session's registry, read (one for-each-ref) only when the tags or HEAD changed since."""
    registry = gate.repo.registry_known()
    if registry is None:
        registry = await asyncio.to_thread(gate.repo.registry_lazy)
    if registry is None:
        raise UserError(f"Git cannot read the tags of the repository at '{gate.root}'.")
    if complete and not registry.completed:
        await asyncio.to_thread(registry.complete)
    return registry


def _annotation_paths(ls: GtoLanguageServer, gate: Gate, listed: list[str]) -> list[Path]:
    """The index (artifacts.yaml) and every dvc.yaml DVC reads, root first: git's lists plus the ones the editor
    knows of that git's cached lists may not have yet."""
    root = gate.root
    known = [
        state.path.relative_to(root).as_posix()
        for state in list(ls.state.docs.values())
        if state.kind == DVC and state.root == root and state.path is not None
    ]
    found = dvc_files([*listed, *known], DvcIgnore(lambda rel: read_text(root / rel)))
    index = gate.repo.index_path
    return ([index] if index is not None else []) + [root / rel for rel in found[:MAX_FILES]]


Found = tuple[list[Annotation], dict[Annotation, Any], dict[str, str]]  # annotations, their ranges, files' uris


async def _annotations(ls: GtoLanguageServer, gate: Gate) -> Found:
    """Every annotation of the repository, with its name's LSP range and each file's uri."""
    tracked = await asyncio.to_thread(gate.repo.tracked)
    listed = tracked.files + tracked.untracked if tracked is not None else []
    found: list[Annotation] = []
    ranges: dict[Annotation, Any] = {}
    uris: dict[str, str] = {}
    for path in _annotation_paths(ls, gate, listed):
        uri = ls.uri_for(path)
        view = ls.view(uri)
        if view is not None and await ls.parsed(uri):  # a large first parse ran in a worker thread
            view = ls.view(uri)
        if view is None or view.format is None:
            continue
        file = path.relative_to(gate.root).as_posix()
        uris[file] = uri
        for annotation in annotations_of(view.format, view.parsed, file):
            found.append(annotation)
            r = view.lines.range(annotation.span)
            ranges[annotation] = {
                "start": {"line": r.start.line, "character": r.start.character},
                "end": {"line": r.end.line, "character": r.end.character},
            }
    return found, ranges, uris


async def registry(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto.server.registry`: every artifact (tags and annotations) with its state and where it is annotated."""
    gate = await git_gate(ls, arg)
    states = await _registry(gate, complete=True)
    annotations, ranges, uris = await _annotations(ls, gate)
    config = gate.repo.config
    error = registry_error(states)
    return {
        "ok": True,
        "message": error or "",
        "repository": str(gate.root),
        "head": gate.repo.current_head(),
        "error": error,
        "stages": stage_columns(config.stages, states),
        "stagesRestricted": config.stages is not None,
        "remote": await asyncio.to_thread(remote_of, gate.root),
        "artifacts": [row.as_json(ranges, uris) for row in rows(states, annotations)],
    }


async def artifact_versions(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto.server.artifactVersions`: one artifact's versions and tag events (with tagger and message)."""
    name = _name(arg)
    gate = await git_gate(ls, arg)
    states = await _registry(gate, complete=False)
    facts = gate.repo.facts_ready()
    art = await asyncio.to_thread(states.get, name)
    if art is None or facts is None:
        annotations, _, _ = await _annotations(ls, gate)
        if not any(a.name == name for a in annotations):
            raise UserError(cannot_find_artifact(name) + ": it has no GTO tag and no annotation in this repository.")
        return {"ok": True, "message": "", "name": name, "versions": [], "events": []}
    notes = await asyncio.to_thread(read_tag_notes, facts, name)
    return {"ok": True, "message": "", **versions_json(art, notes)}

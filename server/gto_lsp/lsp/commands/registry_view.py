"""The Registry view's commands (also LSP custom requests `gto/...`, for editors without VS Code's view):
`gto.server.registry`, `gto.server.artifactVersions`, `gto.server.versionDetails`, `gto.server.history`,
`gto.server.gitFile`. Each takes one object argument and answers `{ok, message, ...}`, behind the one git gate of
commands/registry.py (an untrusted workspace or `gto.git.enabled: false` runs no git and gets a refusal).

The registry comes from the session's cache (RepoState: one `git for-each-ref` only when the tags or HEAD moved);
the annotations from every annotations file as the editor holds it (open documents' unsaved text included).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from gto_lsp.core.formats.dvc.files import dvc_files
from gto_lsp.core.formats.dvc.reads import DvcIgnore
from gto_lsp.core.messages import cannot_find_artifact
from gto_lsp.core.registry.integrity import artifact_problems
from gto_lsp.core.registry.overview import (
    Annotation,
    candidate_paths,
    list_candidates,
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
    from gto_lsp.core.registry.details import Values
    from gto_lsp.core.registry.state import ArtifactRegistry
    from gto_lsp.core.repo.reader import RepoFacts

SHA = re.compile(r"[0-9a-fA-F]{4,64}")  # a commit sha, full or abbreviated

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


async def _candidates(gate: Gate) -> list[str]:
    """The paths that may be dvc.yaml files DVC reads: from the server's listing of the repository when it has
    one (memoised per listing), else from a pathspec-limited `git ls-files` (not a listing of every file)."""
    tracked = gate.repo.tracked_ready()
    if tracked is None:
        facts = gate.repo.facts_ready()
        return await asyncio.to_thread(list_candidates, facts) if facts is not None else []
    known = gate.repo.view_candidates
    if known is None or known[0] is not tracked:
        found = await asyncio.to_thread(candidate_paths, [*tracked.files, *tracked.untracked])
        known = gate.repo.view_candidates = (tracked, found)
    return known[1]


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
    listed = await _candidates(gate)
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
        for annotation in gate.repo.annotations.annotations_of(view.format, view.parsed, file):
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
    # at once: parsing the tags holds the GIL while git lists the candidates and reads the remote
    states, (annotations, ranges, uris), remote = await asyncio.gather(
        _registry(gate, complete=True), _annotations(ls, gate), asyncio.to_thread(remote_of, gate.root)
    )
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
        "remote": remote,
        "artifacts": [
            _with_problems(row.as_json(ranges, uris), states.get(row.name)) for row in rows(states, annotations)
        ],
    }


def _with_problems(answer: dict[str, Any], art: Optional[ArtifactRegistry]) -> dict[str, Any]:
    """The artifact's registry problems (integrity.py) as `problems`, only when it has some: those the tags alone
    show (`check --registry` also reads commits); an artifact without annotations is declared nowhere the editor
    knows."""
    found = artifact_problems(art, bool(answer["annotations"])) if art is not None else []
    if found:
        answer["problems"] = [p.json() for p in found]
    return answer


async def _artifact(ls: GtoLanguageServer, gate: Gate, name: str) -> tuple[Optional[ArtifactRegistry], RepoFacts]:
    """The artifact's registry state (None: annotated, no tag); refused when neither tagged nor annotated."""
    states = await _registry(gate, complete=False)
    facts = gate.repo.facts_ready()
    if facts is None:
        raise UserError(f"Git cannot read the repository at '{gate.root}'.")
    art = await asyncio.to_thread(states.get, name)
    if art is None:
        annotations, _, _ = await _annotations(ls, gate)
        if not any(a.name == name for a in annotations):
            raise UserError(cannot_find_artifact(name) + ": it has no GTO tag and no annotation in this repository.")
    return art, facts


async def artifact_versions(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto.server.artifactVersions`: one artifact's versions and tag events (with tagger and message)."""
    name = _name(arg)
    gate = await git_gate(ls, arg)
    art, facts = await _artifact(ls, gate, name)
    if art is None:
        return {"ok": True, "message": "", "name": name, "versions": [], "events": []}
    notes = await asyncio.to_thread(read_tag_notes, facts, name)
    answer = versions_json(art, notes)
    problems = artifact_problems(art, None)
    for version in answer["versions"]:  # `problems` only on a version that has some
        own = [p.json() for p in problems if p.version == version["version"]]
        if own:
            version["problems"] = own
    return {"ok": True, "message": "", **answer}


async def version_details(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto.server.versionDetails`: one version (a version name or a commit) as committed: commit, annotation,
    metrics and params, as Markdown and as text to diff."""
    from gto_lsp.core.registry import details  # runs git: imported once the gate let git run
    from gto_lsp.core.repo.run import commit_of

    name = _name(arg)
    version = arg_str(arg, "version", required=True)
    assert version is not None
    gate = await git_gate(ls, arg)
    art, facts = await _artifact(ls, gate, name)
    versions = art.versions if art is not None else ()
    commit = next((v.commit for v in versions if v.version == version), None)
    if commit is None and SHA.fullmatch(version):
        commit = await asyncio.to_thread(commit_of, gate.root, version)
    if commit is None:
        raise UserError(
            f"'{version}' is neither a version of '{name}' nor a commit of this repository: "
            "give a version name such as v1.0.0 or a commit sha."
        )
    index = gate.repo.config.index
    found = await asyncio.to_thread(details.version_details, facts, commit, name, index)
    if found is None:
        raise UserError(f"Git cannot read the commit {commit}.")
    tags = sorted({e.tag for e in (art.events if art is not None else ()) if e.commit == commit and e.tag})
    info = found.commit
    shown = version if not SHA.fullmatch(version) else info.sha[:7]
    return {
        "ok": True,
        "message": "",
        "name": name,
        "version": version,
        "commit": info.sha,
        "author": info.author,
        "authorEmail": info.email,
        "date": info.date,
        "subject": info.subject,
        "body": info.body,
        "tags": tags,
        "annotation": {"file": found.annotation[0], "fields": found.annotation[1]} if found.annotation else None,
        "metrics": [_values_json(v) for v in found.metrics],
        "params": [_values_json(v) for v in found.params],
        "markdown": details.as_markdown(name, shown, found, tags),
        "text": details.as_text(found),
    }


def _values_json(found: Values) -> dict[str, Any]:
    return {"file": found.file, "values": found.values, "more": found.more, "error": found.error}


async def history(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto.server.history`: the objects of GTO 1.10.1's `gto history [NAME] --json`, newest first."""
    from gto_lsp.core.registry.history import history_rows
    from gto_lsp.core.registry.state import Registry

    name = arg_str(arg, "name")
    gate = await git_gate(ls, arg)
    if name:  # one artifact: its events alone decide their order, from the session's registry
        art, facts = await _artifact(ls, gate, name)
        if art is None:
            return {"ok": True, "message": "", "rows": []}
        notes = await asyncio.to_thread(read_tag_notes, facts, name)
        one = Registry(artifacts={name: art}, tags={}, error=art.error, order=(name,))
        return _history_answer(history_rows(one, name, tag_info=notes), art.error)

    def everything() -> dict[str, Any]:  # ties across artifacts follow GTO's order: a fresh read has it
        from gto_lsp.core.registry.read import read_registry
        from gto_lsp.core.registry.tag_info import read_tag_info

        registry = read_registry(gate.root)
        return _history_answer(history_rows(registry, tag_info=read_tag_info(gate.root)), registry.error)

    return await asyncio.to_thread(everything)


def _history_answer(rows: list[dict[str, Any]], error: Optional[str]) -> dict[str, Any]:
    if error:  # every GTO command fails on this registry
        raise UserError(error)
    return {"ok": True, "message": "", "rows": rows}


MAX_GIT_FILE = 5_000_000  # bytes gitFile answers


async def git_file(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """`gto.server.gitFile`: a file's text at a commit (repository-relative path, at most MAX_GIT_FILE bytes)."""
    from gto_lsp.core.registry.details import blob_text
    from gto_lsp.core.repo.run import commit_of, norm_relpath

    commit = arg_str(arg, "commit", required=True)
    path = arg_str(arg, "path", required=True)
    assert commit is not None and path is not None
    where = norm_relpath(path.replace("\\", "/"))
    if where is None:
        raise UserError(f"'{path}' is not a path inside the repository: give it relative to the repository root.")
    gate = await git_gate(ls, arg)
    facts = gate.repo.facts_ready()
    sha = await asyncio.to_thread(commit_of, gate.root, commit)
    if sha is None or facts is None:
        raise UserError(f"'{commit}' is not a commit of this repository: give a commit sha, a tag or a branch.")
    text, why = await asyncio.to_thread(blob_text, facts, sha, where, MAX_GIT_FILE)
    if text is None and why == "absent":
        raise UserError(f"'{where}' is not a file of commit {sha[:7]}.")
    if text is None:
        raise UserError(f"'{where}' is {why} at commit {sha[:7]}: gto-lsp shows files up to that size.")
    return {"ok": True, "message": "", "text": text}

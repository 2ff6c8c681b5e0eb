"""`gto.server.context` (what the client's annotate prompts offer) and `gto.server.validateName`."""

from __future__ import annotations

import asyncio
import posixpath
from typing import Any, Optional

from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.files import DVC_FILE, dvc_files, full_name, walk_files
from gto_lsp.core.formats.dvc.format import DVC
from gto_lsp.core.formats.dvc.reads import DvcIgnore
from gto_lsp.core.formats.dvc.values import values_of
from gto_lsp.core.formats.gto.document import Document, parse
from gto_lsp.core.names import invalid_name_message, is_valid_name
from gto_lsp.core.repo.safe_read import too_big
from gto_lsp.core.values import is_lax_false
from gto_lsp.core.yaml.nodes import ScalarNode
from gto_lsp.core.yaml.render import scalar_value
from gto_lsp.lsp.commands.args import arg_str
from gto_lsp.lsp.commands.refusals import fail
from gto_lsp.lsp.commands.target import Target, held, resolve_target
from gto_lsp.lsp.features.completion import COMMON_TYPES
from gto_lsp.lsp.session.paths import read_text
from gto_lsp.lsp.session.repos import RepoState
from gto_lsp.lsp.session.server import GtoLanguageServer


async def validate_name(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    name = arg_str(arg, "name", required=True)
    assert name is not None
    if is_valid_name(name):
        return {"ok": True, "message": ""}
    return fail(invalid_name_message(name, "artifact name"))


# --- gto.server.context ----------------------------------------------------------------------------------------


def _artifacts(document: Document) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for artifact in document.artifacts:
        if not artifact.name_is_string:
            continue
        info: dict[str, Any] = {"virtual": True, "labels": []}
        for key, value in artifact.fields():
            if not isinstance(key, ScalarNode) or key.value not in (
                "type",
                "path",
                "virtual",
                "labels",
                "description",
                "custom",
            ):
                continue
            try:
                loaded = scalar_value(value)
            except Exception:
                continue
            if key.value == "labels":
                info["labels"] = [str(v) for v in loaded] if isinstance(loaded, list) else []
            elif key.value == "virtual":
                info["virtual"] = loaded if isinstance(loaded, bool) else not is_lax_false(str(loaded))
            else:
                info[str(key.value)] = loaded
        out.setdefault(str(artifact.name), info)
    return out


def _git_context(repo: RepoState, relpath: str, disk_text: Optional[str]) -> dict[str, Any]:
    """Everything the context needs from git (blocking: runs in a worker thread)."""
    facts = repo.load_facts()
    if facts is None:
        return {}
    tracked = repo.tracked()
    registry = repo.registry() or {}
    head = facts.head_sha()
    head_paths_of = getattr(facts, "head_paths", None)
    paths = (tracked.files + tracked.folders) if tracked else []
    if callable(head_paths_of):
        committed = sorted(head_paths_of())
    else:
        committed = [p for p in paths if facts.in_head(p)] if head else []
    at_head = facts.file_at_head(relpath) if head else None
    branch = facts.branch()
    return {
        "trackedFiles": sorted(paths),
        "untrackedFiles": sorted(tracked.untracked + tracked.untracked_folders) if tracked else [],
        "registry": {
            name: {"latest": entry.latest, "stages": dict(entry.stages), "deprecated": entry.deprecated}
            for name, entry in registry.items()
        },
        "committed": committed,
        "hasHead": head is not None,
        "branch": branch,
        "dirty": disk_text != at_head,
        "pushRemote": facts.branch_remote(branch) if branch else None,  # None: the client offers no push
    }


async def context(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    target = resolve_target(ls, arg, need_repo=True)
    repo = target.repo
    assert target.root is not None
    settings = await ls.settings_for(target.root)
    text, _, _ = held(ls, target)
    if text is not None and too_big(text):  # parsing 10 MB took 20-50 s: its entries are left out
        text = None
    document = parse(text or "")
    config = repo.config
    labels: set[str] = set()
    used_types: set[str] = set()
    artifacts = _artifacts(document)
    for info in artifacts.values():
        labels.update(label for label in info["labels"] if is_valid_name(label))
        if isinstance(info.get("type"), str) and is_valid_name(info["type"]):
            used_types.add(info["type"])
    if config.types is not None:
        type_list = list(config.types)
    else:
        type_list = sorted(used_types) + [t for t in COMMON_TYPES if t not in used_types]
    result: dict[str, Any] = {
        "ok": True,
        "message": "",
        "root": str(target.root),
        "indexPath": str(target.index),
        "trusted": ls.state.trusted,
        "types": type_list,
        "typesRestricted": config.types is not None,
        "labels": sorted(labels),
        "trackedFiles": [],
        "untrackedFiles": [],
        "artifacts": artifacts,
        "registry": {},
        "committed": [],
        "hasHead": False,
        "branch": None,
        "dirty": False,
        "pushRemote": None,
    }
    git = ls.git_allowed(settings)
    if git:
        disk = read_text(target.index)
        relpath = target.index.relative_to(target.root).as_posix()
        result.update(await asyncio.to_thread(_git_context, repo, relpath, disk))
    listed = (
        result["trackedFiles"] + result["untrackedFiles"] if git else await asyncio.to_thread(walk_files, target.root)
    )
    # dvc.yaml files the editor knows of but git's cached lists may not have yet (just created, not staged).
    known = [
        state.path.relative_to(target.root).as_posix()
        for state in list(ls.state.docs.values())
        if state.format == DVC and state.root == target.root and state.path is not None
    ]
    root = target.root
    ignore = DvcIgnore(lambda rel: read_text(root / rel)) if root is not None else None  # DVC never reads those
    result.update(_annotation_files(ls, target, dvc_files([*listed, *known], ignore), len(artifacts)))
    for info in result["dvcArtifacts"].values():
        for entry in info.values():
            labels.update(label for label in entry["labels"] if is_valid_name(label))
            if isinstance(entry.get("type"), str) and entry["type"] not in result["types"] and config.types is None:
                result["types"].insert(0, entry["type"])
    result["labels"] = sorted(labels)
    return result


def _dvc_info(entry: Any, folder: str) -> dict[str, Any]:
    values = values_of(entry)
    labels = values.get("labels")
    path = values.get("path")
    if isinstance(path, str) and "${" not in path and "://" not in path:
        path = posixpath.normpath(posixpath.join(folder, path.lstrip("/")))
    return {
        "fullName": full_name(folder, str(entry.name)),
        "type": values.get("type"),
        "path": path,
        "virtual": True,
        "labels": [str(v) for v in labels] if isinstance(labels, list) else [],
        "description": values.get("desc"),
        "custom": values.get("meta"),
    }


def _annotation_files(ls: GtoLanguageServer, target: Target, found: list[str], gto_count: int) -> dict[str, Any]:
    """Every file that holds (or may hold) annotations, and the one to propose: where the repository already
    annotates (most entries; dvc.yaml on a tie), else the root dvc.yaml in a DVC project, else artifacts.yaml."""
    assert target.root is not None
    index_rel = target.relpath
    files = [{"file": index_rel, "format": "gto", "exists": target.index.is_file(), "artifacts": gto_count}]
    dvc_artifacts: dict[str, dict[str, Any]] = {}
    for relpath in [DVC_FILE, *[f for f in found if f != DVC_FILE]]:
        path = target.root / relpath
        uri = ls.uri_for(path)
        open_doc = ls.open_document(uri)
        text = open_doc.source if open_doc is not None else read_text(path)
        folder = posixpath.dirname(relpath)
        entries = parse_dvc(text).entries if text is not None else []
        dvc_artifacts[relpath] = {str(e.name): _dvc_info(e, folder) for e in entries if e.name_is_string}
        files.append({"file": relpath, "format": "dvc", "exists": text is not None, "artifacts": len(entries)})
    best = max(files, key=lambda f: (f["artifacts"], f["format"] == "dvc", f["file"] == DVC_FILE))
    if best["artifacts"]:
        default = best["file"]
    elif (target.root / DVC_FILE).is_file() or (target.root / ".dvc").is_dir():
        default = DVC_FILE
    else:
        default = index_rel
    return {"annotationFiles": files, "defaultFile": default, "dvcArtifacts": dvc_artifacts}

"""workspace/executeCommand: the contract the VS Code client (and any other) calls.

Every command takes one object argument and answers an object {ok, message, ...}. A user error gives
ok=false and a sentence that says what to do, never a JSON-RPC error. Git and the disk are used from worker
threads. Edits go through workspace/applyEdit as one versioned edit, so a document edited in the meantime is
refused by the client instead of overwritten.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import posixpath
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Optional

from lsprotocol import types

from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.edit import values_of
from gto_lsp.core.formats.dvc.files import (
    DVC_FILE,
    PathRefused,
    annotations_file,
    dvc_files,
    full_name,
    relative_to_folder,
    walk_files,
)
from gto_lsp.core.messages import no_git_repo, wrong_config
from gto_lsp.core.names import invalid_name_message, is_valid_name
from gto_lsp.core.parse import Document, ScalarNode, parse, scalar_value
from gto_lsp.core.paths import inside
from gto_lsp.core.repo.safe_read import too_big
from gto_lsp.core.values import is_lax_false
from gto_lsp.lsp.features.completion import COMMON_TYPES
from gto_lsp.lsp.features.diagnostics import too_large_refusal
from gto_lsp.lsp.positions import LineIndex
from gto_lsp.lsp.session.documents import ARTIFACTS, DVC
from gto_lsp.lsp.session.paths import norm, read_text, uri_to_path
from gto_lsp.lsp.session.repos import RepoState
from gto_lsp.lsp.session.server import GtoLanguageServer

if TYPE_CHECKING:
    from gto_lsp.core.edits import AnnotateRequest, EditResult
    from gto_lsp.core.repo.commit import CommitResult

Handler = Callable[[GtoLanguageServer, dict[str, Any]], Awaitable[dict[str, Any]]]


class UserError(Exception):
    """A mistake in the request or a state the user must change; becomes {ok: false, message}."""


def _fail(message: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "message": message, **extra}


async def run(ls: GtoLanguageServer, name: str, handler: Handler, args: list[Any]) -> dict[str, Any]:
    if len(args) != 1 or not isinstance(args[0], dict):
        return _fail(f'`{name}` takes one object argument, such as {{"repository": "/path/to/repo"}}.')
    try:
        return await handler(ls, args[0])
    except UserError as error:
        return _fail(str(error))
    except OSError as error:  # the disk said no (a name too long, no permission): the user's to fix, not a bug
        ls.log(f"{name}: {error!r}", types.MessageType.Warning)
        where = f" ({error.filename})" if isinstance(error.filename, str) and len(error.filename) < 300 else ""
        return _fail(f"`{name}` failed: {error.strerror or error}{where}.")
    except Exception as error:
        ls.log(f"internal error in {name}: {error!r}", types.MessageType.Error)
        return _fail(f"Internal error in {name}: {error}. See the GTO server log.")


# --- arguments -------------------------------------------------------------------------------------------------


# The longest string argument: paths and names fit in a path (PATH_MAX); a description or tag message is prose.
MAX_STRING = 4096
MAX_PROSE = 65_536
_PROSE = ("description", "message", "custom")


def arg_str(arg: dict[str, Any], key: str, required: bool = False) -> Optional[str]:
    value = arg.get(key)
    if value is None or (value == "" and not required):
        if required:
            raise UserError(f"`{key}` is required.")
        return None
    if not isinstance(value, str):
        raise UserError(f"`{key}` must be a string.")
    return _text(key, value)


def _text(key: str, value: str) -> str:
    """`value` if it is text that paths, git and YAML can take; else a refusal that names `key` (JSON can carry a
    lone surrogate such as "\\ud800", which no file name, git argument or file can hold)."""
    limit = MAX_PROSE if key in _PROSE else MAX_STRING
    if len(value) > limit:
        raise UserError(f"`{key}` is too long ({len(value):,} characters; at most {limit:,}).")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UserError(f"`{key}` is not valid Unicode text (a lone surrogate at character {error.start}).") from None
    if "\x00" in value:
        raise UserError(f"`{key}` contains a NUL character, which no file name or git argument can hold.")
    return value


def arg_bool(arg: dict[str, Any], key: str) -> bool:
    value = arg.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise UserError(f"`{key}` must be true or false.")
    return value


def arg_strings(arg: dict[str, Any], key: str) -> tuple[str, ...]:
    value = arg.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"`{key}` must be a list of strings.")
    return tuple(_text(key, v) for v in value)


def _labels(arg: dict[str, Any]) -> tuple[str, ...]:
    return arg_strings(arg, "labels")


def _custom(arg: dict[str, Any]) -> Any:
    """`custom`: any JSON value, every string in it (keys too) text as `_text` takes it."""
    value = arg.get("custom")
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            _text("custom", item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


@dataclass
class Target:
    root: Optional[Path]
    repo: RepoState
    index: Path  # the annotations file: artifacts.yaml, or a dvc.yaml
    uri: str
    format: str = "gto"  # "gto" or "dvc"

    @property
    def relpath(self) -> str:
        return self.index.relative_to(self.root).as_posix() if self.root is not None else self.index.name

    @property
    def folder(self) -> str:
        """The annotations file's folder relative to the repository root ("" at the root)."""
        return posixpath.dirname(self.relpath) if self.root is not None else ""


def _workspace_folders(ls: GtoLanguageServer) -> list[Path]:
    """The workspace folders; a client that sends only `rootUri` has that one."""
    uris = [f.uri for f in ls.workspace.folders.values()] or [ls.workspace.root_uri or ""]
    folders = [uri_to_path(u) for u in uris if u]
    return [f for f in folders if f is not None]


def _in_workspace(ls: GtoLanguageServer, path: Path, shown: str) -> None:
    """Commands act only on the workspace folders' repositories: a path named in a request, also through a link,
    must be inside one of them (another repository of the machine is not the editor's to change)."""
    if not any(inside(path, folder) for folder in _workspace_folders(ls)):
        raise UserError(
            f"'{shown}' is not in the workspace: gto-lsp acts only on repositories inside the editor's workspace "
            "folders (a link out of them is outside). Add its folder to the workspace first."
        )


def repository_folder(ls: GtoLanguageServer, repository: Optional[str]) -> Path:
    """The folder `repository` names (a path or a file uri), inside a workspace folder; absent, the workspace's
    only folder."""
    if repository:
        folder = uri_to_path(repository) if repository.startswith("file:") else norm(repository)
    else:
        folders = _workspace_folders(ls)
        if len(folders) != 1:
            raise UserError("Give `repository` (the repository folder): the workspace has several folders.")
        folder = folders[0]
    try:
        is_dir = folder is not None and folder.is_dir()
    except OSError as error:  # a name too long for the file system
        raise UserError(f"`repository` cannot be used as a folder: {error.strerror or error}.") from None
    if folder is None or not is_dir:
        raise UserError(f"'{repository}' is not a folder.")
    _in_workspace(ls, folder, repository or str(folder))
    return folder


def _annotations_file(root: Path, rel: str, key: str) -> Path:
    """core's check that the file is (or will be) a regular file inside the repository, as a UserError."""
    try:
        return norm(annotations_file(root, rel, folder_must_exist=False))
    except PathRefused as error:
        raise UserError(f"`{key}`: {error.message}") from None


def resolve_target(ls: GtoLanguageServer, arg: dict[str, Any], need_repo: bool = False) -> Target:
    uri = arg_str(arg, "uri")
    repository = arg_str(arg, "repository")
    if uri:
        state = ls.doc_state(uri)
        if state.kind not in (ARTIFACTS, DVC) or state.path is None:
            raise UserError(f"{uri} is not an annotations file (artifacts.yaml or a dvc.yaml) of its repository.")
        if need_repo and state.root is None:
            raise UserError(no_git_repo(str(state.path.parent)))
        if state.root is not None:
            _annotations_file(state.root, state.path.relative_to(state.root).as_posix(), "uri")
        if not ls.is_open(uri):  # a document the editor holds is the user's choice; a file named is not
            _in_workspace(ls, state.path, uri)
        return Target(state.root, ls.repo(state.root), state.path, uri, "dvc" if state.kind == DVC else "gto")
    folder = repository_folder(ls, repository)
    root = ls.repo_root(folder)
    if root is None:
        raise UserError(no_git_repo(str(folder)))
    repo = ls.repo(root)
    index = repo.index_path
    if index is None:
        raise UserError(repo.index_outside or "This repository has no annotations file.")
    file = arg_str(arg, "file")
    if file and norm(root / file) != index:
        if norm(root / file).name != DVC_FILE:
            raise UserError(f"`file` must be the repository's artifacts.yaml or a dvc.yaml inside it, not '{file}'.")
        path = _annotations_file(root, file, "file")
        return Target(root, repo, path, ls.uri_for(path), "dvc")
    return Target(root, repo, index, ls.uri_for(index))


def _held(ls: GtoLanguageServer, target: Target) -> tuple[Optional[str], Optional[int], bool]:
    """(text as the editor holds it or as saved, its version, open?)."""
    open_doc = ls.open_document(target.uri)
    if open_doc is not None:
        return open_doc.source, open_doc.version, True
    text = read_text(target.index)
    if text is None and os.path.lexists(target.index):
        raise UserError(
            f"{target.relpath} cannot be read: it is not a regular UTF-8 file of at most 16 MB "
            "(a FIFO, a device, a folder, or too large). gto-lsp reads and writes only regular files."
        )
    return text, None, False


# --- gto.server.validateName -----------------------------------------------------------------------------------


async def validate_name(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    name = arg_str(arg, "name", required=True)
    assert name is not None
    if is_valid_name(name):
        return {"ok": True, "message": ""}
    return _fail(invalid_name_message(name, "artifact name"))


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
    text, _, _ = _held(ls, target)
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
        if state.kind == DVC and state.root == target.root and state.path is not None
    ]
    result.update(_annotation_files(ls, target, dvc_files([*listed, *known]), len(artifacts)))
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


# --- gto.server.annotate / gto.server.remove -------------------------------------------------------------------


def _edit_answer(target: Target, result: EditResult, applied: bool, **extra: Any) -> dict[str, Any]:
    return {"ok": True, "message": result.message, "uri": target.uri, "applied": applied, **extra}


async def _apply(
    ls: GtoLanguageServer, target: Target, before: Optional[str], version: Optional[int], result: EditResult, label: str
) -> dict[str, Any]:
    if not result.changed:
        return {
            "ok": True,
            "message": f"{result.message} (the file already says this: nothing to change)",
            "uri": target.uri,
            "applied": False,
        }
    lines = LineIndex(before or "", ls.workspace.position_codec)
    text_edits = [
        types.TextEdit(range=types.Range(start=lines.position(e.start), end=lines.position(e.end)), new_text=e.new_text)
        for e in result.edits
    ]
    fallback = {
        "text": result.text,
        "edits": [
            {
                "range": {
                    "start": {"line": e.range.start.line, "character": e.range.start.character},
                    "end": {"line": e.range.end.line, "character": e.range.end.character},
                },
                "newText": e.new_text,
            }
            for e in text_edits
        ],
    }
    if not ls.can("workspace.apply_edit"):
        return _edit_answer(target, result, False, **fallback)
    document_changes = ls.can("workspace.workspace_edit.document_changes")
    edit: types.WorkspaceEdit
    if before is None:
        operations = []
        try:
            caps = ls.client_capabilities.workspace
            we = caps.workspace_edit if caps else None
            operations = list(we.resource_operations or []) if we else []
        except Exception:
            operations = []
        if not document_changes or types.ResourceOperationKind.Create not in operations:
            return _edit_answer(target, result, False, **fallback)
        start = types.Position(line=0, character=0)
        edit = types.WorkspaceEdit(
            document_changes=[
                types.CreateFile(
                    uri=target.uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True)
                ),
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=target.uri, version=None),
                    edits=[types.TextEdit(range=types.Range(start=start, end=start), new_text=result.text)],
                ),
            ]
        )
    elif document_changes:
        edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=target.uri, version=version),
                    edits=list(text_edits),
                )
            ]
        )
    else:
        edit = types.WorkspaceEdit(changes={target.uri: text_edits})
    try:
        answer = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
    except Exception as error:
        ls.log(f"workspace/applyEdit failed: {error!r}", types.MessageType.Warning)
        return _fail(f"The editor could not apply the change: {error}.", uri=target.uri, applied=False, **fallback)
    if not answer.applied:
        reason = answer.failure_reason or "the document changed since the change was computed"
        return _fail(
            f"The editor did not apply the change ({reason}); nothing was changed. Run the command again.",
            uri=target.uri,
            applied=False,
        )
    return _edit_answer(target, result, True)


async def _in_head_for(ls: GtoLanguageServer, target: Target, path: Optional[str]) -> Optional[Callable[[str], bool]]:
    settings = await ls.settings_for(target.root)
    if target.root is None or not path:
        return None
    if not ls.state.trusted:
        raise UserError("`must_exist` checks git's HEAD commit, and git is not run in an untrusted workspace.")
    if not settings.git_enabled:
        raise UserError("`must_exist` checks git's HEAD commit, and git is turned off (`gto.git.enabled`).")
    facts = await ls.facts(target.repo, settings)
    if facts is None:
        raise UserError(f"Git cannot read the repository at '{target.root}', so `must_exist` cannot be checked.")
    found = await asyncio.to_thread(facts.in_head, path)
    asked = posixpath.normpath(path)
    return lambda candidate: found if posixpath.normpath(candidate) == asked else False


def _refuse_wrong_config(target: Target) -> None:
    """GTO refuses every annotate and remove of artifacts.yaml when `.gto` has a problem (DVC never reads it)."""
    if target.format == "gto" and target.root is not None and target.repo.config.problems:
        raise UserError(wrong_config(str(target.root)))


async def annotate(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    from gto_lsp.core.edits import AnnotateRequest, GTOError
    from gto_lsp.core.formats.gto.edit import annotate as core_annotate

    name = arg_str(arg, "name", required=True)
    assert name is not None
    path = arg_str(arg, "path")
    must_exist = arg_bool(arg, "must_exist")
    request = AnnotateRequest(
        name=name,
        type=arg_str(arg, "type"),
        path=path,
        must_exist=must_exist,
        allow_same_path=arg_bool(arg, "allow_same_path"),
        labels=_labels(arg),
        description=arg_str(arg, "description") or "",
        custom=_custom(arg),
    )
    target = resolve_target(ls, arg)
    _refuse_wrong_config(target)
    in_head = await _in_head_for(ls, target, path) if must_exist else None
    text, version, _ = _held(ls, target)
    if text is not None and too_big(text):
        raise UserError(too_large_refusal(target.relpath, "annotate"))
    state = ls.state.docs.get(target.uri)
    previous = state.document if state is not None else None
    try:
        if target.format == "dvc":
            result = _annotate_dvc(ls, target, text, request, in_head)
        else:
            result = core_annotate(text, request, target.repo.config, in_head, previous=previous)
    except GTOError as error:
        return _fail(error.message, detail=error.detail, uri=target.uri, applied=False)
    return await _apply(ls, target, text, version, result, f"Annotate artifact {name}")


def _annotate_dvc(
    ls: GtoLanguageServer,
    target: Target,
    text: Optional[str],
    request: AnnotateRequest,
    in_head: Optional[Callable[[str], bool]],
) -> EditResult:
    """The request's path is relative to the repository root (as for artifacts.yaml); dvc.yaml stores it
    relative to its own folder."""
    from dataclasses import replace

    from gto_lsp.core.formats.dvc.edit import annotate as annotate_dvc

    path = request.path
    if path and target.folder and "://" not in path and not path.startswith("/"):
        path = relative_to_folder(posixpath.normpath(path), target.folder)
    state = ls.state.docs.get(target.uri)
    previous = state.dvc if state is not None else None
    return annotate_dvc(text, replace(request, path=path), target.folder, in_head, previous, target.relpath)


async def remove(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    from gto_lsp.core.edits import GTOError
    from gto_lsp.core.formats.gto.edit import remove as core_remove

    name = arg_str(arg, "name", required=True)
    assert name is not None
    target = resolve_target(ls, arg)
    _refuse_wrong_config(target)
    text, version, _ = _held(ls, target)
    if text is not None and too_big(text):
        raise UserError(too_large_refusal(target.relpath, "remove"))
    state = ls.state.docs.get(target.uri)
    previous = state.document if state is not None else None
    try:
        if target.format == "dvc":
            from gto_lsp.core.formats.dvc.edit import remove as remove_dvc

            dvc_state = ls.state.docs.get(target.uri)
            result = remove_dvc(text, name, dvc_state.dvc if dvc_state is not None else None, target.relpath)
        else:
            result = core_remove(text, name, previous=previous)
    except GTOError as error:
        return _fail(error.message, detail=error.detail, uri=target.uri, applied=False)
    return await _apply(ls, target, text, version, result, f"Remove annotation of {name}")


# --- gto.server.commit -----------------------------------------------------------------------------------------


async def commit(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    from gto_lsp.core.repo.lock import LockBusy

    name = arg_str(arg, "name", required=True)
    assert name is not None
    action = arg.get("action")
    if action not in ("annotate", "remove"):
        raise UserError('`action` must be "annotate" or "remove".')
    push = arg_bool(arg, "push")
    target = resolve_target(ls, arg, need_repo=True)
    assert target.root is not None
    if not ls.state.trusted:
        raise UserError("The workspace is not trusted: gto-lsp runs no git here, so it cannot commit.")
    settings = await ls.settings_for(target.root)
    if not settings.git_enabled:
        raise UserError("Git is turned off (`gto.git.enabled`), so gto-lsp cannot commit.")
    from gto_lsp.core.repo.commit import annotate_message, remove_message
    from gto_lsp.core.repo.run import GitError

    relpath = target.relpath
    open_doc = ls.open_document(target.uri)
    disk = await asyncio.to_thread(read_text, target.index)
    if open_doc is not None and open_doc.source != disk:
        raise UserError(f"Save {relpath} first: the commit takes the file as saved on disk.")
    if action == "annotate":
        message = annotate_message(name, arg_str(arg, "type"), arg_str(arg, "path"))
    else:
        message = remove_message(name)
    token = await progress_begin(ls, f"Committing {relpath}" + (" and pushing" if push else ""))
    try:
        result = await asyncio.to_thread(_commit_locked, target.root, target.index, relpath, message, push)
    except (GitError, LockBusy) as error:
        progress_end(ls, token, "Not committed")
        return _fail(error.message)
    except BaseException:
        progress_end(ls, token, "Failed")
        raise
    progress_end(ls, token, f"Committed {result.sha[:7]}")
    target.repo.current_head()
    from gto_lsp.lsp.features import diagnostics

    diagnostics.refresh(ls, target.root)
    answer: dict[str, Any] = {"ok": True, "sha": result.sha, "pushed": result.pushed, "files": list(result.files)}
    # Never "committed only artifacts.yaml" unless the commit read back from git holds only that file.
    holds = "" if not (result.others or result.left_out) else " " + result.holds()
    if holds:
        answer["otherFiles"] = list(result.others)
    if result.push_error:
        answer["message"] = result.push_error + holds
        answer["pushError"] = result.push_error
    else:
        pushed = " (pushed)" if result.pushed else ""
        answer["message"] = f"Committed {result.sha[:7]}: {result.message}{pushed}" + holds
    return answer


def _commit_locked(root: Path, path: Path, relpath: str, message: str, push: bool) -> CommitResult:
    """Commit the file holding its lock, so that a terminal's annotate does not write it meanwhile."""
    from gto_lsp.core.repo.commit import commit_file
    from gto_lsp.core.repo.lock import file_lock

    with file_lock(path):
        return commit_file(root, relpath, message, push)


async def progress_begin(ls: GtoLanguageServer, title: str) -> Optional[str]:
    if not ls.can("window.work_done_progress"):
        return None
    token = f"gto-commit-{uuid.uuid4()}"
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), 5)
        ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title, cancellable=False))
    except Exception as error:
        ls.log(f"no progress report: {error!r}", types.MessageType.Log)
        return None
    return token


def progress_end(ls: GtoLanguageServer, token: Optional[str], message: str) -> None:
    if token is None:
        return
    with contextlib.suppress(Exception):
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))


COMMANDS: dict[str, Handler] = {
    "gto.server.context": context,
    "gto.server.validateName": validate_name,
    "gto.server.annotate": annotate,
    "gto.server.remove": remove,
    "gto.server.commit": commit,
}

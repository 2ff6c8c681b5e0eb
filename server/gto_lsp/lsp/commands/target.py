"""Which annotations file a command acts on, inside the editor's workspace, and its text as the editor holds it."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from gto_lsp.core.formats import Format
from gto_lsp.core.formats.dvc.files import PathRefused, annotations_file
from gto_lsp.core.formats.dvc.format import DVC
from gto_lsp.core.formats.gto.format import GTO
from gto_lsp.core.messages import no_git_repo
from gto_lsp.core.paths import inside
from gto_lsp.lsp.commands.args import arg_str
from gto_lsp.lsp.commands.refusals import UserError
from gto_lsp.lsp.session.paths import norm, read_text, uri_to_path
from gto_lsp.lsp.session.repos import RepoState
from gto_lsp.lsp.session.server import GtoLanguageServer


@dataclass
class Target:
    root: Optional[Path]
    repo: RepoState
    index: Path  # the annotations file: artifacts.yaml, or a dvc.yaml
    uri: str
    format: Format = GTO

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
        fmt = state.format
        if fmt is None or state.path is None:
            raise UserError(f"{uri} is not an annotations file (artifacts.yaml or a dvc.yaml) of its repository.")
        if need_repo and state.root is None:
            raise UserError(no_git_repo(str(state.path.parent)))
        if state.root is not None:
            _annotations_file(state.root, state.path.relative_to(state.root).as_posix(), "uri")
        if not ls.is_open(uri):  # a document the editor holds is the user's choice; a file named is not
            _in_workspace(ls, state.path, uri)
        return Target(state.root, ls.repo(state.root), state.path, uri, fmt)
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
        if norm(root / file).name != DVC.file_name:  # the one index, or one of the many dvc.yaml files
            raise UserError(f"`file` must be the repository's artifacts.yaml or a dvc.yaml inside it, not '{file}'.")
        path = _annotations_file(root, file, "file")
        return Target(root, repo, path, ls.uri_for(path), DVC)
    return Target(root, repo, index, ls.uri_for(index))


def held(ls: GtoLanguageServer, target: Target) -> tuple[Optional[str], Optional[int], bool]:
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

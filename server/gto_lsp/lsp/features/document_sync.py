"""Lifecycle and document synchronisation: trust and settings at initialize, and what each open, edit, save and
close of `artifacts.yaml` or `.gto` sets in motion."""

from __future__ import annotations

from typing import Any, Mapping

from lsprotocol import types

from gto_lsp.lsp.features import diagnostics, watch, workspace_files
from gto_lsp.lsp.positions import use_lsp_lines
from gto_lsp.lsp.session.documents import CONFIG
from gto_lsp.lsp.session.server import GtoLanguageServer
from gto_lsp.lsp.settings import Settings


def initialize(ls: GtoLanguageServer, params: types.InitializeParams) -> None:
    use_lsp_lines(ls.workspace)
    options: Any = params.initialization_options
    if isinstance(options, Mapping):
        trusted = options.get("trusted", True)
        ls.state.trusted = trusted if isinstance(trusted, bool) else True
        ls.state.init_settings = Settings.from_client(options.get("settings"))
        commands = options.get("clientCommands")
        if isinstance(commands, list):
            ls.state.client_commands = frozenset(c for c in commands if isinstance(c, str))


async def initialized(ls: GtoLanguageServer) -> None:
    ls.spawn(watch.poll(ls))
    workspace_files.publish_workspace(ls)
    await watch.register(ls)


def shutdown(ls: GtoLanguageServer) -> None:
    for task in list(ls.state.background):
        task.cancel()


def _config_changed(ls: GtoLanguageServer, uri: str) -> None:
    """`.gto` opened, edited or closed: its text (or the disk's) is the repository's config now."""
    state = ls.doc_state(uri)
    repo = ls.repo(state.root)
    open_doc = ls.open_document(uri)
    repo.config_text = open_doc.source if open_doc is not None else None
    repo.drop_config()
    ls.reclassify()
    diagnostics.refresh(ls, state.root, force=True)
    diagnostics.schedule(ls, uri, 0)


def opened(ls: GtoLanguageServer, uri: str) -> None:
    state = ls.doc_state(uri)
    ls.state.from_disk.discard(uri)
    fmt = state.format
    if state.kind == CONFIG:
        _config_changed(ls, uri)
    elif fmt is not None:
        diagnostics.schedule(ls, uri, 0)
        if fmt.asks_git:
            ls.spawn(ls.warm(uri))


def changed(ls: GtoLanguageServer, uri: str) -> None:
    if not ls.is_open(uri):  # never opened: nothing changed (the workspace dropped the change)
        return
    state = ls.doc_state(uri)
    if state.kind == CONFIG:
        _config_changed(ls, uri)
    elif state.format is not None:
        diagnostics.schedule(ls, uri)


def saved(ls: GtoLanguageServer, uri: str) -> None:
    state = ls.doc_state(uri)
    if state.format is not None:
        # Another document may point at this one's paths; the saved text matters to `gto.server.commit`.
        ls.repo(state.root).view.exists_cache.clear()


def closed(ls: GtoLanguageServer, uri: str) -> None:
    state = ls.state.docs.get(uri)
    if state is None:
        return
    if state.task is not None:
        state.task.cancel()
    ls.state.from_disk.discard(uri)
    if state.kind == CONFIG:
        repo = ls.repo(state.root)
        repo.config_text = None
        repo.drop_config()
        ls.reclassify()
        diagnostics.refresh(ls, state.root, force=True)
        diagnostics.publish_config(ls, repo, ls.state.settings.get("", ls.state.init_settings), force=True)
        return
    del ls.state.docs[uri]
    fmt = state.format
    if fmt is None:
        return
    # A saved file keeps showing the problems of its saved text, as before it was opened: the workspace's artifacts
    # file, every dvc.yaml of a repository; any other (unsaved, or outside the workspace) has them cleared.
    saved = state.path is not None and state.path.is_file()
    if fmt.one_per_repository:
        saved = saved and state.path in workspace_files.workspace_index_files(ls)
    else:
        saved = saved and state.root is not None
    if saved:
        ls.state.from_disk.add(uri)
        diagnostics.schedule(ls, uri, 0)
    else:
        diagnostics.clear(ls, uri)


def configuration_changed(ls: GtoLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    ls.state.settings.clear()
    if not ls.can("workspace.configuration") and isinstance(params.settings, Mapping):
        ls.state.init_settings = Settings.from_client(params.settings, ls.state.init_settings)
    diagnostics.refresh(ls, force=True)


def folders_changed(ls: GtoLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    ls.state.settings.clear()
    for folder in params.event.removed:
        for uri in list(ls.state.from_disk):
            state = ls.state.docs.get(uri)
            if state is not None and ls.folder_for(state.path) is None:
                ls.state.from_disk.discard(uri)
                diagnostics.clear(ls, uri)
        del folder
    workspace_files.publish_workspace(ls)

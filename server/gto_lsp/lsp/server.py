"""Build the GTO language server and wire each LSP method to its feature module. No logic lives here.

Where each handler runs: pygls calls every handler on the one event loop. The `def` handlers (document sync,
symbols, folding ranges, code actions, prepareRename) return there at once: they read the parsed view
and schedule work. The `async def` ones (initialized, completion, hover, code lenses, codeAction/resolve,
definition, references, workspace symbols, rename, every command) start on the loop and await worker threads
(`asyncio.to_thread`) for git, the disk, the registry, the move to dvc.yaml and first parses over
`PARSE_OFF_LOOP` characters. Diagnostics are tasks on the loop that document sync starts,
one per document, debounced (features/diagnostics.py), with their git and disk reads in worker threads too.
The transport's reader thread (transport.py) frames messages and ends the process when the loop cannot.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from lsprotocol import types

from gto_lsp import __version__
from gto_lsp.lsp.command_names import REQUESTS, SERVER_COMMANDS
from gto_lsp.lsp.features import code_actions, code_lens, completion, document_sync, watch
from gto_lsp.lsp.guard import guarded, guarded_call
from gto_lsp.lsp.session.server import GtoLanguageServer
from gto_lsp.lsp.transport import strict_converter

__all__ = ["GtoLanguageServer", "build_server", "serve"]


def build_server() -> GtoLanguageServer:
    server = GtoLanguageServer("gto-lsp", __version__)
    strict_converter(server)

    # --- lifecycle ------------------------------------------------------------------------------------------

    @server.feature(types.INITIALIZE)
    def initialize(ls: GtoLanguageServer, params: types.InitializeParams) -> None:
        guarded_call(ls, "initialize", lambda: document_sync.initialize(ls, params), None)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: GtoLanguageServer, params: types.InitializedParams) -> None:
        await guarded(ls, "initialized", document_sync.initialized(ls), None)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: GtoLanguageServer, params: None) -> None:
        guarded_call(ls, "shutdown", lambda: document_sync.shutdown(ls), None)

    # --- documents ------------------------------------------------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: GtoLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        guarded_call(ls, "didOpen", lambda: document_sync.opened(ls, params.text_document.uri), None)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: GtoLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        guarded_call(ls, "didChange", lambda: document_sync.changed(ls, params.text_document.uri), None)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: GtoLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        guarded_call(ls, "didSave", lambda: document_sync.saved(ls, params.text_document.uri), None)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GtoLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        guarded_call(ls, "didClose", lambda: document_sync.closed(ls, params.text_document.uri), None)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: GtoLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        guarded_call(ls, "didChangeConfiguration", lambda: document_sync.configuration_changed(ls, params), None)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: GtoLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        guarded_call(ls, "didChangeWatchedFiles", lambda: watch.changed(ls, params), None)

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: GtoLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        guarded_call(ls, "didChangeWorkspaceFolders", lambda: document_sync.folders_changed(ls, params), None)

    # --- language features ----------------------------------------------------------------------------------

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=list(completion.TRIGGERS))
    )
    async def on_completion(ls: GtoLanguageServer, params: types.CompletionParams) -> types.CompletionList:
        empty = types.CompletionList(is_incomplete=False, items=[])
        return await guarded(ls, "completion", completion.complete(ls, params), empty)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: GtoLanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
        from gto_lsp.lsp.features import hover

        return await guarded(ls, "hover", hover.hover(ls, params), None)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(
        ls: GtoLanguageServer, params: types.DocumentSymbolParams
    ) -> Union[list[types.DocumentSymbol], list[types.SymbolInformation]]:
        empty: Union[list[types.DocumentSymbol], list[types.SymbolInformation]] = []
        from gto_lsp.lsp.features import symbols

        return guarded_call(ls, "documentSymbol", lambda: symbols.document_symbols(ls, params), empty)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def on_definition(ls: GtoLanguageServer, params: types.DefinitionParams) -> Optional[list[types.Location]]:
        from gto_lsp.lsp.features import names

        return await guarded(ls, "definition", names.definition(ls, params), None)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def on_references(ls: GtoLanguageServer, params: types.ReferenceParams) -> Optional[list[types.Location]]:
        from gto_lsp.lsp.features import names

        return await guarded(ls, "references", names.references(ls, params), None)

    @server.feature(types.WORKSPACE_SYMBOL)
    async def on_workspace_symbols(
        ls: GtoLanguageServer, params: types.WorkspaceSymbolParams
    ) -> list[types.SymbolInformation]:
        from gto_lsp.lsp.features import name_index

        return await guarded(ls, "workspace/symbol", name_index.workspace_symbols(ls, params), [])

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def on_prepare_rename(
        ls: GtoLanguageServer, params: types.PrepareRenameParams
    ) -> Optional[types.PrepareRenamePlaceholder]:
        from gto_lsp.lsp.features import names

        return guarded_call(ls, "prepareRename", lambda: names.prepare_rename(ls, params), None)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def on_rename(ls: GtoLanguageServer, params: types.RenameParams) -> Optional[types.WorkspaceEdit]:
        from gto_lsp.lsp.features import names

        return names.answer(await guarded(ls, "rename", names.rename(ls, params), None))

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))
    def on_links(ls: GtoLanguageServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
        from gto_lsp.lsp.features import navigation

        return guarded_call(ls, "documentLink", lambda: navigation.document_links(ls, params), [])

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def on_folding(ls: GtoLanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
        from gto_lsp.lsp.features import symbols

        return guarded_call(ls, "foldingRange", lambda: symbols.folding_ranges(ls, params), [])

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=list(code_actions.KINDS), resolve_provider=True),
    )
    def on_code_action(
        ls: GtoLanguageServer, params: types.CodeActionParams
    ) -> list[Union[types.Command, types.CodeAction]]:
        return guarded_call(ls, "codeAction", lambda: code_actions.code_actions(ls, params), [])

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def on_code_action_resolve(ls: GtoLanguageServer, params: types.CodeAction) -> types.CodeAction:
        from gto_lsp.lsp.features import migrate_action

        return await guarded(ls, "codeAction/resolve", migrate_action.resolve(ls, params), params)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def on_code_lens(ls: GtoLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        return await guarded(ls, "codeLens", code_lens.code_lenses(ls, params), [])

    # --- commands -------------------------------------------------------------------------------------------

    for name in SERVER_COMMANDS:
        _register_command(server, name)
    for method, name in REQUESTS.items():
        _register_request(server, method, name)

    return server


def _register_command(server: GtoLanguageServer, name: str) -> None:
    @server.command(name)
    async def run(ls: GtoLanguageServer, *args: Any) -> dict[str, Any]:
        from gto_lsp.lsp import commands

        return await commands.run(ls, name, commands.COMMANDS[name], list(args))


def _register_request(server: GtoLanguageServer, method: str, name: str) -> None:
    @server.feature(method)
    async def run(ls: GtoLanguageServer, params: Any) -> dict[str, Any]:
        from gto_lsp.lsp import commands

        return await commands.run(ls, name, commands.COMMANDS[name], [commands.request_params(params)])


def serve(host: Optional[str] = None, port: Optional[int] = None) -> None:
    """Run the server: over stdio, or over TCP when `host` is given."""
    import gc
    import logging

    logging.basicConfig(level=logging.WARNING, format="gto-lsp: %(levelname)s %(name)s: %(message)s")
    server = build_server()
    # What the imports created lives as long as the process: keep it out of every full garbage collection (the
    # stdio start turned the collector off while they ran: `cli.serve_stdio`).
    gc.freeze()
    gc.enable()
    if host is None:
        from gto_lsp.lsp.transport import start_io

        start_io(server)
    else:
        server.start_tcp(host, port or 2087)

"""The "Move annotations to dvc.yaml" code action on artifacts.yaml: core.migrate as one workspace edit of both
files (the root dvc.yaml created when missing, artifacts.yaml deleted when nothing is left in it), so one undo
in the editor reverts it.

Listing it costs nothing: the move is computed only once chosen, in a worker thread (a 13,000-entry file takes
seconds). Where the client declares `gto.migrate` (the VS Code extension) the action runs that command, which
calls `gto.server.migrate` and shows its summary; else the edit comes from codeAction/resolve when the client
resolves edits; else the action runs `gto.server.migrate`, which applies the edit itself."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from lsprotocol import types

from gto_lsp.core.edits import EditResult, GTOError
from gto_lsp.core.formats.dvc.files import DVC_FILE
from gto_lsp.core.migrate import MigrateResult, migrate
from gto_lsp.lsp.positions import LineIndex
from gto_lsp.lsp.session.documents import ARTIFACTS, View
from gto_lsp.lsp.session.paths import read_text
from gto_lsp.lsp.session.server import GtoLanguageServer

TITLE = "Move annotations to dvc.yaml"
CLIENT_COMMAND = "gto.migrate"
SERVER_COMMAND = "gto.server.migrate"
DATA_KEY = "gto.migrate"  # marks our action's `data` for codeAction/resolve


def _text_edits(ls: GtoLanguageServer, before: str, result: EditResult) -> list[types.TextEdit]:
    lines = LineIndex(before, ls.workspace.position_codec)
    return [
        types.TextEdit(range=types.Range(start=lines.position(e.start), end=lines.position(e.end)), new_text=e.new_text)
        for e in result.edits
    ]


def _resolves_edits(ls: GtoLanguageServer) -> bool:
    try:
        text_document = ls.client_capabilities.text_document
        support = text_document.code_action.resolve_support if text_document and text_document.code_action else None
        return support is not None and "edit" in (support.properties or [])
    except Exception:
        return False


def _can_delete(ls: GtoLanguageServer) -> bool:
    try:
        workspace = ls.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        return types.ResourceOperationKind.Delete in list(edit.resource_operations or []) if edit else False
    except Exception:
        return False


def _moves(kind: str) -> bool:
    """The move is from GTO's artifacts.yaml (into DVC's dvc.yaml)."""
    return kind == ARTIFACTS


def migrate_action(ls: GtoLanguageServer, view: View) -> Optional[types.CodeAction]:
    """Offered when artifacts.yaml has entries and the client can apply an edit to two documents; no edit yet."""
    if not _moves(view.kind) or view.format is None or view.root is None or not view.format.entries(view.parsed):
        return None
    if not ls.can("workspace.workspace_edit.document_changes"):
        return None
    kind = types.CodeActionKind.RefactorMove
    if CLIENT_COMMAND in ls.state.client_commands:
        argument = {"repository": str(view.root), "uri": view.uri}
        command = types.Command(title=TITLE, command=CLIENT_COMMAND, arguments=[argument])
        return types.CodeAction(title=TITLE, kind=kind, command=command)
    if _resolves_edits(ls):
        return types.CodeAction(title=TITLE, kind=kind, data={DATA_KEY: view.uri})
    command = types.Command(title=TITLE, command=SERVER_COMMAND, arguments=[{"uri": view.uri}])
    return types.CodeAction(title=TITLE, kind=kind, command=command)


class _Move:
    """A move computed for the texts the editor held: the result and the edit that applies it."""

    def __init__(self, result: MigrateResult, edit: Optional[types.WorkspaceEdit], source: str, deletes: bool) -> None:
        self.result = result
        self.edit = edit
        self.source = source  # artifacts.yaml's path from the root
        self.deletes = deletes  # the edit deletes artifacts.yaml (else it leaves `{}`)

    @property
    def summary(self) -> str:
        summary = self.result.summary(self.source)
        if self.result.emptied and not self.deletes:
            summary = summary.replace(
                f"removes {self.source} (nothing is left in it)", f"leaves `{{}}` in {self.source}"
            )
        return summary


async def compute_move(ls: GtoLanguageServer, uri: str) -> _Move:
    """The move of artifacts.yaml at `uri` into the root dvc.yaml. Raises GTOError when a file cannot be read."""
    view = ls.view(uri)
    state = ls.doc_state(uri)
    if view is None and _moves(state.kind) and state.path is not None and not state.path.exists():
        raise GTOError("no-file", f"No {state.path.name} in {state.path.parent}: nothing to move.")
    if view is None or not _moves(view.kind) or view.root is None or view.path is None:
        raise GTOError("not-artifacts", f"{uri} is not the artifacts.yaml of a repository, or it is too large.")
    source = view.path.relative_to(view.root).as_posix()
    dvc_path = view.root / DVC_FILE
    dvc_uri = ls.uri_for(dvc_path)
    open_doc = ls.open_document(dvc_uri)
    dvc_text = open_doc.source if open_doc is not None else read_text(dvc_path)
    dvc_version = open_doc.version if open_doc is not None else None
    gto_text = view.text
    # Pure text in, text out: safe off the event loop, which keeps answering meanwhile.
    result = await asyncio.to_thread(migrate, gto_text, dvc_text)
    if not result.moved:
        return _Move(result, None, source, False)
    changes: list[Any] = []
    if dvc_text is None:
        changes.append(
            types.CreateFile(uri=dvc_uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True))
        )
    changes.append(
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=dvc_uri, version=dvc_version),
            edits=list(_text_edits(ls, dvc_text or "", result.dvc)),
        )
    )
    deletes = result.emptied and _can_delete(ls)
    if deletes:
        # Nothing is left to read in it: GTO reads a missing artifacts.yaml as no annotations.
        changes.append(types.DeleteFile(uri=view.uri, options=types.DeleteFileOptions(ignore_if_not_exists=True)))
    else:
        changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=view.uri, version=view.version),
                edits=list(_text_edits(ls, gto_text, result.gto)),
            )
        )
    return _Move(result, types.WorkspaceEdit(document_changes=changes), source, deletes)


async def resolve(ls: GtoLanguageServer, action: types.CodeAction) -> types.CodeAction:
    """codeAction/resolve: the edit of our action, and its summary as the title; other actions unchanged."""
    data = action.data
    if not isinstance(data, dict) or not isinstance(data.get(DATA_KEY), str):
        return action
    try:
        move = await compute_move(ls, data[DATA_KEY])
    except GTOError as error:
        ls.log(f"Move annotations to dvc.yaml: {error}", types.MessageType.Warning)
        return action  # a file its tool cannot read: the diagnostics say why
    action.title = f"{TITLE}: {move.summary}"
    action.edit = move.edit or types.WorkspaceEdit(document_changes=[])
    return action

"""The "Move annotations to dvc.yaml" code action on artifacts.yaml: core.migrate as one workspace edit of both
files (the root dvc.yaml created when missing), so one undo in the editor reverts it."""

from __future__ import annotations

from typing import Optional

from lsprotocol import types

from ..core.annotate import EditResult, GTOError
from ..core.dvc.files import DVC_FILE
from ..core.migrate import migrate
from .positions import LineIndex
from .state import GtoLanguageServer, View, read_text

TITLE = "Move annotations to dvc.yaml"


def _text_edits(ls: GtoLanguageServer, before: str, result: EditResult) -> list[types.TextEdit]:
    lines = LineIndex(before, ls.workspace.position_codec)
    return [
        types.TextEdit(range=types.Range(start=lines.position(e.start), end=lines.position(e.end)), new_text=e.new_text)
        for e in result.edits
    ]


def migrate_action(ls: GtoLanguageServer, view: View) -> Optional[types.CodeAction]:
    """Offered when artifacts.yaml has entries and the client can apply an edit to two documents."""
    if view.root is None or not view.document.artifacts or not ls.can("workspace.workspace_edit.document_changes"):
        return None
    dvc_path = view.root / DVC_FILE
    dvc_uri = ls.uri_for(dvc_path)
    open_doc = ls.open_document(dvc_uri)
    dvc_text = open_doc.source if open_doc is not None else read_text(dvc_path)
    try:
        result = migrate(view.text, dvc_text)
    except GTOError:
        return None  # a file its tool cannot read: the diagnostics say why
    if not result.moved:
        return None
    changes: list[types.TextDocumentEdit | types.CreateFile] = []
    if dvc_text is None:
        changes.append(
            types.CreateFile(uri=dvc_uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True))
        )
    dvc_version = open_doc.version if open_doc is not None else None
    changes.append(
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=dvc_uri, version=dvc_version),
            edits=list(_text_edits(ls, dvc_text or "", result.dvc)),
        )
    )
    changes.append(
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=view.uri, version=view.version),
            edits=list(_text_edits(ls, view.text, result.gto)),
        )
    )
    skipped = f"; {len(result.skipped)} stay (" + ", ".join(f"{n}: {r}" for n, r in result.skipped) + ")"
    title = f"{TITLE} ({len(result.moved)} artifacts{skipped if result.skipped else ''})"
    return types.CodeAction(
        title=title, kind=types.CodeActionKind.RefactorMove, edit=types.WorkspaceEdit(document_changes=changes)
    )

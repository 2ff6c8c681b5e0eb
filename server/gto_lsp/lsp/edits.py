"""The one builder of a WorkspaceEdit of one document, for quick fixes and the annotate/remove commands: versioned
`documentChanges` when the client supports them (an edit of a document changed meanwhile is refused, never
applied over the change), else `changes`."""

from __future__ import annotations

from typing import Optional

from lsprotocol import types

from gto_lsp.core.fixes import Edit
from gto_lsp.lsp.session.documents import View
from gto_lsp.lsp.session.server import GtoLanguageServer


def document_edit(
    ls: GtoLanguageServer, uri: str, version: Optional[int], edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    """`edits` of the document `uri` at `version` (None: as saved)."""
    if ls.can("workspace.workspace_edit.document_changes"):
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=identifier, edits=list(edits))]
        )
    return types.WorkspaceEdit(changes={uri: edits})


def documents_edit(
    ls: GtoLanguageServer, changes: list[tuple[str, Optional[int], list[types.TextEdit]]]
) -> types.WorkspaceEdit:
    """One edit of several documents: (uri, version or None for a closed file, edits) each (a rename)."""
    if ls.can("workspace.workspace_edit.document_changes"):
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=list(edits),
                )
                for uri, version, edits in changes
            ]
        )
    return types.WorkspaceEdit(changes={uri: list(edits) for uri, _, edits in changes})


def workspace_edit(ls: GtoLanguageServer, view: View, edits: list[Edit]) -> types.WorkspaceEdit:
    """A fix's edits (spans) of the document as `view` holds it."""
    text_edits = [types.TextEdit(range=view.lines.range(span), new_text=text) for span, text in edits]
    return document_edit(ls, view.uri, view.version, text_edits)


def create_file_edit(ls: GtoLanguageServer, uri: str, text: str) -> Optional[types.WorkspaceEdit]:
    """Create the file `uri` holding `text` (kept if it exists meanwhile); None when the client cannot create files
    in an edit."""
    operations = []
    try:
        caps = ls.client_capabilities.workspace
        we = caps.workspace_edit if caps else None
        operations = list(we.resource_operations or []) if we else []
    except Exception:
        operations = []
    if not ls.can("workspace.workspace_edit.document_changes") or types.ResourceOperationKind.Create not in operations:
        return None
    start = types.Position(line=0, character=0)
    return types.WorkspaceEdit(
        document_changes=[
            types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=True)),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[types.TextEdit(range=types.Range(start=start, end=start), new_text=text)],
            ),
        ]
    )

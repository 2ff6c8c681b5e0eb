"""gto.server.migrate: the move of artifacts.yaml's annotations to dvc.yaml, for clients without
codeAction/resolve and for the palette (features/migrate_action.py computes it)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from gto_lsp.core.edits import GTOError
from gto_lsp.lsp.commands.target import resolve_target
from gto_lsp.lsp.features.migrate_action import TITLE, compute_move
from gto_lsp.lsp.session.server import GtoLanguageServer


async def migrate(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    """gto.server.migrate {uri} or {repository}: compute the move, apply it with workspace/applyEdit, and
    answer its summary. `dryRun`: only the summary."""
    uri = arg.get("uri")
    if not isinstance(uri, str) or not uri:
        uri = resolve_target(ls, {"repository": arg.get("repository")}).uri
    try:
        move = await compute_move(ls, uri)
    except GTOError as error:
        return {"ok": False, "message": str(error), "applied": False}
    summary = move.summary
    if move.edit is None:
        return {"ok": False, "message": f"{summary}.", "applied": False}
    if arg.get("dryRun") is True:
        return {"ok": True, "message": f"{summary}.", "applied": False}
    params = types.ApplyWorkspaceEditParams(edit=move.edit, label=TITLE)
    try:
        answer = await ls.workspace_apply_edit_async(params)
    except Exception as error:
        return {"ok": False, "message": f"The editor could not apply the move: {error}.", "applied": False}
    if not answer.applied:
        reason = answer.failure_reason or "a file changed since the move was computed"
        return {
            "ok": False,
            "message": f"The editor did not apply the move ({reason}). Run it again.",
            "applied": False,
        }
    return {"ok": True, "message": f"{summary}.", "applied": True}

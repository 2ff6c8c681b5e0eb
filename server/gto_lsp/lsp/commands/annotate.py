"""`gto.server.annotate` and `gto.server.remove`: the core's edit, applied by the editor as one versioned edit."""

from __future__ import annotations

import asyncio
import posixpath
from typing import TYPE_CHECKING, Any, Callable, Optional

from lsprotocol import types

from gto_lsp.core.messages import wrong_config
from gto_lsp.core.repo.safe_read import too_big
from gto_lsp.lsp.commands.args import arg_bool, arg_str, custom, labels
from gto_lsp.lsp.commands.refusals import UserError, fail, git_refusal
from gto_lsp.lsp.commands.target import Target, held, resolve_target
from gto_lsp.lsp.edits import create_file_edit, document_edit
from gto_lsp.lsp.features.diagnostics import too_large_refusal
from gto_lsp.lsp.positions import LineIndex
from gto_lsp.lsp.session.server import GtoLanguageServer

if TYPE_CHECKING:
    from gto_lsp.core.edits import EditResult


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
    if before is None:
        created = create_file_edit(ls, target.uri, result.text)
        if created is None:
            return _edit_answer(target, result, False, **fallback)
        edit = created
    else:
        edit = document_edit(ls, target.uri, version, text_edits)
    try:
        answer = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
    except Exception as error:
        ls.log(f"workspace/applyEdit failed: {error!r}", types.MessageType.Warning)
        return fail(f"The editor could not apply the change: {error}.", uri=target.uri, applied=False, **fallback)
    if not answer.applied:
        reason = answer.failure_reason or "the document changed since the change was computed"
        return fail(
            f"The editor did not apply the change ({reason}); nothing was changed. Run the command again.",
            uri=target.uri,
            applied=False,
        )
    return _edit_answer(target, result, True)


async def _in_head_for(ls: GtoLanguageServer, target: Target, path: Optional[str]) -> Optional[Callable[[str], bool]]:
    settings = await ls.settings_for(target.root)
    if target.root is None or not path:
        return None
    refusal = git_refusal(ls, settings, "check `must_exist` against git's HEAD commit")
    if refusal is not None:
        raise UserError(refusal)
    facts = await ls.facts(target.repo, settings)
    if facts is None:
        raise UserError(f"Git cannot read the repository at '{target.root}', so `must_exist` cannot be checked.")
    found = await asyncio.to_thread(facts.in_head, path)
    asked = posixpath.normpath(path)
    return lambda candidate: found if posixpath.normpath(candidate) == asked else False


def _refuse_wrong_config(target: Target) -> None:
    """GTO refuses every annotate and remove of artifacts.yaml when `.gto` has a problem (DVC never reads it)."""
    if target.format.reads_gto_config and target.root is not None and target.repo.config.problems:
        raise UserError(wrong_config(str(target.root)))


async def annotate(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    from gto_lsp.core.edits import AnnotateRequest, GTOError

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
        labels=labels(arg),
        description=arg_str(arg, "description") or "",
        custom=custom(arg),
    )
    target = resolve_target(ls, arg)
    _refuse_wrong_config(target)
    in_head = await _in_head_for(ls, target, path) if must_exist else None
    text, version, _ = held(ls, target)
    if text is not None and too_big(text):
        raise UserError(too_large_refusal(target.relpath, "annotate"))
    previous = _previous(ls, target)
    try:
        result = target.format.annotate(
            text, request, target.repo.config, in_head, previous, target.folder, target.relpath
        )
    except GTOError as error:
        return fail(error.message, detail=error.detail, uri=target.uri, applied=False)
    return await _apply(ls, target, text, version, result, f"Annotate artifact {name}")


def _previous(ls: GtoLanguageServer, target: Target) -> Any:
    """The document's last parse, when the server holds one in the target's format (an edit re-reads less)."""
    state = ls.state.docs.get(target.uri)
    return state.parsed if state is not None and state.format is target.format else None


async def remove(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    from gto_lsp.core.edits import GTOError

    name = arg_str(arg, "name", required=True)
    assert name is not None
    target = resolve_target(ls, arg)
    _refuse_wrong_config(target)
    text, version, _ = held(ls, target)
    if text is not None and too_big(text):
        raise UserError(too_large_refusal(target.relpath, "remove"))
    try:
        result = target.format.remove(text, name, _previous(ls, target), target.relpath)
    except GTOError as error:
        return fail(error.message, detail=error.detail, uri=target.uri, applied=False)
    return await _apply(ls, target, text, version, result, f"Remove annotation of {name}")

"""Code actions: a quick fix per diagnostic, chosen by its code (never by its message) by the document's format;
`source.fixAll.gto` applies the safe ones; on any entry, "Annotate artifact..." (the client's `gto.annotate`
command) and "Remove annotation" (an edit computed by the format's remove, so it works in every editor).

In dvc.yaml (one file of many) the entry actions pass the file (`file`, repository-relative) to the client's
commands, and "Remove annotation" is the client's `gto.remove` where declared, else the edit."""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from lsprotocol import types

from gto_lsp.core.fixes import Edit, Fix
from gto_lsp.core.formats import Format
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.lsp.edits import workspace_edit
from gto_lsp.lsp.features.diagnostics import SOURCE, problems_of
from gto_lsp.lsp.locate import entry_at
from gto_lsp.lsp.session.documents import View
from gto_lsp.lsp.session.server import GtoLanguageServer

FIX_ALL = "source.fixAll.gto"
KINDS = (types.CodeActionKind.QuickFix, types.CodeActionKind.Refactor, types.CodeActionKind.SourceFixAll, FIX_ALL)
ANNOTATE_COMMAND = "gto.annotate"
REMOVE_COMMAND = "gto.remove"


def fixes_for(view: View, fmt: Format, problem: Problem) -> list[Fix]:
    entry = entry_at(fmt.entries(view.parsed), problem.span.start)
    return fmt.fixes(view.parsed, entry, view.lines.lines, view.text, problem)


# --- LSP shapes ------------------------------------------------------------------------------------------------


def _overlaps(a: Span, b: Span) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start


def fix_all_edits(view: View, fmt: Format, problems: list[Problem]) -> list[Edit]:
    chosen: list[Edit] = []
    for problem in problems:
        safe = [fix for fix in fixes_for(view, fmt, problem) if fix.safe]
        if not safe:
            continue
        edits = safe[0].edits
        if any(_overlaps(span, other) for span, _ in edits for other, _ in chosen):
            continue
        chosen.extend(edits)
    return sorted(chosen, key=lambda edit: (edit[0].start, edit[0].end))


def _wants(only: Optional[list[str]], kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


def code_actions(ls: GtoLanguageServer, params: types.CodeActionParams) -> list[Union[types.Command, types.CodeAction]]:
    view = ls.view(params.text_document.uri)
    fmt = view.format if view is not None else None
    if view is None or fmt is None:
        return []
    only = list(params.context.only) if params.context.only else None
    settings = ls.settings_cached(view.path)
    problems = [p for p in problems_of(ls, view, fmt, settings) if p.file is None]
    out: list[Union[types.Command, types.CodeAction]] = []
    if _wants(only, types.CodeActionKind.QuickFix):
        by_key: dict[tuple[Any, ...], Problem] = {}
        for problem in problems:
            rng = view.lines.range(problem.span)
            by_key.setdefault(
                (problem.code, rng.start.line, rng.start.character, rng.end.line, rng.end.character), problem
            )
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
                continue
            rng = diagnostic.range
            found = by_key.get((diagnostic.code, rng.start.line, rng.start.character, rng.end.line, rng.end.character))
            if found is None:
                continue
            for fix in fixes_for(view, fmt, found):
                out.append(
                    types.CodeAction(
                        title=fix.title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=fix.preferred or None,
                        edit=workspace_edit(ls, view, list(fix.edits)),
                    )
                )
    if only and (
        _wants(only, FIX_ALL) or types.CodeActionKind.SourceFixAll in only or types.CodeActionKind.Source in only
    ):
        edits = fix_all_edits(view, fmt, problems)
        if edits:
            out.append(
                types.CodeAction(
                    title="Fix all GTO problems that have a safe fix",
                    kind=FIX_ALL,
                    edit=workspace_edit(ls, view, edits),
                )
            )
    if _wants(only, types.CodeActionKind.Refactor):
        pos = view.lines.pos(params.range.start)
        out.extend(_entry_actions(ls, view, fmt, pos))
    if _wants(only, types.CodeActionKind.RefactorMove):
        from gto_lsp.lsp.features.migrate_action import migrate_action  # the move's modules load at its first ask

        move = migrate_action(ls, view)
        if move is not None:
            out.append(move)
    return out


def _annotate_action(ls: GtoLanguageServer, name: str, prefill: dict[str, Any]) -> list[types.CodeAction]:
    """The client's annotate prompts, prefilled: only where the client declares the command."""
    if ANNOTATE_COMMAND not in ls.state.client_commands:
        return []
    title = f"Annotate artifact '{name}'..."
    command = types.Command(title=title, command=ANNOTATE_COMMAND, arguments=[prefill])
    return [types.CodeAction(title=title, kind=types.CodeActionKind.Refactor, command=command)]


# The last "Remove annotation" computed: (document, name, result). Code actions are asked on every cursor move,
# mostly within one entry; the removal (read back before it is offered) costs 0.2 s in a 13,000-entry file.
_last_removed: list[Any] = [None, None, None]


def _removed(document: Any, name: str, compute: Callable[[], Any]) -> Any:
    """The removal's EditResult, or None when the file's tool refuses it; cached for the last document and name."""
    from gto_lsp.core.edits import GTOError

    if _last_removed[0] is document and _last_removed[1] == name:
        return _last_removed[2]
    try:
        result = compute()
    except GTOError:
        result = None
    _last_removed[:] = [document, name, result]
    return result


def _entry_actions(
    ls: GtoLanguageServer, view: View, fmt: Format, pos: Pos
) -> list[Union[types.Command, types.CodeAction]]:
    entry = entry_at(fmt.entries(view.parsed), pos)
    if entry is None or not entry.name_is_string:
        return []
    name = str(entry.name)
    target: dict[str, Any] = {"name": name}
    if view.root is not None:
        target["repository"] = str(view.root)
    relpath = view.path.relative_to(view.root).as_posix() if view.root is not None and view.path is not None else None
    if relpath is not None or not fmt.one_per_repository:  # one file of many: the client is told which one
        target["file"] = relpath or fmt.file_name
    prefill = {**target, **fmt.request_values(view.parsed, entry, view.folder)}
    out: list[Union[types.Command, types.CodeAction]] = list(_annotate_action(ls, name, prefill))
    file = target.get("file", fmt.file_name)
    result = _removed(view.parsed, name, lambda: fmt.remove(view.text, name, view.parsed, file))
    if result is None:
        return out  # the file's tool refuses it: nothing is removed from it
    title = f"Remove annotation of '{name}'"
    if not fmt.one_per_repository and REMOVE_COMMAND in ls.state.client_commands:  # its prompt names the file
        command = types.Command(title=title, command=REMOVE_COMMAND, arguments=[target])
        out.append(types.CodeAction(title=title, kind=types.CodeActionKind.Refactor, command=command))
        return out
    edits = [(Span(edit.start, edit.end), edit.new_text) for edit in result.edits]
    out.append(types.CodeAction(title=title, kind=types.CodeActionKind.Refactor, edit=workspace_edit(ls, view, edits)))
    return out

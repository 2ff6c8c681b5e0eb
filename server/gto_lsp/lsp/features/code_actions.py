"""Code actions: a quick fix per diagnostic, chosen by its code (never by its message); `source.fixAll.gto`
applies the safe ones; on any entry, "Annotate artifact..." (the client's `gto.annotate` command) and "Remove
annotation" (an edit computed by core.annotate.remove, so it works in every editor).

In dvc.yaml the fixes are core.dvc.fixes'; the entry actions pass the file (`file`, repository-relative) to the
client's commands, and "Remove annotation" is the client's `gto.remove` where declared, else the edit."""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from lsprotocol import types

from gto_lsp.core import fixes
from gto_lsp.core.fixes import Edit, Fix, colon_after, field_value, flow_item_delete, line_span
from gto_lsp.core.formats.dvc.edit import remove as remove_dvc
from gto_lsp.core.formats.dvc.edit import values_of as dvc_values_of
from gto_lsp.core.formats.dvc.files import dvc_file_of, resolve_path
from gto_lsp.core.formats.dvc.fixes import fixes_for as dvc_fixes_for
from gto_lsp.core.formats.gto.document import Artifact
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.nodes import SequenceNode
from gto_lsp.lsp.edits import workspace_edit
from gto_lsp.lsp.features.diagnostics import SOURCE, problems_of
from gto_lsp.lsp.features.migrate_action import migrate_action
from gto_lsp.lsp.locate import artifact_at, entry_at
from gto_lsp.lsp.session.documents import ANNOTATIONS, DVC, View
from gto_lsp.lsp.session.server import GtoLanguageServer

FIX_ALL = "source.fixAll.gto"
KINDS = (types.CodeActionKind.QuickFix, types.CodeActionKind.Refactor, types.CodeActionKind.SourceFixAll, FIX_ALL)
ANNOTATE_COMMAND = "gto.annotate"
REMOVE_COMMAND = "gto.remove"

# --- one function per code -------------------------------------------------------------------------------------


def _unknown_field(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.unknown_field(view.lines.lines, artifact, problem)


def _type_not_allowed(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    allowed = (problem.data or {}).get("allowed") or []
    single = len(allowed) == 1
    return [Fix(f"Change the type to `{t}`", ((problem.span, str(t)),), single, single) for t in allowed]


def _suggestion(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.suggestion(problem)


def _set_virtual(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    if problem.code == "path-missing" and (problem.data or {}).get("virtual") is not False:
        return []
    node = field_value(artifact, "virtual")
    if node is None:
        return []
    return [Fix("Set `virtual: true`", ((artifact.span(node), "true"),), False)]


def _duplicate_label(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    labels = field_value(artifact, "labels")
    if not isinstance(labels, SequenceNode):
        return []
    label = (problem.data or {}).get("value", "")
    for item in labels.value:
        span = artifact.span(item)
        if span != problem.span:
            continue
        if labels.flow_style:
            target = flow_item_delete(view.lines.lines, span.start, span.end)
        else:
            target = line_span(view.lines.lines, span.start.line, span.end.line)
        return [Fix(f"Remove the duplicate label `{label}`", ((target, ""),), True, True)]
    return []


def _lax_boolean(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    value = (problem.data or {}).get("value")
    if not isinstance(value, bool):
        return []
    text = "true" if value else "false"
    return [Fix(f"Write `{text}`", ((problem.span, text),), True, True)]


def _entry_not_mapping(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    data = problem.data or {}
    if not data.get("fix"):
        return []
    colon = colon_after(view.lines.lines, artifact.name_span.end)
    if colon is None:
        return []
    end = Pos(colon.line, colon.col + 1)
    value = artifact.block.value
    if value is not None:
        span = artifact.span(value)
        if span.start.line == colon.line and span.end.line == colon.line and span.end > end:
            end = span.end
    return [Fix(f"Write `{artifact.name}: {{}}`", ((Span(Pos(colon.line, colon.col + 1), end), " {}"),), True, True)]


def _empty_file(view: View, artifact: Optional[Artifact], problem: Problem) -> list[Fix]:
    end = view.lines.end()
    prefix = "" if not view.text or view.text.endswith(("\n", "\r")) else "\n"
    return [Fix("Write `{}` (no artifacts)", ((Span(end, end), prefix + "{}\n"),), True, True)]


def _quote(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.quote(problem)


FIXERS: dict[str, Callable[[View, Any, Problem], list[Fix]]] = {
    "unknown-field": _unknown_field,
    "type-not-allowed": _type_not_allowed,
    "invalid-name": _suggestion,
    "invalid-label": _suggestion,
    "invalid-type": _suggestion,
    "path-missing": _set_virtual,
    "path-not-committed": _set_virtual,
    "duplicate-label": _duplicate_label,
    "lax-boolean": _lax_boolean,
    "entry-not-mapping": _entry_not_mapping,
    "empty-file": _empty_file,
    "wrong-type": _quote,
    "name-not-string": _quote,
}


def fixes_for(view: View, problem: Problem) -> list[Fix]:
    if view.dvc is not None:
        entry = entry_at(view.dvc.entries, problem.span.start)
        return dvc_fixes_for(view.dvc, view.lines.lines, entry, problem)
    fixer = FIXERS.get(problem.code)
    if fixer is None:
        return []
    artifact = artifact_at(view.document, problem.span.start)
    if artifact is None and problem.code != "empty-file":
        return []
    return fixer(view, artifact, problem)


# --- LSP shapes ------------------------------------------------------------------------------------------------


def _overlaps(a: Span, b: Span) -> bool:
    return (a.start < b.end and b.start < a.end) or a.start == b.start


def fix_all_edits(view: View, problems: list[Problem]) -> list[Edit]:
    chosen: list[Edit] = []
    for problem in problems:
        safe = [fix for fix in fixes_for(view, problem) if fix.safe]
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
    if view is None or view.kind not in ANNOTATIONS or (view.kind == DVC and view.dvc is None):
        return []
    only = list(params.context.only) if params.context.only else None
    settings = ls.settings_cached(view.path)
    problems = [p for p in problems_of(ls, view, settings) if p.file is None]
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
            for fix in fixes_for(view, found):
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
        edits = fix_all_edits(view, problems)
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
        out.extend(_dvc_entry_actions(ls, view, pos) if view.dvc is not None else _entry_actions(ls, view, pos))
    if view.dvc is None and _wants(only, types.CodeActionKind.RefactorMove):
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


def _dvc_entry_actions(ls: GtoLanguageServer, view: View, pos: Pos) -> list[Union[types.Command, types.CodeAction]]:
    assert view.dvc is not None
    entry = entry_at(view.dvc.entries, pos)
    if entry is None or not entry.name_is_string:
        return []
    name = str(entry.name)
    file = dvc_file_of(view.folder)
    target: dict[str, Any] = {"name": name, "file": file}
    if view.root is not None:
        target["repository"] = str(view.root)
    prefill = dict(target)
    values = dvc_values_of(entry)
    path = values.get("path")
    if isinstance(path, str):
        where = resolve_path(path, view.folder)
        prefill["path"] = where.resolved if where.problem is None else path  # the client's paths: from the root
    for key, field in (("type", "type"), ("description", "desc")):
        if isinstance(values.get(field), str):
            prefill[key] = values[field]
    if isinstance(values.get("labels"), list):
        prefill["labels"] = [str(label) for label in values["labels"]]
    out: list[Union[types.Command, types.CodeAction]] = list(_annotate_action(ls, name, prefill))
    result = _removed(view.dvc, name, lambda: remove_dvc(view.text, name, previous=view.dvc, file=file))
    if result is None:
        return out  # DVC refuses the file: nothing is removed from it
    title = f"Remove annotation of '{name}'"
    if REMOVE_COMMAND in ls.state.client_commands:
        command = types.Command(title=title, command=REMOVE_COMMAND, arguments=[target])
        out.append(types.CodeAction(title=title, kind=types.CodeActionKind.Refactor, command=command))
        return out
    edits = [(Span(edit.start, edit.end), edit.new_text) for edit in result.edits]
    out.append(types.CodeAction(title=title, kind=types.CodeActionKind.Refactor, edit=workspace_edit(ls, view, edits)))
    return out


def _entry_actions(ls: GtoLanguageServer, view: View, pos: Pos) -> list[Union[types.Command, types.CodeAction]]:
    artifact = artifact_at(view.document, pos)
    if artifact is None or not artifact.name_is_string:
        return []
    name = str(artifact.name)
    prefill: dict[str, Any] = {"name": name}
    if view.root is not None:
        prefill["repository"] = str(view.root)
        if view.path is not None:
            prefill["file"] = view.path.relative_to(view.root).as_posix()
    try:
        from gto_lsp.core.formats.gto.read import values_of

        values = values_of(view.document, artifact)
    except Exception:
        values = {}
    for key in ("type", "path", "description"):
        if isinstance(values.get(key), str):
            prefill[key] = values[key]
    if isinstance(values.get("labels"), list):
        prefill["labels"] = [str(label) for label in values["labels"]]
    if isinstance(values.get("virtual"), bool):
        prefill["virtual"] = values["virtual"]
    out: list[Union[types.Command, types.CodeAction]] = list(_annotate_action(ls, name, prefill))
    from gto_lsp.core.formats.gto.edit import remove

    result = _removed(view.document, name, lambda: remove(view.text, name, previous=view.document))
    if result is None:
        return out
    edits = [(Span(edit.start, edit.end), edit.new_text) for edit in result.edits]
    out.append(
        types.CodeAction(
            title=f"Remove annotation of '{name}'",
            kind=types.CodeActionKind.Refactor,
            edit=workspace_edit(ls, view, edits),
        )
    )
    return out

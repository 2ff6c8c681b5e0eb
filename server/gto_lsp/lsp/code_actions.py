"""Code actions: a quick fix per diagnostic, chosen by its code (never by its message); `source.fixAll.gto`
applies the safe ones; on any entry, "Annotate artifact..." (the client's `gto.annotate` command) and "Remove
annotation" (an edit computed by core.annotate.remove, so it works in every editor)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from lsprotocol import types

from ..core.parse import Artifact, MappingNode, Node, ScalarNode, SequenceNode
from ..core.problems import Pos, Problem, Span
from .diagnostics import SOURCE, problems_of
from .locate import artifact_at, node_span
from .state import ARTIFACTS, GtoLanguageServer, View

FIX_ALL = "source.fixAll.gto"
KINDS = (types.CodeActionKind.QuickFix, types.CodeActionKind.Refactor, types.CodeActionKind.SourceFixAll, FIX_ALL)
ANNOTATE_COMMAND = "gto.annotate"

Edit = tuple[Span, str]


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool  # applied by fix-all
    preferred: bool = False


# --- helpers over the document ---------------------------------------------------------------------------------


def _line_span(view: View, first: int, last: int) -> Span:
    """Whole lines first..last, with the line break after the last one."""
    if last + 1 < len(view.lines.lines):
        return Span(Pos(first, 0), Pos(last + 1, 0))
    if first > 0:  # the last line of the file: take the break before it instead
        return Span(Pos(first - 1, len(view.lines.line(first - 1))), Pos(last, len(view.lines.line(last))))
    return Span(Pos(first, 0), Pos(last, len(view.lines.line(last))))


def _field_nodes(artifact: Artifact, span: Span) -> Optional[tuple[MappingNode, Node, Node]]:
    value = artifact.block.value
    if not isinstance(value, MappingNode):
        return None
    for key, field_value in value.value:
        if artifact.span(key) == span:
            return value, key, field_value
    return None


def _field_value(artifact: Artifact, name: str) -> Optional[Node]:
    value = artifact.block.value
    if not isinstance(value, MappingNode):
        return None
    for key, field_value in value.value:
        if isinstance(key, ScalarNode) and key.value == name:
            found: Node = field_value
            return found
    return None


def _flow_item_delete(view: View, start: Pos, end: Pos) -> Span:
    """Delete an item of a one-line flow collection with one separator next to it."""
    text = view.lines.line(end.line)
    after = re.match(r"\s*,\s*", text[end.col :])
    if after and start.line == end.line:
        return Span(start, Pos(end.line, end.col + after.end()))
    line = view.lines.line(start.line)
    before = re.search(r",\s*$", line[: start.col])
    if before:
        return Span(Pos(start.line, before.start()), end)
    return Span(start, end)


def _colon_after(view: View, pos: Pos) -> Optional[Pos]:
    text = view.lines.line(pos.line)
    index = text.find(":", pos.col)
    return Pos(pos.line, index) if index >= 0 else None


# --- one function per code -------------------------------------------------------------------------------------


def _unknown_field(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    fixes = []
    data = problem.data or {}
    suggestion = data.get("suggestion")
    if isinstance(suggestion, str) and suggestion:
        fixes.append(Fix(f"Rename to `{suggestion}`", ((problem.span, suggestion),), True, True))
    found = _field_nodes(artifact, problem.span)
    if found is None:
        return fixes
    mapping, key, value = found
    field_name = data.get("field") or "this field"
    end = node_span(artifact, value).end
    start = artifact.span(key).start
    if mapping.flow_style:
        span = _flow_item_delete(view, start, end)
    elif len(mapping.value) == 1:
        colon = _colon_after(view, artifact.name_span.end)
        if colon is None:
            return fixes
        span = Span(Pos(colon.line, colon.col + 1), end)
        fixes.append(Fix(f"Remove field `{field_name}`", ((span, " {}"),), False))
        return fixes
    else:
        span = _line_span(view, start.line, end.line)
    fixes.append(Fix(f"Remove field `{field_name}`", ((span, ""),), False))
    return fixes


def _type_not_allowed(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    allowed = (problem.data or {}).get("allowed") or []
    single = len(allowed) == 1
    return [Fix(f"Change the type to `{t}`", ((problem.span, str(t)),), single, single) for t in allowed]


def _suggestion(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    suggestion = (problem.data or {}).get("suggestion")
    if not isinstance(suggestion, str) or not suggestion:
        return []
    return [Fix(f"Replace with `{suggestion}`", ((problem.span, suggestion),), True, True)]


def _set_virtual(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    if problem.code == "path-missing" and (problem.data or {}).get("virtual") is not False:
        return []
    node = _field_value(artifact, "virtual")
    if node is None:
        return []
    return [Fix("Set `virtual: true`", ((artifact.span(node), "true"),), False)]


def _duplicate_label(view: View, artifact: Artifact, problem: Problem) -> list[Fix]:
    labels = _field_value(artifact, "labels")
    if not isinstance(labels, SequenceNode):
        return []
    label = (problem.data or {}).get("value", "")
    for item in labels.value:
        span = artifact.span(item)
        if span != problem.span:
            continue
        if labels.flow_style:
            target = _flow_item_delete(view, span.start, span.end)
        else:
            target = _line_span(view, span.start.line, span.end.line)
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
    colon = _colon_after(view, artifact.name_span.end)
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
    quoted = (problem.data or {}).get("quoted")
    if not isinstance(quoted, str):
        return []
    return [Fix(f"Quote it: {quoted}", ((problem.span, quoted),), True, True)]


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
    fixer = FIXERS.get(problem.code)
    if fixer is None:
        return []
    artifact = artifact_at(view.document, problem.span.start)
    if artifact is None and problem.code != "empty-file":
        return []
    return fixer(view, artifact, problem)


# --- LSP shapes ------------------------------------------------------------------------------------------------


def workspace_edit(ls: GtoLanguageServer, view: View, edits: list[Edit]) -> types.WorkspaceEdit:
    text_edits = [types.TextEdit(range=view.lines.range(span), new_text=text) for span, text in edits]
    if ls.can("workspace.workspace_edit.document_changes"):
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=view.uri, version=view.version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=identifier, edits=list(text_edits))]
        )
    return types.WorkspaceEdit(changes={view.uri: text_edits})


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
    if view is None or view.kind != ARTIFACTS:
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
        out.extend(_entry_actions(ls, view, view.lines.pos(params.range.start)))
    return out


def _entry_actions(ls: GtoLanguageServer, view: View, pos: Pos) -> list[Union[types.Command, types.CodeAction]]:
    artifact = artifact_at(view.document, pos)
    if artifact is None or not artifact.name_is_string:
        return []
    name = str(artifact.name)
    prefill: dict[str, Any] = {"name": name}
    if view.root is not None:
        prefill["repository"] = str(view.root)
    try:
        from ..core.annotate import values_of

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
    out: list[Union[types.Command, types.CodeAction]] = []
    if ANNOTATE_COMMAND in ls.state.client_commands:
        out.append(
            types.CodeAction(
                title=f"Annotate artifact '{name}'...",
                kind=types.CodeActionKind.Refactor,
                command=types.Command(
                    title=f"Annotate artifact '{name}'...", command=ANNOTATE_COMMAND, arguments=[prefill]
                ),
            )
        )
    try:
        from ..core.annotate import GTOError, remove

        result = remove(view.text, name, previous=view.document)
    except GTOError:
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

"""Quick fixes for artifacts.yaml, one function per code (FIXERS), as text edits (core/fixes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Optional

from gto_lsp.core import fixes
from gto_lsp.core.fixes import Fix, colon_after, field_value, flow_item_delete, line_span
from gto_lsp.core.formats.gto.document import Artifact, Document
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.nodes import SequenceNode


def _unknown_field(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.unknown_field(lines, artifact, problem)


def _type_not_allowed(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    allowed = (problem.data or {}).get("allowed") or []
    single = len(allowed) == 1
    return [Fix(f"Change the type to `{t}`", ((problem.span, str(t)),), single, single) for t in allowed]


def _suggestion(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.suggestion(problem)


def _set_virtual(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    if problem.code == "path-missing" and (problem.data or {}).get("virtual") is not False:
        return []
    node = field_value(artifact, "virtual")
    if node is None:
        return []
    return [Fix("Set `virtual: true`", ((artifact.span(node), "true"),), False)]


def _duplicate_label(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    labels = field_value(artifact, "labels")
    if not isinstance(labels, SequenceNode):
        return []
    label = (problem.data or {}).get("value", "")
    for item in labels.value:
        span = artifact.span(item)
        if span != problem.span:
            continue
        if labels.flow_style:
            target = flow_item_delete(lines, span.start, span.end)
        else:
            target = line_span(lines, span.start.line, span.end.line)
        return [Fix(f"Remove the duplicate label `{label}`", ((target, ""),), True, True)]
    return []


def _lax_boolean(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    value = (problem.data or {}).get("value")
    if not isinstance(value, bool):
        return []
    written = "true" if value else "false"
    return [Fix(f"Write `{written}`", ((problem.span, written),), True, True)]


def _entry_not_mapping(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    data = problem.data or {}
    if not data.get("fix"):
        return []
    colon = colon_after(lines, artifact.name_span.end)
    if colon is None:
        return []
    end = Pos(colon.line, colon.col + 1)
    value = artifact.block.value
    if value is not None:
        span = artifact.span(value)
        if span.start.line == colon.line and span.end.line == colon.line and span.end > end:
            end = span.end
    return [Fix(f"Write `{artifact.name}: {{}}`", ((Span(Pos(colon.line, colon.col + 1), end), " {}"),), True, True)]


def _empty_file(lines: Sequence[str], text: str, artifact: Optional[Artifact], problem: Problem) -> list[Fix]:
    end = Pos(len(lines) - 1, len(lines[-1]))
    prefix = "" if not text or text.endswith(("\n", "\r")) else "\n"
    return [Fix("Write `{}` (no artifacts)", ((Span(end, end), prefix + "{}\n"),), True, True)]


def _quote(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.quote(problem)


FIXERS: dict[str, Callable[[Sequence[str], str, Any, Problem], list[Fix]]] = {
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


def fixes_for(
    document: Document, artifact: Optional[Artifact], lines: Sequence[str], text: str, problem: Problem
) -> list[Fix]:
    fixer = FIXERS.get(problem.code)
    if fixer is None or (artifact is None and problem.code != "empty-file"):
        return []
    return fixer(lines, text, artifact, problem)

"""Quick fixes for the problems of dvc.yaml's `artifacts:` section (core.dvc.rules), chosen by code, as text edits
of the real document. Safe fixes (applied by fix-all) keep every value: renames to DVC's field names, quoting,
`virtual` removed (DVC has no such field), `artifacts: {}`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable, Optional

from gto_lsp.core import fixes
from gto_lsp.core.fixes import Fix, colon_after
from gto_lsp.core.formats.dvc.document import DvcDocument, Entry
from gto_lsp.core.formats.dvc.pipeline.repair import PIPELINE_CODES, pipeline_fixes
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.blocks import node_end
from gto_lsp.core.yaml.nodes import MappingNode, ScalarNode
from gto_lsp.core.yaml.render import render_scalar


def _extra_key(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    if entry is None:
        return []
    virtual = (problem.data or {}).get("field") == "virtual"
    return fixes.unknown_field(lines, entry, problem, remove_safe=virtual)


def _wrong_type(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    data = problem.data or {}
    wrap = data.get("wrap")
    if isinstance(wrap, str):
        listed = f"[{render_scalar(wrap)}]"
        return [Fix(f"Write it as a list: {listed}", ((problem.span, listed),), True, True)]
    return fixes.quote(problem)


def _add_path(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    """`missing-path`, and `entry-not-mapping` of an entry with no value: a `path: ` line for the user to fill."""
    field = (problem.data or {}).get("add")
    if entry is None or not isinstance(field, str):
        return []
    title = f"Add `{field}:`"
    eol = document.line_ending
    value = entry.block.value
    name_col = entry.name_span.start.col
    if isinstance(value, MappingNode) and value.flow_style:
        brace = entry.pos(value.start_mark)
        text = f"{field}: " + (", " if value.value else "")
        return [Fix(title, ((Span.at(brace.line, brace.col + 1), text),), False)]
    if isinstance(value, MappingNode) and value.value:
        first_key = value.value[0][0]
        at = entry.pos(first_key.start_mark)
        if at.line == entry.name_span.start.line:
            return []
        return [Fix(title, ((Span.at(at.line, 0), " " * at.col + f"{field}: " + eol),), False)]
    colon = colon_after(lines, entry.name_span.end)
    if colon is None:
        return []
    start = Pos(colon.line, colon.col + 1)
    end = start
    if isinstance(value, ScalarNode):  # `rf: ~`, `rf: null`: the null goes
        value_end = node_end(entry, value)
        if value_end.line == start.line and value_end > start:
            end = value_end
    pad = " " * (name_col + document.field_indent)
    return [Fix(title, ((Span(start, end), eol + pad + f"{field}: "),), False)]


def _suggestion(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    return fixes.suggestion(problem)


def _quote(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    return fixes.quote(problem)


def _section(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    value = (problem.data or {}).get("fix")
    if not isinstance(value, str):
        return []
    colon = colon_after(lines, problem.span.end)
    if colon is None:
        return []
    at = Span.at(colon.line, colon.col + 1)
    return [Fix(f"Write `artifacts: {value}`", ((at, " " + value),), True, True)]


def _pipeline(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    return pipeline_fixes(lines, problem, document.line_ending)


def _tag(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    """`desc: =` in a pipeline section: written quoted (other tags have no sure fix)."""
    return fixes.quote(problem)


Fixer = Callable[[DvcDocument, Sequence[str], Optional[Entry], Problem], list[Fix]]

FIXERS: dict[str, Fixer] = {
    "extra-key": _extra_key,
    "wrong-type": _wrong_type,
    "missing-path": _add_path,
    "entry-not-mapping": _add_path,
    "invalid-name": _suggestion,
    "name-not-string": _quote,
    "section-not-mapping": _section,
    "unsupported-tag": _tag,
    **{code: _pipeline for code in PIPELINE_CODES},
}


def fixes_for(document: DvcDocument, lines: Sequence[str], entry: Optional[Entry], problem: Problem) -> list[Fix]:
    """The fixes of one problem. `lines`: the document's lines without breaks; `entry`: the entry holding the
    problem (None outside every entry)."""
    fixer = FIXERS.get(problem.code)
    return fixer(document, lines, entry, problem) if fixer is not None else []

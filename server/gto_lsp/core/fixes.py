"""Quick fixes as text edits: what a fix is, and the line arithmetic every format's fixes share (whole lines, an
item of a one-line flow collection, a field of an entry). `lines` are the document's lines without their breaks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.blocks import Placed, node_end
from gto_lsp.core.yaml.nodes import MappingNode, Node, ScalarNode

Edit = tuple[Span, str]


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool  # applied by fix-all
    preferred: bool = False


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number] if 0 <= number < len(lines) else ""


def line_span(lines: Sequence[str], first: int, last: int) -> Span:
    """Whole lines first..last, with the line break after the last one."""
    if last + 1 < len(lines):
        return Span(Pos(first, 0), Pos(last + 1, 0))
    if first > 0:  # the last line of the file: take the break before it instead
        return Span(Pos(first - 1, len(_line(lines, first - 1))), Pos(last, len(_line(lines, last))))
    return Span(Pos(first, 0), Pos(last, len(_line(lines, last))))


def flow_item_delete(lines: Sequence[str], start: Pos, end: Pos) -> Span:
    """Delete an item of a one-line flow collection with one separator next to it."""
    text = _line(lines, end.line)
    after = re.match(r"\s*,\s*", text[end.col :])
    if after and start.line == end.line:
        return Span(start, Pos(end.line, end.col + after.end()))
    line = _line(lines, start.line)
    before = re.search(r",\s*$", line[: start.col])
    if before:
        return Span(Pos(start.line, before.start()), end)
    return Span(start, end)


def colon_after(lines: Sequence[str], pos: Pos) -> Optional[Pos]:
    index = _line(lines, pos.line).find(":", pos.col)
    return Pos(pos.line, index) if index >= 0 else None


def field_nodes(artifact: Placed, span: Span) -> Optional[tuple[MappingNode, Node, Node]]:
    """(the entry's mapping, key, value) of the field whose key is at `span`."""
    value = artifact.block.value
    if not isinstance(value, MappingNode):
        return None
    for key, field_value in value.value:
        if artifact.span(key) == span:
            return value, key, field_value
    return None


def field_value(artifact: Placed, name: str) -> Optional[Node]:
    value = artifact.block.value
    if not isinstance(value, MappingNode):
        return None
    for key, found in value.value:
        if isinstance(key, ScalarNode) and key.value == name:
            node: Node = found
            return node
    return None


# --- fixes shared by the formats, chosen by the problem's data ------------------------------------------------


def unknown_field(lines: Sequence[str], artifact: Placed, problem: Problem, remove_safe: bool = False) -> list[Fix]:
    """A key the format does not know: rename it to `data.suggestion`, or remove the field (its value too)."""
    fixes = []
    data = problem.data or {}
    suggestion = data.get("suggestion")
    if isinstance(suggestion, str) and suggestion:
        fixes.append(Fix(f"Rename to `{suggestion}`", ((problem.span, suggestion),), True, True))
    found = field_nodes(artifact, problem.span)
    if found is None:
        return fixes
    mapping, key, value = found
    field_name = data.get("field") or "this field"
    start = artifact.span(key).start
    end = max(node_end(artifact, value), artifact.pos(value.start_mark))
    if mapping.flow_style:
        span = flow_item_delete(lines, start, end)
    elif len(mapping.value) == 1:
        colon = colon_after(lines, artifact.name_span.end)
        if colon is None:
            return fixes
        span = Span(Pos(colon.line, colon.col + 1), end)
        fixes.append(Fix(f"Remove field `{field_name}`", ((span, " {}"),), False))
        return fixes
    else:
        span = line_span(lines, start.line, end.line)
    fixes.append(Fix(f"Remove field `{field_name}`", ((span, ""),), remove_safe, remove_safe and not fixes))
    return fixes


def suggestion(problem: Problem) -> list[Fix]:
    """Replace the problem's text with `data.suggestion` (a valid name, label or type)."""
    suggested = (problem.data or {}).get("suggestion")
    if not isinstance(suggested, str) or not suggested:
        return []
    return [Fix(f"Replace with `{suggested}`", ((problem.span, suggested),), True, True)]


def quote(problem: Problem) -> list[Fix]:
    """Write the value quoted (`data.quoted`), so YAML reads it as the string it looks like."""
    quoted = (problem.data or {}).get("quoted")
    if not isinstance(quoted, str):
        return []
    return [Fix(f"Quote it: {quoted}", ((problem.span, quoted),), True, True)]

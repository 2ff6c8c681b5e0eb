"""`${}` in the YAML nodes of a dvc.yaml: where each reference is in the document, and a node resolved to the
value DVC makes of it, with a problem for each reference DVC cannot resolve.

Marks of a stage's nodes index into the text of the block that composed them: `source` is that text (the
block's own text, or for a stage of `DvcDocument.stages` the `stages:` block's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple, Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.formats.dvc.pipeline.interpolate import Context, Reference, references, resolve
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.blocks import Placed
from gto_lsp.core.yaml.nodes import (
    ALIAS_BUDGET,
    FLOAT,
    INT,
    STR,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    alias_excess,
    tag_of,
)
from gto_lsp.core.yaml.render import scalar_value

MAX_NODES = 100_000  # nodes one resolution visits at the most


@dataclass(frozen=True)
class Where:
    """A placed block and the text its marks index into."""

    placed: Placed
    source: str

    @staticmethod
    def of(placed: Placed, source: str = "") -> Where:
        return Where(placed, placed.block.text or source)

    def span(self, node: Node) -> Span:
        return self.placed.span(node)


def string_scalars(node: Optional[Node], keys: bool = True) -> Iterator[ScalarNode]:
    """The string scalars below `node` (mapping keys too when `keys`), each once, at most MAX_NODES visited."""
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack and len(seen) < MAX_NODES:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            if tag_of(current) == STR:
                yield current
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, MappingNode):
            for key, value in reversed(current.value):
                stack.append(value)
                if keys:
                    stack.append(key)


def reference_spans(where: Where, node: ScalarNode) -> list[tuple[Reference, Span]]:
    """Each `${...}` of a string scalar with its span in the document (the node's span where the source text
    does not show it as written, e.g. escapes in a quoted string)."""
    refs = references(node.value)
    if not refs:
        return []
    whole = where.span(node)
    raw = where.source[node.start_mark.index : node.end_mark.index] if where.source else ""
    out: list[tuple[Reference, Span]] = []
    searched = 0
    for ref in refs:
        written = node.value[ref.start : ref.end]
        at = raw.find(written, searched) if raw else -1
        if at < 0:
            out.append((ref, whole))
            continue
        searched = at + len(written)
        out.append((ref, Span(_placed(where, node, raw, at), _placed(where, node, raw, searched))))
    return out


class _Mark(NamedTuple):
    line: int
    column: int


def _placed(where: Where, node: ScalarNode, raw: str, offset: int) -> Pos:
    """The document position of `offset` in the node's source text (block-relative marks placed by the block)."""
    breaks = raw.count("\n", 0, offset)
    start = node.start_mark
    if not breaks:
        return where.placed.pos(_Mark(start.line, start.column + offset))
    return where.placed.pos(_Mark(start.line + breaks, offset - raw.rfind("\n", 0, offset) - 1))


def reference_at(where: Where, node: Node, pos: Pos) -> Optional[tuple[ScalarNode, Reference, Span]]:
    """The `${...}` under `pos` below `node`."""
    for scalar in string_scalars(node):
        span = where.span(scalar)
        if not span.start <= pos <= span.end:
            continue
        for ref, ref_span in reference_spans(where, scalar):
            if ref_span.start <= pos <= ref_span.end:
                return scalar, ref, ref_span
    return None


def resolution_problem(
    where: Where, node: ScalarNode, text: str, context: Context, field: Optional[str]
) -> tuple[Any, Optional[Problem]]:
    """(value, problem or None) of one string scalar."""
    result = resolve(text, context, field)
    if result.ok:
        return result.value, None
    if result.error == "undefined" and not context.complete:
        return None, None  # the name may be in the file that could not be read
    assert result.reference is not None
    span = where.span(node)
    for ref, ref_span in reference_spans(where, node):
        if ref.start == result.reference.start:
            span = ref_span
    return None, unresolved(result.error or "", result.reference, span, result.found, field)


def unresolved(error: str, ref: Reference, span: Span, found: Any, field: Optional[str]) -> Problem:
    written = "${" + ref.inner + "}"
    if error == "syntax":
        return problem(
            "dvc-variable-syntax",
            f"DVC cannot parse `{written}`: it takes a name followed by `.key` or `[index]` parts (`${{a.b[0]}}`). "
            "Fix the expression, or write `\\${` for a literal `${`.",
            span,
            fmt="dvc",
        )
    if error == "type":
        kind = "dict" if isinstance(found, dict) else "list"
        where = f"`{field}`" if field else "this value"
        allowed = " (a dict is allowed in `cmd`, written as `--key value` flags)" if kind == "dict" else ""
        return problem(
            "dvc-variable-type",
            f"`{written}` is a {kind}: DVC cannot interpolate data of type '{kind}' in {where}{allowed}. "
            "Name a scalar inside it (`${" + ref.inner + ".key}`).",
            span,
            data={"name": ref.name},
            fmt="dvc",
        )
    return problem(
        "dvc-variable-undefined",
        f"`{written}`: DVC could not find '{ref.name}' (not in params.yaml, `vars:` or the stage's `vars:`). "
        "Define it, or fix the name.",
        span,
        data={"name": ref.name},
        fmt="dvc",
    )


def resolve_node(
    where: Where,
    node: Optional[Node],
    context: Context,
    field: Optional[str],
    problems: Optional[list[Problem]] = None,
    data: bool = False,
    values: bool = True,
) -> Any:
    """The value DVC makes of `node` in `context` (mapping keys resolved too); each reference it cannot resolve
    adds a problem to `problems` and resolves to None. `data`: foreach or matrix data, which DVC resolves to its
    own wrapped values, so that a whole `${}` as a mapping key fails there whatever it names. `values=False`: only
    the problems are wanted, and scalars that are not strings are not converted (a ruamel load each: a flow list of
    100,000 numbers took 30 s)."""
    if node is None:
        return None
    if isinstance(node, (MappingNode, SequenceNode)) and alias_excess(node) > ALIAS_BUDGET:
        return None  # the alias bomb is reported by the entry rules
    budget = [MAX_NODES]

    def visit(current: Node) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        if isinstance(current, ScalarNode):
            if tag_of(current) != STR:
                return _scalar(current) if values else None
            value, found = resolution_problem(where, current, current.value, context, field)
            if found is not None and problems is not None:
                problems.append(found)
            return value
        if isinstance(current, SequenceNode):
            return [visit(item) for item in current.value]
        if isinstance(current, MappingNode):
            out: dict[Any, Any] = {}
            for key, value in current.value:
                if not isinstance(key, ScalarNode):  # a collection as a key (`{[a]: b}`): DVC leaves it alone
                    visit(value)
                    continue
                resolved_key = visit(key)
                if isinstance(resolved_key, (list, dict)) or (data and _whole_reference(key)):
                    if problems is not None:
                        problems.append(_unhashable_key(where, key))
                    continue
                out[resolved_key] = visit(value)
            return out
        return None

    return visit(node)


def _whole_reference(node: Node) -> bool:
    refs = references(node.value) if isinstance(node, ScalarNode) and tag_of(node) == STR else []
    return len(refs) == 1 and refs[0].start == 0 and refs[0].end == len(node.value)


def _unhashable_key(where: Where, key: Node) -> Problem:
    return problem(
        "dvc-variable-type",
        f"`{getattr(key, 'value', '')}` as a whole mapping key: DVC fails on it ('unhashable type'). Write the key "
        "as text around the `${}` (`${name}_x`), or use a list.",
        where.span(key),
        fmt="dvc",
    )


_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _scalar(node: ScalarNode) -> Any:
    """A scalar's value as ruamel reads it; the plain numbers without a shortcut (a ruamel load costs 0.15 ms, and a
    `foreach` may list 20,000 of them)."""
    tag, text = tag_of(node), node.value
    if tag == INT and _PLAIN_INT.fullmatch(text) and len(text) < 19:
        return int(text)
    if tag == FLOAT and _PLAIN_FLOAT.fullmatch(text) and len(text) < 20:
        return float(text)
    try:
        return scalar_value(node)
    except Exception:
        return node.value

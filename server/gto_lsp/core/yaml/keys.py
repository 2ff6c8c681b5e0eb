"""Repeated keys and `<<` merges in one entry's YAML: what GTO's (and DVC's) reader refuses. The problems are
relative to the entry's block and worded for GTO.
"""

from __future__ import annotations

from typing import Any, Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.parse import MERGE, STR, Artifact, MappingNode, Node, ScalarNode, SequenceNode, scalar_value, tag_of
from gto_lsp.core.problems import Problem, Related
from gto_lsp.core.yaml.tags import relative_span


def _key_value(node: ScalarNode) -> Any:
    """A key as GTO's reader constructs it, so `1` and `0x1` (or `null` and `~`) are the same key."""
    tag = tag_of(node)
    if tag == STR:
        return ("str", node.value)
    try:
        value = scalar_value(node)
    except Exception:
        return ("raw", node.value)
    return ("value", value)


def duplicate_keys(artifact: Artifact, node: Node, out: list[Problem]) -> None:
    stack = [node]
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, MappingNode):
            seen: dict[Any, Node] = {}
            merges = 0
            for k, v in current.value:
                if isinstance(k, ScalarNode) and tag_of(k) == MERGE:
                    merges += 1
                    reason = _merge_problem(v, merges)
                    if reason:
                        out.append(problem("duplicate-key", reason, relative_span(artifact, k), data={"key": "<<"}))
                    stack.append(v)
                    continue
                if isinstance(k, SequenceNode):
                    stack.extend((k, v))  # a list key is read as a tuple: fine for GTO
                    continue
                if not isinstance(k, ScalarNode):
                    out.append(
                        problem(
                            "duplicate-key",
                            "A mapping or a list cannot be a key: GTO cannot read the file. Use a plain word.",
                            relative_span(artifact, k),
                        )
                    )
                    stack.extend((k, v))
                    continue
                key = _key_value(k)
                if key in seen:
                    first = seen[key]
                    same = "" if first.value == k.value else f" (`{first.value}` and `{k.value}` are the same value)"
                    out.append(
                        problem(
                            "duplicate-key",
                            f"Duplicate key `{k.value}`{same}: GTO cannot read "
                            "a file with a repeated key. Remove one of them.",
                            relative_span(artifact, k),
                            related=(Related(relative_span(artifact, first), "first defined here"),),
                            data={"key": k.value},
                        )
                    )
                else:
                    seen[key] = k
                stack.append(v)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)


def _merge_problem(value: Node, count: int) -> Optional[str]:
    if count > 1:
        return "A second `<<` merge key in one mapping: GTO cannot read the file. Merge both in one `<<: [*a, *b]`."
    items = value.value if isinstance(value, SequenceNode) else [value]
    if all(isinstance(item, MappingNode) for item in items):
        return None
    return "`<<` merges mappings (an anchored `&name` mapping or a list of them); GTO cannot read this one."

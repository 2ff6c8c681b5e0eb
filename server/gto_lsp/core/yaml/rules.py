"""The YAML-level rules of one entry that both formats apply: tags GTO's safe reader cannot construct, repeated
keys and `<<` merges, a node's kind in words, and quoting a scalar that does not read as a string. They read
nodes only; problems are relative to the entry's block (placed later) and worded for GTO (the dvc.yaml rules
re-word what DVC refuses).
"""

from __future__ import annotations

import base64
import re
from typing import Any, Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.problems import Pos, Problem, Related, Span
from gto_lsp.core.yaml.nodes import (
    BOOL,
    FLOAT,
    IMPLICIT_FIRST,
    INT,
    MERGE,
    NULL,
    PLAIN,
    STR,
    TIMESTAMP,
    VALUE,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_standard_tag,
    resolve_plain,
    tag_of,
)
from gto_lsp.core.yaml.render import scalar_value


def relative_span(node: Node) -> Span:
    """Span of a node relative to the block it was composed in (stored in the memo, placed later)."""
    start, end = node.start_mark, node.end_mark
    return Span(Pos(start.line, start.column), Pos(end.line, end.column))


def node_kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = tag_of(node)
    short = tag.rsplit(":", 1)[-1]
    named = {NULL: "null", BOOL: "a boolean", STR: "a string"}.get(tag)
    return named or (f"an {short}" if short[:1] in "aeiou" else f"a {short}")


def tag_problems(text: str, node: Node, out: list[Problem]) -> None:
    """The tags GTO's safe reader cannot construct, in `node` (of a block whose text is `text`)."""
    free_equals = "=" in text and ("meta" in text or "custom" in text)
    if text and "!" not in text and "<<" not in text and "*" not in text and not free_equals:
        # No tag, merge key, alias or free-form `=` written: nothing to report (a quarter of the check's time). A
        # document composed whole (directives) has blocks without text: always walked.
        return
    stack: list[tuple[Node, bool, bool]] = [(node, False, False)]  # (node, is a key, inside meta/custom)
    seen: set[int] = set()
    while stack:
        current, is_key, free = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        reason = _tag_problem(current)
        if reason is None and not is_key and isinstance(current, ScalarNode):
            if tag_of(current) == MERGE:
                reason = "`<<` is a merge key, not a value: GTO cannot read the file. Quote it: '<<'."
            elif free and tag_of(current) == VALUE:  # typed fields say it as a wrong type
                reason = "A plain `=` is YAML's value tag, which the safe reader cannot build: GTO cannot read "
                reason += "the file. Quote it: '='."
        if reason is not None:
            out.append(problem("unsupported-tag", reason, relative_span(current)))
        if isinstance(current, SequenceNode):
            stack.extend((item, False, free) for item in current.value)
        elif isinstance(current, MappingNode):
            for k, v in current.value:
                opens = isinstance(k, ScalarNode) and k.value in ("meta", "custom")
                stack.extend(((k, True, free), (v, False, free or opens)))


def _tag_problem(node: Node) -> Optional[str]:
    """Why GTO's safe reader cannot construct this node's tag, if it cannot."""
    tag = str(node.tag)
    if not is_standard_tag(tag):
        return f"GTO's safe YAML reader cannot read the tag `{tag}`. Remove it."
    short = tag.rsplit(":", 1)[-1]
    if isinstance(node, ScalarNode):
        if tag == PLAIN or short in ("str", "value"):
            return None
        if not _fits_explicit_tag(short, node.value):
            return f"`!!{short} {node.value}` is not a valid {short}, and GTO cannot read the file. Remove the tag."
        if short in ("map", "seq", "set", "omap", "pairs"):
            return f"`!!{short}` on a single value: GTO cannot read the file. Remove the tag."
        return None
    kinds = ("map", "omap", "pairs", "set") if isinstance(node, MappingNode) else ("seq", "omap", "pairs")
    if short not in kinds:
        shape = "mapping" if isinstance(node, MappingNode) else "list"
        return f"`!!{short}` does not fit this {shape}: GTO cannot read the file. Remove the tag."
    return None


def _fits_explicit_tag(short: str, value: str) -> bool:
    """What ruamel.yaml's safe constructor accepts under an explicit scalar tag."""
    if short == "bool":
        return value.lower() in ("yes", "no", "true", "false", "on", "off")
    if short == "int":
        return (
            resolve_plain(value) == INT
            or re.fullmatch(r"[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)", value) is not None
        )
    if short == "float":
        return resolve_plain(value) in (INT, FLOAT)
    if short == "timestamp":
        return resolve_plain(value) == TIMESTAMP
    if short == "binary":
        try:
            base64.decodebytes(value.encode("ascii"))  # what ruamel's constructor does
        except (ValueError, UnicodeEncodeError):
            return False
    return True  # str, null, value: any text


def quote_hint(node: Node) -> str:
    if isinstance(node, ScalarNode) and tag_of(node) not in (STR, NULL):
        return f" Quote it: '{node.value}'."
    return ""


def quote_data(node: Node) -> dict[str, Any]:
    if isinstance(node, ScalarNode) and tag_of(node) not in (STR, NULL):
        return {"quoted": "'" + node.value.replace("'", "''") + "'"}
    return {}


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


def _plain_fields(node: MappingNode) -> bool:
    """Distinct string keys, each value a scalar or a list of scalars (an entry's usual fields): nothing for
    duplicate_keys to report. Its walk, a tag and a tuple per key, was a third of an entry's rules."""
    names = set()
    for key, value in node.value:
        if type(key) is not ScalarNode:
            return False
        tag, name = key.tag, key.value
        if tag != STR and not (tag == PLAIN and name and (name[0] not in IMPLICIT_FIRST or resolve_plain(name) == STR)):
            return False
        if name in names:
            return False
        names.add(name)
        if type(value) is not ScalarNode:
            if type(value) is not SequenceNode:
                return False
            for item in value.value:
                if type(item) is not ScalarNode:
                    return False
    return True


def duplicate_keys(node: Node, out: list[Problem]) -> None:
    if type(node) is MappingNode and _plain_fields(node):
        return
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
                tag = tag_of(k) if isinstance(k, ScalarNode) else None
                if tag == MERGE:
                    merges += 1
                    reason = _merge_problem(v, merges)
                    if reason:
                        out.append(problem("duplicate-key", reason, relative_span(k), data={"key": "<<"}))
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
                            relative_span(k),
                        )
                    )
                    stack.extend((k, v))
                    continue
                key = ("str", k.value) if tag == STR else _key_value(k)
                if key in seen:
                    first = seen[key]
                    same = "" if first.value == k.value else f" (`{first.value}` and `{k.value}` are the same value)"
                    out.append(
                        problem(
                            "duplicate-key",
                            f"Duplicate key `{k.value}`{same}: GTO cannot read "
                            "a file with a repeated key. Remove one of them.",
                            relative_span(k),
                            related=(Related(relative_span(first), "first defined here"),),
                            data={"key": k.value},
                        )
                    )
                else:
                    seen[key] = k
                if not isinstance(v, ScalarNode):  # a scalar holds no key
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

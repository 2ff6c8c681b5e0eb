"""The rules that read one entry alone: name, YAML tags, duplicate keys, and each field's value against the
field table. Their problems are relative to the entry's block, so they are computed once per block text (facts.py
keeps them) and placed where the block is.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.fields import FIELD_BY_NAME, FIELDS, Field, closest_field
from gto_lsp.core.names import invalid_name_message, is_valid_name, suggest_name
from gto_lsp.core.parse import (
    ALIAS_BUDGET,
    BINARY,
    BOOL,
    FLOAT,
    INT,
    MERGE,
    NULL,
    PLAIN,
    STR,
    TIMESTAMP,
    AliasExpansionError,
    Artifact,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    alias_excess,
    is_standard_tag,
    resolve_plain,
    scalar_value,
    tag_of,
)
from gto_lsp.core.problems import Problem, Related, Span
from gto_lsp.core.values import LAX_FALSE, LAX_TRUE


def relative_span(artifact: Artifact, node: Node) -> Span:
    """Span of a node relative to the block (stored in the memo, placed later)."""
    return Artifact(artifact.block, 0, 0).span(node)


def local_problems(artifact: Artifact) -> list[Problem]:
    out: list[Problem] = []
    key, value = artifact.key, artifact.block.value
    name_span = relative_span(artifact, key)
    name = artifact.name
    if not artifact.name_is_string:
        shown = key.value if isinstance(key, ScalarNode) else "a collection"
        out.append(
            problem(
                "name-not-string",
                f"Artifact name `{shown}` is read as {node_kind(key)}, not a string"
                f", and GTO cannot read the file. Quote it: '{shown}'.",
                name_span,
                data={"quoted": f"'{shown}'"} if isinstance(key, ScalarNode) else None,
            )
        )
    elif not is_valid_name(name):
        out.append(
            problem(
                "invalid-name",
                invalid_name_message(name, "artifact name"),
                name_span,
                data={"value": name, "suggestion": suggest_name(name)},
            )
        )
    tag_problems(artifact, key, out)
    # No `*` written: no alias to expand (a block composed whole has no text: always measured).
    if ("*" in artifact.block.text or not artifact.block.text) and alias_excess(value) > ALIAS_BUDGET:
        out.append(problem("alias-expansion", f"Artifact `{name}`: {AliasExpansionError()}", name_span))
        return out  # no other rule expands it
    if value is None or not isinstance(value, MappingNode) or str(value.tag).endswith(":set"):
        if value is None or (isinstance(value, ScalarNode) and tag_of(value) == NULL):
            out.append(
                problem(
                    "entry-not-mapping",
                    f"Artifact `{name}` has no fields, and GTO cannot read "
                    f"an empty entry. Write `{name}: {{}}` or add fields such as `type:` and `path:`.",
                    name_span,
                    data={"fix": "{}"},
                )
            )
        else:
            out.append(
                problem(
                    "entry-not-mapping",
                    f"Artifact `{name}` must be a mapping of fields "
                    f"({', '.join(f.name for f in FIELDS)}), not "
                    f"{node_kind(value)}.",
                    relative_span(artifact, value),
                )
            )
            tag_problems(artifact, value, out)
        return out
    duplicate_keys(artifact, value, out)
    tag_problems(artifact, value, out)
    for field_key, field_value in artifact.fields():
        if not isinstance(field_key, ScalarNode):
            out.append(
                problem(
                    "unknown-field",
                    "A field name must be a plain word; GTO ignores this one.",
                    relative_span(artifact, field_key),
                    data={"field": None},
                )
            )
            continue
        field_name = field_key.value
        spec = FIELD_BY_NAME.get(field_name)
        if spec is None:
            suggestion = closest_field(field_name)
            hint = f" Did you mean `{suggestion}`?" if suggestion else ""
            if suggestion and artifact.field(suggestion) is not None:
                hint = f" (`{suggestion}` is already set.)"
                suggestion = None
            out.append(
                problem(
                    "unknown-field",
                    f"Unknown field `{field_name}`: GTO ignores it and drops "
                    f"it the next time it writes the file.{hint}",
                    relative_span(artifact, field_key),
                    data={"field": field_name, "suggestion": suggestion},
                )
            )
            continue
        _field_value(artifact, spec, field_value, out)
    return out


def node_kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = tag_of(node)
    short = tag.rsplit(":", 1)[-1]
    named = {NULL: "null", BOOL: "a boolean", STR: "a string"}.get(tag)
    return named or (f"an {short}" if short[:1] in "aeiou" else f"a {short}")


def tag_problems(artifact: Artifact, node: Node, out: list[Problem]) -> None:
    text = artifact.block.text
    if text and "!" not in text and "<<" not in text and "*" not in text:
        # No tag, merge key or alias written: nothing to report (a quarter of the check's time). A document
        # composed whole (directives) has blocks without text: always walked.
        return
    stack: list[tuple[Node, bool]] = [(node, False)]
    seen: set[int] = set()
    while stack:
        current, is_key = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        reason = _tag_problem(current)
        if reason is None and not is_key and isinstance(current, ScalarNode) and tag_of(current) == MERGE:
            reason = "`<<` is a merge key, not a value: GTO cannot read the file. Quote it: '<<'."
        if reason is not None:
            out.append(problem("unsupported-tag", reason, relative_span(artifact, current)))
        if isinstance(current, SequenceNode):
            stack.extend((item, False) for item in current.value)
        elif isinstance(current, MappingNode):
            for k, v in current.value:
                stack.extend(((k, True), (v, False)))


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


def _field_value(artifact: Artifact, spec: Field, node: Node, out: list[Problem]) -> None:
    """A known field's value against its row of the field table: its kind, whether null is allowed, and the
    rule its text must follow (GTO's name rule for `type` and each label)."""
    tag = tag_of(node) if isinstance(node, ScalarNode) else None
    if tag == BINARY or (tag == NULL and spec.nullable):
        return  # GTO's reader decodes `!!binary` text into the string field
    if spec.kind == "string":
        if tag == STR and isinstance(node, ScalarNode):
            _value_rule(artifact, spec, node, out)
            return
        out.append(
            problem(
                "wrong-type",
                f"`{spec.name}` must be a string, not {node_kind(node)}; GTO cannot read the file.{quote_hint(node)}",
                relative_span(artifact, node),
                data={"field": spec.name, **quote_data(node)},
            )
        )
    elif spec.kind == "boolean":
        _boolean_value(artifact, spec, node, tag, out)
    elif spec.kind == "labels":
        _labels_value(artifact, spec, node, tag, out)
    # "any": every value is accepted


def _value_rule(artifact: Artifact, spec: Field, node: ScalarNode, out: list[Problem]) -> None:
    rule = spec.value_rule
    if rule is None or (not node.value and rule.allow_empty) or rule.accepts(node.value):
        return
    out.append(
        problem(
            rule.code,
            rule.message(node.value),
            relative_span(artifact, node),
            data={"value": node.value, "suggestion": rule.suggest(node.value)},
        )
    )


def _boolean_value(artifact: Artifact, spec: Field, node: Node, tag: Optional[str], out: list[Problem]) -> None:
    if tag == BOOL:
        return
    raw = node.value.lower() if isinstance(node, ScalarNode) else None
    number = number_of(node) if tag in (INT, FLOAT) else None
    if number in (0, 1) or (raw is not None and raw in LAX_TRUE | LAX_FALSE):
        meaning = number == 1 if number is not None else raw in LAX_TRUE
        out.append(
            problem(
                "lax-boolean",
                f"`{spec.name}: {node.value}` is read as {str(meaning).lower()} "
                "only by GTO's lax parsing (in YAML it is not a boolean). Write "
                f"`{str(meaning).lower()}`.",
                relative_span(artifact, node),
                data={"field": spec.name, "value": meaning},
            )
        )
        return
    out.append(
        problem(
            "wrong-type",
            f"`{spec.name}` must be true or false, not {node_kind(node)}; GTO cannot read the file.",
            relative_span(artifact, node),
            data={"field": spec.name},
        )
    )


MAX_ITEM_PROBLEMS = 999  # problems one list reports (with the note that it stopped: the publish cap, 1,000)


def _labels_value(artifact: Artifact, spec: Field, node: Node, tag: Optional[str], out: list[Problem]) -> None:
    is_set = isinstance(node, MappingNode) and str(node.tag).endswith(":set")
    if not isinstance(node, SequenceNode) and not is_set:
        out.append(
            problem(
                "wrong-type",
                f"`{spec.name}` must be a list of names, such as `{spec.name}: [ml]`, not"
                f" {node_kind(node)}; GTO cannot read the file.",
                relative_span(artifact, node),
                data={"field": spec.name, **({"wrap": node.value} if tag == STR else {})},
            )
        )
        return
    seen: dict[str, Node] = {}
    before = len(out)
    for item in [key for key, _ in node.value] if is_set else node.value:
        if len(out) - before >= MAX_ITEM_PROBLEMS:  # a 1 MB flow list made 349,524 problems (and 1 GB of them)
            out.append(
                problem(
                    "too-many-problems",
                    f"More than {MAX_ITEM_PROBLEMS:,} problems in `{spec.name}`: the rest of it is not checked.",
                    relative_span(artifact, node),
                )
            )
            break
        item_span = relative_span(artifact, item)
        if not isinstance(item, ScalarNode) or tag_of(item) != STR:
            out.append(
                problem(
                    "wrong-type",
                    f"Each label must be a string, not {node_kind(item)}; GTO cannot read the file.{quote_hint(item)}",
                    item_span,
                    data={"field": spec.name, **quote_data(item)},
                )
            )
            continue
        _value_rule(artifact, spec, item, out)
        if item.value in seen:
            out.append(
                problem(
                    "duplicate-label",
                    f"Label `{item.value}` is listed twice; GTO keeps one when it next updates this artifact.",
                    item_span,
                    related=(Related(relative_span(artifact, seen[item.value]), "first listed here"),),
                    data={"value": item.value},
                )
            )
        else:
            seen[item.value] = item


def number_of(node: Node) -> Optional[float]:
    try:
        value = scalar_value(node)
    except Exception:
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def quote_hint(node: Node) -> str:
    if isinstance(node, ScalarNode) and tag_of(node) not in (STR, NULL):
        return f" Quote it: '{node.value}'."
    return ""


def quote_data(node: Node) -> dict[str, Any]:
    if isinstance(node, ScalarNode) and tag_of(node) not in (STR, NULL):
        return {"quoted": "'" + node.value.replace("'", "''") + "'"}
    return {}

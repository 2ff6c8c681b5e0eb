"""The rules that read one entry alone: name, YAML tags and duplicate keys (yaml/rules.py, shared with
dvc.yaml), and each field's value against the field table. Their problems are relative to the entry's block, so
they are computed once per block text (facts.py keeps them) and placed where the block is. Facts, what every rule
needs of one entry (facts.py), is computed here once per block text, with the entry's own problems.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.fields import Field
from gto_lsp.core.formats.gto.facts import Facts
from gto_lsp.core.formats.gto.fields import FIELD_BY_NAME, FIELDS, closest_field
from gto_lsp.core.names import invalid_name_message, is_valid_name, suggest_name
from gto_lsp.core.paths import folder_keys, normalise
from gto_lsp.core.pause import EVERY, PAUSE
from gto_lsp.core.problems import MAX_ITEM_PROBLEMS, Problem, Related
from gto_lsp.core.values import LAX_FALSE, LAX_TRUE
from gto_lsp.core.yaml.blocks import BlockCache, Placed
from gto_lsp.core.yaml.nodes import (
    ALIAS_BUDGET,
    BINARY,
    BOOL,
    FLOAT,
    INT,
    NULL,
    STR,
    AliasExpansionError,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    alias_excess,
    tag_of,
)
from gto_lsp.core.yaml.render import scalar_value
from gto_lsp.core.yaml.rules import duplicate_keys, node_kind, quote_data, quote_hint, relative_span, tag_problems


def local_problems(artifact: Placed, pairs: Optional[list[tuple[Node, Node]]] = None) -> list[Problem]:
    """`pairs`: `artifact.fields()`, when the caller has them."""
    out: list[Problem] = []
    key, value = artifact.key, artifact.block.value
    name = artifact.name
    if not artifact.name_is_string:
        shown = key.value if isinstance(key, ScalarNode) else "a collection"
        out.append(
            problem(
                "name-not-string",
                f"Artifact name `{shown}` is read as {node_kind(key)}, not a string"
                f", and GTO cannot read the file. Quote it: '{shown}'.",
                relative_span(key),
                data={"quoted": f"'{shown}'"} if isinstance(key, ScalarNode) else None,
            )
        )
    elif not is_valid_name(name):
        out.append(
            problem(
                "invalid-name",
                invalid_name_message(name, "artifact name"),
                relative_span(key),
                data={"value": name, "suggestion": suggest_name(name)},
            )
        )
    tag_problems(artifact.block.text, key, out)
    # No `*` written: no alias to expand (a block composed whole has no text: always measured).
    if ("*" in artifact.block.text or not artifact.block.text) and alias_excess(value) > ALIAS_BUDGET:
        out.append(problem("alias-expansion", f"Artifact `{name}`: {AliasExpansionError()}", relative_span(key)))
        return out  # no other rule expands it
    if value is None or not isinstance(value, MappingNode) or str(value.tag).endswith(":set"):
        if value is None or (isinstance(value, ScalarNode) and tag_of(value) == NULL):
            out.append(
                problem(
                    "entry-not-mapping",
                    f"Artifact `{name}` has no fields, and GTO cannot read "
                    f"an empty entry. Write `{name}: {{}}` or add fields such as `type:` and `path:`.",
                    relative_span(key),
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
                    relative_span(value),
                )
            )
            tag_problems(artifact.block.text, value, out)
        return out
    duplicate_keys(value, out)
    tag_problems(artifact.block.text, value, out)
    for field_key, field_value in artifact.fields() if pairs is None else pairs:
        if not isinstance(field_key, ScalarNode):
            out.append(
                problem(
                    "unknown-field",
                    "A field name must be a plain word; GTO ignores this one.",
                    relative_span(field_key),
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
                    relative_span(field_key),
                    data={"field": field_name, "suggestion": suggestion},
                )
            )
            continue
        plain_string = spec.kind == "string" and type(field_value) is ScalarNode and tag_of(field_value) == STR
        if plain_string and spec.value_rule is None:
            continue  # a string where a string is due, and no rule on its text: what _field_value accepts
        _field_value(artifact, spec, field_value, out)
    return out


def _field_value(artifact: Placed, spec: Field, node: Node, out: list[Problem]) -> None:
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
                relative_span(node),
                data={"field": spec.name, **quote_data(node)},
            )
        )
    elif spec.kind == "boolean":
        _boolean_value(artifact, spec, node, tag, out)
    elif spec.kind == "labels":
        _labels_value(artifact, spec, node, tag, out)
    # "any": every value is accepted


def _value_rule(artifact: Placed, spec: Field, node: ScalarNode, out: list[Problem]) -> None:
    rule = spec.value_rule
    if rule is None or (not node.value and rule.allow_empty) or rule.accepts(node.value):
        return
    out.append(
        problem(
            rule.code,
            rule.message(node.value),
            relative_span(node),
            data={"value": node.value, "suggestion": rule.suggest(node.value)},
        )
    )


def _boolean_value(artifact: Placed, spec: Field, node: Node, tag: Optional[str], out: list[Problem]) -> None:
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
                relative_span(node),
                data={"field": spec.name, "value": meaning},
            )
        )
        return
    out.append(
        problem(
            "wrong-type",
            f"`{spec.name}` must be true or false, not {node_kind(node)}; GTO cannot read the file.",
            relative_span(node),
            data={"field": spec.name},
        )
    )


def _labels_value(artifact: Placed, spec: Field, node: Node, tag: Optional[str], out: list[Problem]) -> None:
    is_set = isinstance(node, MappingNode) and str(node.tag).endswith(":set")
    if not isinstance(node, SequenceNode) and not is_set:
        out.append(
            problem(
                "wrong-type",
                f"`{spec.name}` must be a list of names, such as `{spec.name}: [ml]`, not"
                f" {node_kind(node)}; GTO cannot read the file.",
                relative_span(node),
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
                    relative_span(node),
                )
            )
            break
        if not isinstance(item, ScalarNode) or tag_of(item) != STR:
            out.append(
                problem(
                    "wrong-type",
                    f"Each label must be a string, not {node_kind(item)}; GTO cannot read the file.{quote_hint(item)}",
                    relative_span(item),
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
                    relative_span(item),
                    related=(Related(relative_span(seen[item.value]), "first listed here"),),
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


# --- an entry's facts, kept per block ---------------------------------------------------------------------


# Each block's facts, kept while the block lives: an edit reuses the blocks it left alone (core/yaml/cut.py), and
# with them their facts. Facts depend on the block object, not only its text: flow entries share one text.
_FACTS: BlockCache[Facts] = BlockCache()


def facts(artifact: Placed) -> Facts:
    memo = _FACTS.get(id(artifact.block))
    if memo is None:
        memo = _FACTS.keep(artifact.block, _facts_of(artifact))
    return memo


_BLOCK = attrgetter("block")


def all_facts(artifacts: list[Placed]) -> list[Facts]:
    """facts() of every entry; Python runs only for the blocks not seen yet (after an edit, the one it touched).
    Still one pass over every entry per check."""
    found: list[Optional[Facts]] = list(map(_FACTS.get, map(id, map(_BLOCK, artifacts))))
    pause = PAUSE.get()
    start = 0
    while True:
        try:
            start = found.index(None, start)
        except ValueError:
            return found  # type: ignore[return-value]  # no None left
        found[start] = facts(artifacts[start])
        start += 1
        if pause is not None and not start % EVERY:
            pause()


def _facts_of(artifact: Placed) -> Facts:
    # Each name's first pair, as `artifact.field(name)` finds it: one pass over the fields, not one per name.
    pairs = list(artifact.fields())
    fields: dict[str, Node] = {}
    for key, value in pairs:
        if isinstance(key, ScalarNode) and key.value not in fields:
            fields[key.value] = value
    type_found = _string_field(fields.get("type"))
    path_found = _string_field(fields.get("path"))
    path = path_found[1] if path_found else None
    norm = normalise(path) if path else ""
    labels_node = fields.get("labels")
    if isinstance(labels_node, SequenceNode):
        items = list(labels_node.value)
    elif isinstance(labels_node, MappingNode) and str(labels_node.tag).endswith(":set"):
        items = [key for key, _ in labels_node.value]  # GTO reads a !!set of labels as a list
    else:
        items = []
    labels = tuple(item.value for item in items if isinstance(item, ScalarNode))
    name = artifact.name
    type_value = type_found[1] if type_found else None
    virtual = _virtual(fields.get("virtual"))
    return Facts(
        name,
        tuple(local_problems(artifact, pairs)),
        labels,
        type_value,
        type_found[0] if type_found else None,
        path,
        path_found[0] if path_found else None,
        virtual,
        norm,
        *folder_keys(norm),
        signature=(name, type_value, path, virtual),
    )


def _string_field(node: Optional[Node]) -> Optional[tuple[Node, str]]:
    if isinstance(node, ScalarNode) and tag_of(node) == STR:
        return node, node.value
    return None


def _virtual(node: Optional[Node]) -> bool:
    if node is None:
        return True
    if isinstance(node, ScalarNode):
        raw = node.value.lower()
        if raw in LAX_FALSE or (tag_of(node) in (INT, FLOAT) and number_of(node) == 0):
            return False
    return True

"""dvc.yaml's sections (all but `artifacts:`, checked by formats/dvc/rules.py) against DVC 3.67.1's schema
(schema.py): every problem at the key or value DVC refuses. DVC validates the raw YAML before it resolves `${}`,
so this reads the text as written. Never raises.

Each top-level block is checked alone and its problems kept, relative to it, while the block lives: an edit
re-checks only the blocks it touched. Aliased values (`*name`, `<<: *name`) are reported where the alias is.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Iterator, Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.formats.dvc.pipeline.schema import (
    BOOL,
    FOREACH,
    STAGE,
    STAGE_SHAPE,
    TOP,
    Shape,
    Table,
    fits,
    node_type,
    one_of,
    stage_table,
)
from gto_lsp.core.formats.dvc.pipeline.typos import RETIRED, closest
from gto_lsp.core.problems import MAX_ITEM_PROBLEMS, Problem, Span
from gto_lsp.core.yaml.blocks import Block, BlockMemo, Blocks, Placed
from gto_lsp.core.yaml.nodes import (
    MAP,
    MERGE,
    TIMESTAMP,
    VALUE,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_standard_tag,
    mapping_pairs,
    tag_of,
    walk,
)
from gto_lsp.core.yaml.rules import node_kind, quote_data, tag_problems

ARTIFACTS = "artifacts"
_MEMO = BlockMemo()
# DVC's `dvc stage add` refuses these in a stage name (dvc.stage.INVALID_STAGENAME_CHARS); loading does not.
_ODD_NAME_CHARS = set(string.punctuation) - {"_", "-"}
_LAX_BOOLEANS = {"yes": "true", "no": "false", "on": "true", "off": "false", "y": "true", "n": "false"}
_REFUSES = "DVC refuses this dvc.yaml."
_WALK_BUDGET = 100_000  # nodes of one value searched for dates


def schema_problems(top: Blocks, stages: Sequence[Placed]) -> list[Problem]:
    """The problems of every top-level block but `artifacts:`, placed in the document. `stages` (the stages placed
    as entries) share their nodes with the `stages` block, whose problems are kept for as long as it lives."""
    out: list[Problem] = []
    for placed in top.entries:
        key = placed.block.key
        if key is None or (isinstance(key, ScalarNode) and key.value == ARTIFACTS and placed.name_is_string):
            continue
        memo = _MEMO.of(placed.block)
        found = memo.get("schema")
        if found is None:
            found = memo["schema"] = _block_problems(placed.block)
        out.extend(placed.relative(p) for p in found)
    if stages and _inside_top(top, stages[0]):
        return out  # the stages were read from the `stages` block above (the section was not cut): checked there
    for stage in stages:
        memo = _MEMO.of(stage.block)
        found = memo.get("schema")
        if found is None:
            found = memo["schema"] = _block_problems(stage.block, stage=True)
        out.extend(stage.relative(p) for p in found)
    return out


def _inside_top(top: Blocks, stage: Placed) -> bool:
    for placed in top.entries:
        value = placed.block.value
        if isinstance(value, MappingNode) and any(key is stage.block.key for key, _ in value.value[:1]):
            return True
    return False


def _block_problems(block: Block, stage: bool = False) -> list[Problem]:
    try:
        walk = _Walk(Placed(block, 0))
        if stage:
            walk.stage_entry(walk.at.key, walk.value_of(block), walk.at.name_span, None)
        else:
            walk.top_level()
        return walk.out
    except Exception as error:  # never let a document break the check
        span = Placed(block, 0).name_span if block.key is not None else Span.at(0, 0)
        return [problem("dvc-wrong-type", f"gto-lsp could not check this section: {error}", span, fmt="dvc")]


class _Walk:
    """One block's check: the problems go to `out`, relative to the block."""

    def __init__(self, at: Placed) -> None:
        self.at = at
        self.out: list[Problem] = []

    def add(self, code: str, message: str, span: Span, data: Optional[dict[str, Any]] = None) -> None:
        if len(self.out) < MAX_ITEM_PROBLEMS:
            self.out.append(problem(code, message, span, data=data, fmt="dvc"))

    def span(self, node: Node, hold: Optional[Span]) -> Span:
        return hold if hold is not None else self.at.span(node)

    def top_level(self) -> None:
        block, at = self.at.block, self.at
        key = at.key
        name = key.value if isinstance(key, ScalarNode) else None
        found = TOP.get(name) if at.name_is_string else None
        if found is None:
            self.unknown_top(name)
            return
        self.check(self.value_of(block), found.shape, f"`{found.name}`", at.name_span, None)

    def value_of(self, block: Block) -> Node:
        """The block's value (a null where it has none), its tags checked."""
        if block.value is not None:
            found: list[Problem] = []
            tag_problems(block.text, block.value, found)
            self.out.extend(replace(p, message=_for_dvc(p.message)) for p in found)
            return block.value
        mark = self.at.key.end_mark
        return ScalarNode(tag="tag:yaml.org,2002:null", value="", start_mark=mark, end_mark=mark)

    def unknown_top(self, name: Any) -> None:
        known = tuple(k.name for k in TOP.keys)
        suggestion = closest(name, known) if isinstance(name, str) else None
        first_line = self.at.block.text.split("\n", 1)[0]
        shown = name if isinstance(name, str) else self.at.block.text[:40].split(":", 1)[0]
        if suggestion is not None:
            hint = f"Did you mean `{suggestion}`?"
        elif re.search(r":\s*&", first_line):
            hint = "DVC has no place for anchor holders: define the anchor where it is first used and alias it."
        else:
            hint = "Remove it, or move it into a section."
        message = f"DVC does not know the top-level key `{shown}` ({', '.join(known)}): {_REFUSES} {hint}"
        self.add("dvc-unknown-key", message, self.at.name_span, {"suggestion": suggestion, "field": shown})

    # --- values ---------------------------------------------------------------------------------------------------

    def check(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        kind = node_type(node)
        if not is_standard_tag(str(node.tag)):
            return  # tag_problems reported it
        if kind == "value" and isinstance(node, ScalarNode):
            quoted = {"quoted": "'='"}
            message = f"DVC's YAML reader cannot read a bare `=` as a value: {_REFUSES} Quote it: '='."
            self.add("unsupported-tag", message, self.span(node, hold), quoted)
            return
        if shape.kind == "one_of":
            fitting = [o for o in shape.options if fits(kind, o)]
            if not fitting:
                self.wrong(node, shape, label, owner, hold)
                return
            shape = fitting[0]
        if not fits(kind, shape):
            self.wrong(node, shape, label, owner, hold)
            return
        method = getattr(self, "shape_" + shape.kind, None)
        if method is not None:
            method(node, shape, label, owner, hold)

    def wrong(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        empty = isinstance(node, ScalarNode) and not node.value and node.start_mark.index == node.end_mark.index
        span = owner if empty and hold is None else self.span(node, hold)
        data: dict[str, Any] = {}
        if shape is STAGE_SHAPE and empty:
            self.add(
                "dvc-missing-key",
                f"{label[:1].upper() + label[1:]} has no definition: {_REFUSES} Add `cmd: <command>`.",
                span,
                {"add": "cmd"},
            )
            return
        if isinstance(node, ScalarNode) and shape.what.startswith(("a string", "a list")) and node_type(node) != "null":
            data = quote_data(node) if shape.what.startswith("a string") else {}
        hint = f" Quote it: {data['quoted']}." if "quoted" in data else ""
        if shape is BOOL and isinstance(node, ScalarNode) and node.value.lower() in ("true", "false", *_LAX_BOOLEANS):
            fixed = _LAX_BOOLEANS.get(node.value.lower(), node.value.lower())
            data = {"suggestion": fixed}
            hint = f" Write `{fixed}`."
        message = f"{label} must be {shape.what}, not {node_kind(node)}: {_REFUSES}{hint}"
        self.add("dvc-wrong-type", message, span, data or None)

    def shape_list(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        item_shape = shape.item
        if item_shape is None or item_shape.kind == "any":
            return
        before = len(self.out)
        for index, item in enumerate(node.value):
            if len(self.out) - before >= MAX_ITEM_PROBLEMS:
                break
            item_hold = hold if hold is not None else self._alias(item, node)
            self.check(item, item_shape, f"item {index + 1} of {label}", self.span(item, item_hold), item_hold)

    def shape_table(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        assert shape.table is not None
        self.keys_of(node, shape.table, label, owner, hold)

    def keys_of(self, node: Node, table: Table, label: str, owner: Span, hold: Optional[Span]) -> None:
        present: set[Any] = set()
        written = {k.value for k, _, _ in self.pairs(node, hold) if isinstance(k, ScalarNode)}
        known = tuple(k.name for k in table.keys if k.name not in written)  # a rename must not repeat a key
        for key, value, pair_hold in self.pairs(node, hold):
            name = (
                key.value if isinstance(key, ScalarNode) and tag_of(key) in ("tag:yaml.org,2002:str", VALUE) else None
            )
            present.add(name)
            found = table.get(name) if name is not None else None
            if found is None:
                shown = name if name is not None else getattr(key, "value", "?")
                suggestion = closest(name, known) if name is not None else None
                hint = (
                    f"Did you mean `{suggestion}`?" if suggestion else f"It accepts {', '.join(known) or 'no other'}."
                )
                if table is FOREACH and STAGE.get(name) is not None:
                    hint = "Move it under `do:`: a foreach stage has only `foreach` and `do`."
                elif isinstance(name, str) and name in RETIRED and suggestion is None:
                    hint = RETIRED[name]
                message = f"{table.name.capitalize()} has no key `{shown}`: {_REFUSES} {hint}"
                self.add(
                    "dvc-unknown-key", message, self.span(key, pair_hold), {"suggestion": suggestion, "field": shown}
                )
                continue
            self.check(value, found.shape, f"`{found.name}`", self.span(key, pair_hold), pair_hold)
        for key_def in table.keys:
            if key_def.required and key_def.name not in present:
                message = f"{label.capitalize()} needs `{key_def.name}`: {_REFUSES} Add `{key_def.name}: `."
                self.add("dvc-missing-key", message, owner, {"add": key_def.name})

    def shape_dict(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        assert shape.item is not None
        pairs = list(self.pairs(node, hold))
        is_stages = shape.item is STAGE_SHAPE
        if len(pairs) < shape.min_keys:
            self.add("dvc-missing-key", f"{label.capitalize()} needs a name: {_REFUSES} Write `- name:`.", owner)
        for count, (key, value, pair_hold) in enumerate(pairs):
            if count >= MAX_ITEM_PROBLEMS * 4 or len(self.out) >= MAX_ITEM_PROBLEMS:
                break
            key_span = self.span(key, pair_hold)
            if is_stages:
                self.stage_entry(key, value, key_span, pair_hold)
            elif self.string_key(key, key_span, "The keys of " + label, "dvc-wrong-type"):
                self.check(value, shape.item, f"`{key.value}`", key_span, pair_hold)

    def string_key(self, key: Node, span: Span, what: str, code: str) -> bool:
        if isinstance(key, ScalarNode) and tag_of(key) in ("tag:yaml.org,2002:str", VALUE):
            return True
        data = quote_data(key) if isinstance(key, ScalarNode) else None
        hint = f" Quote it: {data['quoted']}." if data and "quoted" in data else ""
        self.add(code, f"{what} must be strings, not {node_kind(key)}: {_REFUSES}{hint}", span, data)
        return False

    def stage_entry(self, key: Node, value: Node, key_span: Span, hold: Optional[Span]) -> None:
        if self.string_key(key, key_span, "Stage names", "dvc-invalid-stage-name"):
            assert isinstance(key, ScalarNode)
            self.stage(key, value, key_span, hold)

    def stage(self, key: ScalarNode, value: Node, key_span: Span, hold: Optional[Span]) -> None:
        name = key.value
        keys = {k.value for k, _, _ in self.pairs(value, hold) if isinstance(k, ScalarNode)}
        generated = bool(keys & {"foreach", "do", "matrix"}) and node_type(value) == "map"
        if not name:
            self.add("dvc-invalid-stage-name", f"A stage needs a name: {_REFUSES} Name it.", key_span)
        elif "@" in name and not generated:
            fixed = name.replace("@", "-")
            message = (
                f"`@` in `{name}` makes DVC look for an item of a foreach/matrix stage `{name.rsplit('@', 1)[0]}`: "
                f"{_REFUSES} Rename it, e.g. `{fixed}`."
            )
            self.add("dvc-invalid-stage-name", message, key_span, {"suggestion": fixed})
        elif _ODD_NAME_CHARS & set(name):
            fixed = "".join(c if c not in _ODD_NAME_CHARS else "-" for c in name)
            message = (
                f"DVC loads the stage `{name}`, but `dvc stage add` refuses such a name and `dvc repro {name}` may "
                f"misread it (only letters, digits, `_` and `-`). Rename it, e.g. `{fixed}`."
            )
            self.add("dvc-stage-name", message, key_span, {"suggestion": fixed})
        self.check(value, STAGE_SHAPE, f"stage `{name}`", key_span, hold)

    def shape_stage(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        keys = {k.value for k, _, _ in self.pairs(node, hold) if isinstance(k, ScalarNode)}
        self.keys_of(node, stage_table(keys), label, owner, hold)

    def shape_foreach(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        # A text that does not resolve to a list or a mapping is resolution's to report (scope.py).
        if node_type(node) in ("map", "list"):
            self.shape_variables(node, shape, label, owner, hold)

    def shape_dep(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        if not node.value:
            message = (
                f"An empty dependency path makes DVC fail building the stage: {_REFUSES} Name a file or remove it."
            )
            self.add("dvc-invalid-value", message, self.span(node, hold))

    def shape_variables(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        for count, current in enumerate(walk(node)):
            if count > _WALK_BUDGET:
                return
            if isinstance(current, ScalarNode) and tag_of(current) == TIMESTAMP:
                data = quote_data(current)
                message = (
                    f"DVC's variables hold strings, numbers, booleans, lists and mappings, not a date: DVC refuses "
                    f"this dvc.yaml when it builds the stages. Quote it: {data.get('quoted')}."
                )
                self.add("dvc-invalid-value", message, self.span(current, hold), data)

    def shape_matrix(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        pairs = list(self.pairs(node, hold))
        if not pairs:
            message = f"An empty `matrix` makes no stage and DVC fails building it: {_REFUSES} Add `name: [values]`."
            self.add("dvc-invalid-value", message, self.span(node, hold))
        assert shape.item is not None
        values = one_of(*shape.item.options) if shape.item.kind == "one_of" else shape.item
        for key, value, pair_hold in pairs:
            key_span = self.span(key, pair_hold)
            if not (isinstance(key, ScalarNode) and tag_of(key) == "tag:yaml.org,2002:str"):
                self.add(
                    "dvc-wrong-type",
                    f"The names of `matrix` must be strings, not {node_kind(key)}: {_REFUSES}",
                    key_span,
                    quote_data(key) if isinstance(key, ScalarNode) else None,
                )
                continue
            self.check(value, values, f"`matrix.{key.value}`", key_span, pair_hold)
            self.shape_variables(value, shape, label, owner, pair_hold)

    def shape_params_file(self, node: Node, shape: Shape, label: str, owner: Span, hold: Optional[Span]) -> None:
        for key, value, pair_hold in self.pairs(node, hold):
            kind = node_type(value)
            if kind == "list" or _falsy(value):
                continue
            shown = getattr(key, "value", "?")
            message = (
                f"The keys of params file `{shown}` must be a list (or nothing, for the whole file), not "
                f"{node_kind(value)}: DVC refuses this dvc.yaml when it builds the stage. Write `{shown}: [key]`."
            )
            self.add("dvc-wrong-type", message, self.span(value, pair_hold))

    # --- mappings as DVC's reader builds them ------------------------------------------------------------------------

    def pairs(self, node: Node, hold: Optional[Span]) -> Iterator[tuple[Node, Node, Optional[Span]]]:
        """(key, value, where to report) of a mapping: explicit keys first, then `<<` merges; a repeated key's first
        value wins. What comes from an anchor elsewhere is reported at the alias (or the `<<` key)."""
        if isinstance(node, SequenceNode) and node_type(node) == "map":  # !!omap: a list of one-pair mappings
            node = MappingNode(
                MAP,
                [p for i in node.value if isinstance(i, MappingNode) for p in i.value],
                node.start_mark,
                node.end_mark,
            )
        if not isinstance(node, MappingNode):
            return
        seen: set[Any] = set()
        merge_span: Optional[Span] = None
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.value == "<<" and tag_of(key) == MERGE:
                merge_span = self.at.span(key)
        for key, value in mapping_pairs(node):
            marker = key.value if isinstance(key, ScalarNode) else id(key)
            if marker in seen:
                continue
            seen.add(marker)
            pair_hold = hold
            if pair_hold is None and key.start_mark.index < node.start_mark.index:
                pair_hold = merge_span
            if pair_hold is None and value.start_mark.index < key.end_mark.index:
                pair_hold = self.at.span(key)
            yield key, value, pair_hold

    def _alias(self, item: Node, parent: Node) -> Optional[Span]:
        return self.at.span(parent) if item.start_mark.index < parent.start_mark.index else None


def _for_dvc(message: str) -> str:
    """A YAML rule's message (worded for GTO's reader) for DVC's, which reads these tags as GTO's does."""
    return (
        message.replace("GTO's safe YAML reader", "DVC's YAML reader")
        .replace("GTO cannot read the file", "DVC refuses this dvc.yaml")
        .replace("GTO cannot read", "DVC cannot read")
    )


def _falsy(node: Node) -> bool:
    if isinstance(node, (MappingNode, SequenceNode)):
        return not node.value
    kind = node_type(node)
    return kind == "null" or (
        kind in ("str", "bool", "int", "float")
        and node.value in ("", "false", "False", "FALSE", "0", "0.0", "''", '""')
    )

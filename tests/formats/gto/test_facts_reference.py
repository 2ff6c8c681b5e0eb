"""An entry's Facts, computed in one pass over its fields, equal the field-by-field reading (`Placed.field`, the
first pair of each name, merges after explicit keys) on entries that repeat, merge, tag and misshape fields;
`Placed.fields` equals `mapping_pairs` with and without merges."""

from __future__ import annotations

from typing import Any, Optional

from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.formats.gto.rules_entry import facts, number_of
from gto_lsp.core.paths import folder_keys, normalise
from gto_lsp.core.values import LAX_FALSE
from gto_lsp.core.yaml.blocks import Placed
from gto_lsp.core.yaml.nodes import FLOAT, INT, STR, MappingNode, ScalarNode, SequenceNode, mapping_pairs, tag_of

ENTRIES = [
    "a: {type: model, path: m.pkl, virtual: false, labels: [x, y]}",
    "b:\n  type: model\n  type: dataset\n  path: p\n  path: q\n",
    "base: &b {type: model, path: shared, virtual: no}\nc:\n  <<: *b\n  path: own\n",
    "d:\n  '<<': {type: x}\n  type: real\n",
    "e:\n  <<: [{type: t1}, {path: p1, virtual: 0}]\n  labels: !!set {a, b}\n",
    "f:\n  type: 12\n  path: null\n  virtual: 'false'\n  labels: one\n",
    "g:\n  ? [k]\n  : v\n  type: after-list-key\n  virtual: 0.0\n",
    "h:\n  type: !!str 12\n  path: ./a//b/\n  virtual: off\n  labels: [1, b, [c]]\n",
    "i: [not, a, mapping]",
    "j:",
    "k:\n  virtual: 1\n  path: ../out\n  <<: {path: merged}\n",
    "l: {type: {nested: map}, path: [list], virtual: [x], labels: {a: 1}}",
    "m:\n  virtual: False\n  type: ''\n  path: ''\n",
]


def _reference(artifact: Placed) -> tuple[Any, ...]:
    """The reading field by field (what facts did before its one-pass table)."""

    def string_field(name: str) -> Optional[tuple[Any, str]]:
        pair = artifact.field(name)
        if pair is not None and isinstance(pair[1], ScalarNode) and tag_of(pair[1]) == STR:
            return pair[1], pair[1].value
        return None

    type_found, path_found = string_field("type"), string_field("path")
    path = path_found[1] if path_found else None
    norm = normalise(path) if path else ""
    labels_pair = artifact.field("labels")
    node = labels_pair[1] if labels_pair else None
    if isinstance(node, SequenceNode):
        items = list(node.value)
    elif isinstance(node, MappingNode) and str(node.tag).endswith(":set"):
        items = [key for key, _ in node.value]
    else:
        items = []
    virtual = True
    pair = artifact.field("virtual")
    if pair is not None and isinstance(pair[1], ScalarNode):
        raw = pair[1].value.lower()
        if raw in LAX_FALSE or (tag_of(pair[1]) in (INT, FLOAT) and number_of(pair[1]) == 0):
            virtual = False
    type_value = type_found[1] if type_found else None
    return (
        artifact.name,
        tuple(item.value for item in items if isinstance(item, ScalarNode)),
        type_value,
        id(type_found[0]) if type_found else None,
        path,
        id(path_found[0]) if path_found else None,
        virtual,
        norm,
        folder_keys(norm),
        (artifact.name, type_value, path, virtual),
    )


def test_facts_equal_the_field_by_field_reading() -> None:
    checked = 0
    for text in [*ENTRIES, "\n".join(ENTRIES) + "\n"]:
        for artifact in parse(text).artifacts:
            found = facts(artifact)
            got = (
                found.name,
                found.labels,
                found.type,
                id(found.type_node) if found.type_node is not None else None,
                found.path,
                id(found.path_node) if found.path_node is not None else None,
                found.virtual,
                found.norm,
                (found.key, found.folders),
                found.signature,
            )
            assert got == _reference(artifact), text
            value = artifact.block.value
            if isinstance(value, MappingNode):
                assert list(artifact.fields()) == list(mapping_pairs(value)), text
            else:
                assert list(artifact.fields()) == [], text
            checked += 1
    assert checked > 2 * len(ENTRIES)

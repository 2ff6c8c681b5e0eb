"""What the rules need of one entry (its name, type, path, virtual, labels and its own problems), computed once
per block text and kept here while the block lives, so an edit re-checks only the entry it touched."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from typing import Any, Optional

from gto_lsp.core.formats.gto.document import Artifact
from gto_lsp.core.formats.gto.rules_entry import local_problems, number_of
from gto_lsp.core.paths import folder_keys, normalise
from gto_lsp.core.problems import Problem
from gto_lsp.core.values import LAX_FALSE
from gto_lsp.core.yaml.blocks import Block
from gto_lsp.core.yaml.nodes import FLOAT, INT, STR, MappingNode, Node, ScalarNode, SequenceNode, tag_of


@dataclass(frozen=True)
class Facts:
    """What the rules need of one entry, computed once per block text."""

    name: Any
    local: tuple[Problem, ...]  # problems of this entry alone, relative to its block
    labels: tuple[str, ...]
    type: Optional[str]
    type_node: Optional[Node]
    path: Optional[str]
    path_node: Optional[Node]
    virtual: bool
    norm: str
    key: int  # paths.folder_keys: of `norm`, and of each folder containing it, innermost first
    folders: tuple[int, ...]
    signature: tuple[Any, ...] = ()  # what the rules across entries read: name, type, path, virtual


# An edit reuses the blocks it left alone (core/yaml/cut.py), and with them their facts.
_FACTS: weakref.WeakKeyDictionary[Block, Facts] = weakref.WeakKeyDictionary()


def facts(artifact: Artifact) -> Facts:
    memo = _FACTS.get(artifact.block)
    if memo is None:
        type_found = _string_field(artifact, "type")
        path_found = _string_field(artifact, "path")
        path = path_found[1] if path_found else None
        norm = normalise(path) if path else ""
        labels_pair = artifact.field("labels")
        labels_node = labels_pair[1] if labels_pair else None
        if isinstance(labels_node, SequenceNode):
            items = list(labels_node.value)
        elif isinstance(labels_node, MappingNode) and str(labels_node.tag).endswith(":set"):
            items = [key for key, _ in labels_node.value]  # GTO reads a !!set of labels as a list
        else:
            items = []
        labels = tuple(item.value for item in items if isinstance(item, ScalarNode))
        memo = Facts(
            artifact.name,
            tuple(local_problems(artifact)),
            labels,
            type_found[1] if type_found else None,
            type_found[0] if type_found else None,
            path,
            path_found[0] if path_found else None,
            _virtual(artifact),
            norm,
            *folder_keys(norm),
        )
        memo = replace(memo, signature=(memo.name, memo.type, memo.path, memo.virtual))
        _FACTS[artifact.block] = memo
    return memo


def _string_field(artifact: Artifact, name: str) -> Optional[tuple[Node, str]]:
    pair = artifact.field(name)
    if pair is None:
        return None
    node = pair[1]
    if isinstance(node, ScalarNode) and tag_of(node) == STR:
        return node, node.value
    return None


def _virtual(artifact: Artifact) -> bool:
    pair = artifact.field("virtual")
    if pair is None:
        return True
    node = pair[1]
    if isinstance(node, ScalarNode):
        raw = node.value.lower()
        if raw in LAX_FALSE or (tag_of(node) in (INT, FLOAT) and number_of(node) == 0):
            return False
    return True

"""Find what is under the cursor in a parsed document: the entry, the field, the node. Core positions only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional, TypeVar

from gto_lsp.core.formats.gto.document import Artifact, Document
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.yaml.blocks import Placed, node_end
from gto_lsp.core.yaml.nodes import MappingNode, Node, ScalarNode


def artifact_at(document: Document, pos: Pos) -> Optional[Artifact]:
    """The entry whose lines hold `pos` (from its name's line through its last content line)."""
    return entry_at(document.artifacts, pos)


Entry = TypeVar("Entry", bound=Placed)


def entry_at(entries: Sequence[Entry], pos: Pos) -> Optional[Entry]:
    """Of entries in document order (an artifacts.yaml's, or a dvc.yaml section's), the first keyed one whose lines
    (its name's through its last content line) hold `pos`, in O(log n): a walk from the top took 0.1 s on the event
    loop near the end of 18,000 entries. Entries start and end in document order (the entries of one block share
    its last line), so the ones starting at or before the line are a prefix, and of those the ones ending at or
    after it a suffix of that prefix. (Bisected by hand: `bisect`'s `key` needs Python 3.10.)"""
    line = pos.line
    low, high = 0, len(entries)
    while low < high:  # the first entry starting after the line
        middle = (low + high) // 2
        if _first(entries[middle]) <= line:
            low = middle + 1
        else:
            high = middle
    started = low
    low = 0
    while low < high:  # of those before it, the first ending at or after the line
        middle = (low + high) // 2
        if _last(entries[middle]) < line:
            low = middle + 1
        else:
            high = middle
    for index in range(low, started):
        if entries[index].block.key is not None:  # a block without a key is no entry
            return entries[index]
    return None


def _first(entry: Placed) -> int:
    key = entry.block.key
    return entry.line + key.start_mark.line if key is not None else entry.line


def _last(entry: Placed) -> int:
    return entry.line + entry.block.last_line


def contains(span: Span, pos: Pos) -> bool:
    return span.start <= pos <= span.end


def node_span(artifact: Artifact, node: Node) -> Span:
    """A node's span up to its last content (block collections' end marks run on to the next key)."""
    start = artifact.pos(node.start_mark)
    return Span(start, max(node_end(artifact, node), start))


@dataclass(frozen=True)
class FieldHit:
    artifact: Artifact
    name: str
    key: Node
    value: Node
    key_span: Span
    value_span: Span
    on_key: bool  # the cursor is on the key (else on or after the value)


def field_at(artifact: Artifact, pos: Pos) -> Optional[FieldHit]:
    """The field (direct child of the entry) under the cursor, when the entry is a block or flow mapping."""
    value = artifact.block.value
    if not isinstance(value, MappingNode):
        return None
    best: Optional[FieldHit] = None
    for key, field_value in value.value:
        if not isinstance(key, ScalarNode):
            continue
        key_span = artifact.span(key)
        value_span = node_span(artifact, field_value)
        whole = Span(key_span.start, max(value_span.end, key_span.end))
        if contains(key_span, pos):
            return FieldHit(artifact, str(key.value), key, field_value, key_span, value_span, True)
        if contains(whole, pos):
            best = FieldHit(artifact, str(key.value), key, field_value, key_span, value_span, False)
    return best


def display_name(artifact: Artifact) -> str:
    name = artifact.name
    return str(name) if name is not None and str(name) != "" else "?"

"""A YAML document cut into top-level blocks: each block composed alone, and placed at its line.

Both formats read their entries as placed blocks: an artifacts.yaml's entries (formats/gto/document.py), and the
top level and the `artifacts:` section of a dvc.yaml (formats/dvc/document.py). cut.py makes them.

Positions are (line, column) in code points, 0-based; lines are counted as LSP clients count them.
"""

from __future__ import annotations

import bisect
import itertools
import re
import weakref
from array import array
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, TypeVar

from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.nodes import STR, VALUE, MappingNode, Node, ScalarNode, last_content_mark, mapping_pairs, tag_of

T = TypeVar("T")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Lines:
    """Line arithmetic over a text: offsets and (line, column) positions; a line ends at CRLF, CR or LF."""

    __slots__ = ("_line_starts", "line_ending", "text")

    def __init__(self, text: str, line_ending: str, line_starts: Optional[list[int]] = None) -> None:
        self.text = text
        self.line_ending = line_ending
        self._line_starts = line_starts

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = line_starts_of(self.text)
        return self._line_starts

    def offset(self, pos: Pos) -> int:
        """Offset in `text` of a (line, column) position, clamped to the line."""
        if pos.line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[pos.line]
        end = self.line_starts[pos.line + 1] if pos.line + 1 < len(self.line_starts) else len(self.text)
        line_text = self.text[start:end].rstrip("\r\n")
        return start + min(pos.col, len(line_text))

    def line_text(self, line: int) -> str:
        if line >= len(self.line_starts):
            return ""
        start = self.line_starts[line]
        end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> Pos:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return Pos(line, offset - self.line_starts[line])

    def end_pos(self) -> Pos:
        return self.position(len(self.text))


_LAST_SPLIT: list[tuple[str, list[str]]] = []


def text_lines(text: str) -> list[str]:
    """The lines of a text as LSP clients count them (CRLF, CR, LF), the last text's kept: the requests on an
    unchanged document (completion, hover) share one split of it."""
    last = _LAST_SPLIT[0] if _LAST_SPLIT else None
    if last is not None and last[0] is text:
        return last[1]
    found = _LINE_BREAK.split(text)
    _LAST_SPLIT[:] = [(text, found)]
    return found


def line_starts_of(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def detect_line_ending(text: str) -> str:
    match = _LINE_BREAK.search(text)
    return match.group(0) if match else "\n"


@dataclass(frozen=True, eq=False)
class Block:
    """One top-level entry, composed alone; marks are relative to the block's first line.

    A value: nothing is written on it after the read. Compared and hashed by identity: an edit reuses the blocks
    whose text it left alone, so what is computed from a block alone is kept, weakly, by whoever computes it
    (rules_entry.facts, BlockMemo)."""

    text: str
    key: Optional[Node]
    value: Optional[Node]
    error: Optional[Problem]  # relative span
    last_line: int  # relative line of the entry's last content line
    extra: tuple[Problem, ...] = ()  # problems of a block that composed (stray tabs), relative


class BlockCache(dict[int, T]):
    """What a module computed from each block, kept by that module while the block lives (a parse value carries
    none): an edit reuses the blocks it left alone, and with them what was computed from them.

    Keyed by the block's id, so a look-up is a plain dict's, in C: `cache.get(id(block))`. No other block can take
    that id while the entry exists: `keep` attaches a weak reference whose callback drops the entry as the block
    dies. (A weak reference made per look-up cost a check of 10,000 entries 1-2 ms more.)"""

    def __init__(self) -> None:
        super().__init__()
        self._holders: dict[int, weakref.ref[Block]] = {}

    def keep(self, block: Block, value: T) -> T:
        key = id(block)
        if key not in self._holders:

            def forget(_: weakref.ref[Block]) -> None:
                self.pop(key, None)
                self._holders.pop(key, None)

            self._holders[key] = weakref.ref(block, forget)
        self[key] = value
        return value


class BlockMemo(BlockCache[dict[str, Any]]):
    """A dict of results per block, made on first use (`memo.of(block)`)."""

    def of(self, block: Block) -> dict[str, Any]:
        found = self.get(id(block))
        return found if found is not None else self.keep(block, {})


@dataclass(frozen=True)
class Placed:
    """A block placed in the document: a top-level `name: value` entry."""

    block: Block
    line: int  # document line of the block's first line
    col_shift: int = 0  # 1 when line 0 holds a BOM the parser did not count

    @property
    def key(self) -> Node:
        assert self.block.key is not None
        return self.block.key

    @property
    def value(self) -> Node:
        assert self.block.value is not None
        return self.block.value

    @property
    def name(self) -> Any:
        """The key as GTO sees it: a str for a plain or quoted string key, else the raw scalar text."""
        key = self.key
        return key.value if isinstance(key, ScalarNode) else None

    @property
    def name_is_string(self) -> bool:
        # A plain `=` is YAML's "value" tag, which ruamel reads as the string "=" when it is a key.
        return isinstance(self.key, ScalarNode) and tag_of(self.key) in (STR, VALUE)

    def pos(self, mark: Any) -> Pos:
        line = self.line + mark.line
        return Pos(line, mark.column + (self.col_shift if line == 0 else 0))

    def span(self, node: Node) -> Span:
        return Span(self.pos(node.start_mark), self.pos(node.end_mark))

    def relative(self, problem: Problem) -> Problem:
        """A problem stored relative to the block, placed in the document."""
        return problem.shifted(self.line, self.col_shift)

    @property
    def name_span(self) -> Span:
        return self.span(self.key)

    @property
    def first_line(self) -> int:
        return self.line + self.key.start_mark.line

    @property
    def last_line(self) -> int:
        return self.line + self.block.last_line

    @property
    def entry_span(self) -> Span:
        return Span(self.pos(self.key.start_mark), content_end(self))

    def fields(self) -> Iterator[tuple[Node, Node]]:
        """(key, value) pairs of the entry when it is a mapping; `<<` merges expanded, explicit keys first."""
        value = self.block.value
        if not isinstance(value, MappingNode):
            return iter(())
        for key, _ in value.value:
            if isinstance(key, ScalarNode) and key.value == "<<":
                return mapping_pairs(value)
        return iter(value.value)  # no merge: the pairs as written (mapping_pairs' answer, without a generator)

    def field(self, name: str) -> Optional[tuple[Node, Node]]:
        for key, value in self.fields():
            if isinstance(key, ScalarNode) and key.value == name:
                return key, value
        return None


def content_end(entry: Placed) -> Pos:
    """End of the entry's last content (marks of block collections point past trailing comments)."""
    return node_end(entry, entry.block.value if entry.block.value is not None else entry.key)


def node_end(entry: Placed, node: Node) -> Pos:
    """End of a node's last content in the document, placed by the entry that holds it."""
    return entry.pos(last_content_mark(node))


# A block in the document: (line, block, the block placed or None when it failed); its offset is in Blocks.offsets.
Slot = tuple[int, Block, Optional[Placed]]


@dataclass(frozen=True, eq=False)
class Blocks:
    """A document read into placed blocks (or composed whole, where the cut cannot express it)."""

    lines: Lines
    entries: list[Placed]  # the blocks that composed, in document order
    problems: list[Problem]  # parse problems, absolute
    top: Optional[Node]  # the whole-document node on the slow path; None on the block path
    kind: str  # "mapping", "empty", "not-mapping", "error"
    flow: bool  # top level written in flow style: edits rewrite the whole file
    bom: bool
    slots: list[Slot]  # every block with its line (empty when composed whole)
    flagged: Optional[list[int]] = None  # the indices of the slots whose block has a problem (error or extra)
    serial: int = field(default_factory=itertools.count().__next__)  # names this read, uniquely in the process
    # The reads this one was spliced from, nearest first, each as (its serial, entries kept from its start, entries
    # kept from its end: the same blocks, maybe on other lines): what a reader computed per entry of one of them
    # holds for those entries here.
    spliced_from: tuple[tuple[int, int, int], ...] = ()
    offsets: array[int] = field(default_factory=lambda: array("q"))  # of each slot's block in the body (no BOM)

    @property
    def text(self) -> str:
        return self.lines.text

    @property
    def line_ending(self) -> str:
        return self.lines.line_ending

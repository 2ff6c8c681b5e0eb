"""artifacts.yaml read into artifacts with source positions. Never raises.

The text is cut into top-level blocks (core/yaml/cut.py), so an edit re-reads only the entries it touched
(`parse(text, previous)` reuses the rest). Each artifact is a block placed at its line. A document is a value:
nothing is written on it after the read; what is computed from it is kept by whoever computes it.

Positions are (line, column) in code points, 0-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from gto_lsp.core.problems import Pos, Problem
from gto_lsp.core.yaml.blocks import Blocks, Placed
from gto_lsp.core.yaml.cut import parse_blocks
from gto_lsp.core.yaml.nodes import Node

# GTO's artifact: a top-level `name: value` entry of artifacts.yaml, placed at its line.
Artifact = Placed


@dataclass(frozen=True, eq=False)
class Document:
    """artifacts.yaml read: its top-level blocks, whose entries are the artifacts."""

    blocks: Blocks

    @property
    def text(self) -> str:
        return self.blocks.lines.text

    @property
    def artifacts(self) -> list[Artifact]:
        return self.blocks.entries

    @property
    def problems(self) -> list[Problem]:
        """Parse problems, absolute."""
        return self.blocks.problems

    @property
    def top(self) -> Optional[Node]:
        """The whole-document node when the text was composed whole; None when it was cut into blocks."""
        return self.blocks.top

    @property
    def kind(self) -> str:
        """One of "mapping", "empty", "not-mapping", "error"."""
        return self.blocks.kind

    @property
    def flow(self) -> bool:
        """The top level is written in flow style: edits rewrite the whole file."""
        return self.blocks.flow

    @property
    def line_ending(self) -> str:
        return self.blocks.lines.line_ending

    @property
    def bom(self) -> bool:
        return self.blocks.bom

    @property
    def line_starts(self) -> list[int]:
        return self.blocks.lines.line_starts

    def offset(self, pos: Pos) -> int:
        """Offset in `text` of a (line, column) position, clamped to the line."""
        return self.blocks.lines.offset(pos)

    def line_text(self, line: int) -> str:
        return self.blocks.lines.line_text(line)

    def position(self, offset: int) -> Pos:
        return self.blocks.lines.position(offset)

    def end_pos(self) -> Pos:
        return self.blocks.lines.end_pos()

    def find(self, name: str) -> Optional[Artifact]:
        for artifact in self.artifacts:
            if artifact.name == name and artifact.name_is_string:
                return artifact
        return None


def parse(text: str, previous: Optional[Document] = None) -> Document:
    """Parse the text of artifacts.yaml; `previous` (the last parse of the same file) lets unchanged blocks be
    reused: only the entries an edit touched are parsed again."""
    if previous is not None and (previous.text is text or previous.text == text):
        return previous  # documents are not changed after parsing: the same text gives the same document
    return Document(parse_blocks(text, previous.blocks if previous is not None else None))

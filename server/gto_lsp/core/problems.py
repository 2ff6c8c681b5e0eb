"""Positions and problems: what every check returns, independent of LSP."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Optional


@dataclass(frozen=True, order=True)
class Pos:
    line: int
    col: int  # code points


@dataclass(frozen=True)
class Span:
    start: Pos
    end: Pos

    @staticmethod
    def at(line: int, col: int) -> Span:
        return Span(Pos(line, col), Pos(line, col))

    def shifted(self, lines: int, first_line_cols: int = 0) -> Span:
        def move(pos: Pos) -> Pos:
            line = pos.line + lines
            return Pos(line, pos.col + (first_line_cols if line == 0 else 0))

        return Span(move(self.start), move(self.end))

    def moved(self, lines: int, cols: int) -> Span:
        """Moved down `lines` and right `cols` on every line (a block parsed de-indented, placed back)."""
        return Span(
            Pos(self.start.line + lines, self.start.col + cols), Pos(self.end.line + lines, self.end.col + cols)
        )


@dataclass(frozen=True)
class Related:
    span: Span
    message: str
    file: Optional[str] = None  # None: the same file


SEVERITIES = ("error", "warning", "information", "hint")


MAX_ITEM_PROBLEMS = 999  # problems one list reports (with the note that it stopped: the publish cap, 1,000)


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # one of SEVERITIES
    message: str
    span: Span
    data: Optional[dict[str, Any]] = None  # what the quick fix needs
    related: tuple[Related, ...] = ()
    file: Optional[str] = None  # None: artifacts.yaml; ".gto" for the config file
    artifact: Optional[str] = field(default=None, compare=False)

    def shifted(self, lines: int, first_line_cols: int = 0) -> Problem:
        if not lines and not first_line_cols:
            return self
        return replace(
            self,
            span=self.span.shifted(lines, first_line_cols),
            related=tuple(
                replace(r, span=r.span.shifted(lines, first_line_cols)) if r.file is None else r for r in self.related
            ),
        )

    def moved(self, lines: int, cols: int) -> Problem:
        return replace(
            self,
            span=self.span.moved(lines, cols),
            related=tuple(replace(r, span=r.span.moved(lines, cols)) if r.file is None else r for r in self.related),
        )

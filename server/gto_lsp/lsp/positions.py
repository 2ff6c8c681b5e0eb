"""The one place where core positions (line, code-point column) meet LSP positions (negotiated units).

The core counts lines at `\\r\\n`, `\\r` and `\\n` (the LSP definition of a line break) and columns in code
points. Clients count columns in the negotiated position encoding (UTF-16 unless the client offers more). The
conversion itself is pygls's `PositionCodec` (what `TextDocument.position_to_client_units` uses), but on lines
split the LSP way: `TextDocument.lines` uses `str.splitlines`, which also breaks at U+2028, form feeds and
other characters that are not line breaks for an editor or for the core.
"""

from __future__ import annotations

import re
from typing import Any, Optional, Sequence
from urllib.parse import unquote

from lsprotocol import types
from pygls.workspace import PositionCodec, ServerTextPosition, TextDocument, Workspace

from gto_lsp.core.problems import Pos, Span

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BREAK = re.compile(r"\r\n|\r|\n")


class LspTextDocument(TextDocument):
    """pygls's TextDocument with lines split where LSP splits them. pygls's `str.splitlines` also breaks at
    U+2028, U+0085, form feeds..., so an incremental change after such a character landed on the wrong line
    and corrupted the server's copy of the document."""

    @property
    def lines(self) -> Sequence[str]:
        return tuple(_LINE.findall(self.source))

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        """Splice the change into the text (pygls rebuilds the document line by line: slow on 80,000 lines)."""
        text = self.source
        start_pos, end_pos = change.range.start, change.range.end
        if (end_pos.line, end_pos.character) < (start_pos.line, start_pos.character):
            start_pos, end_pos = end_pos, start_pos  # as vscode-languageserver's TextDocument reads it
        # Positions past a line's end or the last line are clamped to them (`_column`, `_client_offset`).
        if "\r" in text or end_pos.line < start_pos.line:
            start = _client_offset(text, start_pos, self.position_codec)
            end = _client_offset(text, end_pos, self.position_codec)
        else:
            # Only the lines up to the change are split, and the end is found from the start's line.
            start_line = _line_start(text, start_pos.line)
            end_line = start_line
            for _ in range(end_pos.line - start_pos.line):
                found = text.find("\n", end_line)
                end_line = len(text) if found < 0 else found + 1
            start = _offset_in_line(text, start_line, start_pos.character, self.position_codec)
            end = _offset_in_line(text, end_line, end_pos.character, self.position_codec)
        self._source = text[:start] + change.text + text[max(start, end) :]


def _line_start(text: str, line: int) -> int:
    if line <= 0:
        return 0
    rest = text.split("\n", line)
    return len(text) if len(rest) <= line else len(text) - len(rest[-1])


def _offset_in_line(text: str, line_start: int, units: int, codec: PositionCodec) -> int:
    if line_start >= len(text):
        return len(text)
    line_end = text.find("\n", line_start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return line_start + _column(line, units, codec)


def _client_offset(text: str, position: types.Position, codec: PositionCodec) -> int:
    """Offset in `text` of a client position (lines split at \\r\\n, \\r, \\n; columns in client units)."""
    if "\r" in text:
        parts = _BREAK.split(text)
        breaks = [m.end() - m.start() for m in _BREAK.finditer(text)]
    else:
        parts = text.split("\n")
        breaks = []
    line = position.line
    if line >= len(parts):
        return len(text)
    before = parts[:line]
    offset = sum(map(len, before)) + (sum(breaks[:line]) if breaks else line)
    return offset + _column(parts[line], position.character, codec)


def _column(line: str, units: int, codec: PositionCodec) -> int:
    """Code points in `line` before `units` client units; past the end: the line's length (as LSP says; pygls's
    codec clamps to one before it)."""
    if line.isascii():
        return min(max(units, 0), len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        counted += codec.client_num_units(char)
    return len(line)


class LspWorkspace(Workspace):
    """Creates `LspTextDocument`s (installed on the server's workspace at initialize)."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: Optional[str] = None,
        version: Optional[int] = None,
        language_id: Optional[str] = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )

    def update_text_document(
        self, text_doc: types.VersionedTextDocumentIdentifier, change: types.TextDocumentContentChangeEvent
    ) -> None:
        # A change to a document never opened (a client's slip, or a race with didClose) is dropped: pygls
        # raised KeyError, shown to the user as "Error in server".
        if unquote(text_doc.uri) in self._text_documents:
            super().update_text_document(text_doc, change)


def use_lsp_lines(workspace: Any) -> None:
    """Make an existing pygls Workspace create documents with LSP line splitting."""
    if isinstance(workspace, Workspace) and not isinstance(workspace, LspWorkspace):
        workspace.__class__ = LspWorkspace


class LineIndex:
    """Lines of one text, and conversions between core positions and client positions."""

    __slots__ = ("_ascii", "codec", "lines", "text")

    def __init__(self, text: str, codec: Optional[PositionCodec] = None) -> None:
        self.text = text
        self.codec = codec or PositionCodec()
        # str.split is C speed (82,000 lines in ~2 ms); the last element is the line after a final break.
        self.lines: list[str] = _BREAK.split(text) if "\r" in text else text.split("\n")
        self._ascii = text.isascii()

    @classmethod
    def of(cls, document: TextDocument) -> LineIndex:
        return cls(document.source, document.position_codec)

    # --- core -> client ---------------------------------------------------------------------------------

    def position(self, pos: Pos) -> types.Position:
        line = min(max(pos.line, 0), len(self.lines) - 1)
        if line != pos.line:  # past the end: the end of the text
            return types.Position(line=line, character=self._units(line, len(self.lines[line])))
        return types.Position(line=line, character=self._units(line, max(pos.col, 0)))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.start), end=self.position(span.end))

    def _units(self, line: int, col: int) -> int:
        text = self.lines[line]
        col = min(col, len(text))
        if self._ascii:
            return col
        return self.codec.position_to_client_units([text], ServerTextPosition(0, col)).character

    # --- client -> core ---------------------------------------------------------------------------------

    def pos(self, position: types.Position) -> Pos:
        if position.line >= len(self.lines):
            last = len(self.lines) - 1
            return Pos(last, len(self.lines[last]))
        return Pos(position.line, _column(self.lines[position.line], position.character, self.codec))

    # --- lines ------------------------------------------------------------------------------------------

    def end(self) -> Pos:
        return Pos(len(self.lines) - 1, len(self.lines[-1]))

    def line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

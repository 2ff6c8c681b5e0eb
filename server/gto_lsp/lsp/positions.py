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
from gto_lsp.core.repo.safe_read import Shape, counted, shape_once, too_big

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BREAK = re.compile(r"\r\n|\r|\n")


class LspTextDocument(TextDocument):
    """pygls's TextDocument with lines split where LSP splits them. pygls's `str.splitlines` also breaks at
    U+2028, U+0085, form feeds..., so an incremental change after such a character landed on the wrong line
    and corrupted the server's copy of the document.

    It also carries its text's `LineIndex` and `too_big` counts from version to version: rebuilding them took
    10 and 18 ms per keystroke at 82,000 lines. Each is kept with the text it describes, so a stale one is never
    used."""

    _index: Optional[LineIndex] = None
    _shape: Optional[tuple[str, Shape]] = None

    @property
    def lines(self) -> Sequence[str]:
        return tuple(_LINE.findall(self.source))

    @property
    def line_index(self) -> LineIndex:
        text = self.source
        index = self._index
        if index is None or index.text is not text:
            index = self._index = LineIndex(text, self.position_codec)
        return index

    def reuse(self, index: Optional[LineIndex]) -> None:
        """Take the index of an equal text (the saved file's, checked before the open) instead of splitting again."""
        if self._index is None and index is not None and index.codec is self.position_codec:
            text = self.source
            if index.text is text or index.text == text:
                self._index = index.spliced(text, 0, -1, [])

    def too_big(self) -> bool:
        """`safe_read.too_big` of the text, from the counts carried across edits."""
        text = self.source
        if not counted(len(text)):
            return too_big(text)
        shape = self._shape
        if shape is None or shape[0] is not text:
            shape = self._shape = (text, shape_once(text))
        return too_big(text, shape[1])

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        """Splice the change into the text (pygls rebuilds the document line by line: slow on 80,000 lines)."""
        text = self.source
        start_pos, end_pos = change.range.start, change.range.end
        if (end_pos.line, end_pos.character) < (start_pos.line, start_pos.character):
            start_pos, end_pos = end_pos, start_pos  # as vscode-languageserver's TextDocument reads it
        # Positions past a line's end or the last line are clamped to them (`_column`, `_client_offset`).
        index: Optional[LineIndex] = None
        if "\r" in text:
            start = _client_offset(text, start_pos, self.position_codec)
            end = _client_offset(text, end_pos, self.position_codec)
        else:
            index = self.line_index
            first, first_at, start = index.locate(start_pos, *index.anchor)
            last, last_at, end = index.locate(end_pos, first, first_at)
        end = max(start, end)
        source = self._source = text[:start] + change.text + text[end:]
        if index is not None and "\r" not in change.text:
            lines = index.lines
            middle = lines[first][: start - first_at] + change.text + lines[last][end - last_at :]
            self._index = index.spliced(source, first, last, middle.split("\n"), (first, first_at))
        shape = self._shape
        if shape is not None and shape[0] is text:
            self._shape = (source, shape[1].after(text, start, end, change.text, source))


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
    seen = 0
    for index, char in enumerate(line):
        if seen >= units:
            return index
        seen += codec.client_num_units(char)
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

    __slots__ = ("_ascii", "anchor", "codec", "lines", "text")

    def __init__(self, text: str, codec: Optional[PositionCodec] = None) -> None:
        self.text = text
        self.codec = codec or PositionCodec()
        # str.split is C speed (82,000 lines in ~2 ms); the last element is the line after a final break.
        self.lines: list[str] = _BREAK.split(text) if "\r" in text else text.split("\n")
        self._ascii = text.isascii()
        # A line and the offset where it starts: the next edit is located from there (typing stays near it).
        self.anchor = (0, 0)

    @classmethod
    def of(cls, document: TextDocument) -> LineIndex:
        if isinstance(document, LspTextDocument):
            return document.line_index
        return cls(document.source, document.position_codec)

    def spliced(
        self, text: str, first: int, last: int, middle: list[str], anchor: tuple[int, int] = (0, 0)
    ) -> LineIndex:
        """The index of `text`: this one's with lines first..last replaced by `middle` (split at \\n: texts
        without \\r), or, with last = first - 1, the same lines for an equal text."""
        index = LineIndex.__new__(LineIndex)
        index.text = text
        index.codec = self.codec
        index.lines = self.lines[:first] + middle + self.lines[last + 1 :]
        index._ascii = text.isascii()
        index.anchor = anchor
        return index

    def locate(self, position: types.Position, line: int, offset: int) -> tuple[int, int, int]:
        """(line, offset of its start, offset) of a client position, counted from `line`, which starts at `offset`,
        and clamped to the line's end and the text's end (a text without \\r)."""
        lines = self.lines
        target = min(position.line, len(lines) - 1)
        if target >= line:
            offset += sum(map(len, lines[line:target])) + target - line
        else:
            offset -= sum(map(len, lines[target:line])) + line - target
        if position.line > target:
            return target, offset, offset + len(lines[target])
        return target, offset, offset + _column(lines[target], position.character, self.codec)

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

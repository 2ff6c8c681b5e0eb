"""Issue 17: the server's copy of a document, its line index and its size counts follow each incremental change
instead of being rebuilt from the whole text. Each must equal a from-scratch computation after every edit,
including hostile ones (ranges reversed or past the end, \\r\\n and lone \\r, U+2028, astral characters,
multi-line replacements), both in the document itself and through the real server over stdio."""

from __future__ import annotations

import random
import re
from typing import Callable

from lsprotocol import types
from pygls.workspace import PositionCodec

from gto_lsp.core.problems import Pos
from gto_lsp.core.repo.safe_read import MAX_KEYS, MAX_LINES, Shape, shape_of, too_big
from gto_lsp.lsp.positions import LineIndex, LspTextDocument
from lsp.conftest import Doc, Editor, Repo, Start, codes, uri

PIECES = ["", "x", "a: 1", "\n", "#", " ", "\t", "\x1c", "\u2028", "😀", "é", "- b\n", "k:\n  type: m\n", "\n\n"]
BREAKS = ["\r\n", "\r"]  # a text with \r takes another path: only some runs type them


def _reference_offset(text: str, position: types.Position, utf8: bool) -> int:
    """An editor's offset of a position: lines end at \\r\\n, \\r or \\n; past a line's or the text's end clamps."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    if position.line >= len(lines):
        return len(text)
    offset = sum(map(len, lines[: position.line]))
    content = lines[position.line].rstrip("\r\n")
    units = 0
    for column, char in enumerate(content):
        if units >= position.character:
            return offset + column
        units += len(char.encode("utf-8")) if utf8 else (2 if ord(char) > 0xFFFF else 1)
    return offset + len(content)


def _random_change(text: str, rng: random.Random, pieces: list[str] = PIECES) -> types.TextDocumentContentChangePartial:
    lines = len(re.findall(r"\r\n|\r|\n", text)) + 1

    def position() -> types.Position:
        line = rng.randrange(lines + 2) if rng.random() < 0.9 else rng.randrange(1_000)
        character = rng.randrange(12) if rng.random() < 0.8 else rng.randrange(500)
        return types.Position(line=line, character=character)

    start = position()
    end = start if rng.random() < 0.4 else position()  # sometimes before start: read reversed
    inserted = "".join(rng.choice(pieces) for _ in range(rng.randrange(4)))
    return types.TextDocumentContentChangePartial(range=types.Range(start=start, end=end), text=inserted)


def _keys(text: str) -> int:
    return len(re.findall(r"^[^\s#]", text, re.MULTILINE))


def _edit_many(seed: int, text: str, edits: int, utf8: bool = False, pieces: list[str] = PIECES) -> None:
    rng = random.Random(seed)
    codec = PositionCodec(types.PositionEncodingKind.Utf8 if utf8 else types.PositionEncodingKind.Utf16)
    doc = LspTextDocument("file:///r/artifacts.yaml", source=text, version=0, position_codec=codec)
    if seed % 2:  # the index of the saved file, read before the open, is taken over (a copy of the same text)
        doc.reuse(LineIndex("".join(list(text)), codec))
    doc.too_big()  # the counts exist from the start, so each edit carries them
    for number in range(edits):
        if rng.random() < 0.05:  # sometimes a whole-text change: the carried values are dropped, not reused
            new = "".join(rng.choice(pieces) for _ in range(rng.randrange(30)))
            doc.apply_change(types.TextDocumentContentChangeWholeDocument(text=new))
            expected = new
        else:
            change = _random_change(doc.source, rng, pieces)
            first = _reference_offset(doc.source, change.range.start, utf8)
            second = _reference_offset(doc.source, change.range.end, utf8)
            low, high = min(first, second), max(first, second)
            expected = doc.source[:low] + change.text + doc.source[high:]
            doc.apply_change(change)
        where = f"seed {seed}, edit {number}"
        assert doc.source == expected, where
        index = doc.line_index
        fresh = LineIndex(expected, codec)
        assert index.text is doc.source and index.lines == fresh.lines, where
        places = [Pos(rng.randrange(len(fresh.lines) + 1), rng.randrange(20)) for _ in range(5)]
        assert [index.position(p) for p in places] == [fresh.position(p) for p in places], where
        carried = doc._shape
        if carried is not None and carried[0] is doc.source:
            assert carried[1] == Shape(len(expected), expected.count("\n"), _keys(expected)), where
        assert doc.too_big() == too_big(expected), where


def test_document_text_line_index_and_counts_equal_a_fresh_computation_after_random_edits() -> None:
    starts = [
        "",
        "rf:\n  type: model\n",
        "a:\r\n  b: 1\r\nc: 2\r",
        "x\u2028y:\n  z: 😀\n#c\n\td\n\x1ce\n",
        "".join(f"m{n}:\n  path: p{n}\n# note\n" for n in range(50)),
    ]
    for seed, text in enumerate(starts):
        _edit_many(seed, text, 400)
        _edit_many(100 + seed, text, 200, utf8=True)
        _edit_many(200 + seed, text, 200, pieces=PIECES + BREAKS)


def test_an_index_of_another_text_or_codec_is_not_taken_over() -> None:
    text = "a:\n  b: 😀\n"
    doc = LspTextDocument("file:///r/artifacts.yaml", source=text, version=0)
    doc.reuse(LineIndex("a:\n  b: x\n", doc.position_codec))
    doc.reuse(LineIndex(text, PositionCodec(types.PositionEncodingKind.Utf8)))
    assert doc.line_index.lines == ["a:", "  b: 😀", ""] and doc.line_index.codec is doc.position_codec
    assert doc.line_index.position(Pos(1, 6)).character == 7


def test_a_count_is_reused_only_for_an_equal_text() -> None:
    keys = "".join(f"k{n:05d}: 1234\n" for n in range(MAX_KEYS + 1))
    indented = " " + keys[1:-1] + "\n"  # as long, one key fewer
    assert too_big(keys) and not too_big(indented)
    assert LspTextDocument("file:///r/a.yaml", source="".join(list(keys)), version=0).too_big()
    assert not LspTextDocument("file:///r/a.yaml", source=indented, version=0).too_big()


def test_counts_carried_across_the_size_limits() -> None:
    """At exactly MAX_KEYS top-level keys the document is checked; one more key refuses it; indenting that
    key or commenting it out brings it back, as a from-scratch count says."""
    text = "".join(f"k{n:05d}: 1234\n" for n in range(MAX_KEYS))  # 300,000 characters: the counts matter
    doc = LspTextDocument("file:///r/artifacts.yaml", source=text, version=0)
    assert not doc.too_big()
    steps = [
        ((0, 0), (0, 0), "extra: 1\n", True),
        ((0, 0), (0, 0), "  ", False),
        ((0, 0), (0, 2), "", True),
        ((0, 0), (0, 0), "#", False),
        ((0, 0), (1, 0), "", False),
        ((5, 3), (5, 3), "\nnew: 1", True),
        ((6, 0), (6, 0), " ", False),
    ]
    for (line1, column1), (line2, column2), inserted, refused in steps:
        span = types.Range(
            start=types.Position(line=line1, character=column1), end=types.Position(line=line2, character=column2)
        )
        doc.apply_change(types.TextDocumentContentChangePartial(range=span, text=inserted))
        assert doc.too_big() is refused, (inserted, doc.source[:40])
        assert doc._shape is not None and doc._shape[1] == shape_of(doc.source)
        assert shape_of(doc.source).keys == _keys(doc.source)
    lines = "a:\n" + "  #\n" * (MAX_LINES - 1)
    doc = LspTextDocument("file:///r/artifacts.yaml", source=lines, version=0)
    assert not doc.too_big()
    at = types.Position(line=5, character=0)
    doc.apply_change(types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text="\n\n"))
    assert doc.too_big() and too_big(doc.source)


def _edit(editor: Editor, doc: Doc, change: types.TextDocumentContentChangePartial) -> None:
    first = _reference_offset(doc.text, change.range.start, False)
    second = _reference_offset(doc.text, change.range.end, False)
    low, high = min(first, second), max(first, second)
    editor._send(doc, [change], doc.text[:low] + change.text + doc.text[high:])


def _shape(diagnostics: list[types.Diagnostic]) -> list[tuple[object, ...]]:
    return [(d.code, d.message, d.range.start.line, d.range.start.character, d.range.end) for d in diagnostics]


async def test_server_diagnostics_after_random_edits_equal_a_fresh_open(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    """Edits typed into one repository's artifacts.yaml, then the same text opened fresh in another: the same
    diagnostics, at the same places (which the carried line index computes)."""
    rng = random.Random(17)
    text = "".join(f"m{n}:\n  type: model\n  path: p{n}.pkl\n  descripton: d\n" for n in range(40))
    edited = make_repo("edited", files={"artifacts.yaml": text})  # checked from disk first, then opened
    fresh = [make_repo(f"fresh{n}") for n in range(6)]
    editor = await start([edited.root, *(repo.root for repo in fresh)])
    await editor.diagnostics(uri(edited.index), until=lambda d: bool(d))
    doc = editor.open(edited.index, text)
    assert "unknown-field" in codes(await editor.diagnostics(doc.uri, version=doc.version))
    for round_, repo in enumerate(fresh):
        for _ in range(25):
            _edit(editor, doc, _random_change(doc.text, rng, PIECES if round_ < 4 else PIECES + BREAKS))
        ours = await editor.diagnostics(doc.uri, version=doc.version)
        other = editor.open(repo.index, doc.text)
        theirs = await editor.diagnostics(other.uri, version=other.version)
        assert _shape(ours) == _shape(theirs), f"round {round_}"
        assert uri(repo.index) == other.uri

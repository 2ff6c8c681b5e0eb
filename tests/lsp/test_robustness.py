"""Seeded random editing against the real server: every request is answered, and the server's copy of the
document (rebuilt from incremental changes) stays exactly the editor's, emoji, CRLF and all."""

from __future__ import annotations

import random
from typing import Callable

import pytest
from lsprotocol import types

from gto_lsp.core.formats.gto.document import parse
from lsp.conftest import Doc, Editor, Repo, Start

START = (
    "# registry\r\n"
    "churn:\r\n  type: model\r\n  path: models/churn.pkl\r\n  labels: [tabular, 😀]\r\n"
    "fraud:\r\n  descripton: scores 😀 cards\r\n  labels:\r\n  - realtime\r\n"
    "segments: {type: model, path: seg.pkl}\r\n"
)
PIECES = [
    "\n",
    "\r\n",
    ":",
    " ",
    "  ",
    "- ",
    "#",
    "'",
    '"',
    "{",
    "}",
    "[",
    "]",
    ",",
    "\t",
    "😀",
    "é",
    "rf",
    "type: ",
    "path: m.pkl",
    "labels:",
    "virtual: false",
    "x.y",
    "&a ",
    "*a",
    "---\n",
    "\u2028",
]


def _position(text: str, offset: int) -> types.Position:
    """LSP position (UTF-16 columns; lines split at \\r\\n, \\r, \\n) of an offset."""
    line, start = 0, 0
    index = 0
    while index < offset:
        char = text[index]
        if char == "\r" and index + 1 < len(text) and text[index + 1] == "\n" and index + 1 < offset:
            index += 2
            line, start = line + 1, index
            continue
        if char in "\r\n":
            line, start = line + 1, index + 1
        index += 1
    units = sum(2 if ord(c) > 0xFFFF else 1 for c in text[start:offset])
    return types.Position(line=line, character=units)


def _edit(editor: Editor, doc: Doc, rng: random.Random) -> None:
    text = doc.text
    start = rng.randrange(len(text) + 1)
    end = min(len(text), start + rng.choice([0, 0, 1, 3, 12]))
    # Never split a surrogate pair or a CRLF: an editor cannot put a cursor there.
    if 0 < start < len(text) and text[start - 1] == "\r" and text[start] == "\n":
        start -= 1
    if 0 < end < len(text) and text[end - 1] == "\r" and text[end] == "\n":
        end += 1
    new = "" if rng.random() < 0.3 else rng.choice(PIECES)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start=_position(text, start), end=_position(text, end)), text=new
    )
    editor._send(doc, [change], text[:start] + new + text[end:])


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_edits_keep_the_server_in_step(start: Start, make_repo: Callable[..., Repo], seed: int) -> None:
    rng = random.Random(seed)
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, START)
    for step in range(120):
        _edit(editor, doc, rng)
        if step % 12 != 11:
            continue
        await editor.diagnostics(doc.uri, version=doc.version)
        symbols = await editor.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
        )
        expected = [str(a.name) for a in parse(doc.text).artifacts if a.name_is_string]
        names = [s.name for s in symbols or [] if isinstance(s, types.DocumentSymbol)]
        assert names == expected, f"the server's text is not the editor's after step {step}:\n{doc.text!r}"
        lenses = await editor.client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
        )
        assert {
            lens.command.arguments[0]["name"]  # type: ignore[index]  # LSPAny: our lenses carry an object
            for lens in lenses or []
            if lens.command and lens.command.arguments
        } <= set(expected)
        lines = doc.text.splitlines() or [""]
        for _ in range(4):
            line = rng.randrange(len(lines) + 1)
            character = rng.randrange(40)
            await editor.completion(doc, line, character)
            await editor.hover(doc, line, character)
            here = types.Position(line=line, character=character)
            await editor.code_actions(doc, types.Range(start=here, end=here), [])
    errors = [m.message for m in editor.client.log_messages if m.type == types.MessageType.Error]
    assert errors == []

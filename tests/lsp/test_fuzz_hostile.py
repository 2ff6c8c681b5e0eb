"""Issue 9, the robustness test CI runs: a bounded, seeded fuzz against one real server of hostile documents
(alias bombs, giant lines, 100,000 entries, a huge flow list, random bytes), incremental edits with positions
out of range, and hostile requests (special files, wrong parameter types, documents never opened). Every
request must be answered (a hang bound of 30 s; speed is measured in bench/), the server's peak memory stays
bounded, the server's text stays the editor's (checked through the outline), and nothing is logged at error
level. Every document of the list runs in each seeded order: no time budget, so a busy machine runs the same
rounds (about 20 s per seed)."""

from __future__ import annotations

import random
from typing import Callable

import pytest
from lsprotocol import types

from gto_lsp.core.formats.gto.document import parse
from lsp.conftest import Doc, Editor, Repo, Start, uri
from lsp.test_hostile import answer, bomb, entries, errors, ident, peak_mb, raw_request, symbols

MEMORY_MB = 600


def hostile_documents(rng: random.Random) -> list[str]:
    return [
        f"rf:\n  type: model\n  custom: {bomb()}\n",
        f"rf:\n  labels: {bomb()}\n  description: {bomb(leaf='y')}\n",
        "# " + "x" * rng.randrange(200_000, 1_000_000),
        "rf: " + "y" * 500_000,
        "z" * 300_000,
        entries(100_000),
        entries(2_000),
        "rf:\n  labels: [" + ", ".join(["1"] * 100_000) + "]\n",
        "".join(rng.choice("ab: -[]{},&*!|>'\"#\n\t😀") for _ in range(5_000)),
        "&a [*a]\n",
        "rf: &r {type: model, custom: *r}\n",
        "\n" * 100_000,
        "a:\n" + "  " * 5_000 + "b: 1\n",
        "[" * 10_000 + "]" * 10_000,
    ]


def _random_edit(editor: Editor, doc: Doc, rng: random.Random) -> None:
    """An edit anywhere, sometimes past the end of a line or of the document (which the server clamps)."""
    lines = doc.text.split("\n")
    line = rng.randrange(len(lines) + 2)
    character = rng.randrange(0, 40) if rng.random() < 0.8 else rng.randrange(1000)
    new = rng.choice(["", "x", ": ", "\n", "- a\n", "&b ", "*b", "😀", "{", "]"])
    position = types.Position(line=line, character=character)
    change = types.TextDocumentContentChangePartial(range=types.Range(start=position, end=position), text=new)
    # What the editor has after the clamped insertion.
    if line >= len(lines):
        offset = len(doc.text)
    else:
        start = sum(len(x) + 1 for x in lines[:line])
        column = 0
        units = 0
        for char in lines[line]:
            if units >= character:
                break
            units += 2 if ord(char) > 0xFFFF else 1
            column += 1
        offset = start + column
    editor._send(doc, [change], doc.text[:offset] + new + doc.text[offset:])


async def _probe(editor: Editor, doc: Doc, rng: random.Random) -> None:
    lines = doc.text.count("\n") + 1
    for _ in range(2):
        line, character = rng.randrange(lines + 1), rng.choice([0, 1, 3, 10, 500_000])
        await answer(editor.hover(doc, line, character))
        await answer(editor.completion(doc, line, character))
    await answer(symbols(editor, doc.uri))
    await answer(editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident(doc.uri))))
    await answer(
        editor.client.text_document_folding_range_async(types.FoldingRangeParams(text_document=ident(doc.uri)))
    )


HOSTILE_REQUESTS = [
    ("textDocument/hover", {"textDocument": {"uri": "file:///dev/zero"}, "position": {"line": 0, "character": 0}}),
    ("textDocument/documentSymbol", {"textDocument": {"uri": "file:///dev/urandom"}}),
    ("textDocument/documentSymbol", {"textDocument": {"uri": "file:///proc/self/fd/0"}}),
    ("textDocument/hover", {"textDocument": {"uri": ["x"]}, "position": {"line": 0, "character": 0}}),
    ("textDocument/hover", {"textDocument": {"uri": "file:///nowhere/artifacts.yaml"}, "position": {"line": 0}}),
    ("textDocument/completion", {"textDocument": 5, "position": {}}),
    ("textDocument/codeAction", {"textDocument": {"uri": "file:///x"}, "range": [], "context": None}),
    ("workspace/executeCommand", {"command": "gto.server.context", "arguments": [{"repository": ["x"]}]}),
    ("workspace/executeCommand", {"command": "gto.server.annotate", "arguments": [{"name": {"a": 1}}]}),
]


@pytest.mark.parametrize("seed", [7, 8])
async def test_bounded_fuzz_of_hostile_inputs(start: Start, make_repo: Callable[..., Repo], seed: int) -> None:
    rng = random.Random(seed)
    repo = make_repo(files={"m.pkl": "x"})
    editor = await start([repo.root])
    documents = hostile_documents(rng)
    rng.shuffle(documents)
    doc = editor.open(repo.index, "rf:\n  type: model\n")
    await editor.diagnostics(doc.uri, version=doc.version)
    await editor.hover(doc, 0, 0)  # git started and the tags read: what follows measures the documents
    for rounds, text in enumerate(documents, start=1):
        print(f"round {rounds}: {len(text)} characters, {text[:30]!r}", flush=True)
        editor.replace(doc, text)
        await _probe(editor, doc, rng)
        for _ in range(6):
            _random_edit(editor, doc, rng)
        await _probe(editor, doc, rng)
        method, params = rng.choice(HOSTILE_REQUESTS)
        try:
            await answer(raw_request(editor.client.protocol, method, params))
        except Exception as error:  # a JSON-RPC error answer is an answer
            assert "-32602" in str(error) or "Invalid" in str(error), (method, error)
        # The server's text is the editor's (when small enough to be outlined).
        if len(doc.text) < 100_000:
            expected = [str(a.name) for a in parse(doc.text).artifacts if a.name_is_string]
            names = [s.name for s in await answer(symbols(editor, doc.uri)) or []]
            assert names == expected, f"diverged after the edits of round {rounds}"
    await answer(editor.command("gto.server.context", {"repository": str(repo.root)}))
    await answer(editor.diagnostics(doc.uri, version=doc.version))
    assert peak_mb(editor) < MEMORY_MB
    assert errors(editor) == []
    assert uri(repo.index) == doc.uri

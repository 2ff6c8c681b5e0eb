"""The open of a large artifacts.yaml: what its first diagnostics do not need (the file listing, the saved dvc.yaml
files found through it) waits for them, and still comes; hover finds the entry under the cursor anywhere in it.
A hang is no answer within HANG seconds (speed: bench/bench_large.py)."""

from __future__ import annotations

import asyncio
from typing import Callable

from lsprotocol import types

from gto_lsp.lsp.session.documents import PARSE_OFF_LOOP
from lsp.conftest import Repo, Start, codes, uri

HANG = 30.0
BROKEN = "artifacts:\n  x:\n    desc: no path\n"  # missing-path


def entries(count: int) -> str:
    return "".join(f"model-{i:05d}:\n  type: model\n  path: models/m{i}/model.pkl\n" for i in range(count))


async def test_the_listing_deferred_behind_a_large_first_check_still_comes(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"models/m7/model.pkl": "7", "sub/dvc.yaml": BROKEN})
    editor = await start([repo.root])
    text = entries(6_000)
    assert len(text) >= PARSE_OFF_LOOP  # parsed and checked in worker threads
    doc = editor.open(repo.index, text)
    published = await editor.diagnostics(doc.uri, version=1, timeout=HANG)
    assert "path-missing" in codes(published)
    assert not any(d.range.start.line == 3 * 7 for d in published)  # models/m7 exists
    for _ in range(5):  # edits right after: the listing waits for a pause in them
        editor.type(doc, 3 * 5999 + 1, len("  type: model"), " ")
        await asyncio.sleep(0.1)
    # The saved dvc.yaml, not open: found in the listing read after the first check.
    saved = await editor.diagnostics(uri(repo.root / "sub" / "dvc.yaml"), until=bool, timeout=HANG)
    assert codes(saved) == ["missing-path"]
    # A path completion answers from that listing.
    line = 3 * 7 + 2  # `  path: models/m7/model.pkl`
    items = await asyncio.wait_for(editor.completion(doc, line, len("  path: models/")), HANG)
    assert any("m7" in item.label for item in items)


async def test_hover_finds_each_entry_of_a_large_document(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, entries(6_000))
    await editor.diagnostics(doc.uri, version=1, timeout=HANG)
    for number in (0, 1, 2_999, 5_998, 5_999):
        name = await asyncio.wait_for(editor.hover(doc, 3 * number, 3), HANG)
        assert name is not None and f"model-{number:05d}" in str(name.contents), number
        path = await asyncio.wait_for(editor.hover(doc, 3 * number + 2, 3), HANG)  # its last line: a field
        assert path is not None and path.range is not None and path.range.start.line == 3 * number + 2, number
        assert "**path**" in str(path.contents), number
    assert await asyncio.wait_for(editor.hover(doc, 3 * 6_000 + 5, 0), HANG) is None  # past the end


async def test_code_lens_requests_at_once_share_one_run_and_follow_edits(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo()
    repo.tag("model-00003@v1.0.0", "Registering artifact model-00003 version v1.0.0")
    editor = await start([repo.root], {"clientCommands": ["gto.register"]})
    doc = editor.open(repo.index, entries(6_000))
    await editor.diagnostics(doc.uri, version=1, timeout=HANG)
    ident = types.TextDocumentIdentifier(uri=doc.uri)

    async def lenses() -> list[tuple[int, str, str]]:
        found = await editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident))
        return [
            (lens.range.start.line, lens.command.title, str(lens.command.arguments))
            for lens in found or []
            if lens.command is not None
        ]

    for version in range(2):
        if version:  # a new parse: the names move down a line and one is renamed
            editor.type(doc, 0, 0, "# a comment\n")
            editor.type(doc, 1 + 3 * 5, 0, "renamed-")
        asked = await asyncio.wait_for(asyncio.gather(*(lenses() for _ in range(6))), HANG)
        assert all(answer == asked[0] for answer in asked)
        assert asked[0] == await asyncio.wait_for(lenses(), HANG)
        shift = version
        states = {line: title for line, title, arguments in asked[0] if "Register" not in title}
        assert states[shift + 3 * 3] == "v1.0.0" and states[shift + 0] == "not registered"
        named = {line: arguments for line, _, arguments in asked[0]}
        expected = "renamed-model-00005" if version else "model-00005"
        assert f"'name': '{expected}'" in named[shift + 3 * 5]
        assert "first 500 of the 6,000 artifacts" in asked[0][-1][1]


async def test_code_lenses_made_once_follow_the_stage_order_of_gto(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n", ".gto": "stages: [staging, prod]\n"})
    repo.tag("rf@v1.2.0", "Registering artifact rf version v1.2.0")
    repo.tag("rf#prod#1", "Assigning stage prod to artifact rf version v1.2.0")
    repo.tag("rf#staging#2", "Assigning stage staging to artifact rf version v1.2.0")
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    ident = types.TextDocumentIdentifier(uri=doc.uri)

    async def title() -> str:
        found = await editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident))
        assert found and found[0].command is not None
        return found[0].command.title

    assert await title() == await title() == "v1.2.0 · staging: v1.2.0 · prod: v1.2.0"
    gto = editor.open(repo.root / ".gto")
    editor.replace(gto, "stages: [prod, staging]\n")
    await editor.diagnostics(doc.uri, version=1, timeout=HANG)
    for _ in range(300):  # a hang bound of 30 s: the new `.gto` is read when the document is checked again
        if await title() == "v1.2.0 · prod: v1.2.0 · staging: v1.2.0":
            break
        await asyncio.sleep(0.1)
    assert await title() == "v1.2.0 · prod: v1.2.0 · staging: v1.2.0"

"""Issue 12 items 6-7: large documents and registries.

Requests asked while the check of an 18,000-entry artifacts.yaml (inside the supported size) runs are all answered
and its diagnostics arrive; a code lens answer is bounded whatever the document's size; on a document larger than
gto-lsp reads, `gto.server.context` answers from what is cheap and `gto.server.annotate` refuses, naming the limit.
A registry of 8,000 versions on one commit (GTO cannot read it) is read by `gto-lsp show`, hover and code lens
within the bound, with messages of bounded length. A hang is no answer within HANG seconds (speed: bench_large.py).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any, Awaitable, Callable, TypeVar

from lsprotocol import types

from gto_lsp.lsp.features.code_lens import MAX_LENSED
from helpers.git import T0
from lsp.conftest import Repo, Start, codes

T = TypeVar("T")
HANG = 30.0
CLIENT = {"clientCommands": ["gto.annotate", "gto.remove", "gto.register", "gto.assign", "gto.deprecate"]}


def entries(count: int, extra: str = "") -> str:
    return "".join(
        f"model-{i:05d}:\n  type: model\n  path: models/m{i}/model.pkl\n  labels: [ml, team-{i % 7}]\n{extra}"
        for i in range(count)
    )


async def answered(work: Awaitable[T]) -> T:
    return await asyncio.wait_for(work, HANG)


async def test_requests_during_the_check_of_18000_entries(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"models/m3/model.pkl": "3"})
    repo.tag("model-00003@v1.0.0", "Registering artifact model-00003 version v1.0.0")
    editor = await start([repo.root], CLIENT)
    doc = editor.open(repo.index, entries(18_000))  # 1.4 MB
    ident = types.TextDocumentIdentifier(uri=doc.uri)

    async def lens(delay: float) -> list[types.CodeLens]:
        await asyncio.sleep(delay)
        found = await editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident))
        return list(found or [])

    async def hover(delay: float, line: int) -> Any:
        await asyncio.sleep(delay)
        return await editor.hover(doc, line, 3)

    asked = [lens(0.05 + 0.1 * n) for n in range(12)] + [hover(0.1 + 0.1 * n, 4 * 1499 * n % 72_000) for n in range(12)]
    found = await answered(asyncio.gather(*asked))
    lenses, hovers = found[:12], found[12:]
    for answer in lenses:
        # An answer of 72,000 lenses took 2 s to encode and 12 MB to send: at most MAX_LENSED entries get them (none
        # while the first parse runs in a worker thread; the client is then asked to refresh them).
        assert len(answer) <= 4 * MAX_LENSED + 1
    published = await editor.diagnostics(doc.uri, version=doc.version, timeout=HANG)
    assert "path-missing" in codes(published)
    lenses.append(await answered(lens(0)))
    states = {
        lens.command.arguments[0]["name"]: lens.command.title
        for lens in lenses[-1]
        if lens.command is not None and lens.command.command == "gto.server.registryState" and lens.command.arguments
    }
    assert states["model-00000"] == "not registered" and states["model-00003"] == "v1.0.0"
    assert lenses[-1][-1].range.start.line == 4 * MAX_LENSED  # the first entry without: says so
    assert "first 500 of the 18,000 artifacts" in lenses[-1][-1].command.title
    assert sum(h is not None for h in hovers) >= 1


async def test_commands_on_a_document_larger_than_gto_lsp_reads(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, entries(100_000, "  description: a model\n"))  # 10 MB
    context = await answered(editor.command("gto.server.context", {"uri": doc.uri}))
    assert context["ok"] is True and context["artifacts"] == {}  # 20-50 s to parse them before
    annotate = await answered(editor.command("gto.server.annotate", {"uri": doc.uri, "name": "nn", "type": "model"}))
    assert annotate["ok"] is False
    assert "larger than gto-lsp reads (3,000,000 characters" in annotate["message"]  # took a minute before
    assert "gto-lsp annotate" in annotate["message"]
    remove = await answered(editor.command("gto.server.remove", {"uri": doc.uri, "name": "model-00001"}))
    assert remove["ok"] is False and "larger than gto-lsp reads" in remove["message"]
    assert editor.applied == []


def many_versions(repo: Repo, count: int) -> None:
    """`count` versions of rf registered on HEAD's commit, then a stage assigned there: GTO refuses the registry
    (git fast-import: one process, not `count`)."""
    sha = repo.git("rev-parse", "HEAD").strip()
    tags = [(f"rf@v0.0.{i}", f"Registering artifact rf version v0.0.{i}") for i in range(1, count + 1)]
    tags.append(("rf#prod#1", f"Assigning stage prod to artifact rf version v0.0.{count}"))
    stream = []
    for i, (tag, message) in enumerate(tags):
        stream.append(f"tag {tag}\nfrom {sha}\ntagger T <t@example.com> {T0 + i} +0000\n")
        stream.append(f"data {len(message)}\n{message}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.root, env=repo.env, input="".join(stream).encode())


async def test_a_registry_of_8000_versions_on_one_commit(
    start: Start, make_repo: Callable[..., Repo], env: dict[str, str]
) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n"})
    many_versions(repo, 8000)
    shown = subprocess.run(
        [sys.executable, "-m", "gto_lsp", "show"], cwd=repo.root, env=env, capture_output=True, text=True, timeout=HANG
    )  # 21 s before, and a line naming all 8,000 versions (100 KB)
    assert "Multiple versions are not allowed on the same Git commit" in shown.stdout + shown.stderr
    assert "and 7,995 more" in shown.stdout + shown.stderr
    assert max(len(line) for line in (shown.stdout + shown.stderr).splitlines()) < 1000
    editor = await start([repo.root], CLIENT)
    doc = editor.open(repo.index)
    found = await answered(editor.hover(doc, 0, 1))
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    assert "GTO cannot read this registry" in found.contents.value and "and 7,995 more" in found.contents.value
    assert len(found.contents.value) < 2000
    ident = types.TextDocumentIdentifier(uri=doc.uri)
    lenses = await answered(editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident)))
    assert lenses and all(len(lens.command.title) < 200 for lens in lenses if lens.command is not None)

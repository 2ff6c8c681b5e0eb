"""Requests answered while the registry's warm-up runs (it gives way to them: lsp/session/background.py) equal
the answers after it: hovers, code lenses, name and path completion, on a repository of hundreds of tagged
artifacts; and a request that itself needs the whole registry while the warm-up pauses for it is answered."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any, Awaitable, Callable

from lsprotocol import types

from helpers.git import T0
from lsp.conftest import Doc, Editor, Repo, Start

ARTIFACTS = 300
ANNOTATED = 120


def tagged_repo(make_repo: Callable[..., Repo]) -> Repo:
    """ANNOTATED entries in artifacts.yaml, ARTIFACTS artifacts with 2-3 annotated tags each (one fast-import)."""
    repo = make_repo(commit=False)
    text = "".join(f"m{n}:\n  type: model\n  path: data/m{n}.pkl\n" for n in range(ANNOTATED))
    files = {"artifacts.yaml": text, ".gto": "stages: [staging, prod]\n", "data/a.csv": "1\n", "data/b.csv": "2\n"}
    stream = [f"commit refs/heads/main\nmark :1\ncommitter T <t@e> {T0} +0000\ndata 2\nc\n"]
    for name, content in files.items():
        data = content.encode()
        stream.append(f"M 644 inline {name}\ndata {len(data)}\n{content}\n")
    for n in range(ARTIFACTS):
        tags = [(f"m{n}@v1.{n}.0", f"Registering artifact m{n} version v1.{n}.0")]
        tags.append((f"m{n}#prod#{n + 1}", f"Assigning stage prod to artifact m{n} version v1.{n}.0"))
        if n % 3 == 0:
            tags.append((f"m{n}@deprecated", f"Deprecating artifact 'm{n}'"))
        for offset, (tag, message) in enumerate(tags):
            stream.append(
                f"tag {tag}\nfrom :1\ntagger T <t@e> {T0 + n * 10 + offset} +0000\n"
                f"data {len(message.encode())}\n{message}\n"
            )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo.root, env=repo.env, input="".join(stream).encode(), check=True
    )
    repo.git("reset", "-q", "--hard", "main")
    return repo


def shown(answer: Any) -> Any:
    """What a client shows of an answer (hover markup, lens titles and commands, completion labels and edits)."""
    if isinstance(answer, types.Hover):
        contents = answer.contents
        return contents.value if isinstance(contents, types.MarkupContent) else str(contents)
    if isinstance(answer, (list, tuple)):
        return [shown(each) for each in answer]
    if isinstance(answer, types.CodeLens):
        assert answer.command is not None
        return (answer.range.start.line, answer.command.title, answer.command.command)
    if isinstance(answer, types.CompletionItem):
        return (answer.label, answer.detail, str(answer.text_edit))
    return answer


async def every_request(editor: Editor, doc: Doc) -> list[Any]:
    """Hovers on names, the code lenses, a name's completion (the whole registry) and a path's, all at once."""
    identifier = types.TextDocumentIdentifier(uri=doc.uri)
    lines = len(doc.text.splitlines())
    asked: list[Awaitable[Any]] = [editor.hover(doc, 3 * n, 1) for n in range(0, ANNOTATED, 7)]
    asked.append(editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=identifier)))
    asked.append(editor.completion(doc, lines, 0))  # a new entry's name: the registered names without one
    asked.append(editor.completion(doc, 2, len("  path: data/")))
    answers = await asyncio.wait_for(asyncio.gather(*asked), 30)
    return [shown(answer) for answer in answers]


async def test_answers_during_the_warm_up_equal_those_after_it(
    start: Start, make_repo: Callable[..., Repo], env: dict[str, str]
) -> None:
    repo = tagged_repo(make_repo)
    for _ in range(2):  # two cold servers: the requests meet the warm-up at different points
        editor = await start([repo.root], server_env={**env, "GTO_LSP_CACHE_DIR": ""})
        doc = editor.open(repo.index)
        during = await every_request(editor, doc)  # sent at once after the open: the warm-up is running
        await editor.diagnostics(doc.uri)
        after = await every_request(editor, doc)
        assert during == after
        hover = during[0]
        assert "v1.0.0" in hover and "prod" in hover
        assert len(during[len(range(0, ANNOTATED, 7))]) == ANNOTATED  # a lens per entry
        names = {item[0] for item in during[-2]}
        assert {f"m{n}" for n in range(ANNOTATED, ARTIFACTS)} <= names and "m0" not in names
        assert [item[0] for item in during[-1]] == ["data/a.csv", "data/b.csv"]

"""Hover (field docs, registry state from tags), document symbols, go to definition, folding ranges."""

from __future__ import annotations

from typing import Any, Callable

from lsprotocol import types

from helpers.git import T0
from lsp.conftest import Repo, Start, uri


def hover_text(hover: types.Hover | None) -> str:
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


async def test_hover_field_docs_and_registry_state(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"m.pkl": "1"})
    repo.tag("rf@v0.0.1", "Registering artifact rf version v0.0.1", T0)
    repo.tag("rf@v0.1.0", "Registering artifact rf version v0.1.0", T0 + 10)
    repo.tag("rf#prod#1", "Assigning stage prod to artifact rf version v0.1.0", T0 + 20)
    repo.tag("old@v1.0.0", "Registering artifact old version v1.0.0", T0 + 30)
    repo.tag("old@deprecated", "Deprecating artifact 'old'", T0 + 40)
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  type: model\n  path: m.pkl\nold: {}\nnew: {}\n")
    field = hover_text(await editor.hover(doc, 1, 3))
    assert field.startswith("**type**") and "`.gto`" in field
    rf = await editor.hover(doc, 0, 1)
    text = hover_text(rf)
    assert "path: m.pkl" in text
    assert "| latest | v0.1.0 |" in text and "| #prod | v0.1.0 |" in text
    assert rf is not None and rf.range == types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=2)
    )
    assert "Deprecated" in hover_text(await editor.hover(doc, 3, 1))
    assert "not registered" in hover_text(await editor.hover(doc, 4, 1))
    assert await editor.hover(doc, 2, 10) is None  # a value: nothing to say


async def test_untrusted_workspace_runs_no_git(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"m.pkl": "1"})
    repo.tag("rf@v0.0.1", "Registering artifact rf version v0.0.1")
    editor = await start([repo.root], init_options={"trusted": False})
    doc = editor.open(repo.index, "rf:\n  path: m.pkl\n  virtual: false\n  type: model\n")
    assert await editor.diagnostics(doc.uri, version=1) == []  # no `in_head`: not-committed is not checked
    text = hover_text(await editor.hover(doc, 0, 1))
    assert "not trusted" in text and "v0.0.1" not in text
    top = await editor.completion(doc, 4, 0)
    assert [i.label for i in top] == ["new artifact"]
    context = await editor.command("gto.server.context", {"repository": str(repo.root)})
    assert context["ok"] and context["trusted"] is False
    assert context["trackedFiles"] == [] and context["registry"] == {} and context["hasHead"] is False
    commit = await editor.command(
        "gto.server.commit", {"repository": str(repo.root), "name": "rf", "action": "annotate"}
    )
    assert commit["ok"] is False and "not trusted" in commit["message"]
    # Path completion still lists the disk (inside the repository), without git.
    editor.type(doc, 4, 0, "x:\n  path: \n")
    paths = await editor.completion(doc, 5, 8)
    assert [i.label for i in paths] == ["m.pkl"]


async def test_symbols_definition_folding(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"models/rf.pkl": "1"})
    (repo.root / "escape").symlink_to("/etc")
    editor = await start([repo.root])
    text = (
        "rf:\n"
        "  type: model\n"
        "  path: models/rf.pkl\n"
        "dir: {path: models}\n"
        "bad:\n"
        "  path: escape/passwd\n"
        "gone:\n"
        "  path: nothing\n"
    )
    doc = editor.open(repo.index, text)
    result = await editor.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )
    assert result is not None
    symbols = [s for s in result if isinstance(s, types.DocumentSymbol)]
    assert [s.name for s in symbols] == ["rf", "dir", "bad", "gone"]
    rf = symbols[0]
    assert rf.detail == "model" and [c.name for c in rf.children or []] == ["type", "path"]
    assert rf.range.start.line == 0 and rf.range.end.line == 2
    assert (rf.children or [])[1].detail == "models/rf.pkl"

    async def definition(line: int, character: int) -> list[types.Location]:
        found: Any = await editor.client.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=doc.uri),
                position=types.Position(line=line, character=character),
            )
        )
        return [loc for loc in (found or []) if isinstance(loc, types.Location)]

    [file_location] = await definition(2, 12)
    assert file_location.uri == uri(repo.root / "models/rf.pkl")
    [folder_location] = await definition(3, 14)
    assert folder_location.uri == uri(repo.root / "models")
    assert await definition(5, 12) == []  # a symlink out of the repository
    assert await definition(7, 10) == []
    assert await definition(1, 9) == []

    folds = await editor.client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )
    assert [(f.start_line, f.end_line) for f in folds or []] == [(0, 2), (4, 5), (6, 7)]


async def test_every_request_answers_on_garbage(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    texts = [
        "\t\t\x00garbage: [\n{{{\n",
        "- a\n- b\n",
        "rf:\n  type: [\n  path: 'unterminated\n",
        "---\na: 1\n---\nb: 2\n",
        "&a x: *b\n",
        "rf: !!python/object {}\n",
        "",
        "\ufeffrf:\r\n  type: model\r\n  labels: [😀, x]\r\n",
    ]
    doc = editor.open(repo.index, texts[0])
    for text in texts:
        editor.replace(doc, text)
        await editor.diagnostics(doc.uri, version=doc.version)
        await editor.request_everywhere(doc, (0, 2, 7))
    errors = [m.message for m in editor.client.log_messages if m.type == types.MessageType.Error]
    assert errors == []

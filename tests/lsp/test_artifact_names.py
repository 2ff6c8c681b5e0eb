"""An artifact's name as a symbol, over stdio: workspace symbols across the annotations files (unsaved text wins),
find all references (declarations, Python, workflow, shell), and rename end to end with its refusals and the
warning about the tags that keep the old name."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable, Optional, Sequence

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from helpers.git import T0
from lsp.conftest import Editor, Repo, Start, uri

FILES = {
    "artifacts.yaml": "rf:\n  type: model\n  path: m.pkl\nrf2: {type: model}\n",
    "dvc.yaml": "stages: {}\nartifacts:\n  cnn:\n    path: cnn.pt\n",
    "sub/dvc.yaml": "artifacts:\n  'rf':\n    path: rf.pkl\n    type: model\n",
    "ignored/dvc.yaml": "artifacts:\n  hidden:\n    path: h.pkl\n",
    ".dvcignore": "ignored/\n",
    "train.py": (
        "import dvc.api\n"
        'print(dvc.api.artifacts_show("rf"))\n'
        'print(dvc.api.artifacts_show("sub:rf"))\n'
        "# artifacts_show('rf') in a comment is not a use\n"
        'gto_name = "rf2"\n'
    ),
    ".github/workflows/deploy.yml": "on: push\njobs:\n  go:\n    steps:\n      - run: gto register rf --bump-minor\n",
    "deploy.sh": "#!/bin/sh\ngto show rf2\ngto assign rf --stage prod\necho rf-big@v1.0.0\n",
    "notes.txt": "gto show rf\n",  # not a kind of file the finder reads
}


def position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def spots(locations: Optional[Sequence[types.Location]], root: Path) -> list[tuple[str, int, int, int]]:
    """(file, line, start, end) of each location, sorted."""
    out = []
    for location in locations or []:
        path = location.uri[len(uri(root)) + 1 :]
        rng = location.range
        assert rng.start.line == rng.end.line
        out.append((path, rng.start.line, rng.start.character, rng.end.character))
    return sorted(out)


async def references(
    editor: Editor, doc_uri: str, line: int, character: int, declaration: bool = True
) -> Optional[Sequence[types.Location]]:
    return await editor.client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=position(line, character),
            context=types.ReferenceContext(include_declaration=declaration),
        )
    )


async def symbols(editor: Editor, query: str) -> list[tuple[str, str]]:
    result = await editor.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    out = []
    for item in result or []:
        assert isinstance(item, types.SymbolInformation) and item.kind == types.SymbolKind.Class
        out.append((item.name, item.container_name or ""))
    return sorted(out)


async def rename(editor: Editor, doc_uri: str, line: int, character: int, new: str) -> Optional[types.WorkspaceEdit]:
    return await editor.client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri), position=position(line, character), new_name=new
        )
    )


async def test_workspace_symbols_across_files_with_unsaved_text(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=FILES)
    editor = await start([repo.root])
    everything = [
        ("cnn", "dvc.yaml"),
        ("rf", "artifacts.yaml"),
        ("rf2", "artifacts.yaml"),
        ("sub:rf", "sub/dvc.yaml"),
    ]
    assert await symbols(editor, "") == everything  # not ignored/dvc.yaml: DVC never reads it
    assert await symbols(editor, "sbr") == [("sub:rf", "sub/dvc.yaml")]  # fuzzy, in order
    assert await symbols(editor, "RF") == [
        ("rf", "artifacts.yaml"),
        ("rf2", "artifacts.yaml"),
        ("sub:rf", "sub/dvc.yaml"),
    ]
    # Unsaved text wins over the disk.
    doc = editor.open(repo.index)
    editor.replace(doc, "forest:\n  type: model\nrf2: {}\n")
    assert await symbols(editor, "") == [
        ("cnn", "dvc.yaml"),
        ("forest", "artifacts.yaml"),
        ("rf2", "artifacts.yaml"),
        ("sub:rf", "sub/dvc.yaml"),
    ]
    # A closed file changed on disk is read again; a new dvc.yaml the server holds counts.
    (repo.root / "dvc.yaml").write_text("artifacts:\n  cnn:\n    path: cnn.pt\n  vit:\n    path: vit.pt\n")
    (repo.root / "new").mkdir()
    (repo.root / "new" / "dvc.yaml").write_text("artifacts:\n  emb: {path: e}\n")
    editor.open(repo.root / "new" / "dvc.yaml")
    found = await symbols(editor, "")
    assert ("vit", "dvc.yaml") in found and ("new:emb", "new/dvc.yaml") in found
    result = await editor.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="vit"))
    assert result is not None
    (vit,) = result
    assert isinstance(vit, types.SymbolInformation)
    assert vit.location.uri == uri(repo.root / "dvc.yaml") and vit.location.range.start == position(3, 2)


async def test_references_across_files(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=FILES)
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    expected = [
        (".github/workflows/deploy.yml", 4, 26, 28),
        ("artifacts.yaml", 0, 0, 2),
        ("deploy.sh", 2, 11, 13),
        ("train.py", 1, 30, 32),
    ]
    assert spots(await references(editor, doc.uri, 0, 1), repo.root) == expected
    assert spots(await references(editor, doc.uri, 0, 2, declaration=False), repo.root) == [
        s for s in expected if s[0] != "artifacts.yaml"
    ]
    # From a use, in a file open with unsaved text (its text, not the disk's).
    script = editor.open(repo.root / "deploy.sh")
    editor.replace(script, "#!/bin/sh\ngto show rf2\n\ngto assign rf --stage prod\n")
    assert spots(await references(editor, script.uri, 3, 12), repo.root) == [
        (".github/workflows/deploy.yml", 4, 26, 28),
        ("artifacts.yaml", 0, 0, 2),
        ("deploy.sh", 3, 11, 13),
        ("train.py", 1, 30, 32),
    ]
    assert spots(await references(editor, script.uri, 1, 10), repo.root) == [
        ("artifacts.yaml", 3, 0, 3),
        ("deploy.sh", 1, 9, 12),
    ]
    # The nested dvc.yaml's artifact is `sub:rf`: its quoted key, and the one use that says `sub:rf`.
    nested = editor.open(repo.root / "sub" / "dvc.yaml")
    assert spots(await references(editor, nested.uri, 1, 4), repo.root) == [
        ("sub/dvc.yaml", 1, 3, 5),
        ("train.py", 2, 34, 36),
    ]
    assert await references(editor, nested.uri, 2, 6) is None  # a field: nothing
    # Go to definition from a use: the entry that declares it.
    source = editor.open(repo.root / "train.py")
    for line, character, where in ((1, 31, ("artifacts.yaml", 0, 0, 2)), (2, 35, ("sub/dvc.yaml", 1, 3, 5))):
        found = await editor.client.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=source.uri), position=position(line, character)
            )
        )
        assert isinstance(found, list) and spots(found, repo.root) == [where]


async def test_dvc_stage_references_still_answer(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        files={"dvc.yaml": "stages:\n  prep:\n    cmd: p\n    outs: [data]\n  train:\n    cmd: t\n    deps: [data]\n"}
    )
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    found = await references(editor, doc.uri, 3, 12)
    assert found and all(location.uri == doc.uri for location in found)


def applied(editor: Editor, edit: Optional[types.WorkspaceEdit]) -> None:
    assert edit is not None
    assert editor.apply_workspace_edit(edit) is None


async def test_rename_end_to_end(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=FILES)
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    prepared = await editor.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=doc.uri), position=position(0, 1))
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder) and prepared.placeholder == "rf"
    assert prepared.range == types.Range(start=position(0, 0), end=position(0, 2))
    not_a_name = await editor.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=doc.uri), position=position(1, 3))
    )
    assert not_a_name is None
    applied(editor, await rename(editor, doc.uri, 0, 1, "forest"))
    assert doc.text == FILES["artifacts.yaml"].replace("rf:", "forest:", 1)
    assert (repo.root / "train.py").read_text() == FILES["train.py"].replace('show("rf")', 'show("forest")')
    assert (repo.root / "deploy.sh").read_text() == FILES["deploy.sh"].replace("assign rf ", "assign forest ")
    workflow = (repo.root / ".github/workflows/deploy.yml").read_text()
    assert "gto register forest --bump-minor" in workflow
    assert (repo.root / "sub/dvc.yaml").read_text() == FILES["sub/dvc.yaml"]  # sub:rf is another artifact
    assert (repo.root / "notes.txt").read_text() == FILES["notes.txt"]
    assert not [m for m in editor.client.messages if m.type == types.MessageType.Warning]  # no tags: no warning
    # From a use, in the nested file's name: only `sub:rf` changes, its quotes kept.
    script = editor.open(repo.root / "train.py")
    applied(editor, await rename(editor, script.uri, 2, 35, "tree"))
    assert script.text.splitlines()[2] == 'print(dvc.api.artifacts_show("sub:tree"))'
    assert (repo.root / "sub/dvc.yaml").read_text() == FILES["sub/dvc.yaml"].replace("'rf'", "'tree'")


async def test_rename_refusals(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=FILES)
    repo.tag("old@v1.0.0", "Registering artifact old version v1.0.0", T0)
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    for new, says in (
        ("bad name!", "Invalid artifact name 'bad name!'"),
        ("sub:other", "keeps the artifact's folder"),
        ("rf2", "'rf2' is already an artifact (artifacts.yaml)"),
        ("old", "'old' already has 1 git tag(s) in the registry (old@v1.0.0)"),
    ):
        with pytest.raises(JsonRpcException) as refused:
            await rename(editor, doc.uri, 0, 1, new)
        assert says in refused.value.message, refused.value.message
    assert await rename(editor, doc.uri, 0, 1, "rf") is None  # the same name: nothing to do
    nested = editor.open(repo.root / "sub" / "dvc.yaml")
    applied(editor, await rename(editor, nested.uri, 1, 4, "rf2"))  # sub:rf2 is free: rf2 is the root's
    assert nested.text.startswith("artifacts:\n  'rf2':")


async def test_rename_of_registered_artifact_warns_about_its_tags(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=FILES)
    repo.tag("rf@v1.0.0", "Registering artifact rf version v1.0.0", T0)
    repo.commit({"m.pkl": "2"})
    repo.tag("rf@v1.1.0", "Registering artifact rf version v1.1.0", T0 + 10)
    repo.tag("rf#prod#1", "Assigning stage prod to artifact rf version v1.1.0", T0 + 20)
    repo.commit({"m.pkl": "3"})
    repo.tag("rf@v2.0.0", "Registering artifact rf version v2.0.0", T0 + 30)
    head = repo.git("rev-parse", "--short=7", "HEAD").strip()
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    applied(editor, await rename(editor, doc.uri, 0, 0, "forest"))
    for _ in range(300):  # the warning follows the answer
        warnings = [m.message for m in editor.client.messages if m.type == types.MessageType.Warning]
        if warnings:
            break
        await asyncio.sleep(0.1)
    (message,) = warnings
    assert message.startswith("'rf' is registered: its 4 git tag(s) (rf#prod#1, rf@v1.0.0, rf@v1.1.0 and 1 more)")
    assert "'forest' starts unregistered" in message
    assert f"`gto register forest {head} --version v2.0.0`;" in message and "--version v1.0.0`)" in message
    assert doc.text.startswith("forest:")


async def test_without_git_a_walk_that_honours_gitignore(start: Start, make_repo: Callable[..., Repo]) -> None:
    files = {**FILES, ".gitignore": "build/\n", "build/gen.sh": "gto show rf\n", "tools/run.sh": "gto show rf\n"}
    repo = make_repo(files=files)
    editor = await start([repo.root], init_options={"trusted": False})
    assert ("sub:rf", "sub/dvc.yaml") in await symbols(editor, "")
    doc = editor.open(repo.index)
    found = spots(await references(editor, doc.uri, 0, 1), repo.root)
    assert ("tools/run.sh", 0, 9, 11) in found and not [s for s in found if s[0].startswith("build/")]
    # No git: the tags cannot be read, so the rename is not refused for them, and nothing warns.
    applied(editor, await rename(editor, doc.uri, 0, 1, "forest"))
    assert (repo.root / "tools/run.sh").read_text() == "gto show forest\n"
    assert (repo.root / "build/gen.sh").read_text() == "gto show rf\n"

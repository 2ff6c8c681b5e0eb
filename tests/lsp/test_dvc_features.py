"""dvc.yaml over the real server: completion in the `artifacts:` section only (DVC's fields, paths from the file's
folder, DVC-tracked data), hover with full names and tag spellings, outline, definition, folding, quick fixes and
the entry actions."""

from __future__ import annotations

from typing import Callable, Optional

from lsprotocol import types

from lsp.conftest import Doc, Editor, Repo, Start, apply_text_edits, codes, rng
from lsp.test_completion import edit_of, labels_of

ROOT_DVC = (
    "stages:\n"  # 0
    "  train:\n"  # 1
    "    cmd: python train.py\n"  # 2
    "    outs:\n"  # 3
    "    - models/gb.pkl\n"  # 4
    "    \n"  # 5
    "artifacts:\n"  # 6
    "  rf:\n"  # 7
    "    path: models/rf.pkl\n"  # 8
    "    type: experiment\n"  # 9
    "    labels: [nlp]\n"  # 10
    "  gb:\n"  # 11
    "    desc: Gradient boosting\n"  # 12
    "    \n"  # 13
    "    type: \n"  # 14
    "plots:\n"  # 15
    "- metrics.csv\n"  # 16
)


def hover_text(hover: Optional[types.Hover]) -> str:
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


async def test_completion_in_the_artifacts_section_only(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        files={
            "models/rf.pkl": "x",
            "artifacts.yaml": "old:\n  type: legacy-type\n  labels: [vision]\n",
            "sub/dvc.yaml": "artifacts:\n  s:\n    path: s.pkl\n    type: sub-type\n",
        }
    )
    repo.write({"dvc.yaml": ROOT_DVC})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    # DVC's fields the entry lacks (`type` is on a later line), with DVC's docs; the range is the typed text.
    fields = await editor.completion(doc, 13, 4)
    assert labels_of(fields) == ["path", "labels", "meta"]
    assert edit_of(fields[0]).range == rng(13, 4, 13, 4)
    assert edit_of(fields[0]).new_text == "path: $0"
    assert isinstance(fields[0].documentation, types.MarkupContent)
    assert "relative to this dvc.yaml's folder" in fields[0].documentation.value
    # Types in use across the repository's annotations, then the common ones.
    kinds = labels_of(await editor.completion(doc, 14, 10))
    assert kinds[:3] == ["experiment", "legacy-type", "sub-type"] and "model" in kinds
    # In a stage: the keys it lacks (the pipeline's own completion); nothing in a command or a plot's path.
    stage_keys = labels_of(await editor.completion(doc, 5, 4))
    assert "deps" in stage_keys and "cmd" not in stage_keys and "path" not in stage_keys
    assert await editor.completion(doc, 2, 9) == []
    assert await editor.completion(doc, 16, 13) == []
    # No `virtual` in dvc.yaml: its values are not offered either.
    editor.replace(doc, ROOT_DVC.replace("    type: \n", "    virtual: \n"))
    assert await editor.completion(doc, 14, 13) == []


async def test_paths_from_the_files_folder_and_dvc_data(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        files={
            "top.txt": "x",
            "sub/dir/model.pkl": "x",
            "sub/dir/data/raw.csv.dvc": "outs:\n- path: raw.csv\n",
            "artifacts.yaml": "old:\n  labels: [nlp, vision]\n",
        }
    )
    text = (
        "stages:\n"  # 0
        "  prep:\n"  # 1
        "    cmd: x\n"  # 2
        "    outs:\n"  # 3
        "    - out/clf.pkl\n"  # 4
        "artifacts:\n"  # 5
        "  clf:\n"  # 6
        "    path: \n"  # 7
        "    labels: [vision, ]\n"  # 8
        "  other:\n"  # 9
        "    path: ../../t\n"  # 10
        "  third:\n"  # 11
        "    path: data/\n"  # 12
        "  fourth:\n"  # 13
        "    path: ${x}/\n"  # 14
        "  fifth:\n"  # 15
        "    path: out/\n"  # 16
    )
    repo.write({"sub/dir/dvc.yaml": text})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "sub" / "dir" / "dvc.yaml", text)
    here = await editor.completion(doc, 7, 10)
    by_label = {i.label: i for i in here}
    assert {"model.pkl", "data/", "out/", "dvc.yaml"} <= set(by_label)
    assert "top.txt" not in by_label  # the repository root is two folders up
    assert by_label["out/"].sort_text is not None and by_label["out/"].sort_text.startswith("00")
    assert edit_of(by_label["model.pkl"]).range == rng(7, 10, 7, 10)
    assert labels_of(await editor.completion(doc, 10, 17)) == ["../../top.txt"]
    data = {i.label: i for i in await editor.completion(doc, 12, 15)}
    assert set(data) == {"data/raw.csv", "data/raw.csv.dvc"}
    assert data["data/raw.csv"].detail == "tracked by DVC (raw.csv.dvc)"
    outputs = {i.label: i for i in await editor.completion(doc, 16, 14)}
    assert list(outputs) == ["out/clf.pkl"] and outputs["out/clf.pkl"].detail == "output of a stage of this dvc.yaml"
    assert await editor.completion(doc, 14, 15) == []  # `${...}` is left alone
    labels = await editor.completion(doc, 8, len("    labels: [vision, "))
    assert labels_of(labels) == ["nlp"]


async def registered_repo(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo(
        files={
            "models/rf.pkl": "x",
            "sub/dir/model.pkl": "x",
            "dvc.yaml": "artifacts:\n  rf:\n    path: models/rf.pkl\n",
            "sub/dir/dvc.yaml": (
                "stages:\n"  # 0
                "  s:\n"  # 1
                "    cmd: echo\n"  # 2
                "artifacts:\n"  # 3
                "  clf:\n"  # 4
                "    path: model.pkl\n"  # 5
                "    type: model\n"  # 6
                "    desc: A classifier\n"  # 7
                "    labels: [vision]\n"  # 8
                "\n"  # 9
            ),
        }
    )
    repo.tag("rf@v1.0.0", "Registering artifact rf version v1.0.0")
    repo.tag("sub/dir=clf@v1.2.0", "Registering artifact sub/dir:clf version v1.2.0")
    repo.tag("sub/dir=clf#prod#1", "Assigning stage prod to artifact sub/dir:clf version v1.2.0", when=1_700_000_100)
    repo.tag("sub/dir=new@v0.1.0", "Registering artifact sub/dir:new version v0.1.0")
    return repo


async def test_entry_level_snippet_and_registered_names(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = await registered_repo(make_repo)
    editor = await start([repo.root])
    path = repo.root / "sub" / "dir" / "dvc.yaml"
    doc = editor.open(path, path.read_text() + "  ")
    items = {i.label: i for i in await editor.completion(doc, 10, 2)}
    assert set(items) == {"new artifact", "new"}  # `rf` is the root file's, `clf` is already here
    snippet = items["new artifact"]
    assert edit_of(snippet).new_text == "${1:name}:\n    path: ${2:path}\n    type: ${3:model}$0"
    assert snippet.insert_text_mode == types.InsertTextMode.AsIs
    assert edit_of(items["new"]).range == rng(10, 2, 10, 2)
    assert "sub/dir:new" in (items["new"].detail or "")
    # At column 0 a new top-level key is being typed: not ours.
    assert await editor.completion(doc, 9, 0) == []


async def test_hover_full_name_tags_and_registry(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = await registered_repo(make_repo)
    editor = await start([repo.root])
    nested = editor.open(repo.root / "sub" / "dir" / "dvc.yaml")
    text = hover_text(await editor.hover(nested, 4, 3))
    assert "**sub/dir:clf** (full name)" in text
    assert "`sub/dir=clf@v1.0.0`" in text  # how tags spell it
    assert "| latest | v1.2.0 |" in text and "| #prod | v1.2.0 |" in text
    doc = hover_text(await editor.hover(nested, 7, 5))
    assert doc.startswith("**desc** (string, optional; DVC)")
    assert "(a stage)" in hover_text(await editor.hover(nested, 2, 6))  # a stage's key: the pipeline's doc
    root = editor.open(repo.root / "dvc.yaml")
    text = hover_text(await editor.hover(root, 1, 2))
    assert "**rf** (full name)" in text and "`rf@v1.0.0`" in text and "| latest | v1.0.0 |" in text
    # Not registered: says how to register the full name.
    editor.replace(nested, nested.text.replace("  clf:", "  fresh:"))
    await editor.diagnostics(nested.uri, version=2)
    assert "gto register sub/dir:fresh" in hover_text(await editor.hover(nested, 4, 3))
    # An entry YAML cannot read: names and field keys by the lines' shape.
    editor.replace(nested, nested.text.replace("path: model.pkl", "path: [model.pkl"))
    await editor.diagnostics(nested.uri, version=3)
    assert "**sub/dir:fresh** (full name)" in hover_text(await editor.hover(nested, 4, 3))
    assert hover_text(await editor.hover(nested, 6, 5)).startswith("**type** (string, optional; DVC)")


async def test_outline_definition_folding(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = await registered_repo(make_repo)
    editor = await start([repo.root])
    doc = editor.open(repo.root / "sub" / "dir" / "dvc.yaml")
    symbols = await editor.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )
    assert symbols is not None
    section = symbols[-1]  # after the stages
    assert [s.name for s in symbols] == ["stages", "artifacts"] and isinstance(section, types.DocumentSymbol)
    assert section.name == "artifacts" and section.range.start == types.Position(line=3, character=0)
    [clf] = section.children or []
    assert clf.name == "clf" and clf.detail == "model"
    assert clf.selection_range == rng(4, 2, 4, 5)
    assert [c.name for c in clf.children or []] == ["path", "type", "desc", "labels"]
    locations = await editor.client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri), position=types.Position(line=5, character=12)
        )
    )
    assert isinstance(locations, list) and len(locations) == 1
    assert isinstance(locations[0], types.Location) and locations[0].uri.endswith("/sub/dir/model.pkl")
    # Data tracked by a `.dvc` file and not on disk: its `.dvc` file.
    (repo.root / "sub" / "dir" / "raw.csv.dvc").write_text("outs:\n- path: raw.csv\n")
    editor.replace(doc, doc.text.replace("path: model.pkl", "path: raw.csv"))
    await editor.diagnostics(doc.uri, version=2)
    locations = await editor.client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri), position=types.Position(line=5, character=12)
        )
    )
    assert isinstance(locations, list) and isinstance(locations[0], types.Location)
    assert locations[0].uri.endswith("/sub/dir/raw.csv.dvc")
    folds = await editor.client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )
    assert {(f.start_line, f.end_line) for f in folds or []} == {(3, 8), (4, 8)}


FIXES = (
    "artifacts:\n"  # 0
    "  rf:\n"  # 1
    "    path: m.pkl\n"  # 2
    "    description: Random forest\n"  # 3
    "    custom: {a: 1}\n"  # 4
    "    virtual: true\n"  # 5
    "  gb:\n"  # 6
    "    path: m.pkl\n"  # 7
    "    desc: 2024-01-01\n"  # 8
    "  bad.name:\n"  # 9
    "    type: model\n"  # 10
    "  listed:\n"  # 11
    "    path: m.pkl\n"  # 12
    "    labels: ml\n"  # 13
    "  empty:\n"  # 14
)


async def quick_fixes(editor: Editor, doc: Doc, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    return await editor.code_actions(doc, diagnostic.range, [diagnostic], only=[types.CodeActionKind.QuickFix])


def applied(doc: Doc, action: types.CodeAction) -> str:
    assert action.edit is not None and action.edit.document_changes
    change = action.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    return apply_text_edits(doc.text, [e for e in change.edits if isinstance(e, types.TextEdit)])


async def test_quick_fixes_by_code_and_fix_all(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"m.pkl": "x"})
    repo.write({"dvc.yaml": FIXES})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    diagnostics = await editor.diagnostics(doc.uri, version=1)
    assert codes(diagnostics) == [
        "entry-not-mapping",
        "extra-key",
        "extra-key",
        "extra-key",
        "invalid-name",
        "missing-path",
        "wrong-type",
        "wrong-type",
    ]
    at = {(str(d.code), d.range.start.line): d for d in diagnostics}
    titles = {key: [a.title for a in await quick_fixes(editor, doc, d)] for key, d in at.items()}
    assert titles[("extra-key", 3)] == ["Rename to `desc`", "Remove field `description`"]
    assert titles[("extra-key", 4)] == ["Rename to `meta`", "Remove field `custom`"]
    assert titles[("extra-key", 5)] == ["Remove field `virtual`"]
    assert titles[("wrong-type", 8)] == ["Quote it: '2024-01-01'"]
    assert titles[("wrong-type", 13)] == ["Write it as a list: [ml]"]
    assert titles[("invalid-name", 9)] == ["Replace with `bad-name`"]
    assert titles[("missing-path", 9)] == ["Add `path:`"]
    assert titles[("entry-not-mapping", 14)] == ["Add `path:`"]
    [remove_virtual] = await quick_fixes(editor, doc, at[("extra-key", 5)])
    assert applied(doc, remove_virtual) == FIXES.replace("    virtual: true\n", "")
    [add_path] = await quick_fixes(editor, doc, at[("missing-path", 9)])
    assert applied(doc, add_path) == FIXES.replace("  bad.name:\n", "  bad.name:\n    path: \n")
    [fill_entry] = await quick_fixes(editor, doc, at[("entry-not-mapping", 14)])
    assert applied(doc, fill_entry) == FIXES + "    path: \n"
    # Fix-all: the safe ones (names, quoting, `virtual` removed); a path must still be written by hand.
    [fix_all] = await editor.code_actions(doc, rng(0, 0, 0, 0), [], only=["source.fixAll.gto"])
    assert applied(doc, fix_all) == (
        "artifacts:\n"
        "  rf:\n"
        "    path: m.pkl\n"
        "    desc: Random forest\n"
        "    meta: {a: 1}\n"
        "  gb:\n"
        "    path: m.pkl\n"
        "    desc: '2024-01-01'\n"
        "  bad-name:\n"
        "    type: model\n"
        "  listed:\n"
        "    path: m.pkl\n"
        "    labels: [ml]\n"
        "  empty:\n"
    )


async def test_section_not_mapping_fix(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    text = "stages:\n  s:\n    cmd: echo\nartifacts:\nplots:\n- m.csv\n"
    repo.write({"dvc.yaml": text})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    [diagnostic] = await editor.diagnostics(doc.uri, version=1)
    assert diagnostic.code == "section-not-mapping"
    [fix] = await quick_fixes(editor, doc, diagnostic)
    assert fix.title == "Write `artifacts: {}`" and fix.is_preferred
    assert applied(doc, fix) == text.replace("artifacts:\n", "artifacts: {}\n")


async def test_entry_actions_pass_the_file(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = await registered_repo(make_repo)
    editor = await start([repo.root], init_options={"clientCommands": ["gto.annotate", "gto.remove"]})
    path = repo.root / "sub" / "dir" / "dvc.yaml"
    doc = editor.open(path)
    actions = await editor.code_actions(doc, rng(5, 6, 5, 6), [], only=[types.CodeActionKind.Refactor])
    assert [a.title for a in actions] == ["Annotate artifact 'clf'...", "Remove annotation of 'clf'"]
    annotate, remove = actions
    assert annotate.command is not None and annotate.command.command == "gto.annotate"
    assert list(annotate.command.arguments or []) == [
        {
            "name": "clf",
            "file": "sub/dir/dvc.yaml",
            "repository": str(repo.root),
            "path": "sub/dir/model.pkl",
            "type": "model",
            "description": "A classifier",
            "labels": ["vision"],
        }
    ]
    assert remove.command is not None and remove.command.command == "gto.remove"
    assert list(remove.command.arguments or []) == [
        {"name": "clf", "file": "sub/dir/dvc.yaml", "repository": str(repo.root)}
    ]
    assert await editor.code_actions(doc, rng(1, 2, 1, 2), [], only=[types.CodeActionKind.Refactor]) == []
    # A file DVC refuses: nothing can be removed from it (the server's remove would refuse too).
    editor.replace(doc, doc.text.replace("    type: model\n", "    virtual: true\n"))
    await editor.diagnostics(doc.uri, version=2)
    actions = await editor.code_actions(doc, rng(5, 6, 5, 6), [], only=[types.CodeActionKind.Refactor])
    assert [a.title for a in actions] == ["Annotate artifact 'clf'..."]


async def test_remove_edit_without_client_commands(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = await registered_repo(make_repo)
    editor = await start([repo.root])
    doc = editor.open(repo.root / "sub" / "dir" / "dvc.yaml")
    [remove] = await editor.code_actions(doc, rng(4, 3, 4, 3), [], only=[types.CodeActionKind.Refactor])
    assert remove.title == "Remove annotation of 'clf'" and remove.command is None
    assert applied(doc, remove) == "stages:\n  s:\n    cmd: echo\nartifacts: {}\n\n"


async def test_every_request_answers_on_odd_dvc_yaml(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"m.pkl": "x"})
    editor = await start([repo.root], init_options={"clientCommands": ["gto.annotate"]})
    texts = [
        "artifacts: {rf: {path: m.pkl, type: model}, gb: {desc: x}}\n",
        "artifacts:\n- rf\n",
        "artifacts: x\n",
        "artifacts:\n  rf:\n    path: [\n  gb: {\n",
        "artifacts:\n    rf:\n        path: m.pkl\n        <<: *nope\n",
        "base: &b {path: m.pkl}\nartifacts:\n  rf:\n    <<: *b\n    type: model\n",
        "\ufeffartifacts:\r\n  rf:\r\n    path: m.pkl\r\n    labels: [😀, x]\r\n",
        "stages:\n\tbad: 1\nartifacts:\n  ${name}:\n    path: ${p}\n  123:\n    path: m.pkl\n",
        "",
    ]
    doc = editor.open(repo.root / "dvc.yaml", texts[0])
    for text in texts:
        editor.replace(doc, text)
        await editor.diagnostics(doc.uri, version=doc.version)
        await editor.request_everywhere(doc, (0, 2, 4, 9))
        fix_all = await editor.code_actions(doc, rng(0, 0, 0, 0), [], only=["source.fixAll.gto"])
        assert len(fix_all) <= 1
    errors = [m.message for m in editor.client.log_messages if m.type == types.MessageType.Error]
    assert errors == []

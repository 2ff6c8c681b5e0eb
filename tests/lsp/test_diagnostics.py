"""Diagnostics: content, versions, refresh triggers, settings, trust, multi-root."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from lsprotocol import types

from lsp.conftest import Repo, Start, codes, uri


async def test_open_publishes_every_rule_with_version_code_source_data(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"models/rf.pkl": "x"})
    text = (
        "rf:\n"
        "  type: model\n"
        "  path: models/rf.pkl\n"
        "  descripton: typo\n"
        "bad.name:\n"
        "  path: nowhere.pkl\n"
        "  labels: [aa, aa]\n"
        "rf:\n"
        "  virtual: yes\n"
    )
    repo.write({"artifacts.yaml": text})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    diagnostics = await editor.diagnostics(doc.uri, version=1)
    assert codes(diagnostics) == [
        "duplicate-label",
        "duplicate-name",
        "invalid-name",
        "lax-boolean",
        "path-missing",
        "unknown-field",
    ]
    by_code = {d.code: d for d in diagnostics}
    assert all(d.source == "gto" for d in diagnostics)
    unknown = by_code["unknown-field"]
    assert unknown.range == types.Range(
        start=types.Position(line=3, character=2), end=types.Position(line=3, character=12)
    )
    assert unknown.data == {"field": "descripton", "suggestion": "description"}
    assert unknown.severity == types.DiagnosticSeverity.Warning
    duplicate = by_code["duplicate-name"]
    assert duplicate.severity == types.DiagnosticSeverity.Error
    assert duplicate.related_information is not None
    first = duplicate.related_information[0].location
    assert first.uri == doc.uri and first.range.start.line == 0
    assert by_code["invalid-name"].data["suggestion"] == "bad-name"  # type: ignore[index]
    assert by_code["path-missing"].severity == types.DiagnosticSeverity.Warning


async def test_initialized_publishes_saved_file_and_gto_problems(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        files={
            "artifacts.yaml": "rf:\n  type: modle\n",
            ".gto": "types: [model, dataset]\ncolour: blue\n",
        }
    )
    editor = await start([repo.root])
    diagnostics = await editor.diagnostics(uri(repo.index), until=lambda d: bool(d))
    assert codes(diagnostics) == ["type-not-allowed"]
    allowed = diagnostics[0]
    assert allowed.data == {"value": "modle", "allowed": ["model", "dataset"]}
    assert allowed.related_information is not None
    assert allowed.related_information[0].location.uri == uri(repo.root / ".gto")
    gto = await editor.diagnostics(uri(repo.root / ".gto"), until=lambda d: bool(d))
    assert codes(gto) == ["config-unknown-key"]
    assert gto[0].range.start.line == 1
    # The registration of the file watchers (VS Code supports dynamic registration).
    await editor.settle(0.2)
    globs = [
        w["globPattern"]
        for r in editor.registrations
        if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        for w in r.register_options["watchers"]  # type: ignore[index]
    ]
    assert "**/*" in globs and "**/.git/HEAD" in globs


async def test_utf16_columns_after_emoji(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, 'rf: {description: "😀 ok", typo: 1}\n')
    diagnostics = await editor.diagnostics(doc.uri, until=lambda d: bool(d))
    [unknown] = diagnostics
    # `typo` starts at code point 26 and UTF-16 unit 27 (the emoji is two units).
    line = doc.text.split("\n")[0]
    assert line.index("typo") == 26
    assert unknown.range.start == types.Position(line=0, character=27)
    assert unknown.range.end == types.Position(line=0, character=31)


async def test_utf8_columns_when_the_client_negotiates_utf8(start: Start, make_repo: Callable[..., Repo]) -> None:
    """A client (not VS Code) that offers only UTF-8 positions gets byte columns, for edits and diagnostics."""
    from pytest_lsp import client_capabilities

    capabilities = client_capabilities("visual-studio-code")
    capabilities.general = types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf8])
    repo = make_repo()
    editor = await start([repo.root], capabilities=capabilities)
    doc = editor.open(repo.index, 'rf: {description: "😀 é", typo: 1}\n')
    [unknown] = await editor.diagnostics(doc.uri, until=lambda d: bool(d))
    start_byte = doc.text.encode("utf-8").index(b"typo")
    assert unknown.range.start == types.Position(line=0, character=start_byte)
    assert unknown.range.end == types.Position(line=0, character=start_byte + 4)


async def test_fast_edits_publish_the_newest_version(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  type: model\n")
    await editor.diagnostics(doc.uri, version=1)
    for index in range(8):
        editor.type(doc, 1, 13 + index, "x")
    editor.type(doc, 2, 0, "  colour: red\n")
    diagnostics = await editor.diagnostics(doc.uri, version=doc.version)
    assert codes(diagnostics) == ["unknown-field"]
    await editor.settle(0.1)
    versions = [p.version for p in editor.published if p.uri == doc.uri]
    assert versions[-1] == doc.version
    assert len(versions) < 6  # debounced: not one check per keystroke


async def test_close_clears_and_outside_a_repository(start: Start, tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    editor = await start([folder])
    doc = editor.open(folder / "artifacts.yaml", "a.b:\n  path: /abs/missing\n  virtual: false\n")
    diagnostics = await editor.diagnostics(doc.uri, until=lambda d: bool(d))
    # No repository: the name and path-shape rules run, existence and git rules do not.
    assert codes(diagnostics) == ["invalid-name", "path-absolute"]
    editor.close(doc)
    assert await editor.diagnostics(doc.uri, until=lambda d: not d) == []


async def test_created_file_refreshes_diagnostics(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  path: data/new.csv\n")
    missing = await editor.diagnostics(doc.uri, until=lambda d: bool(d))
    assert codes(missing) == ["path-missing"]
    repo.write({"data/new.csv": "a,b\n"})
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(repo.root / "data/new.csv"), type=types.FileChangeType.Created)]
        )
    )
    assert await editor.diagnostics(doc.uri, until=lambda d: not d) == []


async def test_head_move_refreshes_not_committed(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"m.pkl": "1"}, commit=False)
    repo.commit({"README": "x"}, "first", "README")
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  path: m.pkl\n  virtual: false\n")
    diagnostics = await editor.diagnostics(doc.uri, until=lambda d: bool(d))
    assert codes(diagnostics) == ["path-not-committed"]
    repo.commit(None, "add m", "m.pkl")
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(repo.root / ".git/refs/heads/main"), type=types.FileChangeType.Changed)]
        )
    )
    assert await editor.diagnostics(doc.uri, until=lambda d: not d) == []


async def test_gto_edits_refresh_both_files(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={".gto": "types: [model]\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  type: dataset\n")
    assert codes(await editor.diagnostics(doc.uri, until=lambda d: bool(d))) == ["type-not-allowed"]
    gto = editor.open(repo.root / ".gto")
    editor.replace(gto, "types: [model, dataset]\nunknown: 1\n")
    assert await editor.diagnostics(doc.uri, until=lambda d: not d) == []
    gto_diagnostics = await editor.diagnostics(gto.uri, until=lambda d: bool(d))
    assert codes(gto_diagnostics) == ["config-unknown-key"]
    # `.gto` changed on disk (not open): the watcher event re-reads it.
    editor.close(gto)
    (repo.root / ".gto").write_text("types: [model]\n")
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(repo.root / ".gto"), type=types.FileChangeType.Changed)]
        )
    )
    assert codes(await editor.diagnostics(doc.uri, until=lambda d: bool(d))) == ["type-not-allowed"]


async def test_settings_change_applies_without_restart(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  path: missing.pkl\n  colour: red\n")
    assert codes(await editor.diagnostics(doc.uri, until=lambda d: len(d) == 2)) == ["path-missing", "unknown-field"]
    editor.client.set_configuration(
        {"checks": {"virtualMissing": "error", "unknownFields": False}}, section="gto", scope_uri=uri(repo.root)
    )
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    diagnostics = await editor.diagnostics(doc.uri, until=lambda d: len(d) == 1)
    assert codes(diagnostics) == ["path-missing"]
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error
    editor.client.set_configuration({"checks": {"enable": False}}, section="gto", scope_uri=uri(repo.root))
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    assert await editor.diagnostics(doc.uri, until=lambda d: not d) == []


async def test_init_settings_without_configuration_support(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(dynamic_registration=False)
        )
    )
    editor = await start(
        [repo.root], init_options={"settings": {"checks": {"virtualMissing": "off"}}}, capabilities=capabilities
    )
    doc = editor.open(repo.index, "rf:\n  path: missing.pkl\n  colour: red\n")
    assert codes(await editor.diagnostics(doc.uri, until=lambda d: bool(d))) == ["unknown-field"]
    assert editor.registrations == []


async def test_multi_root_folders_and_scoped_settings(start: Start, make_repo: Callable[..., Repo]) -> None:
    one = make_repo("one", files={"artifacts.yaml": "a:\n  colour: 1\n"})
    two = make_repo("two", files={"artifacts.yaml": "b:\n  colour: 2\n"})
    editor = await start([one.root, two.root], settings={})
    editor.client.set_configuration({"checks": {"enable": False}}, section="gto", scope_uri=uri(two.root))
    assert codes(await editor.diagnostics(uri(one.index), until=lambda d: bool(d))) == ["unknown-field"]
    doc_two = editor.open(two.index)
    doc_one = editor.open(one.index)
    assert codes(await editor.diagnostics(doc_one.uri, version=1)) == ["unknown-field"]
    assert await editor.diagnostics(doc_two.uri, version=1) == []


async def test_incremental_edits_after_unicode_line_separators(start: Start, make_repo: Callable[..., Repo]) -> None:
    """U+2028 is not a line break for LSP: an edit on the next line lands where the editor put it."""
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, 'a:\n  description: "x\u2028y"\nb: {}\n')
    editor.type(doc, 2, 0, "  type: model\n")
    context = await editor.command("gto.server.context", {"repository": str(repo.root)})
    assert context["artifacts"]["a"] == {"description": "x\u2028y", "type": "model", "virtual": True, "labels": []}
    assert list(context["artifacts"]) == ["a", "b"]


async def test_closing_the_saved_workspace_file_shows_its_saved_problems(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    """Like at start-up: the workspace's artifacts file keeps the problems of its saved text when closed."""
    repo = make_repo()
    repo.write({"artifacts.yaml": "rf:\n  descripton: saved typo\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  descripton: saved typo\n  typ: unsaved typo\n")
    opened = await editor.diagnostics(doc.uri, until=lambda d: len(d) == 2)
    assert codes(opened) == ["unknown-field", "unknown-field"]
    editor.close(doc)
    saved = await editor.diagnostics(doc.uri, until=lambda d: len(d) == 1)
    assert [d.range.start.line for d in saved] == [1]

"""textDocument/codeLens: the registry state above each artifact (artifacts.yaml and dvc.yaml, nested dvc.yaml by
full name), the action lenses only for a client that declares gto.register/assign/deprecate, none without git, and
workspace/codeLens/refresh when the tags change on disk."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Optional

from lsprotocol import types
from pytest_lsp import client_capabilities

from helpers.git import T0
from lsp.conftest import Doc, Editor, Repo, Start

CLIENT = {"clientCommands": ["gto.annotate", "gto.remove", "gto.register", "gto.assign", "gto.deprecate"]}


async def lenses(editor: Editor, doc: Doc) -> list[types.CodeLens]:
    result = await editor.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
    )
    return list(result or [])


def by_line(found: list[types.CodeLens]) -> dict[int, list[tuple[str, str, Any]]]:
    out: dict[int, list[tuple[str, str, Any]]] = {}
    for lens in found:
        assert lens.command is not None
        out.setdefault(lens.range.start.line, []).append(
            (lens.command.title, lens.command.command, (lens.command.arguments or [None])[0])
        )
    return out


def registry_repo(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo(
        files={
            "artifacts.yaml": "# models\nrf:\n  type: model\nnn:\n  type: model\nfresh: {}\nbad.name: {}\n",
            ".gto": "stages: [staging, prod]\n",
        }
    )
    repo.tag("rf@v1.2.0", "Registering artifact rf version v1.2.0", T0 + 1)
    repo.tag("rf#prod#1", "Assigning stage prod to artifact rf version v1.2.0", T0 + 2)
    repo.commit({"models/rf.pkl": "2"})
    repo.tag("rf@v1.3.0", "Registering artifact rf version v1.3.0", T0 + 3)
    repo.tag("rf#staging#2", "Assigning stage staging to artifact rf version v1.3.0", T0 + 4)
    repo.tag("nn@v0.0.1", "Registering artifact nn version v0.0.1", T0 + 5)
    repo.tag("nn@deprecated", "Deprecating artifact 'nn'", T0 + 6)
    return repo


async def test_state_and_action_lenses_in_artifacts_yaml(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = registry_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    doc = editor.open(repo.index)
    lines = by_line(await lenses(editor, doc))
    arg = {"repository": str(repo.root), "name": "rf"}
    # `.gto` lists staging before prod: the stages follow it.
    assert lines[1] == [
        ("v1.3.0 · staging: v1.3.0 · prod: v1.2.0", "gto.server.registryState", arg),
        ("Register version...", "gto.register", arg),
        ("Assign stage...", "gto.assign", arg),
        ("Deprecate...", "gto.deprecate", arg),
    ]
    assert lines[3][0][0] == "v0.0.1 · deprecated"
    assert lines[5][0][0] == "not registered"
    fresh = {"repository": str(repo.root), "name": "fresh"}
    # No tag yet: register, or assign (which registers first); nothing to deprecate.
    assert lines[5][1:] == [("Register version...", "gto.register", fresh), ("Assign stage...", "gto.assign", fresh)]
    # A name GTO refuses is no artifact: no lens (test_only_entries_gto_reads_get_lenses).
    assert sorted(lines) == [1, 3, 5]
    # The lens sits on the name.
    first = (await lenses(editor, doc))[0]
    assert (first.range.start.character, first.range.end.character) == (0, 2)


async def test_state_lens_alone_without_client_commands(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = registry_repo(make_repo)
    editor = await start([repo.root], {"clientCommands": ["gto.annotate"]})
    doc = editor.open(repo.index)
    lines = by_line(await lenses(editor, doc))
    assert [[title for title, _, _ in line] for _, line in sorted(lines.items())] == [
        ["v1.3.0 · staging: v1.3.0 · prod: v1.2.0"],
        ["v0.0.1 · deprecated"],
        ["not registered"],
    ]
    # The state lens's command answers the state, in any editor.
    _, command, arg = lines[1][0]
    state = await editor.command(command, arg)
    assert state["ok"] is True and state["latest"] == "v1.3.0"


async def test_only_entries_gto_reads_get_lenses(start: Start, make_repo: Callable[..., Repo]) -> None:
    """Issue 12 item 15: lenses appeared over entries that are not artifacts. GTO reads an entry whose name is a
    valid string written once and whose value is a mapping; the others get no lens, in artifacts.yaml as in dvc.yaml."""
    text = (
        "rf:\n  type: model\n"  # 0: an artifact
        "bad.name: {}\n"  # 2: a name GTO refuses
        "scalar: 5\n"  # 3: not a mapping
        "empty:\n"  # 4: null (GTO refuses the file)
        "123: {}\n"  # 5: not a string name
        "twice: {}\n"  # 6: written twice (GTO refuses the file)
        "twice:\n  type: model\n"
        "'quoted': {}\n"  # 9: a quoted valid name
        "flow: {type: model}\n"  # 10
    )
    repo = make_repo(
        files={
            "artifacts.yaml": text,
            "dvc.yaml": "artifacts:\n  clf:\n    path: clf.pkl\n  bad_: {}\n  list: [1]\n  clf2: {path: a}\n",
        }
    )
    editor = await start([repo.root], CLIENT)
    lines = by_line(await lenses(editor, editor.open(repo.index)))
    assert sorted(lines) == [0, 9, 10]
    assert [arg["name"] for _, _, arg in (lines[0][0], lines[9][0], lines[10][0])] == ["rf", "quoted", "flow"]
    lines = by_line(await lenses(editor, editor.open(repo.root / "dvc.yaml")))
    assert sorted(lines) == [1, 5]


async def test_dvc_yaml_lenses_use_full_names(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        files={
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\nartifacts:\n  clf:\n    path: clf.pkl\n",
            "sub/dir/dvc.yaml": "artifacts:\n  bert:\n    path: bert.bin\n    type: model\n",
        }
    )
    repo.tag("sub/dir=bert@v0.1.0", "Registering artifact sub/dir:bert version v0.1.0", T0 + 1)
    repo.tag("sub/dir=bert#prod#1", "Assigning stage prod to artifact sub/dir:bert version v0.1.0", T0 + 2)
    repo.tag("clf@v2.0.0", "Registering artifact clf version v2.0.0", T0 + 3)
    editor = await start([repo.root], CLIENT)
    nested = editor.open(repo.root / "sub/dir/dvc.yaml")
    lines = by_line(await lenses(editor, nested))
    assert lines[1][0][0] == "v0.1.0 · prod: v0.1.0"
    assert lines[1][1][2] == {"repository": str(repo.root), "name": "sub/dir:bert"}
    root = editor.open(repo.root / "dvc.yaml")
    lines = by_line(await lenses(editor, root))
    assert list(lines) == [4]  # only the artifacts: section, not the stages
    assert lines[4][0][0] == "v2.0.0" and lines[4][2][2] == {"repository": str(repo.root), "name": "clf"}


async def test_no_lenses_without_git(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = registry_repo(make_repo)
    untrusted = await start([repo.root], {**CLIENT, "trusted": False})
    assert await lenses(untrusted, untrusted.open(repo.index)) == []
    off = await start([repo.root], CLIENT, settings={"git": {"enabled": False}})
    assert await lenses(off, off.open(repo.index)) == []


async def test_tags_changed_on_disk_refresh_the_lenses(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = registry_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    refreshed: list[Optional[object]] = []

    @editor.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def on_refresh(params: None) -> None:
        refreshed.append(params)

    doc = editor.open(repo.index)
    assert by_line(await lenses(editor, doc))[5][0][0] == "not registered"
    repo.tag("fresh@v0.0.1", "Registering artifact fresh version v0.0.1", T0 + 10)
    # What VS Code's watcher reports for a new loose tag.
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(repo.root / ".git/refs/tags/fresh@v0.0.1").as_uri(), type=types.FileChangeType.Created
                )
            ]
        )
    )
    for _ in range(300):  # a hang bound of 30 s
        if refreshed:
            break
        await asyncio.sleep(0.1)
    assert refreshed, "workspace/codeLens/refresh was sent"
    assert by_line(await lenses(editor, doc))[5][0][0] == "v0.0.1"


async def test_without_watchers_the_poll_notices_new_tags(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = registry_repo(make_repo)
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.workspace is not None and capabilities.workspace.did_change_watched_files is not None
    capabilities.workspace.did_change_watched_files.dynamic_registration = False
    editor = await start([repo.root], CLIENT, capabilities=capabilities)
    refreshed: list[Optional[object]] = []

    @editor.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def on_refresh(params: None) -> None:
        refreshed.append(params)

    doc = editor.open(repo.index)
    assert by_line(await lenses(editor, doc))[5][0][0] == "not registered"
    await asyncio.sleep(2.5)  # one poll records the tags' stamp
    repo.tag("fresh@v0.0.1", "Registering artifact fresh version v0.0.1", T0 + 10)
    for _ in range(300):  # a hang bound of 30 s
        if refreshed:
            break
        await asyncio.sleep(0.1)
    assert refreshed, "workspace/codeLens/refresh was sent by the poll"
    assert by_line(await lenses(editor, doc))[5][0][0] == "v0.0.1"

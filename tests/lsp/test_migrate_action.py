"""The "Move annotations to dvc.yaml" code action: one edit of both files, undoable as one. Listed without an
edit (computing it is the costly part); the edit comes from codeAction/resolve, or from `gto.server.migrate`
for clients that resolve no edits."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import client_capabilities

from lsp.conftest import Editor, Repo, Start, rng

GTO_TEXT = (
    "# models\n"
    "rf:\n"
    "  type: model\n"
    "  path: models/rf.pkl\n"
    "  description: Random forest\n"
    "  virtual: false\n"
    "ideas:\n"
    "  type: notes\n"
)
STAGES = "stages:\n  train:\n    cmd: python train.py\n"


def apply(editor: Editor, edit: types.WorkspaceEdit) -> None:
    """The editor's apply, plus deleting a file (the conftest editor applies text edits and creations)."""
    deleted = [c for c in edit.document_changes or [] if isinstance(c, types.DeleteFile)]
    rest = [c for c in edit.document_changes or [] if not isinstance(c, types.DeleteFile)]
    assert editor.apply_workspace_edit(types.WorkspaceEdit(document_changes=rest)) is None
    for change in deleted:
        Path(str(to_fs_path(change.uri))).unlink()


async def move_action(editor: Editor, doc: object, only: str = "refactor") -> types.CodeAction:
    actions = await editor.code_actions(doc, rng(0, 0, 0, 0), [], only=[only])  # type: ignore[arg-type]
    (move,) = [a for a in actions if a.title.startswith("Move annotations to dvc.yaml")]
    return move


async def test_move_annotations_to_the_root_dvc_yaml(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": GTO_TEXT, "dvc.yaml": STAGES, "models/rf.pkl": "x"})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    dvc = editor.open(repo.root / "dvc.yaml")
    move = await move_action(editor, doc)
    assert move.edit is None and move.data is not None  # listed at no cost: the edit comes when chosen
    resolved = await editor.client.code_action_resolve_async(move)
    assert resolved.edit is not None
    assert "Moves 1 artifact to dvc.yaml" in resolved.title and "ideas: DVC requires a path" in resolved.title
    assert "`virtual` of 1" in resolved.title
    apply(editor, resolved.edit)
    assert dvc.text == STAGES + "artifacts:\n  rf:\n    path: models/rf.pkl\n    desc: Random forest\n    type: model\n"
    assert doc.text == "# models\nideas:\n  type: notes\n"


async def test_move_creates_the_dvc_yaml_and_deletes_the_emptied_artifacts_yaml(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"artifacts.yaml": "# all of them\nrf:\n  path: m.pkl\n  custom: {k: 1}\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    move = await move_action(editor, doc, "refactor.move")
    resolved = await editor.client.code_action_resolve_async(move)
    assert resolved.edit is not None
    assert "drops 1 comment" in resolved.title and "removes artifacts.yaml" in resolved.title
    apply(editor, resolved.edit)
    assert (repo.root / "dvc.yaml").read_text() == "artifacts:\n  rf:\n    path: m.pkl\n    meta:\n      k: 1\n"
    assert not repo.index.exists()  # GTO refuses an empty artifacts.yaml and reads a missing one as no artifacts


async def test_a_client_without_resolve_gets_a_command_that_applies_the_move(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"artifacts.yaml": GTO_TEXT, "dvc.yaml": STAGES})
    editor = await start([repo.root], capabilities=client_capabilities("emacs"))
    doc = editor.open(repo.index)
    move = await move_action(editor, doc)
    assert move.edit is None and move.command is not None and move.command.command == "gto.server.migrate"
    answer = await editor.command(move.command.command, (move.command.arguments or [None])[0])
    assert answer["ok"] and answer["applied"], answer
    assert answer["message"].startswith("Moves 1 artifact to dvc.yaml; drops `virtual` of 1; 1 stays")
    assert doc.text == "# models\nideas:\n  type: notes\n"
    assert "  rf:\n    path: models/rf.pkl\n" in (repo.root / "dvc.yaml").read_text()


async def test_the_vs_code_extension_runs_its_own_command(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": GTO_TEXT})
    editor = await start([repo.root], init_options={"clientCommands": ["gto.migrate"]})
    doc = editor.open(repo.index)
    move = await move_action(editor, doc)
    assert move.edit is None and move.command is not None and move.command.command == "gto.migrate"
    assert list(move.command.arguments or []) == [{"repository": str(repo.root), "uri": doc.uri}]
    # what that command calls: a dry run answers the summary and changes nothing
    answer = await editor.command("gto.server.migrate", {"repository": str(repo.root), "dryRun": True})
    assert answer == {"ok": True, "message": answer["message"], "applied": False}
    assert answer["message"].startswith("Moves 1 artifact to dvc.yaml;")
    assert doc.text == GTO_TEXT and not (repo.root / "dvc.yaml").exists()


async def test_a_13000_entry_file_costs_nothing_until_chosen_and_blocks_nothing(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    """It was computed on every cursor move, re-parsing the file once per entry: the server hung for good."""
    n = 13_000
    text = "".join(f"m{i}:\n  type: model\n  path: models/m{i}.pkl\n" for i in range(n))
    repo = make_repo(files={"artifacts.yaml": text, "dvc.yaml": STAGES})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while not [a for a in await editor.code_actions(doc, rng(0, 0, 0, 0), [], only=["refactor"]) if a.data]:
        assert loop.time() < deadline, "the first parse (in a worker thread) never ended"
        await asyncio.sleep(0.5)  # until then requests see an empty document
    for line in (0, 3000, 30000):  # cursor moves: each answered at once (a hang is no answer in 30 s)
        actions = await asyncio.wait_for(editor.code_actions(doc, rng(line, 0, line, 0), [], only=["refactor"]), 30)
        assert [a for a in actions if a.title.startswith("Move annotations") and a.edit is None]
    move = await move_action(editor, doc)
    resolving = asyncio.ensure_future(editor.client.code_action_resolve_async(move))
    await asyncio.sleep(0.5)
    hover = await asyncio.wait_for(editor.hover(doc, 3001, 3), 30)
    assert hover is not None
    actions = await asyncio.wait_for(editor.code_actions(doc, rng(9, 0, 9, 0), [], only=["refactor"]), 30)
    assert actions
    resolved = await asyncio.wait_for(resolving, 600)  # seconds of work, in a worker thread
    assert resolved.edit is not None and f"Moves {n} artifacts to dvc.yaml" in resolved.title

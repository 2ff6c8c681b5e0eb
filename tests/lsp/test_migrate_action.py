"""The "Move annotations to dvc.yaml" code action: one edit of both files, undoable as one."""

from __future__ import annotations

from typing import Callable

from .conftest import Repo, Start, rng

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


async def test_move_annotations_to_the_root_dvc_yaml(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": GTO_TEXT, "dvc.yaml": STAGES, "models/rf.pkl": "x"})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    dvc = editor.open(repo.root / "dvc.yaml")
    actions = await editor.code_actions(doc, rng(0, 0, 0, 0), [], only=["refactor"])
    (move,) = [a for a in actions if a.title.startswith("Move annotations to dvc.yaml")]
    assert "1 artifacts" in move.title and "ideas: DVC requires a path" in move.title
    assert move.edit is not None and editor.apply_workspace_edit(move.edit) is None
    assert dvc.text == STAGES + "artifacts:\n  rf:\n    path: models/rf.pkl\n    desc: Random forest\n    type: model\n"
    assert doc.text == "# models\nideas:\n  type: notes\n"


async def test_move_creates_the_dvc_yaml_when_missing(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  path: m.pkl\n  custom: {k: 1}\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    actions = await editor.code_actions(doc, rng(0, 0, 0, 0), [], only=["refactor.move"])
    (move,) = actions
    assert move.edit is not None and editor.apply_workspace_edit(move.edit) is None
    assert (repo.root / "dvc.yaml").read_text() == "artifacts:\n  rf:\n    path: m.pkl\n    meta:\n      k: 1\n"
    assert doc.text == "{}\n"

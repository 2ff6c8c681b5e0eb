"""Every write the server answers is read back first (issue 12 item 12): a flow-style dvc.yaml is edited in flow
style, and an edit that would not read back as intended is refused with no edit applied."""

from __future__ import annotations

from typing import Callable

from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import read_values
from lsp.conftest import Repo, Start

FLOW = "{stages: {train: {cmd: python train.py}}, artifacts: {rf: {path: m.pkl}}}\n"


async def test_annotate_on_a_flow_style_dvc_yaml_writes_yaml_dvc_reads(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"dvc.yaml": FLOW})
    editor = await start([repo.root])
    dvc = editor.open(repo.root / "dvc.yaml")
    answer = await editor.command(
        "gto.server.annotate", {"repository": str(repo.root), "file": "dvc.yaml", "name": "rf", "type": "model"}
    )
    assert answer["ok"] and answer["applied"], answer
    assert check_dvc(parse_dvc(dvc.text)) == [], dvc.text
    assert read_values(parse_dvc(dvc.text)) == {"rf": {"path": "m.pkl", "type": "model"}}


async def test_an_edit_that_would_not_read_back_is_refused_and_nothing_is_applied(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    text = "{stages: {train: {cmd: python train.py}}, artifacts: null}\n"
    repo = make_repo(files={"dvc.yaml": text})
    editor = await start([repo.root])
    dvc = editor.open(repo.root / "dvc.yaml")
    answer = await editor.command(
        "gto.server.annotate", {"repository": str(repo.root), "file": "dvc.yaml", "name": "rf", "path": "m.pkl"}
    )
    assert answer["ok"] is False and answer["applied"] is False
    assert answer["message"].startswith("dvc.yaml is written in flow style ({...}); gto-lsp cannot edit it")
    assert editor.applied == [] and dvc.text == text

"""Only the dvc.yaml files DVC reads get its diagnostics in the editor (issue 14, item 4): an open dvc.yaml that a
`.dvcignore` excludes, or that lies inside a stage's output folder, gets one information note saying why."""

from __future__ import annotations

from typing import Callable

from lsp.conftest import Repo, Start, codes

BROKEN = "artifacts:\n  m:\n    type: model\n"  # missing-path: DVC would refuse it, if it read it


async def test_an_ignored_dvc_yaml_gets_one_note(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    repo.write({".dvcignore": "scratch/\n", "scratch/dvc.yaml": BROKEN, "dvc.yaml": BROKEN})
    editor = await start([repo.root])
    ignored = editor.open(repo.root / "scratch" / "dvc.yaml")
    diagnostics = await editor.diagnostics(ignored.uri, version=1)
    assert codes(diagnostics) == ["dvc-file-ignored"]
    assert "`.dvcignore` line 1 (`scratch/`) excludes it" in diagnostics[0].message
    read = editor.open(repo.root / "dvc.yaml")
    assert codes(await editor.diagnostics(read.uri, version=1)) == ["missing-path"]


async def test_a_dvc_yaml_inside_a_stage_output_gets_one_note(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    stages = "stages:\n  s:\n    cmd: echo\n    outs:\n      - data\n"
    repo.write({"dvc.yaml": stages, "data/dvc.yaml": BROKEN})
    editor = await start([repo.root])
    root = editor.open(repo.root / "dvc.yaml")
    await editor.diagnostics(root.uri, version=1)
    inner = editor.open(repo.root / "data" / "dvc.yaml")
    diagnostics = await editor.diagnostics(inner.uri, version=1)
    assert codes(diagnostics) == ["dvc-file-ignored"]
    assert "inside `data/`, an output of a stage of dvc.yaml" in diagnostics[0].message


async def test_the_annotate_prompt_offers_no_dvc_yaml_dvc_ignores(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    repo.write({".dvcignore": "scratch/\n", "scratch/dvc.yaml": BROKEN, "kept/dvc.yaml": BROKEN})
    editor = await start([repo.root])
    context = await editor.command("gto.server.context", {"repository": str(repo.root)})
    offered = {f["file"] for f in context["annotationFiles"]}
    assert "kept/dvc.yaml" in offered and "scratch/dvc.yaml" not in offered

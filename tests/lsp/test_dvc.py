"""dvc.yaml over the real server: diagnostics of the artifacts section and of the stages, exact ranges, paths
from the file's folder, incremental edits."""

from __future__ import annotations

from typing import Callable

from lsprotocol import types

from lsp.conftest import Repo, Start, codes, uri

DVC_YAML = (
    "stages:\n"
    "  train:\n"
    "    cmd: python train.py --with-a-very-long-argument-list that goes on and on past eighty columns easily\n"
    "    outs:\n"
    "    - models/gb.pkl\n"
    "  bogus_stage_field: 1\n"
    "artifacts:\n"
    "  rf:\n"
    "    path: models/rf.pkl\n"
    "    description: Random forest\n"
    "  gb:\n"
    "    path: models/gb.pkl\n"
    "    desc: 2024-01-01\n"
    "  bad.name:\n"
    "    type: model\n"
    "plots:\n"
    "- metrics.csv\n"
)


async def test_dvc_yaml_diagnostics_at_the_exact_key(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"models/rf.pkl": "x"})
    repo.write({"dvc.yaml": DVC_YAML})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    diagnostics = await editor.diagnostics(doc.uri, version=1)
    assert codes(diagnostics) == ["dvc-wrong-type", "extra-key", "invalid-name", "missing-path", "wrong-type"]
    by_code = {d.code: d for d in diagnostics}
    extra = by_code["extra-key"]
    assert extra.range == types.Range(
        start=types.Position(line=9, character=4), end=types.Position(line=9, character=15)
    )
    assert extra.data == {"field": "description", "suggestion": "desc"}
    assert extra.severity == types.DiagnosticSeverity.Error
    assert "dvc status" in extra.message
    wrong = by_code["wrong-type"]
    assert wrong.range.start == types.Position(line=12, character=10)
    assert wrong.data is not None and wrong.data["quoted"] == "'2024-01-01'"
    assert by_code["invalid-name"].severity == types.DiagnosticSeverity.Warning
    assert by_code["missing-path"].range.start == types.Position(line=13, character=2)
    # A stage that is not a mapping: DVC refuses the file.
    assert by_code["dvc-wrong-type"].range.start == types.Position(line=5, character=21)
    # models/gb.pkl is the train stage's output: present for DVC though not on disk.
    assert not any(d.code == "path-missing" for d in diagnostics)


async def test_nested_dvc_yaml_paths_resolve_from_its_folder(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"sub/dir/model.pkl": "x", "data/raw.csv.dvc": "outs:\n- path: raw.csv\n"})
    text = (
        "artifacts:\n"
        "  here:\n"
        "    path: model.pkl\n"
        "  tracked:\n"
        "    path: ../../data/raw.csv\n"
        "  missing:\n"
        "    path: models/nope.pkl\n"
        "  outside:\n"
        "    path: ../../../x.pkl\n"
        "  remote:\n"
        "    path: s3://bucket/m.pkl\n"
        "  templated:\n"
        "    path: ${model_dir}/m.pkl\n"
    )
    repo.write({"sub/dir/dvc.yaml": text})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "sub" / "dir" / "dvc.yaml")
    diagnostics = await editor.diagnostics(doc.uri, version=1)
    # `${model_dir}` is defined nowhere: DVC refuses the file (it resolves artifacts too).
    assert codes(diagnostics) == ["dvc-variable-undefined", "path-escapes", "path-missing", "path-url"]
    missing = next(d for d in diagnostics if d.code == "path-missing")
    assert missing.range.start.line == 6 and "sub/dir/models/nope.pkl" in missing.message


async def test_dvc_yaml_edit_fixes_and_breaks(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"m.pkl": "x"})
    repo.write({"dvc.yaml": "stages:\n  s:\n    cmd: echo\nartifacts:\n  rf:\n    path: m.pkl\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    assert await editor.diagnostics(doc.uri, version=1) == []
    editor.type(doc, 5, 4, "virtual: true\n    ")
    diagnostics = await editor.diagnostics(doc.uri, version=2)
    assert codes(diagnostics) == ["extra-key"]
    editor.type(doc, 2, 9, " [")  # a YAML error in a stage: reported, as DVC would
    diagnostics = await editor.diagnostics(doc.uri, version=3)
    assert "yaml-syntax" in codes(diagnostics)


async def test_context_lists_annotation_files_and_proposes_where_the_repo_annotates(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(
        files={
            "dvc.yaml": "stages:\n  s:\n    cmd: echo\n",
            "sub/dir/dvc.yaml": "artifacts:\n  clf:\n    path: clf.pkl\n    desc: A classifier\n    labels: [cv]\n",
        }
    )
    editor = await start([repo.root])
    context = await editor.command("gto.server.context", {"repository": str(repo.root)})
    assert context["ok"] is True
    files = {f["file"]: f for f in context["annotationFiles"]}
    assert files["artifacts.yaml"] == {"file": "artifacts.yaml", "format": "gto", "exists": False, "artifacts": 0}
    assert files["dvc.yaml"]["exists"] is True and files["dvc.yaml"]["artifacts"] == 0
    assert files["sub/dir/dvc.yaml"]["artifacts"] == 1
    assert context["defaultFile"] == "sub/dir/dvc.yaml"
    clf = context["dvcArtifacts"]["sub/dir/dvc.yaml"]["clf"]
    assert clf["fullName"] == "sub/dir:clf" and clf["path"] == "sub/dir/clf.pkl"
    assert clf["description"] == "A classifier" and "cv" in context["labels"]


async def test_annotate_and_remove_in_a_nested_dvc_yaml_with_stages(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    stages = "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - model.pkl\n"
    repo = make_repo(files={"sub/dvc.yaml": stages, "sub/model.pkl": "x", "keep.txt": "a"})
    repo.write({"keep.txt": "changed, not to be committed"})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "sub" / "dvc.yaml")
    result = await editor.command(
        "gto.server.annotate",
        {
            "repository": str(repo.root),
            "file": "sub/dvc.yaml",
            "name": "clf",
            "path": "sub/model.pkl",
            "must_exist": True,
            "type": "model",
            "description": "Classifier",
            "labels": ["b", "a"],
        },
    )
    assert result["ok"] is True and result["applied"] is True, result
    assert doc.text == stages + (
        "artifacts:\n  clf:\n    path: model.pkl\n    desc: Classifier\n    type: model\n    labels: [a, b]\n"
    )
    again = await editor.command(
        "gto.server.annotate", {"uri": doc.uri, "name": "clf", "description": "Better", "labels": ["c"]}
    )
    assert again["ok"] is True, again
    assert "desc: Better" in doc.text and "labels: [a, b, c]" in doc.text and doc.text.startswith(stages)
    bad = await editor.command("gto.server.annotate", {"uri": doc.uri, "name": "nopath"})
    assert bad["ok"] is False and "requires a `path`" in bad["message"]
    escape = await editor.command(
        "gto.server.annotate", {"repository": str(repo.root), "file": "../dvc.yaml", "name": "x"}
    )
    assert escape["ok"] is False and "`file`" in escape["message"]
    (repo.root / "sub" / "dvc.yaml").write_text(doc.text)
    committed = await editor.command(
        "gto.server.commit",
        {"repository": str(repo.root), "file": "sub/dvc.yaml", "name": "clf", "action": "annotate", "type": "model"},
    )
    assert committed["ok"] is True, committed
    assert repo.git("show", "--name-only", "--format=%s", "HEAD").split()[-1] == "sub/dvc.yaml"
    assert "keep.txt" in repo.git("status", "--porcelain")
    removed = await editor.command("gto.server.remove", {"uri": doc.uri, "name": "clf"})
    assert removed["ok"] is True and doc.text == stages + "artifacts: {}\n"


async def test_saved_dvc_yaml_files_are_checked_without_opening_them(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"a/dvc.yaml": "artifacts:\n  x:\n    desc: no path\n", "b/dvc.yaml": "stages: {}\n"})
    editor = await start([repo.root])
    found = await editor.diagnostics(uri(repo.root / "a" / "dvc.yaml"), until=bool)
    assert codes(found) == ["missing-path"]

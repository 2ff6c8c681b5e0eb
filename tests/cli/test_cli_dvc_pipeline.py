"""`gto-lsp check` on dvc.yaml's pipeline: every section as DVC reads it, `${}` from params files, and what DVC
refuses between two dvc.yaml files (an output written by stages of both)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.cli import run

pytestmark = pytest.mark.usefixtures("git_env")


def test_check_reports_the_pipeline_of_every_dvc_yaml(repo: Path) -> None:
    (repo / "params.yaml").write_text("models: [a, b]\n")
    (repo / "dvc.yaml").write_text(
        "stages:\n"
        "  train:\n"
        "    foreach: ${models}\n"
        "    do:\n"
        "      cmd: python train.py ${item} ${nope}\n"
        "      outs: ['models/${item}.pkl']\n"
        "      frozn: true\n"
        "  shared:\n"
        "    cmd: echo\n"
        "    outs: [shared.txt]\n"
        "artifacts:\n"
        "  a:\n"
        "    path: models/a.pkl\n"
    )
    (repo / "sub").mkdir()
    (repo / "sub" / "dvc.yaml").write_text("stages:\n  again:\n    cmd: echo\n    outs: [../shared.txt]\n")
    code, out, _ = run("check", cwd=repo)
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("dvc.yaml:5:") and "dvc-variable-undefined" in line for line in lines), out
    assert any(line.startswith("dvc.yaml:7:7:") and "dvc-unknown-key" in line for line in lines), out
    assert any(line.startswith("sub/dvc.yaml:4:12:") and "dvc-output-duplicated" in line for line in lines), out
    # `models/a.pkl` is made by the foreach stage (its name from params.yaml): no path-missing.
    assert "path-missing" not in out
    # Fixed, the same repository checks clean.
    (repo / "dvc.yaml").write_text((repo / "dvc.yaml").read_text().replace(" ${nope}", "").replace("frozn", "frozen"))
    (repo / "sub" / "dvc.yaml").write_text("stages:\n  again:\n    cmd: echo\n    outs: [../other.txt]\n")
    code, out, _ = run("check", cwd=repo)
    assert (code, out) == (0, "No problems found\n"), out


def test_schema_of_a_whole_dvc_yaml(repo: Path) -> None:
    import json

    code, out, _ = run("schema", "--format", "dvc", cwd=repo)
    schema = json.loads(out)
    assert code == 0 and schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"stages", "vars", "params", "metrics", "plots", "datasets", "artifacts"}
    code, out, _ = run("schema", cwd=repo)  # artifacts.yaml's, as before
    assert code == 0 and "stages" not in json.loads(out).get("properties", {})

"""The command line names no dvc.yaml DVC never reads (issue 14, item 4): annotate, remove and describe refuse a
`--dvcfile` or `folder:name` that a `.dvcignore` excludes, saying which rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.cli import run

pytestmark = pytest.mark.usefixtures("git_env")


def test_annotate_refuses_a_dvc_yaml_dvc_ignores(repo: Path) -> None:
    (repo / ".dvcignore").write_text("# generated\nscratch/\n")
    (repo / "scratch").mkdir()
    code, _, err = run("annotate", "m", "--dvcfile", "scratch/dvc.yaml", "--path", "m.pkl", cwd=repo)
    assert code == 2
    assert "DVC never reads scratch/dvc.yaml: `.dvcignore` line 2 (`scratch/`) excludes it" in err
    assert not (repo / "scratch" / "dvc.yaml").exists()
    code, _, err = run("describe", "scratch:m", cwd=repo)
    assert code == 2 and "`.dvcignore` line 2" in err


def test_annotate_writes_a_dvc_yaml_dvc_reads(repo: Path) -> None:
    (repo / ".dvcignore").write_text("scratch/\n")
    (repo / "kept").mkdir()
    code, _, err = run("annotate", "m", "--dvcfile", "kept/dvc.yaml", "--path", "m.pkl", cwd=repo)
    assert code == 0, err
    assert "m:" in (repo / "kept" / "dvc.yaml").read_text()

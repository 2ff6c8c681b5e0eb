"""The repositories people really have (issue 9 §3), through the `gto-lsp` console entry on real git repositories:
paths DVC or MLEM makes, labels and types GTO still reads, `check --fail-on`, other tools' artifacts.yaml, and a
`.gto` GTO refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.git import git

pytestmark = pytest.mark.usefixtures("git_env")
GTO_LSP = str(Path(sys.executable).parent / "gto-lsp")


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def gto_lsp(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GTO_LSP, *argv], cwd=cwd, capture_output=True, text=True, env=os.environ.copy())


def rows(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, str]]:
    return [(r["file"], r["severity"], r["code"]) for r in json.loads(result.stdout)]


DVC_FILE = "outs:\n- md5: 402d489cdbd046b12e010d58332c12cf\n  size: 19\n  hash: md5\n  path: model.pkl\n"


def test_paths_dvc_or_mlem_make_count_as_present(tmp_path: Path) -> None:
    """Iterative's example repositories: the data is DVC's (a `.dvc` file, a stage's output) or MLEM's (a `.mlem`
    metafile beside it), gitignored and not pulled: none of these paths is missing."""
    repo = make_repo(
        tmp_path / "repo",
        {
            "models/model.pkl.dvc": DVC_FILE,
            "models/.gitignore": "/model.pkl\n",
            "data/.dvc": "",
            "data.dvc": "outs:\n- path: data\n",
            "sub/dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - out/clf.pkl\n",
            "mlem/rf.mlem": "object_type: model\n",
            "artifacts.yaml": (
                "model:\n  type: model\n  path: models/model.pkl\n  virtual: false\n"
                "clf:\n  path: sub/out/clf.pkl\n"
                "table:\n  path: data/raw/table.csv\n"
                "rf:\n  path: mlem/rf\n  virtual: false\n"
                "gone:\n  path: nowhere.pkl\n  virtual: false\n"
            ),
        },
    )
    result = gto_lsp("check", "--format", "json", cwd=repo)
    assert rows(result) == [("artifacts.yaml", "error", "path-missing")], result.stdout
    assert "nowhere.pkl" in json.loads(result.stdout)[0]["message"]
    assert result.returncode == 1


def test_invalid_label_and_type_are_warnings_that_say_gto_still_reads_the_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"artifacts.yaml": "rf:\n  type: Bad.Type\n  labels: [Bad.Label]\n"})
    result = gto_lsp("check", "--format", "json", cwd=repo)
    found = json.loads(result.stdout)
    assert [(r["severity"], r["code"]) for r in found] == [("warning", "invalid-type"), ("warning", "invalid-label")]
    for row in found:
        assert "GTO still reads this file (`gto show`, `gto register` and `gto assign` work)" in row["message"]
        assert "only `gto annotate` refuses it" in row["message"]
    assert result.returncode == 0  # warnings: --fail-on error by default
    # ... and annotate refuses, as GTO's annotate does
    refused = gto_lsp("annotate", "other", cwd=repo)
    assert refused.returncode == 1


@pytest.mark.parametrize(
    ("fail_on", "errors", "warnings", "clean"),
    [(None, 1, 0, 0), ("error", 1, 0, 0), ("warning", 1, 1, 0), ("never", 0, 0, 0)],
)
def test_check_fail_on(tmp_path: Path, fail_on: str | None, errors: int, warnings: int, clean: int) -> None:
    with_error = make_repo(tmp_path / "e", {"artifacts.yaml": "a.b: {}\n"})
    with_warning = make_repo(tmp_path / "w", {"artifacts.yaml": "rf:\n  descripton: typo\n"})
    no_problem = make_repo(tmp_path / "c", {"artifacts.yaml": "rf:\n  description: ok\n"})
    option = ["--fail-on", fail_on] if fail_on else []
    assert gto_lsp("check", *option, cwd=with_error).returncode == errors
    assert gto_lsp("check", *option, cwd=with_warning).returncode == warnings
    assert gto_lsp("check", *option, cwd=no_problem).returncode == clean
    assert gto_lsp("check", "--fail-on", "sometimes", cwd=no_problem).returncode == 2


FOREIGN = {
    "juju charm": "resources:\n  image:\n    type: oci-image\n    upstream-source: ubuntu:22.04\n"
    "charm:\n  source: ./charm\n",
    "build manifest": "version: 2\nartifacts:\n  - dist/app.tar.gz\n  - dist/app.whl\n",
    "kubernetes-style": "apiVersion: v1\nkind: ArtifactList\nmetadata:\n  name: release\n",
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_an_artifacts_yaml_of_another_tool_is_said_once_and_left_alone(tmp_path: Path, kind: str) -> None:
    repo = make_repo(tmp_path / "repo", {"artifacts.yaml": FOREIGN[kind]})
    result = gto_lsp("check", "--format", "json", cwd=repo)
    found = json.loads(result.stdout)
    assert [(r["severity"], r["code"]) for r in found] == [("information", "not-gto-file")]
    assert "does not look like GTO annotations" in found[0]["message"]
    assert result.returncode == 0
    forced = gto_lsp("check", "--force", "--fail-on", "warning", "--format", "json", cwd=repo)
    assert forced.returncode == 1 and "not-gto-file" not in forced.stdout and len(json.loads(forced.stdout)) > 1


@pytest.mark.parametrize(
    "text",
    ["rf:\n  descripton: typo\n", "rf:\nnn:\n", "rf: {}\n", "version:\n  path: v.pkl\n", "a.b: {}\n"],
)
def test_gto_files_stay_checked(tmp_path: Path, text: str) -> None:
    repo = make_repo(tmp_path / "repo", {"artifacts.yaml": text, "v.pkl": "x"})
    assert "not-gto-file" not in gto_lsp("check", cwd=repo).stdout


def test_annotate_refuses_a_gto_config_with_an_unknown_key_like_gto(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".gto": "types: [model]\ncolour: red\n", "artifacts.yaml": "rf: {}\n"})
    before = (repo / "artifacts.yaml").read_bytes()
    for argv in (["annotate", "rf", "--label", "aa"], ["annotate", "nn"], ["remove", "rf"]):
        result = gto_lsp(*argv, cwd=repo)
        assert result.returncode == 1, argv
        assert result.stderr.strip() == f"Wrong config file '{repo.resolve() / '.gto'}'", argv
        assert (repo / "artifacts.yaml").read_bytes() == before
    fixed = (repo / ".gto").write_text("types: [model]\n")
    assert fixed and gto_lsp("annotate", "rf", "--label", "aa", cwd=repo).returncode == 0

"""`check --staged` on real repositories: the annotations files read from git's index, a staged path present and
committed, and the index's corner cases (deleted, unmerged, intent-to-add, no commit yet, no repository); and a
repository without annotations, which passes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.repo.staged import StagedTree, StagedView
from helpers.cli import run
from helpers.git import GitFailed, git

pytestmark = pytest.mark.usefixtures("git_env")

BROKEN = "rf:\n  type: model\n  descripton: typo\n  path: models/rf.pkl\n  virtual: false\n"
FIXED = "rf:\n  type: model\n  description: fixed\n  path: models/rf.pkl\n  virtual: false\n"
NEW_MODEL = "new:\n  type: model\n  path: models/new.pkl\n  virtual: false\n"


def check(repo: Path, *args: str) -> tuple[int, str, str]:
    return run("check", *args, cwd=repo)


def codes(repo: Path, *args: str) -> list[str]:
    return [row["code"] for row in json.loads(check(repo, "--format", "json", *args)[1])]


def test_staged_judges_the_index_not_the_working_tree(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text(BROKEN)
    git(repo, "add", "artifacts.yaml")
    (repo / "artifacts.yaml").write_text(FIXED)  # fixed on disk, not staged: the commit would hold the typo
    code, out, _ = check(repo, "--staged")
    assert code == 0 and "unknown-field" in out  # a warning: exit 0 by default
    assert code == 0 and check(repo, "--staged", "--fail-on", "warning")[0] == 1
    assert codes(repo) == []
    git(repo, "add", "artifacts.yaml")
    (repo / "artifacts.yaml").write_text(BROKEN + "a.b: {}\n")  # the reverse: a broken edit left unstaged
    assert codes(repo, "--staged") == []
    assert codes(repo) == ["unknown-field", "invalid-name"]


def test_a_path_staged_with_its_annotation_counts_as_committed(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text(NEW_MODEL)
    (repo / "models" / "new.pkl").write_text("weights")
    git(repo, "add", "artifacts.yaml")
    code, out, _ = check(repo, "--staged")  # the model is on disk but not in the commit
    assert code == 1
    assert "artifacts.yaml:3:9: error path-not-committed Path `models/new.pkl` is not staged" in out
    assert "git add models/new.pkl" in out
    git(repo, "add", "models/new.pkl")
    assert check(repo, "--staged")[:2] == (0, "No problems found\n")
    assert codes(repo) == ["path-not-committed"]  # the working tree's check still compares with HEAD
    (repo / "models" / "new.pkl").unlink()  # deleted on disk, not in the index: the commit holds it
    assert codes(repo, "--staged") == []
    assert codes(repo) == ["path-missing"]


def test_a_path_deleted_in_the_index_is_gone(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text(FIXED)
    git(repo, "add", "artifacts.yaml")
    git(repo, "commit", "-qm", "annotate")
    git(repo, "rm", "-q", "--cached", "models/rf.pkl")  # kept on disk, left out of the commit
    assert codes(repo, "--staged") == ["path-not-committed"]
    assert codes(repo) == []
    git(repo, "rm", "-q", "--cached", "artifacts.yaml")  # the annotations file itself leaves the commit
    code, out, _ = check(repo, "--staged")
    assert (code, out) == (0, f"No annotations found in {repo}: nothing to check.\n")
    git(repo, "add", "artifacts.yaml", "models/rf.pkl")
    git(repo, "rm", "-q", "models/rf.pkl")  # gone from both
    assert codes(repo, "--staged") == ["path-missing"] == codes(repo)


def test_dvc_files_and_gto_config_come_from_the_index(repo: Path) -> None:
    (repo / "dvc.yaml").write_text("artifacts:\n  rf:\n    path: models/rf.pkl\n    typo: 1\n")
    git(repo, "add", "dvc.yaml")
    (repo / "dvc.yaml").unlink()  # only in the index
    (repo / "sub").mkdir()
    (repo / "sub" / "dvc.yaml").write_text("artifacts:\n  x:\n    path: nowhere.pkl\n")  # never staged
    (repo / ".gto").write_text("typs: [model]\n")
    git(repo, "add", ".gto")
    (repo / ".gto").write_text("types: [model]\n")
    code, out, _ = check(repo, "--staged")
    assert code == 1
    assert [line.split(" ")[0] + line.split(" ")[2] for line in out.splitlines()[:-1]] == [
        ".gto:1:1:config-unknown-key",
        "dvc.yaml:4:5:extra-key",
    ]
    assert codes(repo) == ["path-missing"]  # the working tree: sub/dvc.yaml, untracked, is read; dvc.yaml is not


def test_dvcignore_and_params_are_read_from_the_index(repo: Path) -> None:
    (repo / "sub").mkdir()
    (repo / "sub" / "dvc.yaml").write_text("artifacts:\n  x:\n    path: nowhere.pkl\n")
    (repo / ".dvcignore").write_text("sub/\n")
    git(repo, "add", ".")
    (repo / ".dvcignore").write_text("")  # the working tree reads sub/dvc.yaml; the commit does not
    assert codes(repo, "--staged") == []
    assert codes(repo) == ["path-missing"]
    (repo / "params.yaml").write_text("lr: 1\n")
    git(repo, "add", "params.yaml")
    (repo / "params.yaml").write_text("other: 1\n")
    tree = StagedTree(repo)
    view = StagedView(root=repo, staged=tree)
    assert view.read_text("params.yaml") == "lr: 1\n"
    assert view.read_text("./params.yaml") == "lr: 1\n"
    assert view.read_text(".dvcignore") == "sub/\n"
    assert view.read_text("README.md") == "readme\n"
    (repo / "untracked.txt").write_text("disk\n")
    assert view.read_text("untracked.txt") == "disk\n"  # git does not track it: the disk's
    tree.close()


def test_staged_view_answers_by_the_index_then_the_disk(repo: Path) -> None:
    (repo / "models" / "new.pkl").write_text("x")
    git(repo, "add", "models/new.pkl")
    (repo / "models" / "new.pkl").unlink()
    (repo / "data").mkdir()
    (repo / "data" / "raw.csv").write_text("untracked\n")
    tree = StagedTree(repo)
    view = StagedView(root=repo, staged=tree)
    assert view.exists("models/new.pkl") and view.exists("models") and view.exists("./models/")
    assert view.in_head is not None and view.in_head("models/new.pkl") and view.in_head(".")
    assert view.exists("data/raw.csv") and view.in_head("data/raw.csv") is False  # untracked: present, uncommitted
    assert view.exists("nowhere") is False and view.in_head("../x") is False
    assert RepoView(root=repo).exists("models/new.pkl") is False
    assert tree.paths() == ["README.md", "models/new.pkl", "models/rf.pkl"]
    tree.close()


def test_intent_to_add_is_not_in_the_commit(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text(NEW_MODEL)
    (repo / "models" / "new.pkl").write_text("")
    git(repo, "add", "artifacts.yaml")
    git(repo, "add", "-N", "models/new.pkl")  # listed in the index, but git commit leaves it out
    assert codes(repo, "--staged") == ["path-not-committed"]
    git(repo, "add", "models/new.pkl")  # the same empty blob, now really staged
    assert codes(repo, "--staged") == []


def test_before_the_first_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "model.pkl").write_text("w")
    (tmp_path / "artifacts.yaml").write_text("m:\n  path: model.pkl\n  virtual: false\n")
    assert check(tmp_path, "--staged")[:2] == (0, f"No annotations found in {tmp_path}: nothing to check.\n")
    git(tmp_path, "add", "artifacts.yaml")
    assert codes(tmp_path, "--staged") == ["path-not-committed"]
    git(tmp_path, "add", "model.pkl")
    assert codes(tmp_path, "--staged") == []


def test_unmerged_index_is_refused_clearly(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text(FIXED)
    git(repo, "add", "artifacts.yaml")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "other")
    (repo / "artifacts.yaml").write_text(FIXED.replace("fixed", "theirs"))
    git(repo, "commit", "-qam", "theirs")
    git(repo, "checkout", "-q", "main")
    (repo / "artifacts.yaml").write_text(FIXED.replace("fixed", "ours"))
    git(repo, "commit", "-qam", "ours")
    with pytest.raises(GitFailed):
        git(repo, "merge", "-q", "other")
    code, out, err = check(repo, "--staged")
    assert (code, out) == (2, "")
    assert "git's index has unmerged paths" in err and "artifacts.yaml" in err and "git add" in err
    assert check(repo)[0] == 1  # the working tree's conflict markers are checked as they are


def test_staged_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "artifacts.yaml").write_text("a.b: {}\n")
    code, out, err = check(tmp_path, "--staged")
    assert (code, out) == (2, "")
    assert "--staged checks git's index: No Git repo found in '.'" in err and "without --staged" in err
    assert check(tmp_path)[0] == 1  # without --staged it still checks


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_a_link_in_the_index_is_not_read(repo: Path) -> None:
    (repo / "real.yaml").write_text(FIXED)
    os.symlink("real.yaml", repo / "artifacts.yaml")
    (repo / "sub").mkdir()
    os.symlink("../real.yaml", repo / "sub" / "dvc.yaml")
    git(repo, "add", ".")
    code, _, err = check(repo, "--staged")
    assert code == 2
    assert "artifacts.yaml is a symbolic link in git's index, not a file: --staged reads only files" in err
    os.unlink(repo / "artifacts.yaml")
    git(repo, "rm", "-q", "--cached", "artifacts.yaml")
    code, _, err = check(repo, "--staged")
    assert "Skipped sub/dvc.yaml: sub/dvc.yaml is a symbolic link in git's index" in err


def test_a_large_index_with_paths_only_in_it(repo: Path) -> None:
    """20,000 staged files that are not on disk (as after a sparse checkout): the annotated one is present."""
    blob = _blob(repo)
    lines = "".join(f"100644 {blob}\tdata/part{i:05d}/file.bin\n" for i in range(20_000))
    _update_index(repo, lines)
    (repo / "artifacts.yaml").write_text("d:\n  path: data/part19999/file.bin\n  virtual: false\n")
    git(repo, "add", "artifacts.yaml")
    assert codes(repo, "--staged") == []
    assert codes(repo) == ["path-missing"]


def _blob(repo: Path) -> str:
    (repo / "blob.tmp").write_text("x")
    sha = git(repo, "hash-object", "-w", "blob.tmp").strip()
    (repo / "blob.tmp").unlink()
    return sha


def _update_index(repo: Path, lines: str) -> None:
    import subprocess

    subprocess.run(["git", "update-index", "--index-info"], cwd=repo, input=lines, text=True, check=True)


@pytest.mark.parametrize("staged", [(), ("--staged",)])
def test_no_annotations_passes_in_every_format(repo: Path, staged: tuple[str, ...]) -> None:
    said = f"No annotations found in {repo}: nothing to check."
    assert check(repo, *staged) == (0, said + "\n", "")
    code, out, _ = check(repo, "--format", "json", *staged)
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = check(repo, "--format", "github", *staged)
    assert code == 0 and f"::notice title=gto-lsp check::{said}" in out.splitlines()
    assert not [line for line in out.splitlines() if line.startswith(("::error", "::warning"))]
    code, out, _ = check(repo, "--format", "sarif", *staged)
    log = json.loads(out)
    assert code == 0 and log["version"] == "2.1.0" and [run_["results"] for run_ in log["runs"]] == [[]]


def test_no_annotations_outside_git_passes(tmp_path: Path) -> None:
    assert check(tmp_path) == (0, f"No annotations found in {tmp_path}: nothing to check.\n", "")
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")  # a pipeline without artifacts is still checked
    assert check(tmp_path) == (0, "No problems found\n", "")


def test_the_index_gto_names_is_read_from_the_index(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".gto").write_text("index: meta/annotations.yaml\n")
    (repo / "meta").mkdir()
    (repo / "meta" / "annotations.yaml").write_text("a.b: {}\n")
    git(repo, "add", ".gto", "meta")
    (repo / "meta" / "annotations.yaml").write_text(FIXED)
    assert codes(repo, "--staged") == ["invalid-name"]
    assert codes(repo) == []
    monkeypatch.setenv("GTO_INDEX", str(repo / "meta" / "annotations.yaml"))  # absolute, inside the repository
    assert codes(repo, "--staged") == ["invalid-name"]


def test_a_staged_annotations_file_that_is_not_utf8_is_a_clear_error(repo: Path) -> None:
    (repo / "artifacts.yaml").write_bytes(b"rf:\n  description: \xff\n")
    git(repo, "add", "artifacts.yaml")
    (repo / "artifacts.yaml").write_text(FIXED)
    code, out, err = check(repo, "--staged")
    assert (code, out) == (2, "")
    assert "Cannot read artifacts.yaml as staged in git's index: 'utf-8' codec can't decode" in err


def test_a_stage_reads_its_params_as_staged(repo: Path) -> None:
    (repo / "dvc.yaml").write_text("stages:\n  train:\n    cmd: python train.py\n    params:\n    - lr\n")
    (repo / "params.yaml").write_text("lr: 0.1\n")
    git(repo, "add", "dvc.yaml", "params.yaml")
    (repo / "params.yaml").write_text("rate: 0.1\n")  # renamed on disk only
    assert codes(repo, "--staged") == []
    assert codes(repo) == ["dvc-param-missing"]
    git(repo, "add", "params.yaml")
    (repo / "params.yaml").write_text("lr: 0.1\n")
    assert codes(repo, "--staged") == ["dvc-param-missing"]

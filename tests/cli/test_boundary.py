"""The repository is the boundary, for the command line: a name's folder, --dvcfile, --to, and `.gto`'s `index`
never lead to a file outside the repository (through `..`, an absolute path, or a symlink), and a bad one is a
clear message, never a traceback; git is never found through a relative PATH entry."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gto_lsp.core.repo.git_exe import pin_git
from helpers.cli import run
from helpers.git import git

pytestmark = pytest.mark.usefixtures("git_env")

OUTSIDE_DVC = "artifacts:\n  rf:\n    path: rf.pkl\n    type: model\n"
SECRET = "secret-of-the-runner: 7305916482\n"  # a value no temporary path holds
SECRET_VALUE = "7305916482"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository, with a dvc.yaml and a file that must never be read or written."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "dvc.yaml").write_text(OUTSIDE_DVC)
    (folder / "x.yaml").write_text(SECRET)
    return folder


def untouched(outside: Path) -> None:
    assert sorted(p.name for p in outside.iterdir()) == ["dvc.yaml", "x.yaml"]
    assert (outside / "dvc.yaml").read_text() == OUTSIDE_DVC
    assert (outside / "x.yaml").read_text() == SECRET


def test_a_committed_symlinked_folder_is_not_written_through(repo: Path, outside: Path) -> None:
    (repo / "sub").symlink_to(Path("..") / "outside")
    git(repo, "add", "sub")
    git(repo, "commit", "-qm", "link")
    for argv in (
        ("annotate", "sub:zz", "--type", "model"),
        ("remove", "sub:rf"),
        ("describe", "sub:rf"),
        ("annotate", "zz", "--dvcfile", "sub/dvc.yaml"),
        ("migrate", "--to", "sub/dvc.yaml"),
    ):
        code, out, err = run(*argv, cwd=repo)
        assert code == 2 and out == "", argv
        assert "sub/dvc.yaml" in err and "out of" in err and "repository" in err, (argv, err)
    untouched(outside)


def test_a_dvc_yaml_that_links_out_is_not_read_or_written(repo: Path, outside: Path) -> None:
    (repo / "artifacts.yaml").write_text("nn:\n  type: model\n")
    (repo / "dvc.yaml").symlink_to(outside / "dvc.yaml")
    for argv in (
        ("annotate", "zz", "--dvcfile", "dvc.yaml", "--type", "model"),
        ("remove", "rf", "--dvcfile", "dvc.yaml"),
        ("migrate",),
    ):
        code, out, err = run(*argv, cwd=repo)
        assert code == 2 and out == "", argv
        assert "dvc.yaml" in err and "out of" in err and "repository" in err, (argv, err)
    # A bare name artifacts.yaml has stays there; the root dvc.yaml that links out is not looked at.
    code, out, err = run("describe", "nn", cwd=repo)
    assert code == 0 and '"type": "model"' in out
    # check (CI on a pull request) says it skipped it, and prints nothing of it.
    code, out, err = run("check", "--fail-on", "never", cwd=repo)
    assert code == 0 and "rf" not in out and "Skipped dvc.yaml" in err and "link out of the repository" in err
    untouched(outside)


def test_a_names_folder_part_must_be_a_folder_of_the_repository(repo: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    cases = {
        "../victim:zz": "leads out of the repository",
        f"{victim}:zz": "absolute path",
        "missing/dir:zz": "No folder 'missing/dir'",
    }
    for name, expected in cases.items():
        for argv in (("annotate", name, "--type", "model"), ("remove", name)):
            code, out, err = run(*argv, cwd=repo)
            assert (code, out) == (2, ""), argv
            assert expected in err and "Traceback" not in err, (argv, err)
    assert list(victim.iterdir()) == []
    assert not (repo / "missing").exists()


def test_an_annotations_file_that_is_not_a_regular_file_is_refused(repo: Path) -> None:
    (repo / "sub" / "dvc.yaml").mkdir(parents=True)
    code, out, err = run("annotate", "sub:zz", "--type", "model", cwd=repo)
    assert (code, out) == (2, "")
    assert "sub/dvc.yaml" in err and "not a regular file" in err


@pytest.mark.parametrize("how", ["gto", "env", "link"])
def test_check_and_every_command_refuse_an_index_outside_the_repository(
    repo: Path, outside: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if how == "gto":
        (repo / ".gto").write_text("index: ../outside/x.yaml\n")
        named = "../outside/x.yaml"
    elif how == "env":
        monkeypatch.setenv("GTO_INDEX", str(outside / "x.yaml"))
        named = str(outside / "x.yaml")
    else:
        (repo / "artifacts.yaml").symlink_to(outside / "x.yaml")
        named = "artifacts.yaml"
    for argv in (
        ("check",),
        ("check", "--format", "json"),
        ("annotate", "zz", "--type", "model"),
        ("remove", "zz"),
        ("describe", "secret-of-the-runner"),
        ("migrate",),
    ):
        code, out, err = run(*argv, cwd=repo)
        assert (code, out) == (2, ""), (argv, out, err)
        assert named in err and "--allow-outside-index" in err and SECRET_VALUE not in err, (argv, err)
    untouched(outside)
    # The explicit opt-in reads it, as GTO would.
    code, out, err = run("check", "--allow-outside-index", "--fail-on", "never", cwd=repo)
    assert code == 0 and "Traceback" not in err


def test_an_absolute_index_inside_the_repository_is_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "artifacts.yaml").write_text("rf:\n  type: model\n  path: models/rf.pkl\n")
    monkeypatch.setenv("GTO_INDEX", str(repo / "artifacts.yaml"))
    assert run("check", cwd=repo)[:2] == (0, "No problems found\n")
    code, out, err = run("describe", "rf", "--type", cwd=repo)
    assert (code, out, err) == (0, "model\n", "")


def test_pin_git_keeps_only_absolute_path_entries(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    real = folder / "git"
    real.write_text("#!/bin/sh\n")
    real.chmod(0o755)
    env = {"PATH": os.pathsep.join([".", str(folder), "", "relative/bin"]), "GIT_PYTHON_GIT_EXECUTABLE": "./git"}
    assert pin_git(env) == str(real)
    assert env == {"PATH": str(folder), "GIT_PYTHON_GIT_EXECUTABLE": str(real)}
    chosen = {"PATH": str(folder), "GIT_PYTHON_GIT_EXECUTABLE": "/opt/git/bin/git"}  # the user's absolute choice
    assert pin_git(chosen) == "/opt/git/bin/git" and chosen["GIT_PYTHON_GIT_EXECUTABLE"] == "/opt/git/bin/git"
    none = {"PATH": ".", "GIT_PYTHON_GIT_EXECUTABLE": "git"}
    assert pin_git(none) is None and none == {"PATH": ""}


def test_git_is_never_found_through_a_relative_path_entry(repo: Path, tmp_path: Path) -> None:
    """A repository's own `git` script, with `.` first on PATH and the repository as the current folder: the CLI
    runs the real git (found on PATH's absolute entries), never the script."""
    marker = tmp_path / "ran-the-repositorys-git"
    script = repo / "git"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k != "GIT_PYTHON_GIT_EXECUTABLE"}
    env["PATH"] = os.pathsep.join([".", "", env.get("PATH", "")])
    for argv in (
        ["annotate", "rf", "--type", "model", "--path", "models/rf.pkl", "--must-exist", "--commit"],
        ["register", "rf"],
        ["check"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "gto_lsp", *argv], cwd=repo, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (argv, done.stderr)
        assert not marker.exists(), argv
    assert "rf@v0.0.1" in git(repo, "tag", "-l")

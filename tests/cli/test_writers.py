"""Commits and concurrent writers (issue 9 §4), through the `gto-lsp` console entry on real git repositories:
concurrent annotates lose no update (the lock file beside artifacts.yaml, stale locks taken over), `--commit`
races say what happened, a commit hook that stages another file is reported, and core.autocrlf=true with a CRLF
artifacts.yaml commits and keeps the file's line endings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from helpers.git import git

pytestmark = pytest.mark.usefixtures("git_env")
GTO_LSP = str(Path(sys.executable).parent / "gto-lsp")
WRITERS = 24


def gto_lsp(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GTO_LSP, *argv], cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "artifacts.yaml").write_text("base:\n  type: model\n")
    (root / "README.md").write_text("readme\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    return root


def _annotate_all(repo: Path, *extra: str) -> list[subprocess.CompletedProcess[str]]:
    names = [f"model-{i:02d}" for i in range(WRITERS)]
    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(lambda n: gto_lsp("annotate", n, "--label", "concurrent", *extra, cwd=repo), names))


def test_concurrent_annotates_of_different_names_all_land(repo: Path) -> None:
    results = _annotate_all(repo)
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results if r.returncode]
    state = yaml.safe_load((repo / "artifacts.yaml").read_text())
    assert sorted(state) == ["base"] + [f"model-{i:02d}" for i in range(WRITERS)]
    assert all(state[f"model-{i:02d}"] == {"labels": ["concurrent"]} for i in range(WRITERS))
    assert not (repo / "artifacts.yaml.lock").exists()
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == " M artifacts.yaml\n"


def test_concurrent_annotates_with_commit_all_land_in_their_own_commits(repo: Path) -> None:
    results = _annotate_all(repo, "--commit")
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results if r.returncode]
    state = yaml.safe_load((repo / "artifacts.yaml").read_text())
    assert len(state) == WRITERS + 1
    log = git(repo, "log", "--format=%s").splitlines()
    assert sorted(log[:WRITERS]) == [f"Annotate artifact `model-{i:02d}`" for i in range(WRITERS)]
    for sha in git(repo, "log", "--format=%H", f"-{WRITERS}").split():
        assert git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", sha) == "artifacts.yaml\n"
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_stale_lock_is_taken_over_and_a_held_one_gives_a_clear_message(repo: Path) -> None:
    lock = repo / "artifacts.yaml.lock"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock.write_text(f"{dead.pid} {os.uname().nodename}\n")  # its writer died
    assert gto_lsp("annotate", "rf", cwd=repo).returncode == 0
    assert not lock.exists()
    old = lock.with_name("old.lock")
    old.write_text("garbage")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    os.replace(old, lock)  # unreadable and an hour old
    assert gto_lsp("annotate", "nn", cwd=repo).returncode == 0
    before = (repo / "artifacts.yaml").read_text()
    lock.write_text(f"{os.getpid()} {os.uname().nodename}\n")  # held by a live process (this one)
    held = gto_lsp("annotate", "xx", cwd=repo, env={"GTOLSP_LOCK_WAIT": "0.5"})
    assert held.returncode == 1
    assert "Another program is writing artifacts.yaml" in held.stderr
    assert f"process {os.getpid()}" in held.stderr and str(lock) in held.stderr
    assert (repo / "artifacts.yaml").read_text() == before and lock.exists()
    lock.unlink()


def test_commit_race_with_another_git_command_says_what_happened(repo: Path) -> None:
    index_lock = repo / ".git" / "index.lock"
    index_lock.write_text("")  # an editor's git holds the index
    result = gto_lsp("annotate", "rf", "--commit", cwd=repo)
    index_lock.unlink()
    assert result.returncode == 1
    assert "Another git command" in result.stderr and "nothing was committed, the file is written" in result.stderr
    assert "rf:" in (repo / "artifacts.yaml").read_text()
    assert git(repo, "log", "--format=%s") == "init\n"


def _hook(repo: Path, body: str) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_a_hook_that_stages_another_file_is_reported(repo: Path) -> None:
    (repo / "other.txt").write_text("staged by the hook\n")
    _hook(repo, "git add other.txt\n")
    result = gto_lsp("annotate", "rf", "--commit", cwd=repo)
    assert result.returncode == 0, result.stderr
    files = git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split()
    assert files == ["artifacts.yaml", "other.txt"]
    sha = git(repo, "rev-parse", "--short", "HEAD").strip()
    assert f"Commit {sha} does not hold only 'artifacts.yaml': a commit hook added 'other.txt' to it." in result.stdout
    assert "holds only" not in result.stdout


def test_a_plain_commit_says_nothing_more(repo: Path) -> None:
    _hook(repo, "exit 0\n")
    result = gto_lsp("annotate", "rf", "--commit", cwd=repo)
    assert result.stdout == "Updated `artifacts.yaml`\nRunning `git commit`\n"


def test_autocrlf_with_a_crlf_artifacts_yaml_commits_and_keeps_crlf(tmp_path: Path) -> None:
    root = tmp_path / "crlf"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "core.autocrlf", "true")
    (root / "artifacts.yaml").write_bytes(b"rf:\r\n  type: model\r\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    result = gto_lsp("annotate", "nn", "--label", "aa", "--commit", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "artifacts.yaml").read_bytes() == b"nn:\r\n  labels:\r\n  - aa\r\nrf:\r\n  type: model\r\n"
    assert git(root, "show", "HEAD:artifacts.yaml") == "nn:\n  labels:\n  - aa\nrf:\n  type: model\n"
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "-1", "--format=%s") == "Annotate artifact `nn`\n"
    removed = gto_lsp("remove", "nn", "--commit", cwd=root)
    assert removed.returncode == 0, removed.stderr
    assert (root / "artifacts.yaml").read_bytes() == b"rf:\r\n  type: model\r\n"


def test_migrate_holds_both_locks(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text("rf:\n  path: m.pkl\n")
    lock = repo / "dvc.yaml.lock"
    lock.write_text(f"{os.getpid()} {os.uname().nodename}\n")  # an annotate of dvc.yaml is running
    held = gto_lsp("migrate", cwd=repo, env={"GTOLSP_LOCK_WAIT": "0.5"})
    assert held.returncode == 1 and "Another program is writing dvc.yaml" in held.stderr
    assert not (repo / "dvc.yaml").exists() and not (repo / "artifacts.yaml.lock").exists()
    lock.unlink()
    assert gto_lsp("migrate", cwd=repo).returncode == 0
    assert "rf:" in (repo / "dvc.yaml").read_text()

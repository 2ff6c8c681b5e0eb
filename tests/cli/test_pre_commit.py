"""The hooks of .pre-commit-hooks.yaml run by the real pre-commit on real commits: a hook repository made from this
working tree (a clone of it at HEAD with the working tree's package on top, committed), its environment built
once for the module (pre-commit pip-installs the package: from PyPI, so the module is skipped when pip cannot
reach it), then `git commit` in a fresh repository per test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest
import yaml

from helpers.cli import HANG, run
from helpers.git import IDENTITY_CONFIG, git, isolated_env

SOURCE = Path(__file__).resolve().parents[2]  # this working tree
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
INSTALL_BOUND = 900  # seconds: building the hook's environment downloads the package's dependencies
NO_INDEX = (  # what pip says when it cannot reach an index: the only reason to skip
    "No matching distribution found",
    "Could not find a version that satisfies",
    "Failed to establish a new connection",
    "Network is unreachable",
    "Temporary failure in name resolution",
)
BROKEN = "rf:\n  type: model\n  path: models/rf.pkl\n  virtual: false\na.b: {}\n"
FIXED = "rf:\n  type: model\n  path: models/rf.pkl\n  virtual: false\n"


class Hooks(NamedTuple):
    config: str  # a .pre-commit-config.yaml that uses the hook repository
    env: dict[str, str]


def _hook_repository(where: Path, env: dict[str, str]) -> str:
    """A clone of this repository at HEAD, with the working tree's package, pyproject and manifest committed on top
    (what is tested is the code here, committed or not); its commit."""
    clone = where / "gto-lsp"
    git(where, "clone", "-q", "--depth", "1", SOURCE.as_uri(), str(clone), env=env)
    shutil.rmtree(clone / "server")
    shutil.copytree(SOURCE / "server", clone / "server", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy2(SOURCE / name, clone / name)
    git(clone, "add", "-A", env=env)
    git(clone, "commit", "-q", "--allow-empty", "-m", "the working tree under test", env=env)
    return git(clone, "rev-parse", "HEAD", env=env).strip()


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hooks]:
    base = tmp_path_factory.mktemp("pre-commit")
    env = isolated_env(base / "home", IDENTITY_CONFIG + "[init]\n  defaultBranch = main\n")
    env.update(PRE_COMMIT_HOME=str(base / "cache"), PRE_COMMIT_COLOR="never", GTO_EMOJIS="false")
    rev = _hook_repository(base, env)
    hook_ids = "  - id: gto-check\n  - id: gto-registry\n"
    config = f"repos:\n- repo: {(base / 'gto-lsp').as_posix()}\n  rev: {rev}\n  hooks:\n{hook_ids}"
    warm = base / "warm"
    warm.mkdir()
    git(warm, "init", "-q", env=env)
    (warm / ".pre-commit-config.yaml").write_text(config)
    try:
        done = subprocess.run(
            [*PRE_COMMIT, "install-hooks"], cwd=warm, env=env, capture_output=True, text=True, timeout=INSTALL_BOUND
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"pre-commit could not build the hook's environment in {INSTALL_BOUND} s")
    said = done.stdout + done.stderr + _log(base / "cache")
    if done.returncode != 0:
        if any(reason in said for reason in NO_INDEX):
            pytest.skip(f"pre-commit's pip cannot install the hook's dependencies (no package index): {said[-500:]}")
        pytest.fail(f"pre-commit install-hooks failed:\n{said}")
    yield Hooks(config, env)


def _log(cache: Path) -> str:
    log = cache / "pre-commit.log"
    return log.read_text(errors="replace") if log.exists() else ""


@pytest.fixture
def target(hooks: Hooks, tmp_path: Path) -> Path:
    """A repository with the hook installed and a first commit (no annotations: the hook passes)."""
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    git(root, "init", "-q", env=hooks.env)
    (root / ".pre-commit-config.yaml").write_text(hooks.config)
    (root / "README.md").write_text("readme\n")
    done = subprocess.run([*PRE_COMMIT, "install"], cwd=root, env=hooks.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    code, out = commit(root, hooks, "-m", "first", add=(".pre-commit-config.yaml", "README.md"))
    assert code == 0 and "GTO annotations (staged)" in out and "Passed" in out, out
    return root


def commit(root: Path, hooks: Hooks, *args: str, add: tuple[str, ...] = ()) -> tuple[int, str]:
    if add:
        git(root, "add", "--", *add, env=hooks.env)
    try:
        done = subprocess.run(
            ["git", "commit", *args], cwd=root, env=hooks.env, capture_output=True, text=True, timeout=HANG
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"git commit did not end in {HANG} s")
    return done.returncode, done.stdout + done.stderr


def commits(root: Path, hooks: Hooks) -> list[str]:
    return git(root, "log", "--format=%s", env=hooks.env).splitlines()


def test_a_broken_annotation_blocks_the_commit_and_its_fix_passes(hooks: Hooks, target: Path) -> None:
    (target / "models" / "rf.pkl").write_text("weights")
    git(target, "add", "models/rf.pkl", env=hooks.env)
    (target / "artifacts.yaml").write_text(BROKEN)
    code, out = commit(target, hooks, "-m", "broken", add=("artifacts.yaml",))
    assert code != 0
    assert "GTO annotations (staged)" in out and "Failed" in out
    assert "artifacts.yaml:5:1: error invalid-name Invalid artifact name 'a.b'" in out
    assert commits(target, hooks) == ["first"]
    (target / "artifacts.yaml").write_text(FIXED)
    code, out = commit(target, hooks, "-m", "fixed", add=("artifacts.yaml",))
    assert code == 0, out
    assert commits(target, hooks) == ["fixed", "first"]


def test_a_model_added_with_its_annotation_in_one_commit_passes(hooks: Hooks, target: Path) -> None:
    (target / "models" / "rf.pkl").write_text("weights")
    (target / "artifacts.yaml").write_text(FIXED)
    code, out = commit(target, hooks, "-m", "annotation alone", add=("artifacts.yaml",))  # the model is untracked
    assert code != 0 and "error path-not-committed Path `models/rf.pkl` is not staged" in out
    code, out = commit(target, hooks, "-m", "model and annotation", add=("models/rf.pkl",))
    assert code == 0, out
    assert git(target, "show", "--name-only", "--format=", "HEAD", env=hooks.env).split() == [
        "artifacts.yaml",
        "models/rf.pkl",
    ]


def test_an_unstaged_broken_edit_is_not_judged_and_is_kept(hooks: Hooks, target: Path) -> None:
    (target / "models" / "rf.pkl").write_text("weights")
    (target / "artifacts.yaml").write_text(FIXED)
    git(target, "add", "artifacts.yaml", "models/rf.pkl", env=hooks.env)
    (target / "artifacts.yaml").write_text(BROKEN)  # left in the working tree
    code, out = commit(target, hooks, "-m", "staged fix")
    assert code == 0, out
    assert git(target, "show", "HEAD:artifacts.yaml", env=hooks.env) == FIXED
    assert (target / "artifacts.yaml").read_text() == BROKEN
    # `commit -a` stages the broken edit: the index the hook reads is git's temporary one (GIT_INDEX_FILE)
    code, out = commit(target, hooks, "-a", "-m", "everything")
    assert code != 0 and "invalid-name" in out
    assert commits(target, hooks) == ["staged fix", "first"]


def test_deleting_only_the_model_is_blocked(hooks: Hooks, target: Path) -> None:
    """pre-commit passes no deleted file to hooks: gto-check runs always, so a commit of a deletion is judged."""
    (target / "models" / "rf.pkl").write_text("weights")
    (target / "artifacts.yaml").write_text(FIXED)
    assert commit(target, hooks, "-m", "annotated", add=("artifacts.yaml", "models/rf.pkl"))[0] == 0
    git(target, "rm", "-q", "models/rf.pkl", env=hooks.env)
    code, out = commit(target, hooks, "-m", "model deleted")
    assert code != 0 and "error path-missing Path `models/rf.pkl` does not exist" in out
    assert commits(target, hooks) == ["annotated", "first"]


def test_the_registry_hook_blocks_a_push_with_a_tag_gto_cannot_read(hooks: Hooks, target: Path) -> None:
    remote = target.parent / "remote.git"
    git(target.parent, "init", "-q", "--bare", str(remote), env=hooks.env)
    git(target, "remote", "add", "origin", str(remote), env=hooks.env)
    (target / "models" / "rf.pkl").write_text("weights")
    (target / "artifacts.yaml").write_text(FIXED)
    assert commit(target, hooks, "-m", "annotated", add=("artifacts.yaml", "models/rf.pkl"))[0] == 0
    git(target, "tag", "-a", "rf@created", "-m", "a tag GTO fails on", env=hooks.env)
    if "tag-unreadable" not in run("check", "--registry", cwd=target)[1]:
        pytest.skip("check --registry does not report the registry's tags yet (cli/integrity.py is not wired)")
    done = subprocess.run(
        [*PRE_COMMIT, "install", "--hook-type", "pre-push"], cwd=target, env=hooks.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    code, out = push(target, hooks)
    assert code != 0 and "GTO registry tags" in out and "tag-unreadable" in out
    assert heads(remote, hooks) == []
    git(target, "tag", "-d", "rf@created", env=hooks.env)
    code, out = push(target, hooks)
    assert code == 0 and "GTO registry tags" in out, out
    assert heads(remote, hooks) == ["refs/heads/main"]


def heads(remote: Path, hooks: Hooks) -> list[str]:
    return git(remote, "for-each-ref", "--format=%(refname)", "refs/heads", env=hooks.env).split()


def push(root: Path, hooks: Hooks) -> tuple[int, str]:
    try:
        done = subprocess.run(
            ["git", "push", "-q", "origin", "main"],
            cwd=root,
            env=hooks.env,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"git push did not end in {HANG} s")
    return done.returncode, done.stdout + done.stderr


def test_the_manifest_is_valid() -> None:
    done = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(SOURCE / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load((SOURCE / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["gto-check"]["entry"] == "gto-lsp check --staged"
    assert hooks["gto-check"]["stages"] == ["pre-commit"] and hooks["gto-check"]["always_run"] is True
    assert hooks["gto-registry"]["entry"] == "gto-lsp check --registry"
    assert hooks["gto-registry"]["stages"] == ["pre-push"] and hooks["gto-registry"]["pass_filenames"] is False

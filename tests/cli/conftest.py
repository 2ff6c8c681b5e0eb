"""The command line's repositories and environment: a git identity and `main` as the default branch in the only
git config, and none of GTO's variables (GTO_EMOJIS=false, as GTO's own tests run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.git import IDENTITY_CONFIG, git, isolate


@pytest.fixture
def git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, tmp_path_factory.mktemp("home"), IDENTITY_CONFIG + "[init]\n  defaultBranch = main\n")
    monkeypatch.setenv("GTO_EMOJIS", "false")
    for name in ("GTO_TYPES", "GTO_INDEX", "GTO_STAGES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "rf.pkl").write_text("weights")
    (root / "README.md").write_text("readme\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    return root

"""Headless Neovim with its built-in LSP client against the real server: diagnostics on a broken
artifacts.yaml, then a completion. Skips when `nvim` is not installed (Debian: `apt-get install neovim`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.git import git, isolated_env

HERE = Path(__file__).parent
NVIM = shutil.which("nvim")

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install -y neovim); Neovim test skipped"),
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = isolated_env(tmp_path / "home")
    env.update(
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.com",
        XDG_CONFIG_HOME=str(tmp_path / "xdg/config"),
        XDG_DATA_HOME=str(tmp_path / "xdg/data"),
        XDG_STATE_HOME=str(tmp_path / "xdg/state"),
        XDG_CACHE_HOME=str(tmp_path / "xdg/cache"),
    )
    return env


def test_neovim_sees_diagnostics_and_completion(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "models").mkdir()
    (repo / "models/rf.pkl").write_text("1")
    git(repo, "init", "-q", "-b", "main", env=env)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "init", env=env)
    # Broken: a half-typed field (`pa`) makes the entry unreadable, and a typo elsewhere.
    (repo / "artifacts.yaml").write_text("rf:\n  type: model\n  pa\nnn:\n  descripton: x\n  \n")
    out = tmp_path / "nvim.json"
    env.update(
        GTO_NVIM_PYTHON=sys.executable,
        GTO_NVIM_ROOT=str(repo),
        GTO_NVIM_OUT=str(out),
        GTO_NVIM_LINE="5",
        GTO_NVIM_COL="2",
    )
    assert NVIM is not None
    done = subprocess.run(
        [NVIM, "--headless", "-n", "-i", "NONE", "-u", str(HERE / "init.lua"), "artifacts.yaml"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.exists(), f"nvim wrote nothing (exit {done.returncode}): {done.stderr[-2000:]}"
    seen = json.loads(out.read_text())
    print(json.dumps(seen, indent=2))
    assert done.returncode == 0, seen
    assert seen["errors"] == []
    codes = {d["code"] for d in seen["diagnostics"]}
    assert {"yaml-syntax", "unknown-field"} <= codes, seen["diagnostics"]
    assert all(d["source"] == "gto" for d in seen["diagnostics"])
    labels = [item["label"] for item in seen["completion"]]
    assert "path" in labels and "type" in labels and "descripton" not in labels, labels
    path_item = next(item for item in seen["completion"] if item["label"] == "path")
    assert path_item["newText"] == "path: "  # Neovim 0.7 has no snippet support: plain text
    assert path_item["range"]["start"] == {"line": 5, "character": 2}

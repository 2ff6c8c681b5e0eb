"""Emacs (batch) with eglot against the real server: diagnostics on a broken artifacts.yaml, then field
completion in a new entry. Skips when Emacs or eglot is missing (Debian: emacs-nox elpa-eglot)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.git import git, isolated_env

HERE = Path(__file__).parent
EMACS = shutil.which("emacs")
EGLOT = Path("/usr/share/emacs/site-lisp/elpa").glob("eglot-*")

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(
        EMACS is None or not any(EGLOT),
        reason="emacs or eglot is not installed (apt-get install -y --no-install-recommends emacs-nox elpa-eglot)",
    ),
]


def test_emacs_eglot_sees_diagnostics_and_completion(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = isolated_env(tmp_path / "home")
    env.update(GTO_LSP_COMMAND=f"{sys.executable} -m gto_lsp")
    git(repo, "init", "-q", env=env)
    (repo / "artifacts.yaml").write_text("rf:\n  descripton: x\n  type: model\nbad.name: {}\n")
    result = subprocess.run(
        [str(EMACS), "--batch", "-Q", "-l", str(HERE / "eglot-test.el"), str(repo / "artifacts.yaml")],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    diagnostics = [line for line in lines if line.startswith("DIAGNOSTIC")]
    assert any("[unknown-field]" in line and "Did you mean `description`?" in line for line in diagnostics), lines
    assert any("[invalid-name]" in line and "Invalid artifact name 'bad.name'" in line for line in diagnostics), lines
    completions = {line.split(" ", 1)[1] for line in lines if line.startswith("COMPLETION ")}
    assert {"type", "path", "labels", "description"} <= completions, lines

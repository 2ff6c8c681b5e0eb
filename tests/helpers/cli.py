"""The command line as a user runs it: in-process from a folder, or a process that must answer in time."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from gto_lsp.cli import main

HANG = 30  # seconds: no answer by then is a hang


def run(*argv: str, cwd: Path) -> tuple[int, str, str]:
    """gto-lsp `argv` run in `cwd`: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(list(argv), out, err)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit code and output of a CLI that must answer within HANG seconds."""
    try:
        out, err = proc.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"no answer in {HANG} s")
    return proc.returncode, out + err

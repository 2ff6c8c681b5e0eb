"""The command line in-process, as a user runs it from a folder."""

from __future__ import annotations

import io
import os
from pathlib import Path

from gto_lsp.cli import main


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

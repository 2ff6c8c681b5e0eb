"""One version: gto_lsp.__version__. pyproject.toml reads it (setuptools' dynamic version) and the extension's
package.json must say the same."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gto_lsp import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_package_json_has_the_servers_version() -> None:
    assert json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["version"] == __version__


def test_pyproject_reads_the_version_from_the_package() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]', text, re.MULTILINE)
    assert re.search(r'^version = \{attr = "gto_lsp.__version__"\}', text, re.MULTILINE)
    assert not re.search(r'^version = "', text, re.MULTILINE), "a second copy of the version"

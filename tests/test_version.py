"""One version: gto_lsp.__version__. pyproject.toml reads it (setuptools' dynamic version) and the extension's
package.json must say the same."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gto_lsp import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_package_json_has_the_servers_version() -> None:
    assert json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["version"] == __version__


def test_pyproject_reads_the_version_from_the_package() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dynamic = \["version"\]', text, re.MULTILINE)
    assert re.search(r'^version = \{attr = "gto_lsp.__version__"\}', text, re.MULTILINE)
    assert not re.search(r'^version = "', text, re.MULTILINE), "a second copy of the version"


def test_the_extension_bundles_every_dependency_of_the_server() -> None:
    """The .vsix runs the server on libraries scripts/bundle-python.sh copies: one missing breaks it at run time
    (pathspec once made every dvc.yaml check fail in the packaged extension only)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower() for spec in dependencies}
    script = (ROOT / "scripts" / "bundle-python.sh").read_text(encoding="utf-8")
    bundled = {name.lower() for name in re.findall(r'^  "([A-Za-z0-9_.-]+)\|', script, re.MULTILINE)}
    assert names and names <= bundled, names - bundled

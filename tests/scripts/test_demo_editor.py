"""The demo's code-server (scripts/run-editor.sh) does not save as you type (issue 12, item 17): code-server, a web
VS Code, defaults `files.autoSave` to "afterDelay", so every keystroke in artifacts.yaml was saved a second later."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "code-server-settings.js"
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def write_settings(file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(SCRIPT), str(file)], capture_output=True, text=True, timeout=60)


def test_run_editor_turns_auto_save_off(tmp_path: Path) -> None:
    assert f"node scripts/{SCRIPT.name}" in (ROOT / "scripts" / "run-editor.sh").read_text()
    file = tmp_path / "user" / "User" / "settings.json"
    assert write_settings(file).returncode == 0
    assert json.loads(file.read_text())["files.autoSave"] == "off"


def test_an_existing_settings_file_gains_it_and_keeps_the_users_values(tmp_path: Path) -> None:
    file = tmp_path / "settings.json"
    file.write_text(json.dumps({"update.mode": "none", "editor.fontSize": 18}))  # written by an older run-editor.sh
    assert write_settings(file).returncode == 0
    settings = json.loads(file.read_text())
    assert settings["files.autoSave"] == "off" and settings["editor.fontSize"] == 18
    file.write_text(json.dumps({"files.autoSave": "onFocusChange"}))  # the user's own choice stays
    write_settings(file)
    assert json.loads(file.read_text())["files.autoSave"] == "onFocusChange"


def test_a_settings_file_with_comments_is_left_alone(tmp_path: Path) -> None:
    file = tmp_path / "settings.json"
    text = '{\n  // mine\n  "editor.fontSize": 18\n}\n'
    file.write_text(text)
    done = write_settings(file)
    assert done.returncode == 0 and file.read_text() == text
    assert '"files.autoSave": "off"' in done.stderr

"""The repositories people really have (issue 9 §3), in the server: package.json's settings are the server's
(names, defaults, effect), paths DVC makes, labels and types GTO reads, other tools' artifacts.yaml, and a `.gto`
GTO refuses."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path
from typing import Any, Callable

import pytest
from lsprotocol import types

from gto_lsp.lsp.settings import Settings
from lsp.conftest import Repo, Start, codes, uri

MANIFEST = Path(__file__).resolve().parents[2] / "package.json"


def _properties() -> dict[str, dict[str, Any]]:
    properties = json.loads(MANIFEST.read_text())["contributes"]["configuration"]["properties"]
    return {k: v for k, v in properties.items() if k.startswith(("gto.checks.", "gto.git."))}


def _server_value(settings: Settings, key: str) -> Any:
    """The value the server holds for package.json's `gto.<group>.<name>` (camelCase -> snake_case)."""
    group, name = key.split(".")[1:]
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    if group == "git":
        return getattr(settings, f"git_{snake}")
    return getattr(settings.checks, snake)


def _nested(key: str, value: Any) -> dict[str, Any]:
    """What VS Code answers for workspace/configuration section `gto`: the dotted key as nested objects."""
    group, name = key.split(".")[1:]
    return {group: {name: value}}


def _other_value(spec: dict[str, Any]) -> Any:
    if spec["type"] == "boolean":
        return not spec["default"]
    return next(v for v in spec["enum"] if v != spec["default"])


def test_the_manifest_has_settings() -> None:
    assert {"gto.checks.virtualMissing", "gto.checks.invalidLabelOrType", "gto.checks.foreignFiles"} <= set(
        _properties()
    )
    assert "gto.checks.virtualMissingPath" not in _properties()


@pytest.mark.parametrize("key", sorted(_properties()))
def test_every_setting_of_package_json_is_the_servers_with_its_default(key: str) -> None:
    spec = _properties()[key]
    assert _server_value(Settings(), key) == spec["default"], key
    assert _server_value(Settings.from_client(_nested(key, spec["default"])), key) == spec["default"]
    other = _other_value(spec)
    assert _server_value(Settings.from_client(_nested(key, other)), key) == other, key
    assert _server_value(Settings.from_client({"gto": _nested(key, other)}), key) == other, key


async def test_non_default_settings_take_effect_in_the_server(start: Start, make_repo: Callable[..., Repo]) -> None:
    """gto.checks.virtualMissing / invalidLabelOrType / foreignFiles by their package.json names, end to end."""
    repo = make_repo()
    editor = await start([repo.root])
    text = "rf:\n  path: missing.pkl\n  labels: [Bad.Label]\n"
    doc = editor.open(repo.index, text)
    found = await editor.diagnostics(doc.uri, until=lambda d: len(d) == 2)
    assert {(d.code, d.severity) for d in found} == {
        ("path-missing", types.DiagnosticSeverity.Warning),
        ("invalid-label", types.DiagnosticSeverity.Warning),
    }
    label = next(d for d in found if d.code == "invalid-label")
    assert "GTO still reads this file" in label.message and "only `gto annotate` refuses it" in label.message
    settings = {"checks": {"virtualMissing": "error", "invalidLabelOrType": "information"}}
    editor.client.set_configuration(settings, section="gto")
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    found = await editor.diagnostics(
        doc.uri, until=lambda d: any(x.severity == types.DiagnosticSeverity.Error for x in d)
    )
    assert {(d.code, d.severity) for d in found} == {
        ("path-missing", types.DiagnosticSeverity.Error),
        ("invalid-label", types.DiagnosticSeverity.Information),
    }
    # another tool's artifacts.yaml: one information, then checked when forced
    editor.close(doc)
    doc2 = editor.open(repo.index, "version: 2\nartifacts:\n  - dist/app.whl\n")
    found = await editor.diagnostics(doc2.uri, until=lambda d: codes(d) == ["not-gto-file"])
    assert found[0].severity == types.DiagnosticSeverity.Information
    editor.client.set_configuration({"checks": {"foreignFiles": True}}, section="gto")
    editor.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    found = await editor.diagnostics(doc2.uri, until=lambda d: bool(d) and "not-gto-file" not in codes(d))
    assert "entry-not-mapping" in codes(found)


async def test_stage_outputs_and_dvc_files_count_as_present_in_artifacts_yaml(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(
        files={
            "models/model.pkl.dvc": "outs:\n- path: model.pkl\n",
            "sub/dvc.yaml": "stages:\n  train:\n    cmd: python t.py\n    outs:\n    - out/clf.pkl\n",
            "rf.mlem": "object_type: model\n",
            "artifacts.yaml": (
                "model:\n  path: models/model.pkl\n  virtual: false\n"
                "clf:\n  path: sub/out/clf.pkl\n"
                "rf:\n  path: rf\n"
                "gone:\n  path: nowhere.pkl\n"
            ),
        }
    )
    editor = await start([repo.root])
    found = await editor.diagnostics(uri(repo.index), until=lambda d: len(d) == 1, timeout=30)
    assert codes(found) == ["path-missing"] and "nowhere.pkl" in found[0].message


async def test_annotate_and_remove_refuse_a_gto_config_gto_refuses(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={".gto": "types: [model]\ncolour: red\n", "artifacts.yaml": "rf: {}\n"})
    editor = await start([repo.root])
    wrong = f"Wrong config file '{repo.root.resolve() / '.gto'}'"
    annotate = await editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "nn"})
    assert annotate == {"ok": False, "message": wrong}
    remove = await editor.command("gto.server.remove", {"repository": str(repo.root), "name": "rf"})
    assert remove == {"ok": False, "message": wrong}
    assert editor.applied == []


async def test_commit_reports_a_file_a_hook_staged_into_it(
    start: Start, make_repo: Callable[..., Repo], env: dict[str, str]
) -> None:
    """gto.server.commit reads the commit back: never "committed only artifacts.yaml" when a hook added a file."""
    repo = make_repo(files={"artifacts.yaml": "{}\n"})
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\ngit add other.txt\n")
    hook.chmod(0o755)
    repo.write({"other.txt": "staged by the hook\n", "artifacts.yaml": "rf:\n  type: model\n"})
    editor = await start([repo.root], server_env={**env, "GTOLSP_LOCK_WAIT": "0.5"})
    args = {"repository": str(repo.root), "name": "rf", "action": "annotate", "type": "model"}
    result = await editor.command("gto.server.commit", args)
    sha = repo.git("rev-parse", "--short", "HEAD").strip()
    assert result["ok"] is True and result["files"] == ["artifacts.yaml", "other.txt"]
    assert result["otherFiles"] == ["other.txt"]
    assert (
        f"Commit {sha} does not hold only 'artifacts.yaml': a commit hook added 'other.txt' to it."
        in (result["message"])
    )
    # the lock beside the file is held while committing, and a held one is a clear refusal
    hook.unlink()
    repo.write({"artifacts.yaml": "{}\n"})
    (repo.root / "artifacts.yaml.lock").write_text(f"{os.getpid()} {socket.gethostname()}\n")
    busy = await editor.command("gto.server.commit", {**args, "action": "remove"})
    assert busy["ok"] is False and "Another program is writing artifacts.yaml" in busy["message"]

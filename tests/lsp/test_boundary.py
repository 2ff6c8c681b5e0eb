"""The repository is the boundary, for the server (issue 12 items 8, 9, 10, 14): `file`/`uri` never lead to a file
outside the repository (a symlink out), commands act only on the workspace folders' repositories, git is never
run from a relative PATH entry (not even by an untrusted workspace's refusal), and a string argument that is not
text or is too long is a clear refusal, not an internal error."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Callable

import pytest
from lsprotocol import types

from lsp.conftest import Editor, Repo, Start, uri
from lsp.test_code_lens import CLIENT

OUTSIDE_DVC = "artifacts:\n  rf:\n    path: rf.pkl\n    type: model\n"


def errors(editor: Editor) -> list[str]:
    return [m.message for m in editor.client.log_messages if m.type == types.MessageType.Error]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "dvc.yaml").write_text(OUTSIDE_DVC)
    return folder


async def test_file_that_links_out_is_neither_read_nor_edited(
    start: Start, make_repo: Callable[..., Repo], outside: Path
) -> None:
    repo = make_repo(files={"artifacts.yaml": "nn:\n  type: model\n"})
    (repo.root / "sub").symlink_to(Path("..") / "outside")
    (repo.root / "dvc.yaml").symlink_to(outside / "dvc.yaml")
    repo.commit()
    editor = await start([repo.root], CLIENT)
    base = {"repository": str(repo.root)}
    for file in ("dvc.yaml", "sub/dvc.yaml"):
        for command, arg in (
            ("gto.server.annotate", {"name": "zz", "type": "model", "path": "x.pkl"}),
            ("gto.server.remove", {"name": "rf"}),
            ("gto.server.commit", {"name": "rf", "action": "remove"}),
        ):
            answer = await editor.command(command, {**base, **arg, "file": file})
            assert answer["ok"] is False, (command, file, answer)
            assert file in answer["message"] and "link out of the repository" in answer["message"], answer
            assert "text" not in answer and "edits" not in answer
        # The same file named by its uri (not open in the editor).
        answer = await editor.command("gto.server.remove", {"uri": uri(repo.root / file), "name": "rf"})
        assert answer["ok"] is False and "link out of the repository" in answer["message"], answer
    assert editor.applied == []
    assert (outside / "dvc.yaml").read_text() == OUTSIDE_DVC
    assert errors(editor) == []


async def test_commands_act_only_on_the_workspace_folders_repositories(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    mine = make_repo("mine", files={"artifacts.yaml": "rf:\n  type: model\n"})
    other = make_repo("other", files={"artifacts.yaml": "rf:\n  type: model\n", "dvc.yaml": OUTSIDE_DVC})
    other.tag("rf@v1.0.0", "Registering artifact rf version v1.0.0")
    (mine.root / "link").symlink_to(other.root)  # a folder of the workspace that is another repository
    before = (other.git("tag", "-l"), other.git("rev-parse", "HEAD"), other.index.read_text())
    editor = await start([mine.root], CLIENT)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("gto.server.context", {}),
        ("gto.server.annotate", {"name": "zz", "type": "model"}),
        ("gto.server.annotate", {"name": "zz", "type": "model", "file": "dvc.yaml"}),
        ("gto.server.remove", {"name": "rf"}),
        ("gto.server.commit", {"name": "rf", "action": "remove"}),
        ("gto.server.registryState", {"name": "rf"}),
        ("gto.server.register", {"name": "rf"}),
        ("gto.server.assign", {"name": "rf", "stage": "prod", "version": "v1.0.0"}),
        ("gto.server.deprecate", {"name": "rf"}),
        ("gto.server.pushTags", {"tags": ["rf@v1.0.0"]}),
    ]
    for repository in (str(other.root), uri(other.root), str(mine.root / "link")):
        for command, arg in calls:
            answer = await editor.command(command, {**arg, "repository": repository})
            assert answer["ok"] is False, (command, repository, answer)
            assert "not in the workspace" in answer["message"], (command, answer)
    for command, arg in calls[:5]:
        answer = await editor.command(command, {**arg, "uri": uri(other.index)})
        assert answer["ok"] is False and "not in the workspace" in answer["message"], (command, answer)
    assert (other.git("tag", "-l"), other.git("rev-parse", "HEAD"), other.index.read_text()) == before
    assert editor.applied == []
    # The workspace's own repository still works.
    answer = await editor.command("gto.server.registryState", {"name": "rf", "repository": str(mine.root)})
    assert answer["ok"] is True, answer
    assert errors(editor) == []


@pytest.mark.parametrize("trusted", [False, True])
async def test_git_is_never_run_from_a_relative_path_entry(
    start: Start,
    make_repo: Callable[..., Repo],
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trusted: bool,
) -> None:
    """A workspace with its own executable `git`, the server started in it with `.` first on PATH: neither an
    untrusted workspace's refusals nor a trusted workspace's commands run that script (the real git is used)."""
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n  path: rf.pkl\n", "rf.pkl": "1"})
    marker = tmp_path / "ran-the-workspaces-git"
    script = repo.root / "git"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    server_env = {k: v for k, v in env.items() if k != "GIT_PYTHON_GIT_EXECUTABLE"}
    server_env["PATH"] = os.pathsep.join([".", "", env.get("PATH", "")])
    monkeypatch.chdir(repo.root)
    editor = await start([repo.root], {**CLIENT, "trusted": trusted}, server_env=server_env)
    base = {"repository": str(repo.root)}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("gto.server.registryState", {"name": "rf"}),
        ("gto.server.register", {"name": "rf"}),
        ("gto.server.assign", {"name": "rf", "stage": "prod"}),
        ("gto.server.deprecate", {"name": "rf", "version": "v0.0.1", "stage": "prod"}),
        ("gto.server.pushTags", {"tags": ["rf@v0.0.1"]}),
        ("gto.server.context", {}),
        ("gto.server.annotate", {"name": "rf", "type": "model", "path": "rf.pkl", "must_exist": True}),
        ("gto.server.commit", {"name": "rf", "action": "annotate"}),
    ]
    for command, arg in calls:
        answer = await editor.command(command, {**base, **arg})
        if not trusted and command != "gto.server.context":
            assert answer["ok"] is False and "trusted" in answer["message"], (command, answer)
        assert not marker.exists(), command
    if trusted:  # the real git ran: the tags were created
        assert "rf@v0.0.1" in repo.git("tag", "-l")
    assert errors(editor) == []


# Every command's string arguments, and a valid argument around each (so the one string is what is refused).
STRING_ARGS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("gto.server.context", {}, ["uri", "repository", "file"]),
    ("gto.server.validateName", {"name": "rf"}, ["name"]),
    (
        "gto.server.annotate",
        {"name": "rf", "type": "model"},
        ["name", "type", "path", "description", "custom", "uri", "repository", "file"],
    ),
    ("gto.server.remove", {"name": "rf"}, ["name", "uri", "repository", "file"]),
    ("gto.server.commit", {"name": "rf", "action": "annotate"}, ["name", "type", "path", "uri", "repository", "file"]),
    ("gto.server.registryState", {"name": "rf"}, ["name", "repository"]),
    ("gto.server.register", {"name": "rf"}, ["name", "version", "bump", "message", "ref", "repository"]),
    (
        "gto.server.assign",
        {"name": "rf", "stage": "prod"},
        ["name", "stage", "version", "ref", "message", "repository"],
    ),
    ("gto.server.deprecate", {"name": "rf"}, ["name", "version", "stage", "message", "repository"]),
    ("gto.server.pushTags", {"tags": ["rf@v0.0.1"]}, ["repository"]),
]


async def test_string_arguments_that_are_not_text_or_too_long_are_refused(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n"})
    editor = await start([repo.root], CLIENT)
    for command, base, keys in STRING_ARGS:
        arg = {"repository": str(repo.root), **base}
        for key in keys:
            for bad, why in (("\ud800", "not valid Unicode text"), ("x" * 100_000, "too long")):
                answer = await editor.command(command, {**arg, key: bad})
                assert answer["ok"] is False, (command, key, why, answer)
                assert f"`{key}`" in answer["message"] and why in answer["message"], (command, key, answer)
        for bad_list in (["\ud800"], ["x" * 100_000]):
            if command == "gto.server.annotate":
                answer = await editor.command(command, {**arg, "labels": bad_list})
                assert answer["ok"] is False and "`labels`" in answer["message"], answer
            if command == "gto.server.pushTags":
                answer = await editor.command(command, {**arg, "tags": bad_list})
                assert answer["ok"] is False and "`tags`" in answer["message"], answer
    # A path of a name too long for the file system (each part at most 255 bytes): a refusal, not an error.
    for key in ("repository", "file"):
        answer = await editor.command("gto.server.context", {"repository": str(repo.root), key: "a" * 300})
        assert answer["ok"] is False and "Internal error" not in answer["message"], (key, answer)
    assert errors(editor) == []
    assert repo.git("tag", "-l") == ""

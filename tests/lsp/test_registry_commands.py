"""gto.server.registryState / register / assign / deprecate / pushTags on real repositories with GTO tags: the
proposals (next version per bump, stages, the tag each action would create), the tags created (names, annotated,
GTO's messages, at the right commit), dry runs that create nothing, GTO's refusals, push, the code lens and hover
seeing the new state, and the one gate: an untrusted workspace or `gto.git.enabled: false` runs no git."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types

from gto_lsp.core.messages import unknown_revision
from helpers.git import T0
from lsp.conftest import Editor, Repo, Start
from lsp.test_code_lens import CLIENT, by_line, lenses


def tags(repo: Repo) -> list[str]:
    return repo.git("tag", "-l").split()


def tag_info(repo: Repo, tag: str) -> tuple[str, str, str]:
    """(object type, the commit it points at, its message)."""
    kind = repo.git("cat-file", "-t", f"refs/tags/{tag}").strip()
    commit = repo.git("rev-parse", f"refs/tags/{tag}^{{commit}}").strip()
    message = repo.git("tag", "-l", "--format=%(contents)", "--", tag).strip()
    return kind, commit, message


def rf_repo(make_repo: Callable[..., Repo]) -> tuple[Repo, str, str]:
    """rf: v1.2.0 in prod at c1, v1.3.0 in staging at c2; HEAD is c3 with no version; `.gto` lists 3 stages."""
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n", ".gto": "stages: [dev, staging, prod]\n"})
    c1 = repo.git("rev-parse", "HEAD").strip()
    repo.tag("rf@v1.2.0", "Registering artifact rf version v1.2.0", T0 + 1)
    repo.tag("rf#prod#1", "Assigning stage prod to artifact rf version v1.2.0", T0 + 2)
    repo.commit({"models/rf.pkl": "2"})
    c2 = repo.git("rev-parse", "HEAD").strip()
    repo.tag("rf@v1.3.0", "Registering artifact rf version v1.3.0", T0 + 3)
    repo.tag("rf#staging#2", "Assigning stage staging to artifact rf version v1.3.0", T0 + 4)
    repo.commit({"models/rf.pkl": "3"})
    return repo, c1, c2


def head(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


async def recording_refresh(editor: Editor) -> list[object]:
    refreshed: list[object] = []

    @editor.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def on_refresh(params: None) -> None:
        refreshed.append(params)

    return refreshed


async def test_registry_state_proposes_versions_stages_and_tags(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, c1, c2 = rf_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    state = await editor.command("gto.server.registryState", {"repository": str(repo.root), "name": "rf"})
    assert state["ok"] is True and state["registered"] is True
    assert state["latest"] == "v1.3.0" and state["stages"] == {"prod": "v1.2.0", "staging": "v1.3.0"}
    assert state["versions"] == [
        {"version": "v1.3.0", "commit": c2, "active": True, "stages": ["staging"]},
        {"version": "v1.2.0", "commit": c1, "active": True, "stages": ["prod"]},
    ]
    assert state["next"] == {"patch": "v1.3.1", "minor": "v1.4.0", "major": "v2.0.0"}
    assert state["defaultVersion"] == "v1.3.1"
    assert state["registerTags"] == {"patch": "rf@v1.3.1", "minor": "rf@v1.4.0", "major": "rf@v2.0.0"}
    assert state["stageChoices"] == ["dev", "staging", "prod"] and state["stagesRestricted"] is True
    assert state["head"] == {"commit": head(repo), "version": None}
    # An artifact without tags: the first version, no bump (GTO refuses a bump of nothing).
    fresh = await editor.command("gto.server.registryState", {"repository": str(repo.root), "name": "sub/dir:bert"})
    assert fresh["registered"] is False and fresh["next"] == {} and fresh["defaultVersion"] == "v0.0.1"
    assert fresh["tagName"] == "sub/dir=bert" and fresh["registerTags"]["patch"] == "sub/dir=bert@v0.0.1"


async def test_register_creates_gtos_annotated_tag_and_refreshes(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, _, _ = rf_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    refreshed = await recording_refresh(editor)
    doc = editor.open(repo.index)
    assert by_line(await lenses(editor, doc))[0][0][0] == "v1.3.0 · staging: v1.3.0 · prod: v1.2.0"
    arg = {"repository": str(repo.root), "name": "rf", "bump": "minor"}
    planned = await editor.command("gto.server.register", {**arg, "dryRun": True})
    assert planned["ok"] is True and planned["tag"] == "rf@v1.4.0"
    assert planned["tags"] == [
        {"tag": "rf@v1.4.0", "message": "Registering artifact rf version v1.4.0", "commit": head(repo)}
    ]
    assert "rf@v1.4.0" not in tags(repo), "a dry run creates nothing"
    done = await editor.command("gto.server.register", arg)
    assert done["ok"] is True and done["pushed"] is False and done["tag"] == "rf@v1.4.0"
    assert done["message"] == "Created git tag 'rf@v1.4.0' that registers version"
    assert tag_info(repo, "rf@v1.4.0") == ("tag", head(repo), "Registering artifact rf version v1.4.0")
    for _ in range(300):  # a hang bound of 30 s
        if refreshed:
            break
        await asyncio.sleep(0.1)
    assert refreshed, "workspace/codeLens/refresh after the write"
    assert by_line(await lenses(editor, doc))[0][0][0] == "v1.4.0 · staging: v1.3.0 · prod: v1.2.0"
    hover = await editor.hover(doc, 0, 1)
    assert hover is not None and "| latest | v1.4.0 |" in str(hover.contents)
    # GTO's refusal, with GTO's text: HEAD has a version now.
    again = await editor.command("gto.server.register", {"repository": str(repo.root), "name": "rf"})
    assert again == {"ok": False, "message": "'rf' is already registered in this commit with version 'v1.4.0'"}
    bad = await editor.command("gto.server.register", {"repository": str(repo.root), "name": "rf", "version": "1.0"})
    assert bad["ok"] is False and bad["message"].startswith("'rf' is already registered")
    other = await editor.command(
        "gto.server.register", {"repository": str(repo.root), "name": "nn", "version": "1.0", "dryRun": True}
    )
    assert other == {"ok": False, "message": "Supplied version '1.0' cannot be parsed"}
    ref = await editor.command("gto.server.register", {"repository": str(repo.root), "name": "nn", "ref": "nope"})
    assert ref == {"ok": False, "message": unknown_revision("nope")}


async def test_assign_with_counter_and_auto_registration(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, c1, c2 = rf_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    base = {"repository": str(repo.root), "name": "rf"}
    done = await editor.command("gto.server.assign", {**base, "stage": "prod", "version": "v1.3.0"})
    assert done["ok"] is True and done["tag"] == "rf#prod#3"
    assert done["message"] == "Created git tag 'rf#prod#3' that assigns stage to version 'v1.3.0'"
    assert tag_info(repo, "rf#prod#3") == ("tag", c2, "Assigning stage prod to artifact rf version v1.3.0")
    # Already there: GTO's refusal names --force; with force a new counter tag.
    refused = await editor.command("gto.server.assign", {**base, "stage": "prod", "version": "v1.3.0"})
    assert refused["ok"] is False and "Use the '--force' flag" in refused["message"]
    forced = await editor.command("gto.server.assign", {**base, "stage": "prod", "version": "v1.3.0", "force": True})
    assert forced["ok"] is True and forced["tag"] == "rf#prod#4"
    # A stage `.gto` does not list.
    qa = await editor.command("gto.server.assign", {**base, "stage": "qa", "version": "v1.3.0"})
    assert qa == {"ok": False, "message": "Stage 'qa' is not allowed by .gto: use one of 'dev', 'staging', 'prod'"}
    # No version: HEAD, which has none, is registered first (two tags, in order).
    auto = await editor.command("gto.server.assign", {**base, "stage": "dev"})
    assert auto["ok"] is True and [t["tag"] for t in auto["tags"]] == ["rf@v1.3.1", "rf#dev#5"]
    assert tag_info(repo, "rf@v1.3.1") == ("tag", head(repo), "Registering artifact rf version v1.3.1")
    assert tag_info(repo, "rf#dev#5") == ("tag", head(repo), "Assigning stage dev to artifact rf version v1.3.1")
    del c1
    # The new tags are later than every tag before them, so GTO replays them last.
    times = [int(repo.git("tag", "-l", "--format=%(taggerdate:unix)", t).strip()) for t in ("rf@v1.3.1", "rf#dev#5")]
    assert times[0] < times[1]


async def test_deprecate_unassign_deregister_and_artifact(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, c1, c2 = rf_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    base = {"repository": str(repo.root), "name": "rf"}
    unassign = await editor.command("gto.server.deprecate", {**base, "version": "v1.2.0", "stage": "prod"})
    assert unassign["ok"] is True and unassign["tag"] == "rf#prod!#3"
    assert tag_info(repo, "rf#prod!#3") == ("tag", c1, "Unassigning stage 'prod' to artifact 'rf' version 'v1.2.0'")
    deregister = await editor.command("gto.server.deprecate", {**base, "version": "v1.3.0"})
    assert deregister["ok"] is True and deregister["tag"] == "rf@v1.3.0!"
    assert tag_info(repo, "rf@v1.3.0!") == ("tag", c2, "Deregistering artifact rf version v1.3.0")
    again = await editor.command("gto.server.deprecate", {**base, "version": "v1.3.0"})
    assert again == {"ok": False, "message": f"The version at ref '{c2}' was deregistered already"}
    planned = await editor.command("gto.server.deprecate", {**base, "dryRun": True})
    assert planned["tag"] == "rf@deprecated" and "rf@deprecated" not in tags(repo)
    gone = await editor.command("gto.server.deprecate", base)
    assert gone["ok"] is True and tag_info(repo, "rf@deprecated")[2] == "Deprecating artifact 'rf'"
    state = await editor.command("gto.server.registryState", base)
    assert state["deprecated"] is True and state["latest"] == "v1.2.0" and state["stages"] == {}
    ghost = await editor.command("gto.server.deprecate", {**base, "name": "ghost"})
    assert ghost == {"ok": False, "message": "Cannot find artifact 'ghost'"}


async def test_nested_dvc_name_is_written_with_equals(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"sub/dir/dvc.yaml": "artifacts:\n  bert:\n    path: bert.bin\n"})
    editor = await start([repo.root], CLIENT)
    done = await editor.command("gto.server.register", {"repository": str(repo.root), "name": "sub/dir:bert"})
    assert done["ok"] is True and done["tag"] == "sub/dir=bert@v0.0.1"
    assert tag_info(repo, "sub/dir=bert@v0.0.1")[2] == "Registering artifact sub/dir:bert version v0.0.1"
    doc = editor.open(repo.root / "sub/dir/dvc.yaml")
    assert by_line(await lenses(editor, doc))[1][0][0] == "v0.0.1"


async def test_push_now_or_later(start: Start, make_repo: Callable[..., Repo], tmp_path: Path) -> None:
    repo, _, _ = rf_repo(make_repo)
    remote = tmp_path / "remote.git"
    repo.git("init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    editor = await start([repo.root], CLIENT)
    base = {"repository": str(repo.root), "name": "rf"}
    pushed = await editor.command("gto.server.register", {**base, "push": True})
    assert pushed["ok"] is True and pushed["pushed"] is True and pushed["tag"] == "rf@v1.3.1"
    remote_tags = repo.git("ls-remote", "--tags", str(remote))
    assert "refs/tags/rf@v1.3.1" in remote_tags and "rf@v1.3.0" not in remote_tags, "only the new tag travels"
    later = await editor.command("gto.server.assign", {**base, "stage": "dev", "version": "v1.3.1"})
    assert later["pushed"] is False
    done = await editor.command("gto.server.pushTags", {"repository": str(repo.root), "tags": [later["tag"]]})
    assert done["ok"] is True and done["pushed"] is True
    # No remote: created, the push error said, the local tag kept.
    repo.git("remote", "remove", "origin")
    failed = await editor.command("gto.server.deprecate", {**base, "version": "v1.2.0", "stage": "prod", "push": True})
    assert failed["ok"] is True and failed["pushed"] is False and failed["pushError"]
    assert failed["tag"] in tags(repo)


async def test_untrusted_or_git_off_refuses_without_git(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, _, _ = rf_repo(make_repo)
    before = tags(repo)
    untrusted = await start([repo.root], {**CLIENT, "trusted": False})
    off = await start([repo.root], CLIENT, settings={"git": {"enabled": False}})
    calls: list[tuple[str, dict[str, Any]]] = [
        ("gto.server.registryState", {"name": "rf"}),
        ("gto.server.register", {"name": "rf"}),
        ("gto.server.assign", {"name": "rf", "stage": "dev", "version": "v1.3.0"}),
        ("gto.server.deprecate", {"name": "rf"}),
        ("gto.server.pushTags", {"tags": ["rf@v1.3.0"]}),
    ]
    for command, arg in calls:
        answer = await untrusted.command(command, {"repository": str(repo.root), **arg})
        assert answer["ok"] is False and "not trusted" in answer["message"] and "no git" in answer["message"], command
        answer = await off.command(command, {"repository": str(repo.root), **arg})
        assert answer["ok"] is False and "gto.git.enabled" in answer["message"], command
    assert tags(repo) == before

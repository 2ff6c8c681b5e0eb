"""The Registry view's server side over stdio: `gto.server.registry`, `artifactVersions`, `versionDetails`,
`history`, `gitFile` (and the same as `gto/...` custom requests) on real repositories with GTO's tags at fixed
times; the refusals (untrusted, git off, unknown artifact, a path leaving the repository, a non-commit); and the
`gto/registryChanged` notification after a tag is made from outside."""

from __future__ import annotations

from typing import Any, Callable

from helpers.git import T0
from lsp.conftest import Repo, Start, uri
from lsp.test_code_lens import CLIENT

INDEX = "rf:\n  type: model\n  path: models/rf.pkl\n  labels: [ml]\n  description: Random forest\n"
DVC = "artifacts:\n  bert:\n    path: models/bert.pt\n    type: model\n    desc: BERT\n"
SUB_DVC = "artifacts:\n  enc:\n    path: enc.pt\n"


def view_repo(make_repo: Callable[..., Repo]) -> tuple[Repo, str, str]:
    """rf (artifacts.yaml): v1.2.0 in prod at c1, v1.3.0 in staging at c2 (by Alice), v1.3.0 deregistered;
    bert (dvc.yaml) and sub:enc (sub/dvc.yaml) annotated only; old: tags only, deprecated."""
    repo = make_repo(files={"artifacts.yaml": INDEX, "dvc.yaml": DVC, "sub/dvc.yaml": SUB_DVC, "m.txt": "1"})
    c1 = repo.git("rev-parse", "HEAD").strip()
    repo.tag("rf@v1.2.0", "Registering artifact rf version v1.2.0", T0 + 1)
    repo.tag("rf#prod#1", "Assigning stage prod to artifact rf version v1.2.0", T0 + 2)
    repo.tag("old@v0.1.0", "Registering artifact old version v0.1.0", T0 + 3)
    repo.commit({"m.txt": "2"}, "second")
    c2 = repo.git("rev-parse", "HEAD").strip()
    alice = {**repo.env, "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com"}
    from helpers.git import git

    git(repo.root, "tag", "-a", "rf@v1.3.0", "-m", "Registering artifact rf version v1.3.0", when=T0 + 4, env=alice)
    repo.tag("rf#staging#2", "Assigning stage staging to artifact rf version v1.3.0", T0 + 5)
    repo.tag("old@deprecated", "Deprecating artifact old", T0 + 6)
    return repo, c1, c2


def name_range(line: int, start: int, end: int) -> dict[str, Any]:
    return {"start": {"line": line, "character": start}, "end": {"line": line, "character": end}}


async def test_registry_lists_tagged_and_annotated_artifacts(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, _, _ = view_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    # an unsaved edit counts: rf's entry moved one line down in the editor
    editor.open(repo.root / "artifacts.yaml", "# models\n" + INDEX)
    answer = await editor.command("gto.server.registry", {"repository": str(repo.root)})
    head = repo.git("rev-parse", "HEAD").strip()
    assert {k: answer[k] for k in ("ok", "message", "repository", "head", "error", "stages", "stagesRestricted")} == {
        "ok": True,
        "message": "",
        "repository": str(repo.root),
        "head": head,
        "error": None,
        "stages": ["prod", "staging"],
        "stagesRestricted": False,
    }
    assert answer["remote"] is None
    plain: dict[str, Any] = {
        **dict(registered=False, deprecated=False, latest=None, stages={}, versionCount=0),
        **dict(type=None, path=None, description=None, labels=[], annotations=[]),
    }
    assert answer["artifacts"] == [
        {
            "name": "bert",
            "tagName": "bert",
            "registered": False,
            "deprecated": False,
            "latest": None,
            "stages": {},
            "versionCount": 0,
            "type": "model",
            "path": "models/bert.pt",
            "description": "BERT",
            "labels": [],
            "annotations": [{"file": "dvc.yaml", "uri": uri(repo.root / "dvc.yaml"), "range": name_range(1, 2, 6)}],
        },
        {
            **plain,
            "name": "old",
            "tagName": "old",
            "registered": True,
            "deprecated": True,
            "latest": "v0.1.0",
            "stages": {},
            "versionCount": 1,
        },
        {
            "name": "rf",
            "tagName": "rf",
            "registered": True,
            "deprecated": False,
            "latest": "v1.3.0",
            "stages": {"prod": "v1.2.0", "staging": "v1.3.0"},
            "versionCount": 2,
            "type": "model",
            "path": "models/rf.pkl",
            "description": "Random forest",
            "labels": ["ml"],
            "annotations": [
                {"file": "artifacts.yaml", "uri": uri(repo.root / "artifacts.yaml"), "range": name_range(1, 0, 2)}
            ],
        },
        {
            **plain,
            "name": "sub:enc",
            "tagName": "sub=enc",
            "path": "sub/enc.pt",
            "annotations": [
                {"file": "sub/dvc.yaml", "uri": uri(repo.root / "sub/dvc.yaml"), "range": name_range(1, 2, 5)}
            ],
        },
    ]
    # the same handler as a custom request, for editors without the view
    request = await editor.client.protocol.send_request_async("gto/registry", {"repository": str(repo.root)})
    assert _plain(request) == answer


def _plain(value: Any) -> Any:
    """A custom request's answer as JSON values (pygls gives objects with attributes)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    return value


def event(
    kind: str, time: int, commit: str, tag: str, version: Any, stage: Any, message: str, **who: Any
) -> dict[str, Any]:
    tagger = who.get("tagger", "Test")
    email = who.get("email", "test@example.com")
    return {
        "kind": kind,
        "time": time,
        "commit": commit,
        "version": version,
        "stage": stage,
        "tag": tag,
        "tagger": tagger,
        "taggerEmail": email,
        "message": message,
    }


async def test_artifact_versions_with_events_tagger_and_message(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, c1, c2 = view_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    answer = await editor.command("gto.server.artifactVersions", {"repository": str(repo.root), "name": "rf"})
    assigning = "Assigning stage {} to artifact rf version {}"
    staging = event("assign", T0 + 5, c2, "rf#staging#2", "v1.3.0", "staging", assigning.format("staging", "v1.3.0"))
    v13 = event(
        "register",
        T0 + 4,
        c2,
        "rf@v1.3.0",
        "v1.3.0",
        None,
        "Registering artifact rf version v1.3.0",
        tagger="Alice",
        email="alice@example.com",
    )
    prod = event("assign", T0 + 2, c1, "rf#prod#1", "v1.2.0", "prod", assigning.format("prod", "v1.2.0"))
    v12 = event("register", T0 + 1, c1, "rf@v1.2.0", "v1.2.0", None, "Registering artifact rf version v1.2.0")
    assert answer == {
        "ok": True,
        "message": "",
        "name": "rf",
        "versions": [
            {
                "version": "v1.3.0",
                "commit": c2,
                "active": True,
                "registered": True,
                "stages": ["staging"],
                "createdAt": T0 + 4,
                "events": [staging, v13],
            },
            {
                "version": "v1.2.0",
                "commit": c1,
                "active": True,
                "registered": True,
                "stages": ["prod"],
                "createdAt": T0 + 1,
                "events": [prod, v12],
            },
        ],
        "events": [staging, v13, prod, v12],
    }
    old = await editor.command("gto.server.artifactVersions", {"repository": str(repo.root), "name": "old"})
    kinds = [(e["kind"], e["tag"]) for e in old["events"]]
    assert kinds == [("deprecate", "old@deprecated"), ("register", "old@v0.1.0")]
    # annotated only: no versions; unknown: refused with GTO's words
    bert = await editor.command("gto.server.artifactVersions", {"repository": str(repo.root), "name": "bert"})
    assert bert == {"ok": True, "message": "", "name": "bert", "versions": [], "events": []}
    unknown = await editor.command("gto.server.artifactVersions", {"repository": str(repo.root), "name": "nope"})
    assert unknown["ok"] is False and unknown["message"].startswith("Cannot find artifact 'nope'")
    request = await editor.client.protocol.send_request_async(
        "gto/artifactVersions", {"repository": str(repo.root), "name": "rf"}
    )
    assert _plain(request) == answer


async def test_untrusted_or_git_off_refuses(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, _, _ = view_repo(make_repo)
    untrusted = await start([repo.root], {**CLIENT, "trusted": False})
    off = await start([repo.root], CLIENT, settings={"git": {"enabled": False}})
    calls: list[tuple[str, dict[str, Any]]] = [
        ("gto.server.registry", {}),
        ("gto.server.artifactVersions", {"name": "rf"}),
        ("gto.server.versionDetails", {"name": "rf", "version": "v1.2.0"}),
        ("gto.server.history", {}),
        ("gto.server.gitFile", {"commit": "HEAD", "path": "m.txt"}),
    ]
    for command, arg in calls:
        answer = await untrusted.command(command, {"repository": str(repo.root), **arg})
        assert answer["ok"] is False and "not trusted" in answer["message"], command
        answer = await off.command(command, {"repository": str(repo.root), **arg})
        assert answer["ok"] is False and "gto.git.enabled" in answer["message"], command


PIPELINE = (
    "stages:\n  train:\n    cmd: python train.py\n    params: [lr, {extra.json: [depth]}]\n"
    "metrics: [metrics.json]\nartifacts:\n  rf:\n    path: rf.pkl\n    type: model\n"
)


def metrics_repo(make_repo: Callable[..., Repo]) -> tuple[Repo, str, str]:
    """rf (dvc.yaml): v1.0.0 at c1 (acc 0.8, lr 0.1), v1.1.0 at c2 (acc 0.9, lr 0.2, depth 3)."""
    files = {"dvc.yaml": PIPELINE, "metrics.json": '{"acc": 0.8, "loss": {"train": 0.5}}', "params.yaml": "lr: 0.1\n"}
    repo = make_repo(files={**files, "extra.json": '{"depth": 2}\n'})
    c1 = repo.git("rev-parse", "HEAD").strip()
    repo.tag("rf@v1.0.0", "Registering artifact rf version v1.0.0", T0 + 1)
    repo.commit({"metrics.json": '{"acc": 0.9, "loss": {"train": 0.25}}', "params.yaml": "lr: 0.2\n"}, "better")
    repo.commit({"extra.json": '{"depth": 3}\n'}, "deeper\n\nThe body.")
    c2 = repo.git("rev-parse", "HEAD").strip()
    repo.tag("rf@v1.1.0", "Registering artifact rf version v1.1.0", T0 + 2)
    return repo, c1, c2


async def test_version_details_at_an_old_commit_and_at_head(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, c1, c2 = metrics_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    base = {"repository": str(repo.root), "name": "rf"}
    old = await editor.command("gto.server.versionDetails", {**base, "version": "v1.0.0"})
    annotation = {"file": "dvc.yaml", "fields": {"path": "rf.pkl", "type": "model"}}
    assert {k: v for k, v in old.items() if k not in ("markdown", "text")} == {
        "ok": True,
        "message": "",
        "name": "rf",
        "version": "v1.0.0",
        "commit": c1,
        "author": "Test",
        "authorEmail": "test@example.com",
        "date": T0,
        "subject": "c",
        "body": "",
        "tags": ["rf@v1.0.0"],
        "annotation": annotation,
        "metrics": [{"file": "metrics.json", "values": {"acc": 0.8, "loss.train": 0.5}, "more": 0, "error": None}],
        "params": [
            {"file": "params.yaml", "values": {"lr": 0.1}, "more": 0, "error": None},
            {"file": "extra.json", "values": {"depth": 2}, "more": 0, "error": None},
        ],
    }
    assert old["text"] == (
        'annotation (dvc.yaml):\n  path: "rf.pkl"\n  type: "model"\n'
        "metrics (metrics.json):\n  acc: 0.8\n  loss.train: 0.5\n"
        "params (params.yaml):\n  lr: 0.1\nparams (extra.json):\n  depth: 2\n"
    )
    assert "**rf** `v1.0.0` · commit `" + c1[:7] in old["markdown"] and "| loss.train | 0.5 |" in old["markdown"]
    # by commit sha: HEAD's values
    new = await editor.command("gto.server.versionDetails", {**base, "version": c2})
    assert new["ok"] is True and new["commit"] == c2 and new["subject"] == "deeper" and new["body"] == "The body."
    assert new["tags"] == ["rf@v1.1.0"]
    assert [f["values"] for f in new["metrics"] + new["params"]] == [
        {"acc": 0.9, "loss.train": 0.25},
        {"lr": 0.2},
        {"depth": 3},
    ]
    # refusals: a non-commit (a blob's sha), an unknown version, an unknown artifact
    blob = repo.git("rev-parse", f"{c2}:params.yaml").strip()
    for version in (blob, "v9.9.9"):
        refused = await editor.command("gto.server.versionDetails", {**base, "version": version})
        assert refused["ok"] is False and "neither a version of 'rf' nor a commit" in refused["message"], version
    unknown = await editor.command("gto.server.versionDetails", {**base, "name": "nope", "version": "v1.0.0"})
    assert unknown["ok"] is False and unknown["message"].startswith("Cannot find artifact 'nope'")


async def test_history_is_gtos_json(start: Start, make_repo: Callable[..., Repo]) -> None:
    import json

    from compat.gto_runner import run_gto110

    repo, _, _ = view_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    for name in ("rf", "old", None):
        arg = {"repository": str(repo.root), **({"name": name} if name else {})}
        answer = await editor.command("gto.server.history", arg)
        gto = run_gto110(repo.root, ["history", *([name] if name else []), "--json"])
        assert gto.exit_code == 0, gto.stderr
        assert answer == {"ok": True, "message": "", "rows": json.loads(gto.stdout)}, name
    request = await editor.client.protocol.send_request_async("gto/history", {"repository": str(repo.root)})
    assert _plain(request)["rows"] == answer["rows"]
    bert = await editor.command("gto.server.history", {"repository": str(repo.root), "name": "bert"})
    assert bert == {"ok": True, "message": "", "rows": []}


async def test_git_file_at_a_commit_and_its_refusals(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, c1, c2 = metrics_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    base = {"repository": str(repo.root)}
    old = await editor.command("gto.server.gitFile", {**base, "commit": c1, "path": "./params.yaml"})
    assert old == {"ok": True, "message": "", "text": "lr: 0.1\n"}
    by_tag = await editor.command("gto.server.gitFile", {**base, "commit": "rf@v1.1.0", "path": "extra.json"})
    assert by_tag["text"] == '{"depth": 3}\n'
    refusals = {
        "../outside": "is not a path inside the repository",
        "/etc/passwd": "is not a path inside the repository",
        "sub/../../x": "is not a path inside the repository",
        "nothing.txt": "'nothing.txt' is not a file of commit",
    }
    for path, words in refusals.items():
        refused = await editor.command("gto.server.gitFile", {**base, "commit": c2, "path": path})
        assert refused["ok"] is False and words in refused["message"], path
    blob = repo.git("rev-parse", f"{c2}:params.yaml").strip()
    for commit in (blob, "no-such-branch"):
        refused = await editor.command("gto.server.gitFile", {**base, "commit": commit, "path": "params.yaml"})
        assert refused["ok"] is False and "is not a commit of this repository" in refused["message"], commit
    repo.commit({"big.txt": "x" * 5_000_001}, "big")
    big = await editor.command("gto.server.gitFile", {**base, "commit": "HEAD", "path": "big.txt"})
    assert big["ok"] is False and "larger than 5,000,000 bytes" in big["message"]


async def test_registry_changed_after_a_tag_from_outside(start: Start, make_repo: Callable[..., Repo]) -> None:
    import asyncio

    from lsprotocol import types

    repo, _, _ = view_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    arrived: asyncio.Queue[Any] = asyncio.Queue()

    @editor.client.feature("gto/registryChanged")
    def on_changed(params: Any) -> None:
        arrived.put_nowait(_plain(params))

    before = await editor.command("gto.server.registry", {"repository": str(repo.root)})
    assert [a["latest"] for a in before["artifacts"] if a["name"] == "rf"] == ["v1.3.0"]
    repo.tag("rf@v2.0.0", "Registering artifact rf version v2.0.0", T0 + 9)
    # what VS Code's watcher of .git/refs/** reports
    for name in ("rf@v2.0.0", "rf@v2.0.0.lock"):
        change = types.FileEvent(uri=uri(repo.root / ".git/refs/tags" / name), type=types.FileChangeType.Created)
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
    assert await asyncio.wait_for(arrived.get(), 30) == {"repository": str(repo.root)}
    after = await editor.command("gto.server.registry", {"repository": str(repo.root)})
    assert [a["latest"] for a in after["artifacts"] if a["name"] == "rf"] == ["v2.0.0"]


async def test_name_hover_shows_the_latest_versions_commit(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo, _, c2 = view_repo(make_repo)
    editor = await start([repo.root], CLIENT)
    doc = editor.open(repo.root / "artifacts.yaml")
    for _ in range(2):  # the second answer comes from the remembered commit
        hover = await editor.hover(doc, 0, 1)
        assert hover is not None
        value = hover.contents.value  # type: ignore[union-attr]
        assert value.endswith(f"\n\nLatest `v1.3.0`: commit `{c2[:7]}` by Test, 2023-11-14: *second*"), value

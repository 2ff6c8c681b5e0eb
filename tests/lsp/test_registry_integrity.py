"""Registry problems in the editor over stdio: the Registry view's answers carry each artifact's and version's
`problems` (`gto.server.registry`, `gto.server.artifactVersions` and the `gto/...` requests), and hover on an
artifact's name lists them; an artifact without problems has no `problems` field (the old answers)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from lsprotocol import types

from helpers.git import T0
from lsp.conftest import Repo, Start
from lsp.test_code_lens import CLIENT

INDEX = "rf:\n  type: model\ndup:\n  type: model\nok:\n  type: model\n"


def _repo(make_repo: Callable[..., Repo]) -> Repo:
    """dup: v1.0.0 registered twice; rf: prod on a deregistered version; ghost: tags only; ok: fine."""
    repo = make_repo(files={"artifacts.yaml": INDEX})
    repo.tag("dup@v1.0.0", "Registering artifact dup version v1.0.0", T0 + 1)
    repo.tag("dup@v1.0.0#2", "Registering artifact dup version v1.0.0", T0 + 2)
    repo.tag("rf@v1.0.0", "Registering artifact rf version v1.0.0", T0 + 3)
    repo.tag("rf#prod#2", "Assigning stage prod to artifact rf version v1.0.0", T0 + 4)
    repo.tag("rf@v1.0.0!#3", "Deregistering artifact rf version v1.0.0", T0 + 5)
    repo.tag("ghost@v0.1.0", "Registering artifact ghost version v0.1.0", T0 + 6)
    repo.tag("ok@v0.1.0", "Registering artifact ok version v0.1.0", T0 + 7)
    return repo


def _codes(artifact: dict[str, Any]) -> Optional[list[tuple[str, str, Optional[str]]]]:
    found = artifact.get("problems")
    return None if found is None else [(p["code"], p["severity"], p["version"]) for p in found]


async def test_registry_answers_carry_problems(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = _repo(make_repo)
    editor = await start([repo.root], CLIENT)
    answer = await editor.command("gto.server.registry", {"repository": str(repo.root)})
    by_name = {a["name"]: a for a in answer["artifacts"]}
    assert {name: _codes(a) for name, a in by_name.items()} == {
        "dup": [("version-registered-twice", "error", "v1.0.0")],
        "ghost": [("artifact-undeclared", "information", None)],
        "ok": None,
        "rf": [("stage-on-deprecated", "warning", "v1.0.0")],
    }
    dup = by_name["dup"]["problems"][0]
    assert dup["tags"] == ["dup@v1.0.0", "dup@v1.0.0#2"] and dup["fix"] == []
    assert "gto show dup" in dup["message"] and "check --registry" in dup["message"]
    assert by_name["ok"]["latest"] == "v0.1.0"  # the old fields stay
    # the same over the custom request other editors use
    request = await editor.client.protocol.send_request_async("gto/registry", {"repository": str(repo.root)})
    assert [[p.code for p in getattr(a, "problems", [])] for a in request.artifacts] == [
        [p["code"] for p in a.get("problems", [])] for a in answer["artifacts"]
    ]


async def test_versions_carry_their_problems(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = _repo(make_repo)
    editor = await start([repo.root], CLIENT)
    answer = await editor.command("gto.server.artifactVersions", {"repository": str(repo.root), "name": "rf"})
    assert [(v["version"], _codes(v)) for v in answer["versions"]] == [
        ("v1.0.0", [("stage-on-deprecated", "warning", "v1.0.0")])
    ]
    ok = await editor.command("gto.server.artifactVersions", {"repository": str(repo.root), "name": "ok"})
    assert [("problems" in v) for v in ok["versions"]] == [False]


async def test_hover_lists_the_problems(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = _repo(make_repo)
    editor = await start([repo.root], CLIENT)
    doc = editor.open(repo.root / "artifacts.yaml")
    texts = []
    for line in (0, 2, 4):  # rf, dup, ok
        hover = await editor.hover(doc, line, 1)
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        texts.append(hover.contents.value)
    rf, dup, ok = texts
    assert "**Registry problems**" in rf and "`stage-on-deprecated`" in rf and "gto deprecate rf v1.0.0 prod" in rf
    assert "error `version-registered-twice`" in dup and "Multiple registrations" in dup
    assert "Registry problems" not in ok and "v0.1.0" in ok

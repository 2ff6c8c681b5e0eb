"""workspace/executeCommand: context, validateName, annotate/remove through workspace/applyEdit, commit."""

from __future__ import annotations

from typing import Any, Callable

from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp.conftest import Repo, Start, uri


async def test_context_describes_the_repository(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        files={
            "models/rf.pkl": "1",
            ".gto": "types: [model, dataset]\n",
            "artifacts.yaml": "rf:\n  type: model\n  path: models/rf.pkl\n  labels: [nlp]\n  virtual: false\n",
        }
    )
    repo.write({"new.csv": "x", "artifacts.yaml": "rf:\n  type: model\n  path: models/rf.pkl\nds: {type: dataset}\n"})
    repo.tag("rf@v1.0.0", "Registering artifact rf version v1.0.0")
    plain = repo.root.parent / "plain"  # a workspace folder that is not a git repository
    plain.mkdir()
    editor = await start([repo.root, plain])
    context = await editor.command("gto.server.context", {"repository": uri(repo.root)})
    assert context["ok"] is True
    assert context["root"] == str(repo.root) and context["indexPath"] == str(repo.index)
    assert context["trusted"] is True
    assert context["types"] == ["model", "dataset"] and context["typesRestricted"] is True
    assert context["artifacts"] == {
        "rf": {"type": "model", "path": "models/rf.pkl", "virtual": True, "labels": []},
        "ds": {"type": "dataset", "virtual": True, "labels": []},
    }
    assert context["labels"] == []
    assert {"models", "models/rf.pkl", "artifacts.yaml"} <= set(context["trackedFiles"])
    assert context["untrackedFiles"] == ["new.csv"]
    assert context["registry"] == {"rf": {"latest": "v1.0.0", "stages": {}, "deprecated": False}}
    assert "models/rf.pkl" in context["committed"] and "new.csv" not in context["committed"]
    assert context["hasHead"] is True and context["branch"] == "main" and context["dirty"] is True
    # The editor's unsaved text is what the context reads.
    doc = editor.open(repo.index, "rf:\n  labels: [vision]\n")
    context = await editor.command("gto.server.context", {"repository": str(repo.root)})
    assert context["labels"] == ["vision"] and list(context["artifacts"]) == ["rf"]
    del doc
    missing = await editor.command("gto.server.context", {"repository": str(plain)})
    assert missing["ok"] is False and "No Git repo found" in missing["message"]
    outside = await editor.command("gto.server.context", {"repository": str(repo.root.parent)})
    assert outside["ok"] is False and "not in the workspace" in outside["message"]


async def test_validate_name_and_bad_arguments(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    assert await editor.command("gto.server.validateName", {"name": "nlp/bert-2"}) == {"ok": True, "message": ""}
    bad = await editor.command("gto.server.validateName", {"name": "a.b"})
    assert bad["ok"] is False and bad["message"].startswith("Invalid artifact name 'a.b':")
    wrong: Any = await editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="gto.server.annotate", arguments=["rf"])
    )
    assert wrong["ok"] is False and "one object argument" in wrong["message"]
    labels = await editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "rf", "labels": "x"})
    assert labels == {"ok": False, "message": "`labels` must be a list of strings."}


async def test_annotate_round_trip_on_the_unsaved_document(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": "nn: {}\n", ".gto": "types: [model]\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    editor.type(doc, 1, 0, "# unsaved comment\n")
    result = await editor.command(
        "gto.server.annotate",
        {"repository": str(repo.root), "name": "rf", "type": "model", "path": "m.pkl", "labels": ["b", "a"]},
    )
    assert result == {"ok": True, "message": "Updated `artifacts.yaml`", "uri": doc.uri, "applied": True}
    [params] = editor.applied
    [change] = params.edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 2
    assert doc.text == "nn: {}\n# unsaved comment\nrf:\n  labels:\n  - b\n  - a\n  path: m.pkl\n  type: model\n"
    assert repo.index.read_text() == "nn: {}\n"  # the disk is the editor's business
    # GTO's own errors come back as ok=false with GTO's text.
    refused = await editor.command("gto.server.annotate", {"uri": doc.uri, "name": "x", "type": "dataset"})
    assert refused["ok"] is False and refused["message"] == "Type 'dataset' is not allowed by .gto: use one of 'model'"
    conflict = await editor.command("gto.server.annotate", {"uri": doc.uri, "name": "y", "path": "m.pkl"})
    assert conflict["ok"] is False and conflict["message"].startswith("Provided path 'm.pkl' conflicts with artifact")
    assert len(editor.applied) == 1
    removed = await editor.command("gto.server.remove", {"uri": doc.uri, "name": "rf"})
    assert removed["ok"] and removed["applied"]
    assert doc.text == "nn: {}\n# unsaved comment\n"
    unknown = await editor.command("gto.server.remove", {"uri": doc.uri, "name": "zz"})
    assert unknown["ok"] is False and unknown["message"] == "Cannot find artifact 'zz'"


async def test_stale_version_is_refused_and_nothing_changes(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": "nn: {}\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    # The user types while the server computes: the edit arrives for a version the editor has left.
    editor.before_apply = lambda: editor.type(doc, 0, 0, "# typed\n")
    result = await editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "rf"})
    assert result["ok"] is False and result["applied"] is False
    assert "stale version 1" in result["message"]
    assert doc.text == "# typed\nnn: {}\n"


async def test_annotate_closed_and_missing_files(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"m.pkl": "1"})
    editor = await start([repo.root])
    created = await editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "rf", "type": "model"})
    assert created["ok"] and created["applied"]
    [params] = editor.applied
    assert isinstance((params.edit.document_changes or [])[0], types.CreateFile)
    assert repo.index.read_text() == "rf:\n  type: model\n"
    merged = await editor.command(
        "gto.server.annotate", {"repository": str(repo.root), "name": "rf", "path": "m.pkl", "must_exist": True}
    )
    assert merged["ok"], merged
    change = (editor.applied[-1].edit.document_changes or [])[0]
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version is None
    assert repo.index.read_text() == "rf:\n  path: m.pkl\n  type: model\n  virtual: false\n"
    missing = await editor.command(
        "gto.server.annotate", {"repository": str(repo.root), "name": "rf", "path": "new.pkl", "must_exist": True}
    )
    assert missing == {
        "ok": False,
        "message": "Nothing found in 'new.pkl' for checked out commit",
        "detail": None,
        "uri": uri(repo.index),
        "applied": False,
    }


async def test_without_apply_edit_the_result_carries_the_text(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": "nn: {}\n"})
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.workspace is not None
    capabilities.workspace.apply_edit = False
    editor = await start([repo.root], capabilities=capabilities)
    result = await editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "rf"})
    assert result["ok"] is True and result["applied"] is False
    assert result["text"] == "nn: {}\nrf: {}\n"
    assert result["edits"] == [
        {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "newText": "rf: {}\n"}
    ]
    assert editor.applied == []


async def test_commit_takes_the_saved_file_with_progress(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"README": "r"})
    repo.write({"other.txt": "keep me uncommitted"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  type: model\n")
    args = {"repository": str(repo.root), "name": "rf", "action": "annotate", "type": "model"}
    unsaved = await editor.command("gto.server.commit", args)
    assert unsaved == {"ok": False, "message": "Save artifacts.yaml first: the commit takes the file as saved on disk."}
    repo.write({"artifacts.yaml": doc.text})
    result = await editor.command("gto.server.commit", args)
    assert result["ok"] is True and result["pushed"] is False and len(result["sha"]) == 40
    assert "Annotate artifact `rf` of type `model`" in result["message"]
    assert repo.git("log", "-1", "--format=%s").strip() == "Annotate artifact `rf` of type `model`"
    assert repo.git("status", "--porcelain").strip() == "?? other.txt"
    reports = [r for token, r in editor.client.progress_reports.items() if str(token).startswith("gto-commit")]
    assert reports and isinstance(reports[0][0], types.WorkDoneProgressBegin)
    assert isinstance(reports[0][-1], types.WorkDoneProgressEnd)
    nothing = await editor.command("gto.server.commit", {**args, "push": True})
    assert nothing["ok"] is False and "unchanged since the last commit" in nothing["message"]
    repo.write({"artifacts.yaml": "{}\n"})
    editor.replace(doc, "{}\n")
    pushed = await editor.command(
        "gto.server.commit", {"repository": str(repo.root), "name": "rf", "action": "remove", "push": True}
    )
    assert pushed["ok"] is True and pushed["pushed"] is False and "no remote" in pushed["message"]
    assert repo.git("log", "-1", "--format=%s").strip() == "Remove annotation for artifact `rf`"

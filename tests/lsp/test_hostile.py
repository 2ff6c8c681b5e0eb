"""Issue 9 §1-§2, one reproduction per bullet, against the real server over stdio: alias bombs, giant lines and
documents, wrong parameter types, documents never opened, special files, out-of-range edits, and an untrusted
workspace whose `.gto`/`GTO_INDEX` points outside the repository. Each request must be answered (`answer`: a hang
bound of 30 s; speed is measured in bench/), the server's peak memory stays bounded (`peak_mb`), and nothing is
logged at error level."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

import pytest
from lsprotocol import types

from lsp.conftest import Editor, Repo, Start, codes, uri

T = TypeVar("T")
HANG = 30.0  # seconds: an answer later than this is a hang (speed is measured in bench/, never here)
MEMORY_MB = 400  # the server's peak resident size on any of these inputs


def bomb(prefix: str = "", leaf: str = "x") -> str:
    """9 anchors of 9 references each (~500 bytes): 9**9 leaves once every alias is expanded."""
    parts = [f"&a0 [{', '.join([leaf] * 9)}]"]
    parts += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return prefix + "[" + ", ".join(parts) + "]"


async def answer(work: Awaitable[T]) -> T:
    """The answer, or a failure when none comes within HANG seconds."""
    return await asyncio.wait_for(work, HANG)


def peak_mb(editor: Editor) -> float:
    pid = editor.client._server.pid  # type: ignore[union-attr]
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def errors(editor: Editor) -> list[str]:
    return [m.message for m in editor.client.log_messages if m.type == types.MessageType.Error]


def ident(doc_uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=doc_uri)


def raw_request(protocol: Any, method: str, params: Any) -> Any:
    """Send params as they are (the client's typed send cannot even serialise wrong ones); the answer's future."""
    msg_id = f"raw-{method}-{id(params)}"
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    protocol._request_futures[msg_id] = future
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return future


async def symbols(editor: Editor, doc_uri: str) -> Any:
    return await editor.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident(doc_uri))
    )


# --- alias bombs ----------------------------------------------------------------------------------------------


ARTIFACT_BOMBS = {
    "custom": "rf:\n  type: model\n  path: m.pkl\n  custom: {bomb}\nnn:\n  type: model\n",
    "labels": "rf:\n  type: model\n  labels: {bomb}\nnn:\n  type: model\n",
    "description": "rf:\n  type: model\n  description: {bomb}\nnn:\n  type: model\n",
}
DVC_BOMBS = {
    "meta": "artifacts:\n  rf:\n    path: m.pkl\n    meta: {bomb}\n  nn:\n    path: n.pkl\n",
    "labels": "artifacts:\n  rf:\n    path: m.pkl\n    labels: {bomb}\n  nn:\n    path: n.pkl\n",
    "desc": "artifacts:\n  rf:\n    path: m.pkl\n    desc: {bomb}\n  nn:\n    path: n.pkl\n",
}


@pytest.mark.parametrize("field", list(ARTIFACT_BOMBS))
async def test_alias_bomb_in_artifacts_yaml(start: Start, make_repo: Callable[..., Repo], field: str) -> None:
    text = ARTIFACT_BOMBS[field].format(bomb=bomb())
    repo = make_repo(files={"artifacts.yaml": text, "m.pkl": "x"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, text)
    found = await answer(editor.diagnostics(doc.uri, lambda ds: "alias-expansion" in codes(ds)))
    [bombed] = [d for d in found if d.code == "alias-expansion"]
    assert bombed.range.start.line == 0  # the entry `rf`
    await answer(editor.command("gto.server.context", {"repository": str(repo.root)}))
    await answer(editor.hover(doc, 0, 0))
    await answer(editor.hover(doc, 3, 4))
    await answer(symbols(editor, doc.uri))
    result = await answer(
        editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "rf", "labels": ["a"]})
    )
    assert result["ok"] is False and "alias" in result["message"]
    result = await answer(
        editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "nn", "labels": ["a"]})
    )
    assert result["ok"] is False and "alias" in result["message"]
    assert peak_mb(editor) < MEMORY_MB
    assert errors(editor) == []


@pytest.mark.parametrize("field", list(DVC_BOMBS))
async def test_alias_bomb_in_dvc_yaml(start: Start, make_repo: Callable[..., Repo], field: str) -> None:
    text = DVC_BOMBS[field].format(bomb=bomb())
    repo = make_repo(files={"dvc.yaml": text, "m.pkl": "x", "n.pkl": "x"})
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml", text)
    found = await answer(editor.diagnostics(doc.uri, lambda ds: "alias-expansion" in codes(ds)))
    assert [d.range.start.line for d in found if d.code == "alias-expansion"] == [1]
    await answer(editor.command("gto.server.context", {"repository": str(repo.root)}))
    await answer(editor.hover(doc, 1, 3))
    await answer(symbols(editor, doc.uri))
    result = await answer(
        editor.command(
            "gto.server.annotate", {"repository": str(repo.root), "name": "rf", "file": "dvc.yaml", "labels": ["a"]}
        )
    )
    assert result["ok"] is False and "alias" in result["message"]
    assert peak_mb(editor) < MEMORY_MB
    assert errors(editor) == []


@pytest.mark.parametrize("dvc", [False, True])
def test_alias_bomb_on_the_command_line(make_repo: Callable[..., Repo], env: dict[str, str], dvc: bool) -> None:
    name, text = ("dvc.yaml", DVC_BOMBS["meta"]) if dvc else ("artifacts.yaml", ARTIFACT_BOMBS["custom"])
    repo = make_repo(files={name: text.format(bomb=bomb()), "m.pkl": "x", "n.pkl": "x"})
    for args in (
        ["describe", "rf"],
        ["check"],
        ["annotate", "rf", "--label", "a"] + (["--dvcfile", "dvc.yaml"] if dvc else []),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "gto_lsp", *args],
            cwd=repo.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
        assert "Traceback" not in done.stderr, done.stderr
        if args[0] != "describe":
            assert done.returncode != 0 and "alias" in (done.stdout + done.stderr), (args, done.stdout, done.stderr)


# --- giant lines and documents --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["# " + "x" * 1_000_000, "rf: " + "y" * 1_000_000, "z" * 1_000_000])
async def test_hover_on_a_one_megabyte_line(start: Start, make_repo: Callable[..., Repo], text: str) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, text)
    await answer(editor.hover(doc, 0, 0))
    await answer(editor.hover(doc, 0, 500_000))
    await answer(editor.completion(doc, 0, 2))
    await answer(editor.diagnostics(doc.uri, version=doc.version))
    assert errors(editor) == []


def entries(count: int) -> str:
    return "".join(f"model{i}:\n  type: model\n  path: models/m{i}.pkl\n  labels: [a, b]\n" for i in range(count))


async def test_a_hundred_thousand_entries(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    text = entries(100_000)
    doc = editor.open(repo.index, text)
    found = await answer(editor.diagnostics(doc.uri, version=doc.version))
    assert codes(found) == ["file-too-large"]  # larger than gto-lsp checks: said once, features off
    await answer(symbols(editor, doc.uri))
    await answer(editor.hover(doc, 50_000, 2))
    editor.type(doc, 0, 0, "#")
    await answer(editor.hover(doc, 1, 2))
    assert peak_mb(editor) < 1500
    assert errors(editor) == []


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n" * 250_000,  # 1.25 MB of duplicate names: minutes and 2.7 GB before
        "".join(f"a{i}: 1\n" for i in range(120_000)),  # 1.2 MB: 10 s to its diagnostics, 583 MB before
        "\n" * 200_000,
    ],
    ids=["duplicates", "one-line entries", "empty lines"],
)
async def test_many_small_entries_are_too_large(start: Start, make_repo: Callable[..., Repo], text: str) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, text)
    found = await answer(editor.diagnostics(doc.uri, version=doc.version))
    assert codes(found) == ["file-too-large"]
    await answer(editor.hover(doc, 5, 1))
    await answer(symbols(editor, doc.uri))
    assert peak_mb(editor) < MEMORY_MB


async def test_requests_are_answered_while_a_long_check_runs(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, entries(20_000))  # 1.3 MB: checked, in a worker thread
    await asyncio.sleep(0.2)  # the check of the open is running
    await answer(editor.hover(doc, 1, 3))
    await answer(editor.hover(doc, 0, 2))  # a name: the registry is read while the check runs
    await answer(editor.completion(doc, 1, 2))
    flow = editor.open(repo.root / "sub" / "dvc.yaml", "artifacts:\n  rf:\n    path: m.pkl\n")
    editor.replace(doc, "rf:\n  labels: [" + ", ".join(["1"] * 200_000) + "]\n")  # 200,000 problems to check
    await asyncio.sleep(0.2)
    await answer(editor.hover(doc, 0, 0))
    await answer(editor.hover(doc, 1, 3))
    await answer(editor.hover(flow, 1, 3))


@pytest.mark.parametrize("dvc", [False, True])
async def test_a_one_megabyte_flow_list_publishes_a_capped_list(
    start: Start, make_repo: Callable[..., Repo], dvc: bool
) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    numbers = ", ".join(["1"] * 349_524)
    if dvc:
        doc = editor.open(repo.root / "dvc.yaml", f"artifacts:\n  rf:\n    path: m.pkl\n    labels: [{numbers}]\n")
    else:
        doc = editor.open(repo.index, f"rf:\n  labels: [{numbers}]\n")
    found = await answer(editor.diagnostics(doc.uri, version=doc.version, timeout=30))
    assert 1 <= len(found) <= 1001
    assert "too-many-problems" in codes(found)
    await answer(editor.hover(doc, 1, 3))
    # The check made all 349,524 problems: 1.1 GB and 13 s (artifacts.yaml), 3.7 GB and over a minute (dvc.yaml)
    assert peak_mb(editor) < MEMORY_MB
    assert errors(editor) == []


# --- wrong parameter types, unknown documents ------------------------------------------------------------------


async def test_wrong_parameter_types_get_invalid_params(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n"})
    editor = await start([repo.root])
    editor.open(repo.index)
    protocol = editor.client.protocol
    bad = [
        ("textDocument/hover", {"textDocument": {"uri": ["x"]}, "position": {"line": 0, "character": 0}}),
        ("textDocument/hover", {"textDocument": {"uri": {"a": 1}}, "position": {"line": 0, "character": 0}}),
        ("textDocument/hover", {"textDocument": {"uri": uri(repo.index)}, "position": {"line": "x", "character": []}}),
        ("textDocument/documentSymbol", {"textDocument": 5}),
        ("textDocument/completion", []),
        ("textDocument/codeAction", {"textDocument": {"uri": uri(repo.index)}, "range": 3, "context": {}}),
        ("workspace/executeCommand", {"command": ["gto.server.context"], "arguments": {}}),
    ]
    for method, params in bad:
        with pytest.raises(Exception) as raised:
            await answer(raw_request(protocol, method, params))
        assert "-32602" in str(raised.value) or "Invalid" in str(raised.value), (method, raised.value)
    assert await answer(editor.hover(editor.docs[uri(repo.index)], 0, 0)) is not None  # still serving
    assert errors(editor) == []
    assert "Traceback" not in "".join(m.message for m in editor.client.log_messages)


async def test_documents_never_opened(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n"})
    editor = await start([repo.root])
    ghost = uri(repo.root / "ghost" / "artifacts.yaml")
    editor.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=ghost, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="a: 1\n")],
        )
    )
    editor.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=ident(ghost)))
    editor.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=ident(ghost)))
    position = types.Position(line=0, character=0)
    await answer(
        editor.client.text_document_hover_async(types.HoverParams(text_document=ident(ghost), position=position))
    )
    await answer(symbols(editor, ghost))
    await answer(editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident(ghost))))
    await answer(editor.client.text_document_folding_range_async(types.FoldingRangeParams(text_document=ident(ghost))))
    await editor.settle(0.3)
    text = "\n".join(m.message for m in editor.client.log_messages)
    assert "KeyError" not in text and "Traceback" not in text
    assert errors(editor) == []


# --- special files --------------------------------------------------------------------------------------------


async def test_special_files_are_not_read(start: Start, make_repo: Callable[..., Repo], tmp_path: Path) -> None:
    repo = make_repo()
    fifo = repo.root / "artifacts.yaml"
    os.mkfifo(fifo)
    editor = await start([repo.root])
    targets = ["file:///dev/zero", "file:///dev/urandom", "file:///dev/stdin", "file:///proc/self/fd/0", uri(fifo)]
    position = types.Position(line=0, character=0)
    for target in targets:
        await answer(
            editor.client.text_document_hover_async(types.HoverParams(text_document=ident(target), position=position))
        )
        await answer(symbols(editor, target))
        await answer(editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident(target))))
    await answer(editor.command("gto.server.context", {"repository": str(repo.root)}))
    result = await answer(
        editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "rf", "type": "model"})
    )
    assert result["ok"] is False
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert peak_mb(editor) < MEMORY_MB
    assert errors(editor) == []


@pytest.mark.parametrize("command", [["check"], ["describe", "rf"], ["annotate", "rf", "--type", "model"]])
def test_the_command_line_does_not_read_a_fifo(
    make_repo: Callable[..., Repo], env: dict[str, str], command: list[str]
) -> None:
    repo = make_repo()
    os.mkfifo(repo.index)
    done = subprocess.run(
        [sys.executable, "-m", "gto_lsp", *command],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert done.returncode != 0 and "Cannot read" in done.stderr + done.stdout, (done.stdout, done.stderr)
    assert stat.S_ISFIFO(os.stat(repo.index).st_mode)


async def test_a_huge_file_on_disk_is_not_read(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    with open(repo.index, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB of NUL
    editor = await start([repo.root])
    found = await answer(editor.diagnostics(uri(repo.index), lambda ds: "file-too-large" in codes(ds)))
    assert len(found) == 1
    await answer(editor.command("gto.server.context", {"repository": str(repo.root)}))
    assert peak_mb(editor) < MEMORY_MB


# --- incremental edits out of range ---------------------------------------------------------------------------


async def test_out_of_range_edits_are_clamped_as_vs_code_does(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  type: model\n")
    sent: list[tuple[tuple[int, int, int, int], str, str]] = [
        ((0, 99, 0, 99), " # c", "rf: # c\n  type: model\n"),  # past the end of a line: its end
        ((9, 0, 9, 0), "nn:\n", "rf: # c\n  type: model\nnn:\n"),  # past the last line: the document's end
        ((2, 0, 99, 99), "ok:\n", "rf: # c\n  type: model\nok:\n"),
        ((0, 9, 0, 4), "", "rf:\n  type: model\nok:\n"),  # start after end: read as end..start
        ((1, 50, 0, 0), "", "\nok:\n"),
    ]
    for (l1, c1, l2, c2), new, expected in sent:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2)),
            text=new,
        )
        editor._send(doc, [change], expected)
        await editor.diagnostics(doc.uri, version=doc.version)
        names = [s.name for s in await symbols(editor, doc.uri) or []]
        expected_names = [line.split(":")[0] for line in expected.splitlines() if line and not line.startswith(" ")]
        assert names == expected_names, (new, names)
    assert errors(editor) == []


# --- untrusted workspaces -------------------------------------------------------------------------------------


@pytest.mark.parametrize("trusted", [False, True])
@pytest.mark.parametrize("how", ["relative", "absolute", "symlink", "env"])
async def test_index_outside_the_repository_is_never_read(
    start: Start, make_repo: Callable[..., Repo], env: dict[str, str], tmp_path: Path, trusted: bool, how: str
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret:\n  type: model\n  descripton: leaked\n")
    repo = make_repo()
    server_env = dict(env)
    if how == "relative":
        repo.write({".gto": "index: ../outside.yaml\n"})
    elif how == "absolute":
        repo.write({".gto": f"index: {outside}\n"})
    elif how == "symlink":
        (repo.root / "artifacts.yaml").symlink_to(outside)
    else:
        server_env["GTO_INDEX"] = str(outside)
    editor = await start([repo.root], init_options={"trusted": trusted}, server_env=server_env)
    await editor.settle(0.8)
    outside_uri = uri(outside)
    assert all(p.uri != outside_uri for p in editor.published)
    result = await answer(editor.command("gto.server.context", {"repository": str(repo.root)}))
    assert "secret" not in str(result)
    result = await answer(
        editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "rf", "type": "model"})
    )
    assert result["ok"] is False, result
    assert outside.read_text() == "secret:\n  type: model\n  descripton: leaked\n"
    if how in ("relative", "absolute"):
        found = await editor.diagnostics(uri(repo.root / ".gto"), lambda ds: "config-index-outside" in codes(ds))
        assert found
    assert errors(editor) == []


async def test_untrusted_workspace_starts_no_process(
    start: Start, make_repo: Callable[..., Repo], env: dict[str, str], tmp_path: Path
) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n  path: m.pkl\n", "m.pkl": "x"})
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    record = tmp_path / "ran.txt"
    for name in ("git", "sh", "uname"):
        fake = bin_dir / name
        fake.write_text(f'#!/bin/sh\necho {name} "$@" >> {record}\nexit 1\n')
        fake.chmod(0o755)
    server_env = dict(env, PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    editor = await start([repo.root], init_options={"trusted": False}, server_env=server_env)
    doc = editor.open(repo.index)
    await editor.diagnostics(doc.uri, version=doc.version)
    await answer(editor.hover(doc, 0, 0))
    await answer(editor.completion(doc, 2, 8))
    await answer(editor.command("gto.server.context", {"repository": str(repo.root)}))
    await answer(editor.client.text_document_code_lens_async(types.CodeLensParams(text_document=ident(doc.uri))))
    await editor.settle(0.5)
    assert not record.exists(), record.read_text()

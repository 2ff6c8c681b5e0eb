"""Start-up (issue 17): the server loads only what the first requests need; the commands, navigation, rename,
workspace symbols and the command line's modules load at their first use. The names the server declares are the
commands it runs, the collector is back on (with the start-up's objects frozen) once it serves, and every lazily
loaded handler answers its first request."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from lsprotocol import types

from gto_lsp.lsp import commands
from gto_lsp.lsp.command_names import REQUESTS, SERVER_COMMANDS
from lsp.conftest import SERVER_COMMAND, Repo, Start, git_env, rng, uri
from lsp.test_transport import Raw, message

# Loaded at their first use, never at start (git: GitPython runs `git version` when imported).
LATER = (
    "gto_lsp.lsp.commands",
    "gto_lsp.lsp.features.hover",
    "gto_lsp.lsp.features.symbols",
    "gto_lsp.lsp.features.names",
    "gto_lsp.lsp.features.name_index",
    "gto_lsp.lsp.features.migrate_action",
    "gto_lsp.cli.check",
    "gto_lsp.cli.common",
    "gto_lsp.cli.edit",
    "gto_lsp.cli.registry",
    "argparse",
    "git",
)

# Runs `gto-lsp serve` with the transport replaced by a report of the process's state when serving begins.
PROBE = """
import gc, json, sys
from gto_lsp.lsp import transport

def start_io(ls):
    print(json.dumps({"gc": gc.isenabled(), "frozen": gc.get_freeze_count(), "modules": sorted(sys.modules)}))

transport.start_io = start_io
from gto_lsp.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_declared_names_are_the_commands_table() -> None:
    assert len(set(SERVER_COMMANDS)) == len(SERVER_COMMANDS)
    assert set(SERVER_COMMANDS) == set(commands.COMMANDS)
    assert set(REQUESTS.values()) <= set(commands.COMMANDS)


@pytest.mark.parametrize("argv", [["serve"], ["serve", "--stdio"]])
def test_serving_starts_without_the_later_modules_and_with_the_collector_on(tmp_path: Path, argv: list[str]) -> None:
    done = subprocess.run(
        [SERVER_COMMAND[0], "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=git_env(tmp_path / "home"),
        timeout=30,  # a hang bound
    )
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout)
    assert state["gc"] is True
    assert state["frozen"] > 0
    assert [name for name in LATER if name in state["modules"]] == []
    assert "gto_lsp.lsp.features.diagnostics" in state["modules"]  # what the first diagnostics need is there


def test_initialize_declares_every_command_and_the_first_call_runs_it(tmp_path: Path) -> None:
    server = Raw(tmp_path / "home")
    try:
        server.send(message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
        answer = server.responses_until(lambda ids: 1 in ids)[0]
        declared = answer["result"]["capabilities"]["executeCommandProvider"]["commands"]
        assert sorted(declared) == sorted(commands.COMMANDS)
        server.send(message({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        server.ping()  # gto.server.validateName: the commands load at this first call
        server.send(message({"jsonrpc": "2.0", "id": 2, "method": "gto/registry", "params": {}}))
        registry = server.responses_until(lambda ids: 2 in ids)[-1]
        assert registry["result"]["ok"] is False  # no repository named: the handler's own refusal
    finally:
        stderr = server.close()
    assert "Traceback" not in stderr, stderr


INDEX = "rf:\n  type: model\n  path: models/rf.pkl\n"
TRAIN = 'import dvc.api\nprint(dvc.api.artifacts_show("rf"))\n'


async def test_every_lazily_loaded_handler_answers_its_first_request(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(
        files={
            "artifacts.yaml": INDEX,
            "models/rf.pkl": "x",
            "train.py": 'import dvc.api\nprint(dvc.api.artifacts_show("rf"))\n',
        }
    )
    editor = await start([repo.root])
    doc = editor.open(repo.index)
    await editor.diagnostics(doc.uri)
    client = editor.client
    document = types.TextDocumentIdentifier(uri=doc.uri)
    name = types.Position(line=0, character=1)
    hover = await client.text_document_hover_async(types.HoverParams(text_document=document, position=name))
    assert hover is not None
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document))
    assert [s.name for s in symbols or []] == ["rf"]
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=document))
    assert folds is not None
    links = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=document))
    assert links is not None
    await client.text_document_definition_async(types.DefinitionParams(text_document=document, position=name))
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document, position=name, context=types.ReferenceContext(include_declaration=True)
        )
    )
    assert any(r.uri == uri(repo.root / "train.py") for r in references or [])
    rename = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document, position=name)
    )
    assert rename is not None
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="rf"))
    assert [s.name for s in found or []] == ["rf"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document,
            range=rng(0, 0, 0, 0),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorMove]),
        )
    )
    moves = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert [a.kind for a in moves] == [types.CodeActionKind.RefactorMove]  # migrate_action, loaded at this ask
    resolved = await client.code_action_resolve_async(moves[0])
    assert resolved.edit is not None or resolved.command is not None

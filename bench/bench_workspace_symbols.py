"""Workspace symbols, references and rename of an artifact's name (issue 15): gto-lsp over stdio on a repository
with many artifacts across artifacts.yaml and dvc.yaml files.

Run: .venv/bin/python bench/bench_workspace_symbols.py [--artifacts 500] [--files 20] [--queries 200]
     [--references 30] [--sources 200]

The repository (a real git repository in a temporary folder, committed): artifacts.yaml with 2/5 of the artifacts,
the root dvc.yaml with 1/5, and the rest spread over `--files` nested `dN/dvc.yaml` files; `--sources` Python
files and a tenth as many shell scripts, each naming a few artifacts (`dvc.api.artifacts_show("m-12")`, `gto
register m-12`). The server starts with the folder open and artifacts.yaml open in the editor. Measured, from
sending each request to its answer's arrival:
- the first workspace/symbol (every file read and parsed: cold);
- `--queries` workspace/symbol requests, queries cycling through "", "m", "m-1", "d3:", "m17", "zz" (warm: the
  per-file index answers, nothing is read again);
- the same, each right after a one-character edit of the open artifacts.yaml (its unsaved text re-indexed, while
  the checks the edit started run), then each after those checks are done (`--gap` seconds without a message);
- `--references` textDocument/references on an artifact's name (every source file of the repository scanned);
- as many textDocument/rename requests (answered, not applied).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from lsp_client import LspClient, tree_cpu_ms

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers.git import git, make_repo  # noqa: E402  (the tests' repositories)

QUERIES = ("", "m", "m-1", "d3:", "m17", "zz")
SETTINGS = {"gto": {"checks": {"enable": True, "paths": True}, "git": {"enabled": True}}}


def write_repository(root: Path, artifacts: int, files: int, sources: int) -> list[str]:
    """The repository's files; returns the artifacts' full names."""
    make_repo(root)
    names = [f"m-{i}" for i in range(artifacts)]
    in_index = names[: artifacts * 2 // 5]
    in_root = names[len(in_index) : len(in_index) + artifacts // 5]
    nested = names[len(in_index) + len(in_root) :]
    (root / "artifacts.yaml").write_text(
        "".join(f"{n}:\n  type: model\n  path: models/{n}.pkl\n  labels: [a, b]\n" for n in in_index)
    )
    (root / "dvc.yaml").write_text(
        "artifacts:\n" + "".join(f"  {n}:\n    path: models/{n}.pt\n    type: model\n" for n in in_root)
    )
    full = in_index + in_root
    per_file = max(1, -(-len(nested) // files))
    for index in range(files):
        chunk = nested[index * per_file : (index + 1) * per_file]
        folder = root / f"d{index}"
        folder.mkdir()
        (folder / "dvc.yaml").write_text(
            "artifacts:\n" + "".join(f"  {n}:\n    path: {n}.pt\n    type: model\n" for n in chunk)
        )
        full += [f"d{index}:{n}" for n in chunk]
    src = root / "src"
    src.mkdir()
    for index in range(sources):
        named = [names[(index * 7 + k) % artifacts] for k in range(3)]
        calls = "".join(f'print(dvc.api.artifacts_show("{n}"))\n' for n in named)
        (src / f"job_{index}.py").write_text("import dvc.api\n\n" + calls + "x = 1\n" * 50)
    for index in range(max(1, sources // 10)):
        (root / f"deploy_{index}.sh").write_text(f"#!/bin/sh\ngto register {names[index % artifacts]}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bench")
    return full


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def summary(label: str, values: list[float]) -> str:
    return (
        f"| {label} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} "
        f"| {max(values):.1f} |"
    )


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        full = write_repository(root, args.artifacts, args.files, args.sources)
        client = LspClient(
            shlex.split(args.gto_command) if args.gto_command else [sys.executable, "-m", "gto_lsp", "serve"],
            SETTINGS,
            cwd=root,
            env=dict(os.environ),
            stderr_path=Path(os.environ.get("BENCH_SERVER_LOG") or Path(tmp) / "server.log"),
        )
        await client.start()
        try:
            await client.request(
                "initialize",
                {
                    "processId": os.getpid(),
                    "rootUri": root.as_uri(),
                    "workspaceFolders": [{"uri": root.as_uri(), "name": "repo"}],
                    "capabilities": {
                        "workspace": {"configuration": True, "workspaceFolders": True, "symbol": {}},
                        "textDocument": {"rename": {"prepareSupport": True}},
                    },
                },
            )
            client.notify("initialized", {})
            index_uri = (root / "artifacts.yaml").as_uri()
            text = (root / "artifacts.yaml").read_text()
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": index_uri, "languageId": "yaml", "version": 1, "text": text}},
            )
            answer, cold = await client.request("workspace/symbol", {"query": ""})
            assert len(answer) == len(full), (len(answer), len(full))
            await client.settle(1.0)  # the open's diagnostics of every annotations file
            cpu = tree_cpu_ms(client.pid)
            warm = [(await client.request("workspace/symbol", {"query": q}))[1] for q in _cycle(args.queries)]
            cpu_warm = (tree_cpu_ms(client.pid) - cpu) / args.queries
            version = 1
            edited: dict[bool, list[float]] = {False: [], True: []}
            for settled in (False, True):
                for query in _cycle(args.queries):
                    version += 1
                    change = {"range": _span(1, 8, version % 2), "text": "" if version % 2 else "x"}
                    client.notify(
                        "textDocument/didChange",
                        {"textDocument": {"uri": index_uri, "version": version}, "contentChanges": [change]},
                    )
                    if settled:  # the user opens the picker after the checks the edit started
                        await client.settle(args.gap)
                    edited[settled].append((await client.request("workspace/symbol", {"query": query}))[1])
            position = {"textDocument": {"uri": index_uri}, "position": {"line": 4, "character": 1}}
            references = []
            cpu = tree_cpu_ms(client.pid)
            for _ in range(args.references):
                found, ms = await client.request(
                    "textDocument/references", {**position, "context": {"includeDeclaration": True}}
                )
                references.append(ms)
            cpu_references = (tree_cpu_ms(client.pid) - cpu) / args.references
            renames = []
            for _ in range(args.references):
                edit, ms = await client.request("textDocument/rename", {**position, "newName": "renamed"})
                renames.append(ms)
        finally:
            await client.stop()
    print(
        f"{args.artifacts} artifacts in {2 + args.files} annotations files; {args.sources} Python files and "
        f"{max(1, args.sources // 10)} scripts; m-1 has {len(found)} references, its rename "
        f"{sum(len(edits) for edits in (edit.get('changes') or {}).values())} edits"
    )
    print(
        f"server CPU per request (mean): workspace/symbol (warm) {cpu_warm:.1f} ms, references {cpu_references:.1f} ms"
    )
    print("\n| request | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    print(f"| workspace/symbol, first (cold) | 1 | {cold:.1f} | | |")
    print(summary("workspace/symbol (warm)", warm))
    print(summary("workspace/symbol right after an edit of the open artifacts.yaml", edited[False]))
    print(summary(f"workspace/symbol after an edit, its checks done ({args.gap} s quiet)", edited[True]))
    print(summary("references of a name", references))
    print(summary("rename (answered, not applied)", renames))


def _cycle(count: int) -> list[str]:
    return [QUERIES[i % len(QUERIES)] for i in range(count)]


def _span(line: int, character: int, length: int) -> dict[str, Any]:
    """A range of `length` characters on one line (0: a point, where a character is typed)."""
    return {"start": {"line": line, "character": character}, "end": {"line": line, "character": character + length}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", type=int, default=500)
    parser.add_argument("--files", type=int, default=20, help="nested dvc.yaml files")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--references", type=int, default=30, help="references requests (and as many renames)")
    parser.add_argument("--gap", type=float, default=0.3, help="quiet seconds after an edit (settled rows)")
    parser.add_argument("--gto-command", help="server command (e.g. under cProfile)")
    parser.add_argument("--sources", type=int, default=200, help="Python files naming artifacts")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

"""Large documents: requests answered while the check of a large artifacts.yaml runs, and the commands on a
document larger than gto-lsp checks (issue 12, item 6).

Run: .venv/bin/python bench/bench_large.py [--entries 18000] [--runs 3] [--server-rev REV]

The repository (cached in .cache/bench_large) holds an artifacts.yaml of `--entries` entries (1.4 MB at 18,000,
inside the supported size) whose paths are committed files except every 10th (a missing path: a problem), and
one tag registering model-00003. Each run starts the server (bench_lsp.py's client and VS Code-like capabilities,
code lens included), waits for its answer to a first request (it has loaded), opens the file and, from 50 ms
after the didOpen, sends 12 code lens and 12 hover requests (on a name) at fixed times 250 ms apart, as an editor
does, without waiting for earlier answers. It measures:

- didOpen -> the diagnostics of version 1: the first (its first entries', Format.head) and the whole file's (the
  check's result; target <= 3 s at load <= 2);
- each code lens and hover sent during that check: ms to its answer (target <= 200 ms), or unanswered after 10 s;
- on a 10 MB, 100,000-entry document (file-too-large): `gto.server.context` and `gto.server.annotate` (which
  must refuse it, naming the limit), ms to their answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from bench_lsp import append_runs, capabilities, fmt, load, machine, p, server_source  # puts tests/ on sys.path
from helpers.git import git, make_repo
from lsp_client import LspClient, LspError, Published, tree_memory_mb

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = ROOT / ".cache" / "bench_large"
LAYOUT_VERSION = 1
SETTINGS = {"gto": {"checks": {"enable": True, "paths": True}, "git": {"enabled": True}}}
REQUESTS, SPACING, UNANSWERED = 12, 0.25, 10.0
TARGETS = {"diagnostics": 3000.0, "request": 200.0}


def entry(i: int) -> str:
    return f"model-{i:05d}:\n  type: model\n  path: models/m{i}/model.pkl\n  labels: [ml, team-{i % 7}]\n"


def build_repository(entries: int) -> Path:
    repo = CACHE / f"v{LAYOUT_VERSION}-{entries}"
    if (repo / ".git" / "bench-built").exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    (repo / "artifacts.yaml").write_text("".join(entry(i) for i in range(entries)))
    for i in range(entries):
        if i % 10:
            folder = repo / "models" / f"m{i}"
            folder.mkdir(parents=True)
            (folder / "model.pkl").write_text(f"{i}\n")
    make_repo(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "entries")
    git(repo, "tag", "-a", "-m", "Registering", "model-00003@v1.0.0")
    (repo / ".git" / "bench-built").write_text(f"{entries} entries\n")
    return repo


@dataclass
class Run:
    first: float = math.nan  # didOpen -> the first diagnostics of version 1 (its first entries')
    diagnostics: float = math.nan
    lenses: list[float] = field(default_factory=list)  # nan: unanswered after UNANSWERED seconds
    hovers: list[float] = field(default_factory=list)
    context: float = math.nan
    annotate: float = math.nan
    peak: float = math.nan
    notes: list[str] = field(default_factory=list)


async def start(command: list[str], repo: Path, env: dict[str, str], log: Path) -> LspClient:
    client = LspClient(command, SETTINGS, cwd=repo, env=env, stderr_path=log)
    await client.start()
    folder = repo.as_uri()
    caps = capabilities()
    await client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": folder,
            "workspaceFolders": [{"uri": folder, "name": repo.name}],
            "capabilities": caps | {"textDocument": caps["textDocument"] | {"codeLens": {}}},
        },
    )
    client.notify("initialized", {})
    client.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
    # gto-lsp answers `initialize` before it has loaded (lsp/early.py): the open is timed on a loaded server, as
    # bench_lsp does, so the requests during the check do not wait for the server's imports.
    probe = {"textDocument": {"uri": (repo / "probe.yaml").as_uri()}, "position": {"line": 0, "character": 0}}
    with contextlib.suppress(LspError):
        await client.request("textDocument/hover", probe)
    return client


async def timed(client: LspClient, delay: float, method: str, params: Any) -> float:
    await asyncio.sleep(delay)
    try:
        _, ms = await asyncio.wait_for(client.request(method, params), UNANSWERED)
    except (asyncio.TimeoutError, LspError):
        return math.nan
    return ms


async def check_session(command: list[str], repo: Path, env: dict[str, str], log: Path, run: Run) -> None:
    client = await start(command, repo, env, log)
    try:
        index = repo / "artifacts.yaml"
        uri, text = index.as_uri(), index.read_text()
        sent = client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
        )
        await client.drain()
        ident = {"textDocument": {"uri": uri}}
        count = text.count("\n") // 4
        lenses = [timed(client, 0.05 + n * SPACING, "textDocument/codeLens", ident) for n in range(REQUESTS)]
        hovers = [
            timed(
                client,
                0.05 + (n + 0.5) * SPACING,
                "textDocument/hover",
                ident | {"position": {"line": 4 * (n * 1499 % count), "character": 3}},
            )
            for n in range(REQUESTS)
        ]

        def ours(item: Published) -> bool:
            return unquote(item.uri) == unquote(uri) and item.version == 1

        waited = client.wait_whole(ours, 0, timeout=120)
        results: list[Any] = await asyncio.gather(waited, *lenses, *hovers)
        (first, published), *answers = results
        run.first, run.diagnostics = (first.at - sent) * 1000, (published.at - sent) * 1000
        run.lenses, run.hovers = answers[:REQUESTS], answers[REQUESTS:]
        run.notes.append(f"{len(published.diagnostics)} diagnostics")
        run.peak = tree_memory_mb(client.pid)[1]
    finally:
        await client.stop()


async def too_large_session(command: list[str], repo: Path, env: dict[str, str], log: Path, run: Run) -> None:
    client = await start(command, repo, env, log)
    try:
        uri = (repo / "artifacts.yaml").as_uri()
        text = "".join(entry(i) + "  description: " + "x" * 20 + "\n" for i in range(100_000))
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
        )
        await client.drain()
        for name in ("context", "annotate"):
            argument = {"uri": uri, "name": "new-model", "type": "model"} if name == "annotate" else {"uri": uri}
            params = {"command": f"gto.server.{name}", "arguments": [argument]}
            try:
                result, ms = await asyncio.wait_for(client.request("workspace/executeCommand", params), 120)
            except (asyncio.TimeoutError, LspError) as error:
                run.notes.append(f"{name}: {error!r}")
                continue
            setattr(run, name, ms)
            run.notes.append(f"{name}: ok={result.get('ok')} {str(result.get('message'))[:90]!r}")
    finally:
        await client.stop()


def table(runs: list[Run]) -> list[str]:
    def worst(values: list[float]) -> float:
        return math.inf if any(math.isnan(v) for v in values) else max(values, default=math.nan)

    def mid(values: list[float]) -> float:
        values = sorted(values)
        return values[len(values) // 2] if values else math.nan

    lens_all = [v for r in runs for v in r.lenses]
    hover_all = [v for r in runs for v in r.hovers]
    rows = [
        ("didOpen -> first diagnostics (median)", mid([r.first for r in runs]), None, "ms"),
        ("didOpen -> diagnostics (median)", mid([r.diagnostics for r in runs]), TARGETS["diagnostics"], "ms"),
        ("code lens during the check, p50", p([v for v in lens_all if not math.isnan(v)], 50), None, "ms"),
        ("code lens during the check, max", worst(lens_all), TARGETS["request"], "ms"),
        ("hover during the check, p50", p([v for v in hover_all if not math.isnan(v)], 50), None, "ms"),
        ("hover during the check, max", worst(hover_all), TARGETS["request"], "ms"),
        ("unanswered after 10 s", float(sum(math.isnan(v) for v in lens_all + hover_all)), None, "n"),
        ("too large: context (median)", mid([r.context for r in runs]), None, "ms"),
        ("too large: annotate (median)", mid([r.annotate for r in runs]), None, "ms"),
        ("peak RSS during the check", mid([r.peak for r in runs]), None, "MB"),
    ]
    out = []
    for metric, value, target, unit in rows:
        shown = f"{value:.0f}" if unit == "n" else "never" if value == math.inf else fmt(value, unit)
        verdict = "-" if target is None else "ok" if value <= target else "MISS"
        out.append(f"{metric:<34} | {shown:>8} | {'<= ' + fmt(target, unit) if target else '-':<10} | {verdict}")
    return out


async def bench(args: Any, repo: Path, env: dict[str, str], base: Path) -> list[Run]:
    command = args.gto_command.split() if args.gto_command else [sys.executable, "-m", "gto_lsp", "serve"]
    runs = []
    for number in range(args.runs):
        run = Run()
        before = load()
        started = time.perf_counter()
        await check_session(command, repo, env | {"GTO_LSP_CACHE_DIR": ""}, base / f"check-{number}.log", run)
        if not args.no_too_large:
            await too_large_session(command, repo, env, base / f"large-{number}.log", run)
        lens = " ".join("-" if math.isnan(v) else f"{v:.0f}" for v in run.lenses)
        hover = " ".join("-" if math.isnan(v) else f"{v:.0f}" for v in run.hovers)
        print(
            f"  run {number + 1} ({time.perf_counter() - started:.0f} s; load {before} -> {load()}): diagnostics "
            f"{run.diagnostics:.0f} ms; lenses {lens}; hovers {hover}; " + "; ".join(run.notes),
            flush=True,
        )
        runs.append(run)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=18_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server-rev", help="run gto-lsp from this commit's server/ (default: the working tree)")
    parser.add_argument("--gto-command", help="server command (e.g. under py-spy)")
    parser.add_argument("--no-too-large", action="store_true", help="skip the file-too-large commands")
    parser.add_argument("--json", help="append the raw figures to this file (JSON lines)")
    args = parser.parse_args()
    repo = build_repository(args.entries)
    base = Path(tempfile.mkdtemp(prefix="gto-bench-large-"))
    try:
        env, source = server_source(base, args.server_rev)
        size = (repo / "artifacts.yaml").stat().st_size
        print(f"bench_large: {machine()}; gto-lsp from the {source}; {args.entries:,} entries, {size / 1e6:.2f} MB")
        runs = asyncio.run(bench(args, repo, env, base))
        print("\n".join(table(runs)))
        append_runs(args.json, source, runs)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Registry view benchmark (issue 15): the view's server commands on bench_registry.py's repository (10,000 GTO
tags, 500 artifacts, 100,000 tracked files), side by side with real GTO 1.10.1's `gto show` and `gto history`.

Run: .venv/bin/python bench/bench_registry_view.py [--runs 5] [--requests 20] [--server-rev REV]

Each run starts the real server over stdio (bench_lsp.py's client and capabilities) with no registry state saved
by an earlier session (a fresh GTO_LSP_CACHE_DIR), sends `initialized` and the settings, waits for the answer
to a first request (the server has loaded: it answers `initialize` before), opens no document, and times (ms from
request to answer):

- `gto.server.registry` cold: the first request (one for-each-ref of 10,000 tags, every artifact's state, the
  tracked files listed to find the dvc.yaml files, every annotations file parsed);
- `gto.server.registry` cold after a restart: a second server, first request, with the states the first one
  saved (GTO_LSP_CACHE_DIR kept);
- `gto.server.registry` warm: the same, again (no tag changed: the cached registry, no git for-each-ref);
- `gto.server.artifactVersions`: one artifact each time, a different one per request (one pattern-limited
  for-each-ref for its taggers and messages);
- `gto.server.versionDetails`: an artifact's latest version (git log, the annotation and dvc.yaml at the commit);
- `gto.server.history` of one artifact;
- and, once per run, `gto history NAME --json` and `gto show --json` of GTO 1.10.1 (the gto110 venv), whole
  processes, for scale: what the view would cost if it ran GTO (`--gto-timeout` seconds at most each: GTO's
  show of 10,000 tags ran over 10 minutes on the 2-core machine).

Figures are medians over the runs (each run's median over its own requests).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from bench_lsp import append_runs, fmt, load, machine, server_source  # puts tests/ on sys.path
from bench_registry import ARTIFACTS, COMMITS, Server, artifact_name, build_repository, message_artifact

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GTO = ROOT / ".cache" / "gto-venvs" / "gto110" / "bin" / "gto"
TARGETS = {"cold": 500.0, "warm": 100.0, "versions": 100.0}


@dataclass
class Run:
    cold: float = math.nan
    restart: float = math.nan  # cold again in a new server, with the states the first one saved
    warm: list[float] = field(default_factory=list)
    versions: list[float] = field(default_factory=list)
    details: list[float] = field(default_factory=list)
    history: list[float] = field(default_factory=list)
    gto_show: float = math.nan
    gto_history: float = math.nan
    notes: list[str] = field(default_factory=list)


async def command(server: Server, name: str, arg: dict[str, Any]) -> tuple[Any, float]:
    result, ms = await server.client.request("workspace/executeCommand", {"command": name, "arguments": [arg]})
    if not isinstance(result, dict) or not result.get("ok"):
        raise RuntimeError(f"{name} failed: {str(result)[:300]}")
    return result, ms


def timed_gto(repo: Path, args: list[str], timeout: float) -> float:
    """ms of one `gto ARGS` process (GTO 1.10.1); NaN when it is not installed or fails, inf past `timeout` s."""
    if not GTO.exists() or timeout <= 0:
        return math.nan
    started = time.perf_counter()
    try:
        done = subprocess.run([str(GTO), *args], cwd=repo, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return math.inf
    ms = (time.perf_counter() - started) * 1000
    return ms if done.returncode == 0 else math.nan


async def cold_again(repo: Path, command_line: list[str], env: dict[str, str], base: Path) -> float:
    server = Server(repo, command_line, env, base / "restart.log")
    try:
        await server.start()
        server.client.notify("initialized", {})
        server.client.notify("workspace/didChangeConfiguration", {"settings": {"gto": {"git": {"enabled": True}}}})
        await server.loaded()
        return (await command(server, "gto.server.registry", {"repository": str(repo)}))[1]
    finally:
        await server.client.stop()


async def session(repo: Path, command_line: list[str], env: dict[str, str], base: Path, args: Any) -> Run:
    requests = args.requests
    run = Run()
    server = Server(repo, command_line, env, base / "view.log")
    root = {"repository": str(repo)}
    try:
        await server.start()
        server.client.notify("initialized", {})
        server.client.notify("workspace/didChangeConfiguration", {"settings": {"gto": {"git": {"enabled": True}}}})
        await server.loaded()
        answer, run.cold = await command(server, "gto.server.registry", root)
        artifacts = answer["artifacts"]
        run.notes.append(f"{len(artifacts)} artifacts, {len(answer['stages'])} stage columns")
        for _ in range(requests):
            run.warm.append((await command(server, "gto.server.registry", root))[1])
        for n in range(requests):
            name = message_artifact((n * 37 + 11) % ARTIFACTS)
            versions, ms = await command(server, "gto.server.artifactVersions", {**root, "name": name})
            run.versions.append(ms)
            if versions["versions"]:
                version = versions["versions"][0]["version"]
                run.details.append(
                    (await command(server, "gto.server.versionDetails", {**root, "name": name, "version": version}))[1]
                )
            run.history.append((await command(server, "gto.server.history", {**root, "name": name}))[1])
    finally:
        await server.client.stop()
    run.restart = await cold_again(repo, command_line, env, base)
    run.gto_history = timed_gto(repo, ["history", artifact_name(11), "--json"], args.gto_timeout)
    run.gto_show = timed_gto(repo, ["show", "--json"], args.gto_timeout)
    return run


def shown(value: float) -> str:
    return "> timeout" if math.isinf(value) else fmt(value, "ms")


def table(runs: list[Run]) -> list[str]:
    def mid(values: list[float]) -> float:
        values = [v for v in values if not math.isnan(v)]
        return statistics.median(values) if values else math.nan

    def each(values: list[list[float]]) -> list[float]:
        return [mid(v) for v in values]

    rows: list[tuple[str, list[float], Optional[float]]] = [
        ("gto.server.registry, cold (first request)", [r.cold for r in runs], TARGETS["cold"]),
        ("gto.server.registry, cold after a restart", [r.restart for r in runs], TARGETS["cold"]),
        ("gto.server.registry, warm (no tag changed)", each([r.warm for r in runs]), TARGETS["warm"]),
        ("gto.server.artifactVersions", each([r.versions for r in runs]), TARGETS["versions"]),
        ("gto.server.versionDetails (latest version)", each([r.details for r in runs]), None),
        ("gto.server.history NAME", each([r.history for r in runs]), None),
        ("GTO 1.10.1 `gto show --json` (process)", [r.gto_show for r in runs], None),
        ("GTO 1.10.1 `gto history NAME --json` (process)", [r.gto_history for r in runs], None),
    ]
    header = ("metric", "median", "target", "verdict", "runs")
    body = []
    for metric, values, target in rows:
        value = mid(values)
        verdict = "-" if target is None or math.isnan(value) else "ok" if value <= target else "MISS"
        target_text = "-" if target is None else f"<= {fmt(target, 'ms')}"
        body.append((metric, shown(value), target_text, verdict, " ".join(shown(v) for v in values)))
    widths = [max(len(r[i]) for r in (header, *body)) for i in range(len(header))]
    out = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header))]
    out.append("-|-".join("-" * w for w in widths))
    out.extend(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)) for r in body)
    return out


async def bench(args: Any, repo: Path, env: dict[str, str], base: Path) -> list[Run]:
    command_line = [sys.executable, "-m", "gto_lsp", "serve"]
    runs = []
    for number in range(args.runs):
        cache = base / f"cache-{number}"  # no registry state saved by an earlier session
        run = await session(repo, command_line, env | {"GTO_LSP_CACHE_DIR": str(cache)}, base, args)
        print(f"  run {number + 1}: load average {load()}; " + "; ".join(run.notes), flush=True)
        runs.append(run)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="server sessions; the figures are their medians")
    parser.add_argument("--requests", type=int, default=20, help="warm requests of each kind per run")
    parser.add_argument("--server-rev", help="run gto-lsp from this commit's server/ (default: the working tree)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached repository again")
    parser.add_argument("--gto-timeout", type=float, default=120, help="seconds a GTO process may take (0: skip)")
    parser.add_argument("--json", help="append the raw figures to this file (JSON lines)")
    args = parser.parse_args()
    repo = build_repository(args.rebuild)
    base = Path(tempfile.mkdtemp(prefix="gto-bench-registry-view-"))
    try:
        env, source = server_source(base, args.server_rev)
        built = (repo / ".git" / "bench-built").read_text().strip()
        print(f"bench_registry_view: {machine()}; gto-lsp from the {source}; {built}, {COMMITS} commits")
        runs = asyncio.run(bench(args, repo, env, base))
        print("\n".join(table(runs)))
        print(f"  load average {load()}; pid {os.getpid()}")
        append_runs(args.json, source, runs)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

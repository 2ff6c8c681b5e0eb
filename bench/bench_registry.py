"""Registry-scale benchmark: gto-lsp on a repository with 10,000 GTO tags and 100,000 tracked files.

Run: .venv/bin/python bench/bench_registry.py [--runs 3] [--requests 50] [--server-rev REV] [--rebuild]

The repository is written with one `git fast-import` stream (a few seconds) and kept under `.cache/bench_registry/`,
so re-runs start at once: 100,000 files in a source/data/docs tree (`data/raw/` alone holds 20,000 `part-*` files),
300 commits, 500 artifacts with 10,000 annotated tags in GTO 1.10.1's grammar and messages (registrations, stage
assignments and unassignments with the shared `#N` counter, deregistrations, deprecations; 50 of the artifacts are
`models/nlp=name` tags of a nested dvc.yaml), refs packed as a clone leaves them; an artifacts.yaml declares 400 of
the artifacts, dvc.yaml and models/nlp/dvc.yaml the rest. Each run starts the real server over stdio (the client of
bench_lsp.py, its VS Code-like capabilities) and measures:

- start-up: spawn -> `initialize` answer;
- open -> first diagnostics: `initialized`, settings and `didOpen` of artifacts.yaml in one go -> its first publish;
- first hover on a name: sent as soon as those diagnostics arrive (the tags are read then, or by the server's own
  warm-up);
- warm hover p50/p95: the names of other artifacts, one request every `--gap` (0.1 s), so they span seconds;
- path completion p50/p95: a half-typed entry inserted; `path: data/raw/part-1` (10,000 matches)
  and `path: src/pkg07/` (a folder of 20); the first of them is shown apart ("after the hovers");
- new tag -> hover shows it: `git tag -a` of a new version, `didChangeWatchedFiles` for its ref, hovers until the
  version shows;
- first path completion (cold): a second server, the entry typed and `path: data/raw/part-1` asked as soon as the
  open's diagnostics arrive: the first request that needs the tracked-files listing (wall ms, and the server's CPU
  ms over it, which includes whatever its warm-up runs meanwhile);
- first code lens: a third server, `textDocument/codeLens` as soon as the open's diagnostics arrive (when the
  server has code lenses), with no registry state saved by an earlier session; then "after a restart": a fourth
  server, the same request, with the states the third one saved (`GTO_LSP_CACHE_DIR`, fresh for each run);
- RSS: the server and its children at the end (from /proc), and the peak.

One server at a time. Figures are the medians over `--runs` runs (each run's
percentiles over its own requests).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote

from bench_lsp import append_runs, capabilities, fmt, load, machine, p, server_source  # puts tests/ on sys.path
from helpers.git import git, make_repo
from lsp_client import LspClient, LspError, Published, tree_cpu_ms, tree_memory_mb

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = ROOT / ".cache" / "bench_registry"

FILES = 100_000
COMMITS = 300
ARTIFACTS = 500
TAGS = 10_000
DIR = "models/nlp"  # the nested dvc.yaml's folder: its artifacts' tags are `models/nlp=name...`
IN_INDEX, IN_DVC = 400, 50  # artifacts.yaml declares the first 400, dvc.yaml the next 50, DIR/dvc.yaml the last 50
STAGES = ("dev", "staging", "prod")
EPOCH = 1_700_000_000
LAYOUT_VERSION = 2  # bump when the repository's shape changes: a new cache key

TARGETS = {
    "first_hover": 300.0,
    "hover": 50.0,
    "completion": 50.0,
    "first_completion": 150.0,
    "open": 1000.0,
    "rss": 200.0,
    "first_lens": 300.0,
}
ADDED = ("bench-new:", "  type: model", "  path: data/raw/part-1", "  path: src/pkg07/", "")
SETTINGS = {"gto": {"checks": {"enable": True, "paths": True}, "git": {"enabled": True}}}


# --- the repository -------------------------------------------------------------------------------------------


def artifact_name(i: int) -> str:
    team = ("fraud", "churn", "search", "vision", "ads")[i % 5]
    return f"{team}/model-{i:03d}" if i % 3 == 0 else f"{team}-model-{i:03d}"


def tag_artifact(i: int) -> str:
    """The artifact as tags spell it (`dir=name` for the nested dvc.yaml's)."""
    return f"{DIR}={artifact_name(i)}" if i >= IN_INDEX + IN_DVC else artifact_name(i)


def message_artifact(i: int) -> str:
    return f"{DIR}:{artifact_name(i)}" if i >= IN_INDEX + IN_DVC else artifact_name(i)


def model_path(i: int) -> str:
    return f"models/{artifact_name(i).replace('/', '-')}/model.pkl"


def tree_files() -> list[str]:
    """FILES paths: a source tree, 20,000 data parts in one folder, docs, tests, notebooks, the models."""
    files = [model_path(i) for i in range(ARTIFACTS)] + [model_path(i)[:-9] + "README.md" for i in range(ARTIFACTS)]
    files += [f"data/raw/part-{n:05d}.parquet" for n in range(20_000)]
    files += [f"src/pkg{a:02d}/mod{b:02d}/file_{c:03d}.py" for a in range(50) for b in range(20) for c in range(50)]
    files += [f"docs/section{a:02d}/page_{b:03d}.md" for a in range(40) for b in range(125)]
    files += [f"tests/unit/pkg{a:02d}/test_{b:03d}.py" for a in range(50) for b in range(100)]
    n = 0
    while len(files) < FILES:
        files.append(f"notebooks/exp{n // 200:03d}/run_{n % 200:03d}.ipynb")
        n += 1
    return files


def index_text() -> str:
    types = ("model", "model", "dataset", "notebook")
    out = []
    for i in range(IN_INDEX):
        out.append(
            f"{artifact_name(i)}:\n"
            f"  description: model {i} of the {artifact_name(i).split('-')[0].split('/')[0]} team\n"
            f"  labels:\n  - team-{i % 5}\n  - ml\n"
            f"  path: {model_path(i)}\n"
            f"  type: {types[i % 4]}\n" + ("  virtual: false\n" if i % 4 == 0 else "")
        )
    return "".join(out)


def dvc_text(indices: range, folder: str) -> str:
    lines = ["stages:", "  train:", "    cmd: python train.py", "artifacts:"]
    for i in indices:
        path = os.path.relpath(model_path(i), folder) if folder else model_path(i)
        lines += [f"  {artifact_name(i)}:", f"    path: {path}", "    type: model"]
    return "\n".join(lines) + "\n"


def tag_events(rng: random.Random) -> list[tuple[int, str, str, int]]:
    """(artifact, tag name, message, index of the commit it points to), in time order: TAGS annotated tags."""
    per: list[list[tuple[str, str, int]]] = []
    counts = [TAGS // ARTIFACTS] * ARTIFACTS
    for i in range(ARTIFACTS):
        tag, msg = tag_artifact(i), message_artifact(i)
        events: list[tuple[str, str, int]] = []
        counter = 0
        minor = 0
        commit = rng.randrange(COMMITS // 3)
        versions: list[tuple[str, int]] = []
        while len(events) < counts[i] - (1 if i % 20 == 0 else 0):
            roll = rng.random()
            if not versions or roll < 0.3:
                minor += 1
                commit = min(COMMITS - 1, commit + rng.randrange(1, 4))
                version = f"v0.{minor}.0"
                versions.append((version, commit))
                events.append((f"{tag}@{version}", f"Registering artifact {msg} version {version}", commit))
            elif roll < 0.85:
                version, at = versions[-1] if rng.random() < 0.7 else rng.choice(versions)
                counter += 1
                stage = rng.choice(STAGES)
                events.append(
                    (f"{tag}#{stage}#{counter}", f"Assigning stage {stage} to artifact {msg} version {version}", at)
                )
            elif roll < 0.95:
                version, at = rng.choice(versions)
                counter += 1
                stage = rng.choice(STAGES)
                text = f"Unassigning stage '{stage}' to artifact '{msg}' version '{version}'"
                events.append((f"{tag}#{stage}!#{counter}", text, at))
            else:
                version, at = versions.pop(0) if len(versions) > 1 else versions[0]
                name = f"{tag}@{version}!"
                if any(e[0] == name for e in events):
                    continue
                events.append((name, f"Deregistering artifact {msg} version {version}", at))
        if i % 20 == 0:
            events.append((f"{tag}@deprecated", f"Deprecating artifact '{msg}'", events[-1][2]))
        per.append(events)
    # interleave the artifacts in time: one global clock, each artifact's events in its own order
    order = [(i, n) for i, events in enumerate(per) for n in range(len(events))]
    rng.shuffle(order)
    seen = [0] * ARTIFACTS
    out = []
    for i, _ in order:
        name, message, commit = per[i][seen[i]]
        seen[i] += 1
        out.append((i, name, message, commit))
    return out


def fast_import_stream(rng: random.Random) -> bytes:
    files = tree_files()
    blobs = [b"# generated file %d\n" % n + b"x = %d\n" % (n * 7) for n in range(64)]
    out: list[bytes] = []
    for n, blob in enumerate(blobs, 1):
        out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (n, len(blob), blob))
    marks = len(blobs)

    def blob_of(text: str) -> int:
        nonlocal marks
        marks += 1
        data = text.encode()
        out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (marks, len(data), data))
        return marks

    commit_marks = []
    clock = EPOCH
    for c in range(COMMITS):
        clock += 3600
        lines = []
        if c == 0:
            lines = [f"M 100644 :{1 + k % len(blobs)} {path}" for k, path in enumerate(files)]
            lines.append(f"M 100644 :{blob_of(index_text())} artifacts.yaml")
            lines.append(f"M 100644 :{blob_of(dvc_text(range(IN_INDEX, IN_INDEX + IN_DVC), ''))} dvc.yaml")
            lines.append(f"M 100644 :{blob_of(dvc_text(range(IN_INDEX + IN_DVC, ARTIFACTS), DIR))} {DIR}/dvc.yaml")
            lines.append(f"M 100644 :{blob_of('stages: [dev, staging, prod]' + chr(10))} .gto")
        else:
            lines = [f"M 100644 :{rng.randrange(1, len(blobs) + 1)} {rng.choice(files)}" for _ in range(3)]
        marks += 1
        commit_marks.append(marks)
        subject = b"commit %d" % c
        head = b"commit refs/heads/main\nmark :%d\n" % marks
        head += b"author Bench <bench@example.com> %d +0000\ncommitter Bench <bench@example.com> %d +0000\n" % (
            clock,
            clock,
        )
        head += b"data %d\n%s\n" % (len(subject), subject)
        if c > 0:
            head += b"from :%d\n" % commit_marks[-2]
        out.append(head + "\n".join(lines).encode() + b"\n\n")
    tag_clock = clock
    for _, name, message, commit in tag_events(rng):
        tag_clock += rng.randrange(1, 120)
        data = message.encode() + b"\n"
        out.append(
            b"tag %s\nfrom :%d\ntagger Bench <bench@example.com> %d +0000\ndata %d\n%s\n"
            % (name.encode(), commit_marks[commit], tag_clock, len(data), data)
        )
    return b"".join(out)


def cache_key() -> str:
    source = json.dumps([LAYOUT_VERSION, FILES, COMMITS, ARTIFACTS, TAGS, DIR, IN_INDEX, IN_DVC])
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def build_repository(rebuild: bool) -> Path:
    """The benchmark's repository, built once per layout and reused (`--rebuild` builds it again)."""
    repo = CACHE / cache_key()
    done = repo / ".git" / "bench-built"
    if done.exists() and not rebuild:
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    started = time.perf_counter()
    make_repo(repo)
    stream = fast_import_stream(random.Random(8))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True)
    git(repo, "pack-refs", "--all")
    git(repo, "reset", "-q", "--hard", "main")
    tags = git(repo, "for-each-ref", "--format=x", "refs/tags").count("\n")
    files = git(repo, "ls-files", "-z").count("\0")
    done.write_text(f"{tags} tags, {files} files\n")
    print(f"built {repo} in {time.perf_counter() - started:.1f} s: {tags} tags, {files} tracked files", flush=True)
    return repo


# --- one server session ---------------------------------------------------------------------------------------


@dataclass
class Run:
    start: float = math.nan
    open: float = math.nan
    first_hover: float = math.nan
    first_completion: float = math.nan
    first_completion_cpu: float = math.nan
    later_completion: float = math.nan
    hover: list[float] = field(default_factory=list)
    completion_many: list[float] = field(default_factory=list)
    completion_folder: list[float] = field(default_factory=list)
    new_tag: float = math.nan
    first_lens: float = math.nan
    restart_lens: float = math.nan
    rss: float = math.nan
    peak: float = math.nan
    notes: list[str] = field(default_factory=list)


def hover_text(result: Any) -> str:
    if not isinstance(result, dict):
        return ""
    contents = result.get("contents")
    return contents.get("value", "") if isinstance(contents, dict) else str(contents)


def items_count(result: Any) -> int:
    return len((result or {}).get("items") or []) if isinstance(result, dict) else len(result or [])


class Server:
    def __init__(self, repo: Path, command: list[str], env: dict[str, str], log: Path) -> None:
        self.repo = repo
        self.index = repo / "artifacts.yaml"
        self.uri = self.index.as_uri()
        self.client = LspClient(command, SETTINGS, cwd=repo, env=env, stderr_path=log)
        self.capabilities: dict[str, Any] = {}
        self.lines = self.index.read_text().split("\n")

    async def start(self) -> float:
        client = self.client
        await client.start()
        folder = self.repo.as_uri()
        init, _ = await client.request(
            "initialize",
            {
                "processId": os.getpid(),
                "clientInfo": {"name": "bench_registry", "version": "1"},
                "rootUri": folder,
                "rootPath": str(self.repo),
                "workspaceFolders": [{"uri": folder, "name": self.repo.name}],
                "capabilities": capabilities() | {"textDocument": capabilities()["textDocument"] | {"codeLens": {}}},
            },
        )
        self.capabilities = init["capabilities"]
        return (client.last_message_at - client.started_at) * 1000

    async def loaded(self) -> None:
        """Wait for an answer to a first request: gto-lsp answers `initialize` before it has loaded (lsp/early.py),
        and the figures time a loaded server, as bench_lsp's do."""
        probe = {"textDocument": {"uri": self.uri + ".probe"}, "position": {"line": 0, "character": 0}}
        with contextlib.suppress(LspError):
            await self.client.request("textDocument/hover", probe)

    async def open(self) -> float:
        client = self.client
        client.notify("initialized", {})
        client.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        await self.loaded()
        mark = len(client.published)
        text = "\n".join(self.lines)
        sent = client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self.uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        await client.drain()

        def ours(item: Published) -> bool:
            return unquote(item.uri) == unquote(self.uri) and item.version == 1

        _, whole = await client.wait_whole(ours, mark, timeout=120)
        return (whole.at - sent) * 1000

    async def at(self, method: str, line: int, character: int) -> tuple[Any, float]:
        params = {"textDocument": {"uri": self.uri}, "position": {"line": line, "character": character}}
        return await self.client.request(method, params)

    def add_entry(self) -> tuple[int, int]:
        """A half-typed entry at the end, its path being typed: the lines of its two `path:` values."""
        end = len(self.lines) - 1
        self.client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri, "version": 2},
                "contentChanges": [
                    {
                        "range": {"start": {"line": end, "character": 0}, "end": {"line": end, "character": 0}},
                        "text": "\n".join(ADDED),
                    }
                ],
            },
        )
        return end + 2, end + 3

    def name_line(self, i: int) -> int:
        return self.lines.index(f"{artifact_name(i)}:")


async def hover_session(
    repo: Path, command: list[str], env: dict[str, str], base: Path, requests: int, gap: float
) -> Run:
    run = Run()
    server = Server(repo, command, env, base / "hover.log")
    try:
        run.start = await server.start()
        run.open = await server.open()
        result, run.first_hover = await server.at("textDocument/hover", server.name_line(7), 2)
        if "latest" not in hover_text(result):
            run.notes.append(f"first hover shows no registry state: {hover_text(result)[-200:]!r}")
        for n in range(requests):
            await asyncio.sleep(gap)  # a person hovering here and there: the requests span several seconds
            result, ms = await server.at("textDocument/hover", server.name_line((n * 37 + 11) % IN_INDEX), 1)
            run.hover.append(ms)
        many_line, folder_line = server.add_entry()
        result, run.later_completion = await server.at("textDocument/completion", many_line, len(ADDED[2]))
        run.notes.append(f"completion items: {items_count(result)} at `{ADDED[2].strip()}`")

        result, _ = await server.at("textDocument/completion", folder_line, len(ADDED[3]))
        run.notes.append(f"{items_count(result)} at `{ADDED[3].strip()}`")
        for _ in range(requests):
            await asyncio.sleep(gap)
            run.completion_many.append((await server.at("textDocument/completion", many_line, len(ADDED[2])))[1])
            run.completion_folder.append((await server.at("textDocument/completion", folder_line, len(ADDED[3])))[1])
        run.new_tag = await new_tag(server)
        run.rss, run.peak, _ = tree_memory_mb(server.client.pid)
    finally:
        await server.client.stop()
    return run


async def new_tag(server: Server) -> float:
    """A version registered by `git tag -a` while the server runs: ms from the watcher event to a hover that
    shows it (the tag is deleted again, the cached repository stays as built)."""
    name, version = artifact_name(3), "v9.0.0"
    tag = f"{name}@{version}"
    git(server.repo, "tag", "-a", "-m", f"Registering artifact {name} version {version}", tag, "main")
    try:
        ref = server.repo / ".git" / "refs" / "tags" / tag
        sent = server.client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": ref.as_uri(), "type": 1}]})
        deadline = sent + 20
        while time.perf_counter() < deadline:
            result, _ = await server.at("textDocument/hover", server.name_line(3), 1)
            if version in hover_text(result):
                return (time.perf_counter() - sent) * 1000
            await asyncio.sleep(0.005)
        return math.nan
    finally:
        git(server.repo, "tag", "-d", tag)


async def completion_session(repo: Path, command: list[str], env: dict[str, str], base: Path, run: Run) -> None:
    """The first path completion, cold: the entry typed and `data/raw/part-1` asked as soon as the open's
    diagnostics arrive; wall ms, and the server's CPU ms over the request (with whatever its warm-up runs meanwhile)."""
    server = Server(repo, command, env, base / "completion.log")
    try:
        await server.start()
        await server.open()
        many_line, _ = server.add_entry()
        cpu = tree_cpu_ms(server.client.pid)
        result, run.first_completion = await server.at("textDocument/completion", many_line, len(ADDED[2]))
        run.first_completion_cpu = tree_cpu_ms(server.client.pid) - cpu
        incomplete = isinstance(result, dict) and result.get("isIncomplete")
        run.notes.append(f"first completion: {items_count(result)} items" + (", incomplete" if incomplete else ""))
    finally:
        await server.client.stop()


async def lens_session(repo: Path, command: list[str], env: dict[str, str], base: Path, run: Run) -> float:
    """ms from the request to the code lenses of the file, asked as soon as the open's diagnostics arrive."""
    server = Server(repo, command, env, base / "lens.log")
    try:
        await server.start()
        if not server.capabilities.get("codeLensProvider"):
            run.notes.append("no textDocument/codeLens in this server")
            return math.nan
        await server.open()
        result, ms = await server.client.request("textDocument/codeLens", {"textDocument": {"uri": server.uri}})
        run.notes.append(f"{len(result or [])} code lenses")
        return ms
    finally:
        await server.client.stop()


# --- report ---------------------------------------------------------------------------------------------------


def table(runs: list[Run]) -> list[str]:
    def mid(values: list[float]) -> float:
        values = [v for v in values if not math.isnan(v)]
        return statistics.median(values) if values else math.nan

    def each(getter: Any) -> list[float]:
        return [getter(r) for r in runs]

    # (metric, each run's value, target, unit): the median of the runs is the figure
    rows: list[tuple[str, list[float], Optional[float], str]] = [
        ("start-up -> initialize answer", each(lambda r: r.start), None, "ms"),
        ("open -> first diagnostics", each(lambda r: r.open), TARGETS["open"], "ms"),
        ("first hover on a name (cold)", each(lambda r: r.first_hover), TARGETS["first_hover"], "ms"),
        ("first path completion (cold)", each(lambda r: r.first_completion), TARGETS["first_completion"], "ms"),
        ("  its server CPU", each(lambda r: r.first_completion_cpu), None, "ms"),
        ("first path completion after the hovers", each(lambda r: r.later_completion), None, "ms"),
        ("warm hover p50", each(lambda r: p(r.hover, 50)), None, "ms"),
        ("warm hover p95", each(lambda r: p(r.hover, 95)), TARGETS["hover"], "ms"),
        ("path completion `data/raw/part-1` p50", each(lambda r: p(r.completion_many, 50)), None, "ms"),
        (
            "path completion `data/raw/part-1` p95",
            each(lambda r: p(r.completion_many, 95)),
            TARGETS["completion"],
            "ms",
        ),
        ("path completion `src/pkg07/` p95", each(lambda r: p(r.completion_folder, 95)), TARGETS["completion"], "ms"),
        ("new tag -> hover shows it", each(lambda r: r.new_tag), None, "ms"),
        ("first code lens (cold)", each(lambda r: r.first_lens), TARGETS["first_lens"], "ms"),
        ("first code lens after a restart", each(lambda r: r.restart_lens), TARGETS["first_lens"], "ms"),
        ("RSS at the end (tree)", each(lambda r: r.rss), TARGETS["rss"], "MB"),
        ("peak RSS (tree)", each(lambda r: r.peak), None, "MB"),
    ]
    header = ("metric", "median", "target", "verdict", "runs")
    body = []
    for metric, values, target, unit in rows:
        value = mid(values)
        verdict = "-" if target is None or math.isnan(value) else "ok" if value <= target else "MISS"
        target_text = "-" if target is None else f"<= {fmt(target, unit)}"
        body.append((metric, fmt(value, unit), target_text, verdict, " ".join(fmt(v, unit) for v in values)))
    widths = [max(len(r[i]) for r in (header, *body)) for i in range(len(header))]
    out = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header))]
    out.append("-|-".join("-" * w for w in widths))
    out.extend(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)) for r in body)
    return out


async def bench(args: Any, repo: Path, env: dict[str, str], base: Path) -> list[Run]:
    command = [sys.executable, "-m", "gto_lsp", "serve"] if not args.gto_command else args.gto_command.split()
    runs = []
    for number in range(args.runs):
        # Each run starts with no state saved by an earlier session (GTO_LSP_CACHE_DIR: the server's cache folder).
        cache = base / f"cache-{number}"
        run = await hover_session(
            repo, command, env | {"GTO_LSP_CACHE_DIR": str(cache / "hover")}, base, args.requests, args.gap
        )
        await completion_session(repo, command, env | {"GTO_LSP_CACHE_DIR": str(cache / "completion")}, base, run)
        if not args.no_lens:
            lens_env = env | {"GTO_LSP_CACHE_DIR": str(cache / "lens")}
            run.first_lens = await lens_session(repo, command, lens_env, base, run)
            run.restart_lens = await lens_session(repo, command, lens_env, base, run)  # the states it saved
        print(f"  run {number + 1}: load average {load()}; " + "; ".join(run.notes), flush=True)
        runs.append(run)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="server sessions; the figures are their medians")
    parser.add_argument("--requests", type=int, default=50, help="warm hovers and completions of each kind per run")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between warm requests (default 0.1)")
    parser.add_argument("--server-rev", help="run gto-lsp from this commit's server/ (default: the working tree)")
    parser.add_argument("--gto-command", help="server command (e.g. under cProfile or trace_gto.py)")
    parser.add_argument("--no-lens", action="store_true", help="skip the code lens session")
    parser.add_argument("--rebuild", action="store_true", help="build the cached repository again")
    parser.add_argument("--json", help="append the raw figures to this file (JSON lines)")
    args = parser.parse_args()
    repo = build_repository(args.rebuild)
    base = Path(tempfile.mkdtemp(prefix="gto-bench-registry-"))
    try:
        env, source = server_source(base, args.server_rev)
        built = (repo / ".git" / "bench-built").read_text().strip()
        print(f"bench_registry: {machine()}; gto-lsp from the {source}; {repo.name}: {built}, {COMMITS} commits")
        runs = asyncio.run(bench(args, repo, env, base))
        print("\n".join(table(runs)))
        print(f"  load average {load()}")
        append_runs(args.json, source, runs)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

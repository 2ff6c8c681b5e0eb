"""Language-server benchmark: gto-lsp side by side with yaml-language-server 1.25.0 on the same files.

Run: .venv/bin/python bench/bench_lsp.py [--sizes 1000,10000] [--edits 30] [--requests 50] [--runs 3]

For each size it writes a realistic artifacts.yaml (type, path, labels, description, custom; every 4th entry
`virtual: false`; one unknown field that both servers must report) into a temporary git repository where every
model file exists and is committed, then runs each server in turn (never both at once) over stdio with the same
client and measures: start-up to the initialize answer, didOpen to the first publishDiagnostics, a one-line
incremental didChange to its publishDiagnostics (gto-lsp: the publish carrying that version; yaml-language-server
sends no version: the first publish after the change), completion at a `type: ` value and at a new-field position,
hover on a field key, and the resident memory of the server and its children after open and the edits.
yaml-language-server gets the JSON schema of `gto-lsp schema` through its `yaml.schemas` setting. The only thing
installed at run time is `npm ci --prefix bench` when bench/node_modules is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, NamedTuple, Optional
from urllib.parse import unquote

from lsp_client import LspClient, LspError, Published, tree_cpu_ms, tree_memory_mb

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))  # helpers.git, for this script and the bench scripts that import it
from helpers.git import git, make_repo  # noqa: E402  (the tests' repositories)

YLS_VERSION = "1.25.0"
YLS_BIN = BENCH / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"

GTO, YLS = "gto-lsp", "yaml-language-server"

# Targets for gto-lsp (ms, or MB for memory); None: no target at that size.
TARGETS: dict[int, dict[str, Optional[float]]] = {
    1000: {"start": 800, "open": 300, "edit": 50, "completion": 20, "hover": 10, "rss": 100},
    10000: {"start": 800, "open": 400, "edit": 40, "completion": 50, "hover": None, "rss": 300},
}

NEW_ENTRY = "new-model:\n  type: \n  \n"  # inserted before the completion requests: a half-typed entry


# --- the workspace ----------------------------------------------------------------------------------------


def make_text(count: int) -> str:
    """GTO's own layout (keys sorted, labels at the key's column); entry 0 has an unknown field."""
    types = ("model", "model", "dataset", "notebook")
    parts = []
    for i in range(count):
        entry = (
            f"model-{i:05d}:\n"
            + ("  colour: red\n" if i == 0 else "")
            + f'  custom: \'{{"owner": "team-{i % 7}", "run": {i}}}\'\n'
            f"  description: Random forest model number {i} trained on the big dataset\n"
            f"  labels:\n  - ml\n  - team-{i % 7}\n"
            f"  path: models/m{i}/model.pkl\n"
            f"  type: {types[i % len(types)]}\n" + ("  virtual: false\n" if i % 4 == 0 else "")
        )
        parts.append(entry)
    return "".join(parts)


def make_workspace(base: Path, count: int) -> tuple[Path, Path, str]:
    """(repository, artifacts.yaml, its text): every path exists and is committed."""
    repo = make_repo(base / "repo")
    for i in range(count):
        folder = repo / "models" / f"m{i}"
        folder.mkdir(parents=True)
        (folder / "model.pkl").write_bytes(b"model %d\n" % i)
    text = make_text(count)
    index = repo / "artifacts.yaml"
    index.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "models and their annotations")
    return repo, index, text


def write_schema(base: Path) -> Path:
    out = subprocess.run(
        [sys.executable, "-m", "gto_lsp", "schema"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    json.loads(out)
    path = base / "artifacts.schema.json"
    path.write_text(out)
    return path


def server_source(base: Path, rev: Optional[str]) -> tuple[dict[str, str], str]:
    """The environment that runs gto-lsp from `rev` (a snapshot of server/ at that commit, byte-compiled), or
    from the working tree when `rev` is None; and a description of it."""
    env = dict(os.environ)
    if rev is None:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "server"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
        # A copy run as a snapshot is (below): byte-compiled, from a plain folder. The editable install compiled
        # every module at each start (PYTHONDONTWRITEBYTECODE), ~150-200 ms more to load than the same code.
        target = base / "server-worktree"
        shutil.copytree(ROOT / "server", target / "server", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "server")], check=True)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target / "server"), env.get("PYTHONPATH")) if p)
        return env, f"working tree at {head}" + (" with uncommitted changes in server/" if dirty else "")
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = base / f"server-{sha}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", sha, "server"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    # as an installed package would be: byte-compiled (this machine sets PYTHONDONTWRITEBYTECODE)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "server")], check=True)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(target / "server"), env.get("PYTHONPATH")) if p)
    return env, f"commit {sha}"


def ensure_yls() -> Optional[str]:
    """None when yaml-language-server is ready, else why not."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not YLS_BIN.exists():
        print(f"bench/node_modules is missing: npm ci --prefix bench (yaml-language-server@{YLS_VERSION})")
        result = subprocess.run(["npm", "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund"], check=False)
        if result.returncode != 0 or not YLS_BIN.exists():
            return "npm ci --prefix bench failed"
    version = json.loads((YLS_BIN.parent.parent / "package.json").read_text())["version"]
    if version != YLS_VERSION:
        return f"bench/node_modules has yaml-language-server {version}, not {YLS_VERSION}: run npm ci --prefix bench"
    return None


# --- one server session -----------------------------------------------------------------------------------


@dataclass
class Measured:
    """What every scenario measures of a server (ms, MB), and how the session went."""

    start: float = math.nan
    ready: float = math.nan  # spawn -> the first request after initialize answered: the server has loaded
    open: float = math.nan
    complete: float = math.nan  # didOpen -> the whole file's diagnostics (gto-lsp: a large file's head's come first)
    edits: list[float] = field(default_factory=list)
    edit_cpu: float = math.nan  # the server's CPU ms per edit, over the edits (load-independent)
    hover: list[float] = field(default_factory=list)
    rss: float = math.nan
    peak: float = math.nan
    processes: int = 0
    sync: str = ""
    open_diagnostics: int = 0
    completion_items: tuple[int, int] = (0, 0)
    hover_chars: int = 0
    error: Optional[str] = None


@dataclass
class Result(Measured):
    completion_value: list[float] = field(default_factory=list)
    completion_field: list[float] = field(default_factory=list)
    saw_unknown_field: bool = False


def capabilities() -> dict[str, Any]:
    """What VS Code announces, for the parts these servers look at."""
    return {
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": True, "showMessage": {}},
        "workspace": {
            "configuration": True,
            "workspaceFolders": True,
            "applyEdit": True,
            "didChangeConfiguration": {"dynamicRegistration": True},
            "didChangeWatchedFiles": {"dynamicRegistration": True, "relativePatternSupport": True},
        },
        "textDocument": {
            "synchronization": {"dynamicRegistration": True, "didSave": True, "willSave": False},
            "completion": {
                "dynamicRegistration": True,
                "contextSupport": True,
                "completionItem": {
                    "snippetSupport": True,
                    "insertReplaceSupport": True,
                    "labelDetailsSupport": True,
                    "documentationFormat": ["markdown", "plaintext"],
                },
            },
            "hover": {"dynamicRegistration": True, "contentFormat": ["markdown", "plaintext"]},
            "publishDiagnostics": {
                "relatedInformation": True,
                "versionSupport": True,
                "codeDescriptionSupport": True,
                "dataSupport": True,
            },
            "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
            "foldingRange": {"lineFoldingOnly": True},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}},
        },
    }


def locate(lines: list[str], name: str) -> int:
    return lines.index(f"{name}:")


def items_of(result: Any) -> int:
    if isinstance(result, dict):
        return len(result.get("items") or [])
    return len(result or [])


@dataclass
class Session:
    """One server over stdio, initialized, editing one document: what every scenario does with it. `lines` is the
    document's text as the server has it after each change."""

    name: str
    client: LspClient
    uri: str
    settings: dict[str, Any]
    start_ms: float
    incremental: bool
    versioned: bool  # yaml-language-server publishes without a version
    version: int = 0
    lines: list[str] = field(default_factory=list)
    ready_ms: float = math.nan  # spawn -> the first request after initialize answered
    complete_ms: float = math.nan  # didOpen -> the last diagnostics of version 1, once the server's check is done

    @classmethod
    async def start(
        cls,
        name: str,
        command: list[str],
        settings: dict[str, Any],
        repo: Path,
        index: Path,
        env: Optional[dict[str, str]] = None,
    ) -> Session:
        """Spawn the server and initialize it; the caller stops it (`await session.client.stop()`)."""
        folder = repo.as_uri()
        client = LspClient(
            command, settings, cwd=repo, env=env or dict(os.environ), stderr_path=repo.parent / f"{name}.log"
        )
        await client.start()
        try:
            init, _ = await client.request(
                "initialize",
                {
                    "processId": os.getpid(),
                    "clientInfo": {"name": "bench_lsp", "version": "1"},
                    "rootUri": folder,
                    "rootPath": str(repo),
                    "workspaceFolders": [{"uri": folder, "name": repo.name}],
                    "capabilities": capabilities(),
                },
            )
        except BaseException:
            await client.stop()
            raise
        sync = init["capabilities"].get("textDocumentSync")
        change_kind = sync.get("change") if isinstance(sync, dict) else sync
        start_ms = (client.last_message_at - client.started_at) * 1000
        return cls(name, client, index.as_uri(), settings, start_ms, change_kind == 2, name == GTO)

    @property
    def sync(self) -> str:
        return "incremental" if self.incremental else "full"

    def for_us(self, version: Optional[int]) -> Any:
        def match(item: Published) -> bool:
            return unquote(item.uri) == unquote(self.uri) and (not self.versioned or item.version == version)

        return match

    async def open(self, text: str) -> tuple[float, Published]:
        """Initialized and settings, then didOpen once the server answers a first request; (ms to the first
        diagnostics of version 1, that publish). The wait measures the open on a loaded server: gto-lsp answers
        `initialize` before it has loaded (lsp/early.py), so a didOpen sent at once would time its loading too
        (that is in `ready`, and spawn -> first diagnostics is ready + open)."""
        client = self.client
        client.notify("initialized", {})
        client.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        probe = {"textDocument": {"uri": self.uri + ".probe"}, "position": {"line": 0, "character": 0}}
        with contextlib.suppress(LspError):  # an error answer is an answer: the server has loaded
            await client.request("textDocument/hover", probe)
        self.ready_ms = (time.perf_counter() - client.started_at) * 1000
        mark = len(client.published)
        self.version = 1
        self.lines = text.split("\n")
        sent = client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self.uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        await client.drain()
        first, whole = await client.wait_whole(self.for_us(1), mark, timeout=300)
        ms, self.complete_ms = (first.at - sent) * 1000, (whole.at - sent) * 1000
        await client.settle(min(10.0, max(0.5, 2 * ms / 1000)))
        return ms, first

    async def edit(self, start: tuple[int, int], end: tuple[int, int], text: str) -> tuple[float, Published]:
        """Replace the text from `start` to `end` ((line, character), UTF-16 = characters here) with `text` in one
        didChange (incremental, or the whole text for a full-sync server); (ms to the diagnostics of this version,
        that publish)."""
        lines = self.lines
        replaced = (lines[start[0]][: start[1]] + text + lines[end[0]][end[1] :]).split("\n")
        lines[start[0] : end[0] + 1] = replaced
        self.version += 1
        if self.incremental:
            where = {
                "start": {"line": start[0], "character": start[1]},
                "end": {"line": end[0], "character": end[1]},
            }
            change: dict[str, Any] = {"range": where, "text": text}
        else:
            change = {"text": "\n".join(lines)}
        client = self.client
        mark = len(client.published)
        sent = client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]},
        )
        await client.drain()
        _, published = await client.wait_published(self.for_us(self.version), mark, timeout=120)
        return (published.at - sent) * 1000, published

    async def type_at_end(self, line: int, character: str = "x") -> tuple[float, Published]:
        """A character typed at the end of a line."""
        column = len(self.lines[line])
        return await self.edit((line, column), (line, column), character)

    async def requests(self, method: str, position: tuple[int, int], count: int) -> tuple[list[float], Any]:
        """`count` requests at `position` one after the other: (their milliseconds, the first answer)."""
        params: dict[str, Any] = {
            "textDocument": {"uri": self.uri},
            "position": {"line": position[0], "character": position[1]},
        }
        if method == "textDocument/completion":
            params["context"] = {"triggerKind": 1}
        times, first = [], None
        for k in range(count):
            result, ms = await self.client.request(method, params)
            times.append(ms)
            if k == 0:
                first = result
        return times, first

    def cpu(self) -> float:
        """CPU ms the server and its children have used so far."""
        return tree_cpu_ms(self.client.pid)

    def memory(self) -> tuple[float, float, int]:
        """(resident MB, peak resident MB, processes) of the server and its children."""
        return tree_memory_mb(self.client.pid)


def hover_chars(result: Any) -> int:
    return len(json.dumps(result.get("contents"))) if isinstance(result, dict) else 0


async def drive(
    out: Measured,
    name: str,
    command: list[str],
    settings: dict[str, Any],
    repo: Path,
    index: Path,
    env: Optional[dict[str, str]],
    text: str,
    scenario: Callable[[Session, Published], Awaitable[None]],
) -> None:
    """Start a server, open `text` in it, run `scenario(session, first diagnostics)`, stop it. `out` (a result with
    start, sync, open, open_diagnostics and error) gets those, or the error that ended the session."""
    try:
        lsp = await Session.start(name, command, settings, repo, index, env)
    except LspError as error:
        out.error = f"{type(error).__name__}: {error}"
        return
    out.start, out.sync = lsp.start_ms, lsp.sync
    try:
        out.open, first = await lsp.open(text)
        out.ready, out.complete = lsp.ready_ms, lsp.complete_ms
        out.open_diagnostics = len(first.diagnostics)
        await scenario(lsp, first)
    except (LspError, KeyError, ValueError, StopIteration) as error:
        out.error = f"{type(error).__name__}: {error}"
    finally:
        await lsp.client.stop()


async def requests_in_new_entry(
    lsp: Session,
    out: Measured,
    at: int,
    entry: str,
    where: list[tuple[tuple[int, int], list[float]]],
    hover_at: tuple[int, int],
    count: int,
) -> None:
    """A half-typed `entry` inserted at line `at`; then `count` completion requests at each of `where`'s positions
    (times into its list), `count` hovers at `hover_at`, and the peak memory, all into `out`."""
    await lsp.edit((at, 0), (at, 0), entry)
    await lsp.client.settle(0.3)
    items = []
    for position, bucket in where:
        times, result = await lsp.requests("textDocument/completion", position, count)
        bucket.extend(times)
        items.append(items_of(result))
    out.completion_items = (items[0], items[1])
    out.hover, result = await lsp.requests("textDocument/hover", hover_at, count)
    out.hover_chars = hover_chars(result)
    _, out.peak, _ = lsp.memory()


async def session(
    name: str,
    command: list[str],
    settings: dict[str, Any],
    repo: Path,
    index: Path,
    text: str,
    args: Any,
    env: Optional[dict[str, str]] = None,
) -> Result:
    out = Result()

    async def scenario(lsp: Session, first: Published) -> None:
        out.saw_unknown_field = any("colour" in d.get("message", "") for d in first.diagnostics)

        # One-line edits: type a character at the end of a description, one at a time.
        middle = args.size // 2
        top = locate(lsp.lines, f"model-{middle:05d}")
        line = next(n for n in range(top, len(lsp.lines)) if lsp.lines[n].startswith("  description:"))
        cpu = lsp.cpu()
        for _ in range(args.edits):
            ms, _ = await lsp.type_at_end(line)
            out.edits.append(ms)
            await asyncio.sleep(args.gap)
        out.edit_cpu = (lsp.cpu() - cpu) / max(1, args.edits)
        await lsp.client.settle(0.3)
        out.rss, _, out.processes = lsp.memory()

        # A half-typed entry in the middle, then completion at `type: ` and on the empty field line below it.
        at = locate(lsp.lines, f"model-{middle + 1:05d}")
        where = [((at + 1, len("  type: ")), out.completion_value), ((at + 2, 2), out.completion_field)]
        await requests_in_new_entry(lsp, out, at, NEW_ENTRY, where, (line, 4), args.requests)

    await drive(out, name, command, settings, repo, index, env, text, scenario)
    return out


# --- report -----------------------------------------------------------------------------------------------


def p(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def fmt(value: float, unit: str) -> str:
    if math.isnan(value):
        return "-"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


class Row(NamedTuple):
    """One line of the side-by-side table."""

    metric: str
    value: float  # gto-lsp's
    target: Optional[float]  # gto-lsp's target, None where there is none
    peer: float  # yaml-language-server's
    unit: str  # "ms" or "MB"
    verdict: Optional[str] = None  # instead of ok/MISS (e.g. when the answer was empty)


def render(rows: list[Row]) -> list[str]:
    """The side-by-side table: metric, gto-lsp, target, verdict, yaml-language-server, ratio."""
    header = ("metric", GTO, "target", "verdict", YLS, "ratio yls/gto")
    body = []
    for metric, value, target, peer, unit, verdict in rows:
        if verdict is None:
            verdict = "-" if target is None or math.isnan(value) else "ok" if value <= target else "MISS"
        target_text = "-" if target is None else f"<= {fmt(target, unit)}"
        ratio = "-" if math.isnan(value) or math.isnan(peer) or value <= 0 else f"{peer / value:.1f}x"
        body.append((metric, fmt(value, unit), target_text, verdict, fmt(peer, unit), ratio))
    widths = [max(len(r[i]) for r in (header, *body)) for i in range(len(header))]
    out = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header))]
    out.append("-|-".join("-" * w for w in widths))
    out.extend(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)) for r in body)
    return out


def table(size: int, gto: list[Result], yls: Optional[list[Result]]) -> list[str]:
    """One row per metric: the median over the runs of each run's figure."""
    targets = TARGETS.get(size, {"start": TARGETS[1000]["start"]})
    rows: list[Row] = []

    def over_runs(results: Optional[list[Result]], getter: Any) -> float:
        values = [v for v in (getter(r) for r in results or []) if not math.isnan(v)]
        return median(values) if values else math.nan

    def add(metric: str, key: Optional[str], unit: str, getter: Any) -> None:
        target = targets.get(key) if key else None
        rows.append(Row(metric, over_runs(gto, getter), target, over_runs(yls, getter), unit))

    add("start-up -> initialize answer", "start", "ms", lambda r: r.start)
    add("spawn -> server loaded (first request answered)", None, "ms", lambda r: r.ready)
    add("didOpen -> first diagnostics (loaded server)", "open", "ms", lambda r: r.open)
    add("didOpen -> whole file's diagnostics (loaded server)", None, "ms", lambda r: r.complete)
    add("spawn -> first diagnostics", None, "ms", lambda r: r.ready + r.open)
    add("edit -> diagnostics, median", "edit", "ms", lambda r: median(r.edits) if r.edits else math.nan)
    add("edit -> diagnostics, p95", None, "ms", lambda r: p(r.edits, 95))
    add("server CPU per edit", None, "ms", lambda r: r.edit_cpu)
    add("completion `type: ` value, p50", None, "ms", lambda r: p(r.completion_value, 50))
    add("completion `type: ` value, p95", "completion", "ms", lambda r: p(r.completion_value, 95))
    add("completion new field, p50", None, "ms", lambda r: p(r.completion_field, 50))
    add("completion new field, p95", "completion", "ms", lambda r: p(r.completion_field, 95))
    add("hover field key, p50", None, "ms", lambda r: p(r.hover, 50))
    add("hover field key, p95", "hover", "ms", lambda r: p(r.hover, 95))
    add("RSS after open + edits (tree)", "rss", "MB", lambda r: r.rss)
    add("peak RSS at the end (tree)", None, "MB", lambda r: r.peak)
    return render(rows)


def spread(name: str, results: list[Result]) -> str:
    """Each run's start-up, open and edit median: how far the runs scatter."""

    def each(getter: Any) -> str:
        return " ".join(fmt(getter(r), "ms") for r in results)

    return (
        f"  {name} per run: start-up {each(lambda r: r.start)}; loaded {each(lambda r: r.ready)}; "
        f"open {each(lambda r: r.open)}; "
        f"edit median {each(lambda r: median(r.edits) if r.edits else math.nan)}"
    )


def notes(name: str, result: Result) -> str:
    if result.error:
        return f"  {name}: FAILED: {result.error}"
    return (
        f"  {name}: sync {result.sync}; {result.open_diagnostics} diagnostics at open"
        f" (unknown field reported: {'yes' if result.saw_unknown_field else 'NO'});"
        f" completion items {result.completion_items[0]} (value) / {result.completion_items[1]} (field);"
        f" hover {result.hover_chars} chars; {result.processes} process(es); {len(result.edits)} edits"
    )


def append_runs(path: Optional[str], source: str, runs: list[Any]) -> None:
    """Append one session's raw figures (its runs' fields) to `path` as a JSON line, when a path is given."""
    if path:
        with open(path, "a") as handle:
            handle.write(json.dumps({"source": source, "runs": [run.__dict__ for run in runs]}) + "\n")


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return (
        f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores ({cpu}), {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, Node {node or '-'}"
    )


GTO_SETTINGS = {"gto": {"checks": {"enable": True, "paths": True}, "git": {"enabled": True}}}


def gto_command(args: Any) -> list[str]:
    return shlex.split(args.gto_command) if args.gto_command else [sys.executable, "-m", "gto_lsp", "serve"]


def yls_command() -> list[str]:
    return ["node", str(YLS_BIN), "--stdio"]


def yls_settings(schemas: dict[str, list[str]]) -> dict[str, Any]:
    """yaml-language-server's settings: validation, completion and hover on, SchemaStore off (offline), and the
    given schemas (URI -> globs) alone."""
    return {
        "yaml": {
            "validate": True,
            "completion": True,
            "hover": True,
            "schemaStore": {"enable": False},
            "schemas": schemas,
        },
        "http": {"proxy": "", "proxyStrictSSL": False},
    }


def append_json(path: Optional[str], record: dict[str, Any]) -> None:
    if path:
        with open(path, "a") as handle:
            handle.write(json.dumps(record) + "\n")


async def bench_size(size: int, args: Any, schema: Path, base: Path, yls_problem: Optional[str]) -> None:
    args.size = size
    started = time.perf_counter()
    workspace = base / f"n{size}"
    workspace.mkdir()
    repo, index, text = make_workspace(workspace, size)
    print(
        f"\n## {size} artifacts ({len(text) / 1024:.0f} KB, {text.count(chr(10))} lines; load average {load()})",
        flush=True,
    )
    gto: list[Result] = []
    yls: Optional[list[Result]] = None if args.only == "gto" or yls_problem is not None else []
    settings = yls_settings({schema.as_uri(): ["**/artifacts.yaml"]})
    for run in range(args.runs):  # alternating which server goes first, never both at once
        order = (GTO, YLS) if run % 2 == 0 else (YLS, GTO)
        for name in order:
            if name == GTO and args.only != "yls":
                gto.append(await session(GTO, gto_command(args), GTO_SETTINGS, repo, index, text, args, args.gto_env))
            elif name == YLS and yls is not None:
                yls.append(await session(YLS, yls_command(), settings, repo, index, text, args))
    print("\n".join(table(size, gto, yls)))
    for result in gto[:1]:
        print(notes(GTO, result))
    if yls:
        print(notes(YLS, yls[0]))
    elif yls_problem:
        print(f"  {YLS}: not run: {yls_problem}")
    if args.runs > 1:
        print(spread(GTO, gto))
        if yls:
            print(spread(YLS, yls))
    print(f"  ({time.perf_counter() - started:.0f} s for this size; load average {load()})", flush=True)
    append_json(
        args.json,
        {"size": size, GTO: [r.__dict__ for r in gto], YLS: [r.__dict__ for r in yls] if yls is not None else None},
    )


def arguments(description: Optional[str], sizes: str, edits: int, requests: int) -> argparse.ArgumentParser:
    """The options every LSP benchmark takes."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=sizes)
    parser.add_argument("--edits", type=int, default=edits, help=f"one-line edits per session (default {edits})")
    parser.add_argument(
        "--requests", type=int, default=requests, help=f"completion and hover requests each (default {requests})"
    )
    parser.add_argument("--gap", type=float, default=0.1, help="pause after each edit's diagnostics, seconds")
    parser.add_argument("--only", choices=("gto", "yls"), help="run one server only")
    parser.add_argument("--gto-command", help="server command for gto-lsp (e.g. under cProfile)")
    parser.add_argument("--server-rev", help="run gto-lsp from this commit's server/ (default: the working tree)")
    parser.add_argument("--json", help="append the raw figures of each size to this file (JSON lines)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspaces (and server logs)")
    return parser


def run(args: Any, title: str, bench: Callable[[Path, Optional[str]], None]) -> None:
    """Install yaml-language-server if needed, make the temporary folder, print the conditions, then
    `bench(folder, why yaml-language-server cannot run or None)`; clean up unless --keep."""
    yls_problem = ensure_yls() if args.only != "gto" else None
    base = Path(tempfile.mkdtemp(prefix=f"gto-{title.replace('_', '-')}-"))
    try:
        args.gto_env, source = server_source(base, args.server_rev)
        print(f"{title}: {machine()}; gto-lsp from the {source}; yaml-language-server {YLS_VERSION}")
        bench(base, yls_problem)
    finally:
        if args.keep:
            print(f"workspaces and server logs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = arguments(__doc__, "1000,10000", 30, 50)
    parser.add_argument("--runs", type=int, default=1, help="sessions of each server per size, alternating (default 1)")
    args = parser.parse_args()

    def bench(base: Path, yls_problem: Optional[str]) -> None:
        schema = write_schema(base)
        for size in (int(s) for s in args.sizes.split(",")):
            asyncio.run(bench_size(size, args, schema, base, yls_problem))

    run(args, "bench_lsp", bench)


if __name__ == "__main__":
    main()

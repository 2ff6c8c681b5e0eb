"""Language-server benchmark on dvc.yaml: gto-lsp side by side with yaml-language-server 1.25.0 on the same file.

Run: .venv/bin/python bench/bench_dvc.py [--sizes 1000] [--stages 50] [--runs 5] [--edits 30] [--toggles 10]
     [--requests 50] [--server-rev HEAD] [--json FILE]
     .venv/bin/python bench/bench_dvc.py --from-json FILE... (the tables again, runs of several files pooled)

For each size it writes a DVC project in a temporary git repository: a dvc.yaml with `--stages` stages (cmd, deps,
params, outs, metrics), a top-level `plots:` list, then an `artifacts:` section of `size` entries in DVC's own layout
(path, desc, type, labels, meta; entry 0 still has GTO's `description:` instead of `desc:`, an error DVC reports).
Artifact paths are of three kinds, as in a fresh clone: committed files, outputs of a stage (not on disk) and files
inside a `.dvc`-tracked folder (not on disk). Then, `--runs` times, each server in turn (never both at once; the
order alternates between runs), with the harness of bench_lsp.py: didOpen -> first diagnostics, a character typed
at the end of one entry's `desc` (`--edits`), an entry renamed to its neighbour's name and back (`--toggles` pairs:
a duplicate name, which both servers report), completion on an empty field line and on an empty label item of a
half-typed entry, hover on an entry's name, resident memory. The figures are the medians over the runs (of each
run's median or p95).

yaml-language-server runs without a schema: the dvc.yaml schema it would fetch from SchemaStore is not reachable
offline, so it checks YAML syntax and duplicate keys only, and its completion and hover have nothing to offer.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, TypeVar

from bench_dvc_loader import (
    LR,
    MISSING_DEP,
    UNDEFINED,
    dvc_loader_runs,
    line_of,
    loader_lines,
    make_pipeline_workspace,
    places_of,
)
from bench_dvc_loader import STAGES as PIPELINE_STAGES
from bench_lsp import (
    GTO,
    GTO_SETTINGS,
    TARGETS,
    YLS,
    Measured,
    Row,
    Session,
    append_json,
    arguments,
    drive,
    fmt,
    gto_command,
    hover_chars,
    items_of,
    load,
    median,
    p,
    render,
    requests_in_new_entry,
    run,
    yls_command,
    yls_settings,
)  # bench_lsp puts tests/ on sys.path
from helpers.git import git, make_repo
from lsp_client import Published

STAGES = 50
TYPES = ("model", "model", "dataset", "notebook")
# A half-typed entry inserted in the middle of the section: completion on its empty field line and its empty label.
NEW_ENTRY = "  new-model:\n    type: model\n    \n    labels:\n    - \n"
FIELD_LINE, LABEL_LINE = 2, 4  # lines of NEW_ENTRY (the field line holds 4 spaces, the label item `    - `)


# --- the workspace ----------------------------------------------------------------------------------------


def artifact_path(i: int, stages: int) -> str:
    """Half are committed files, 2 in 5 are outputs of a stage, 1 in 10 lies inside the `.dvc`-tracked data/raw."""
    if i % 2 == 0:
        return f"models/m{i}/model.pkl"
    if i % 10 == 5:
        return f"data/raw/part-{i:05d}.parquet"
    return f"models/stage-{i % stages:02d}/model-{i:05d}.pkl"


def make_dvc_text(count: int, stages: int = STAGES, leftover: bool = True) -> str:
    """A dvc.yaml as DVC writes it (2-space mappings, `- ` at the parent key's column); with `leftover`, entry 0
    has GTO's `description:` where DVC wants `desc:` (an error)."""
    parts = ["vars:\n- params.yaml\nstages:\n"]
    for j in range(stages):
        parts.append(
            f"  train-{j:02d}:\n"
            f"    cmd: python src/train.py --shard {j} --seed ${{train.seed}} --out models/stage-{j:02d}\n"
            f"    deps:\n    - src/train.py\n    - data/raw\n"
            f"    params:\n    - train.lr\n    - train.epochs\n    - train.seed\n"
            f"    outs:\n    - models/stage-{j:02d}\n"
            f"    metrics:\n    - metrics/stage-{j:02d}.json:\n        cache: false\n"
            f"    plots:\n    - plots/stage-{j:02d}/roc.csv:\n        x: fpr\n        y: tpr\n"
        )
    parts.append("plots:\n- plots/confusion.json:\n    template: confusion\n    x: actual\n    y: predicted\n")
    parts.append("- plots/stage-00/roc.csv\nartifacts:\n")
    for i in range(count):
        parts.append(
            f"  model-{i:05d}:\n"
            f"    path: {artifact_path(i, stages)}\n"
            + ("    description" if i == 0 and leftover else "    desc")
            + f": Random forest model number {i} trained on shard {i % stages} of the big dataset\n"
            f"    type: {TYPES[i % len(TYPES)]}\n"
            f"    labels:\n    - ml\n    - team-{i % 7}\n"
            f"    meta:\n      owner: team-{i % 7}\n      run: {i}\n      framework: sklearn\n"
        )
    return "".join(parts)


def make_dvc_workspace(
    base: Path, count: int, stages: int = STAGES, commit: bool = True, leftover: bool = True
) -> tuple[Path, Path, str]:
    """(repository, its dvc.yaml, the text): a DVC project as just cloned, with the committed files on disk."""
    repo = base / "repo"
    (repo / ".dvc").mkdir(parents=True)
    (repo / ".dvc" / "config").write_text("")
    (repo / ".dvc" / ".gitignore").write_text("/config.local\n/tmp\n/cache\n")
    (repo / "src").mkdir()
    (repo / "src" / "train.py").write_text("print('train')\n")
    (repo / "params.yaml").write_text("train:\n  lr: 0.1\n  epochs: 10\n  seed: 42\n")
    (repo / "data").mkdir()
    (repo / "data" / "raw.dvc").write_text("outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  path: raw\n")
    (repo / "data" / ".gitignore").write_text("/raw\n")
    (repo / ".gitignore").write_text("/models/stage-*\n/metrics\n/plots\n")
    for i in range(0, count, 2):
        folder = repo / "models" / f"m{i}"
        folder.mkdir(parents=True)
        (folder / "model.pkl").write_bytes(b"model %d\n" % i)
    text = make_dvc_text(count, stages, leftover)
    index = repo / "dvc.yaml"
    index.write_text(text)
    if commit:
        make_repo(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "pipeline, models and their annotations")
    return repo, index, text


# --- one server session -----------------------------------------------------------------------------------


@dataclass
class DvcResult(Measured):
    # edits: typing in a desc
    toggles: list[float] = field(default_factory=list)  # a duplicate name introduced, then removed
    toggle_cpu: float = math.nan  # the server's CPU ms per error edit
    toggles_seen: int = 0  # introductions whose diagnostics had one more problem, removals back to the baseline
    completion_field: list[float] = field(default_factory=list)
    completion_label: list[float] = field(default_factory=list)
    saw_description: bool = False  # entry 0's `description:` reported


# name, command, settings, environment (None: this one's)
Server = tuple[str, list[str], dict[str, Any], Optional[dict[str, str]]]


async def dvc_session(server: Server, repo: Path, index: Path, text: str, args: Any) -> DvcResult:
    """One session of the scenario on one server."""
    name, command, settings, env = server
    out = DvcResult()

    async def scenario(lsp: Session, first: Published) -> None:
        out.saw_description = any("`description`" in d.get("message", "") for d in first.diagnostics)
        baseline = len(first.diagnostics)
        lines = lsp.lines
        section = lines.index("artifacts:")

        # Typing at the end of the middle entry's desc, one character at a time.
        middle = args.size // 2
        top = line_of(lines, section, f"  model-{middle:05d}:")
        desc = line_of(lines, top, "    desc:")
        cpu = lsp.cpu()
        for _ in range(args.edits):
            ms, published = await lsp.type_at_end(desc)
            out.edits.append(ms)
            baseline = len(published.diagnostics)
            await asyncio.sleep(args.gap)
        out.edit_cpu = (lsp.cpu() - cpu) / max(1, args.edits)

        # The next entry renamed to the middle one's name (a duplicate), then back.
        neighbour, duplicate = f"model-{middle + 1:05d}", f"model-{middle:05d}"  # of the same length
        key = line_of(lines, top + 1, f"  {neighbour}:")
        cpu = lsp.cpu()
        for _ in range(args.toggles):
            for name_now in (duplicate, neighbour):
                ms, published = await lsp.edit((key, 2), (key, 2 + len(neighbour)), name_now)
                out.toggles.append(ms)
                count = len(published.diagnostics)
                out.toggles_seen += count > baseline if name_now == duplicate else count == baseline
                await asyncio.sleep(args.gap)
        out.toggle_cpu = (lsp.cpu() - cpu) / max(1, 2 * args.toggles)
        await lsp.client.settle(0.3)
        out.rss, _, out.processes = lsp.memory()

        # A half-typed entry in the middle of the section; completion on its empty field line and empty label item.
        at = line_of(lines, key + 1, "  model-")
        where = [((at + FIELD_LINE, 4), out.completion_field), ((at + LABEL_LINE, 6), out.completion_label)]
        await requests_in_new_entry(lsp, out, at, NEW_ENTRY, where, (top, 4), args.requests)

    await drive(out, name, command, settings, repo, index, env, text, scenario)
    return out


# --- report -----------------------------------------------------------------------------------------------


R = TypeVar("R", bound=Measured)


def per_run(results: Sequence[R], getter: Callable[[R], float]) -> list[float]:
    """One figure of each run that finished (NaN left out)."""
    values = [getter(r) for r in results if r.error is None]
    return [v for v in values if not math.isnan(v)]


def over_runs(results: Sequence[R], getter: Callable[[R], float]) -> float:
    """The median over the runs that finished of one run's figure."""
    values = per_run(results, getter)
    return statistics.median(values) if values else math.nan


# (metric, target key or None, unit, the figure of one run, items of gto-lsp's answer or -1)
Spec = tuple[str, Optional[str], str, Callable[[Any], float], int]


def latency(
    metric: str, samples: Callable[[Any], list[float]], key: Optional[str] = None, on: str = "p95", items: int = -1
) -> list[Spec]:
    """The rows `metric, median` and `metric, p95` (or p50 and p95) of one run's samples; the target `key` (and the
    items of gto-lsp's answer) on the row named `on`."""
    low = "median" if on == "median" else "p50"
    getters: dict[str, Callable[[Any], float]] = {
        low: (lambda r: median(samples(r))) if low == "median" else (lambda r: p(samples(r), 50)),
        "p95": lambda r: p(samples(r), 95),
    }
    return [
        (f"{metric}, {q}", key if q == on else None, "ms", get, items if q == on else -1) for q, get in getters.items()
    ]


def side_by_side(
    specs: list[Spec], targets: dict[str, Optional[float]], gto: Sequence[Measured], yls: Sequence[Measured]
) -> list[str]:
    """The table of bench_lsp.py, each figure the median over the runs; a target whose answer was empty: n/a."""
    rows = []
    for metric, key, unit, getter, items in specs:
        target = targets.get(key) if key else None
        verdict = "n/a: no items" if items == 0 and target is not None else None
        peer = over_runs(yls, getter) if yls else math.nan
        rows.append(Row(metric, over_runs(gto, getter), target, peer, unit, verdict))
    return render(rows)


def spread(name: str, specs: list[Spec], results: Sequence[Measured]) -> list[str]:
    """Each run's figure for the rows with a target: how far apart the runs are."""
    return [
        f"  {name} per run, {metric}: {' '.join(fmt(v, unit) for v in per_run(results, getter))}"
        for metric, key, unit, getter, _ in specs
        if key is not None and key != "start"
    ]


def table(size: int, gto: list[DvcResult], yls: list[DvcResult]) -> list[str]:
    done = [r for r in gto if r.error is None]

    def items(index: int) -> int:
        return max((r.completion_items[index] for r in done), default=-1)

    hovered = 1 if any(r.hover_chars for r in gto) else 0
    specs: list[Spec] = [
        ("start-up -> initialize answer", "start", "ms", lambda r: r.start, -1),
        ("didOpen -> first diagnostics", "open", "ms", lambda r: r.open, -1),
        *latency("desc edit -> diagnostics", lambda r: r.edits, "edit", "median"),
        ("server CPU per desc edit", None, "ms", lambda r: r.edit_cpu, -1),
        *latency("error in/out -> diagnostics", lambda r: r.toggles, "edit", "median"),
        ("server CPU per error edit", None, "ms", lambda r: r.toggle_cpu, -1),
        *latency("completion field line", lambda r: r.completion_field, "completion", items=items(0)),
        *latency("completion label item", lambda r: r.completion_label, "completion", items=items(1)),
        *latency("hover entry name", lambda r: r.hover, "hover", items=hovered),
        ("RSS after open + edits (tree)", "rss", "MB", lambda r: r.rss, -1),
        ("peak RSS at the end (tree)", None, "MB", lambda r: r.peak, -1),
    ]
    return side_by_side(specs, TARGETS.get(size, {"start": TARGETS[1000]["start"]}), gto, yls)


def failures(name: str, results: Sequence[R]) -> tuple[list[str], list[R]]:
    """(a line per run that failed, the runs that finished)."""
    return [f"  {name}: FAILED run {k + 1}: {r.error}" for k, r in enumerate(results) if r.error], [
        r for r in results if r.error is None
    ]


def notes(name: str, results: list[DvcResult]) -> list[str]:
    out, done = failures(name, results)
    if not done:
        return out
    r = done[0]
    toggles = sum(len(x.toggles) for x in done)
    out.append(
        f"  {name}: {len(done)} run(s); sync {r.sync}; {r.open_diagnostics} diagnostics at open (`description` "
        f"reported: {'yes' if r.saw_description else 'no'}); duplicate name reported and cleared in "
        f"{sum(x.toggles_seen for x in done)}/{toggles} error edits; completion items {r.completion_items[0]} "
        f"(field) / {r.completion_items[1]} (label); hover {r.hover_chars} chars; {r.processes} process(es)"
    )
    out.append(
        f"  {name} per run: open {' '.join(fmt(x.open, 'ms') for x in done)}; desc edit median "
        f"{' '.join(fmt(median(x.edits), 'ms') for x in done)}; error edit median "
        f"{' '.join(fmt(median(x.toggles), 'ms') for x in done)}"
    )
    return out


def report(size: int, results: dict[str, list[DvcResult]]) -> None:
    print("\n".join(table(size, results.get(GTO, []), results.get(YLS, []))))
    for name, found in results.items():
        print("\n".join(notes(name, found)))


def from_json(paths: list[str]) -> None:
    """The tables of runs recorded with --json (several files: their runs pooled), per scenario and size."""
    by_size: dict[tuple[str, int], dict[str, list[Any]]] = {}
    loader: dict[int, list[dict[str, float]]] = {}
    for path in paths:
        with open(path) as handle:
            for line in handle:
                record = json.loads(line)
                scenario, size, server = record.pop("scenario", "artifacts"), record.pop("size"), record.pop("server")
                record.pop("run")
                if server == DVC_LOADER:
                    loader.setdefault(size, []).append(record)
                    continue
                record["completion_items"] = tuple(record["completion_items"])
                if scenario == "pipeline":
                    record["items"] = tuple(record["items"])
                    result: Measured = PipelineResult(**record)
                else:
                    result = DvcResult(**record)
                by_size.setdefault((scenario, size), {}).setdefault(server, []).append(result)
    for (scenario, size), results in sorted(by_size.items()):
        print(f"\n## dvc.yaml ({scenario}): {size} artifacts, runs of {', '.join(paths)}")
        if scenario == "pipeline":
            pipeline_report(results)
            print("\n".join(loader_lines(loader.get(size, []))))
        else:
            report(size, results)


def servers_of(args: Any, yls_problem: Optional[str], schema: Optional[Path] = None) -> list[Server]:
    """The servers to run: gto-lsp, and yaml-language-server (with `schema` for dvc.yaml, if given)."""
    servers: list[Server] = []
    if args.only != "yls":
        servers.append((GTO, gto_command(args), GTO_SETTINGS, args.gto_env))
    if args.only != "gto" and yls_problem is None:
        schemas = {schema.as_uri(): ["**/dvc.yaml"]} if schema else {}
        servers.append((YLS, yls_command(), yls_settings(schemas), None))
    return servers


async def bench_size(size: int, args: Any, base: Path, yls_problem: Optional[str]) -> None:
    args.size = size
    started = time.perf_counter()
    workspace = base / f"n{size}"
    workspace.mkdir()
    repo, index, text = make_dvc_workspace(workspace, size, args.stages)
    print(
        f"\n## dvc.yaml: {args.stages} stages, {size} artifacts ({len(text) / 1024:.0f} KB, {text.count(chr(10))} "
        f"lines; load average {load()})",
        flush=True,
    )
    servers = servers_of(args, yls_problem)
    results: dict[str, list[DvcResult]] = {name: [] for name, *_ in servers}
    for k in range(args.runs):
        for server in servers if k % 2 == 0 else servers[::-1]:
            result = await dvc_session(server, repo, index, text, args)
            results[server[0]].append(result)
            append_json(args.json, {"size": size, "run": k + 1, "server": server[0], **result.__dict__})
        print(f"  run {k + 1}/{args.runs} done (load average {load()})", flush=True)
    report(size, results)
    if yls_problem and args.only != "gto":
        print(f"  {YLS}: not run: {yls_problem}")
    print(f"  ({time.perf_counter() - started:.0f} s for this size; load average {load()})", flush=True)


# --- the pipeline of issue 14 (item 7) --------------------------------------------------------------------

PIPELINE_TARGETS: dict[str, Optional[float]] = {"open": 400, "edit": 30, "completion": 20}
DVC_LOADER = "dvc-loader"  # the server name of DVC's loader runs in --json
# A half-typed stage inserted before the middle group's first stage: completion on its empty key line, in the
# deps path `data/raw/` and after `${` (the editor has closed the brace: `${}`).
NEW_STAGE = "  new-stage:\n    cmd: python src/train.py --lr ${}\n    \n    deps:\n    - data/raw/\n"
KEY_AT, DEP_AT, NAME_AT = (2, 4), (4, len("    - data/raw/")), (1, len("    cmd: python src/train.py --lr ${"))


@dataclass
class PipelineResult(Measured):
    # edits: a character typed at the end of a plain stage's `cmd`
    interpolation: list[float] = field(default_factory=list)  # `${train.lr}` -> `${train.lx}` (undefined), back
    interpolation_cpu: float = math.nan
    interpolation_seen: int = 0  # renames whose diagnostics had more problems, returns back to the baseline
    artifact_edits: list[float] = field(default_factory=list)  # a character typed at the end of an artifact's desc
    artifact_cpu: float = math.nan
    completion_key: list[float] = field(default_factory=list)
    completion_dep: list[float] = field(default_factory=list)
    completion_name: list[float] = field(default_factory=list)
    items: tuple[int, int, int] = (0, 0, 0)  # completion items: key, deps path, `${` name
    open_codes: dict[str, int] = field(default_factory=dict)  # diagnostics at open, by code
    saw_missing_dep: bool = False  # the first stage's dependency that nothing provides reported at open


async def typing(lsp: Session, line: int, count: int, gap: float) -> tuple[list[float], float, int]:
    """`count` characters typed at the end of `line`, one per edit: (ms to each edit's diagnostics, server CPU ms
    per edit, problems in the last publish)."""
    cpu, times, problems = lsp.cpu(), [], 0
    for _ in range(count):
        ms, published = await lsp.type_at_end(line)
        times.append(ms)
        problems = len(published.diagnostics)
        await asyncio.sleep(gap)
    return times, (lsp.cpu() - cpu) / max(1, count), problems


async def pipeline_session(server: Server, repo: Path, index: Path, text: str, args: Any) -> PipelineResult:
    """One session of the pipeline scenario on one server."""
    name, command, settings, env = server
    out = PipelineResult()

    async def scenario(lsp: Session, first: Published) -> None:
        out.open_codes = dict(Counter(str(d.get("code", "")) for d in first.diagnostics))
        out.saw_missing_dep = any(MISSING_DEP in d.get("message", "") for d in first.diagnostics)
        lines = lsp.lines
        at = places_of(lines, args.stages, args.size)
        out.edits, out.edit_cpu, baseline = await typing(lsp, at.cmd, args.edits, args.gap)

        # In the foreach stage's `${train.lr}`: an undefined name, then back (the edits of `edited`).
        column = lines[at.do_cmd].index(LR)
        cpu = lsp.cpu()
        for k in range(2 * args.toggles):
            now = UNDEFINED if k % 2 == 0 else LR
            ms, published = await lsp.edit((at.do_cmd, column), (at.do_cmd, column + len(LR)), now)
            out.interpolation.append(ms)
            count = len(published.diagnostics)
            out.interpolation_seen += count > baseline if now == UNDEFINED else count == baseline
            await asyncio.sleep(args.gap)
        out.interpolation_cpu = (lsp.cpu() - cpu) / max(1, 2 * args.toggles)

        out.artifact_edits, out.artifact_cpu, _ = await typing(lsp, at.desc, args.edits, args.gap)
        await lsp.client.settle(0.3)
        out.rss, _, out.processes = lsp.memory()

        prepare = at.prepare
        await lsp.edit((prepare, 0), (prepare, 0), NEW_STAGE)
        await lsp.client.settle(0.3)
        items = []
        for (line, column), bucket in (
            (KEY_AT, out.completion_key),
            (DEP_AT, out.completion_dep),
            (NAME_AT, out.completion_name),
        ):
            times, result = await lsp.requests("textDocument/completion", (prepare + line, column), args.requests)
            bucket.extend(times)
            items.append(items_of(result))
        out.items = (items[0], items[1], items[2])
        do_cmd = at.do_cmd + NEW_STAGE.count("\n")
        out.hover, result = await lsp.requests(
            "textDocument/hover", (do_cmd, lines[do_cmd].index(LR) + 3), args.requests
        )
        out.hover_chars = hover_chars(result)
        _, out.peak, _ = lsp.memory()

    await drive(out, name, command, settings, repo, index, env, text, scenario)
    return out


def pipeline_specs(gto: Sequence[PipelineResult]) -> list[Spec]:
    done = [r for r in gto if r.error is None]

    def items(index: int) -> int:
        return max((r.items[index] for r in done), default=-1)

    return [
        ("start-up -> initialize answer", "start", "ms", lambda r: r.start, -1),
        ("didOpen -> first diagnostics", "open", "ms", lambda r: r.open, -1),
        *latency("stage cmd edit -> diagnostics", lambda r: r.edits, "edit", "p50"),
        ("server CPU per cmd edit", None, "ms", lambda r: r.edit_cpu, -1),
        *latency("`${}` name in/out -> diagnostics", lambda r: r.interpolation, "edit", "p50"),
        ("server CPU per `${}` edit", None, "ms", lambda r: r.interpolation_cpu, -1),
        *latency("artifact desc edit -> diagnostics", lambda r: r.artifact_edits, "edit", "p50"),
        ("server CPU per artifact edit", None, "ms", lambda r: r.artifact_cpu, -1),
        *latency("completion stage key", lambda r: r.completion_key, "completion", items=items(0)),
        *latency("completion deps path", lambda r: r.completion_dep, "completion", items=items(1)),
        *latency("completion after `${`", lambda r: r.completion_name, "completion", items=items(2)),
        *latency("hover on `${train.lr}`", lambda r: r.hover),
        ("RSS after open + edits (tree)", None, "MB", lambda r: r.rss, -1),
        ("peak RSS at the end (tree)", None, "MB", lambda r: r.peak, -1),
    ]


def pipeline_notes(name: str, results: list[PipelineResult]) -> list[str]:
    out, done = failures(name, results)
    if not done:
        return out
    r = done[0]
    codes = ", ".join(f"{code or '-'} {n}" for code, n in sorted(r.open_codes.items(), key=lambda c: -c[1]))
    out.append(
        f"  {name}: {len(done)} run(s); sync {r.sync}; {r.open_diagnostics} diagnostics at open ({codes or 'none'}; "
        f"`{MISSING_DEP}` reported: {'yes' if r.saw_missing_dep else 'no'}); undefined `${{train.lx}}` reported "
        f"and cleared in {sum(x.interpolation_seen for x in done)}/{sum(len(x.interpolation) for x in done)} edits; "
        f"completion items {r.items[0]} (key) / {r.items[1]} (deps path) / {r.items[2]} (`${{`); hover "
        f"{r.hover_chars} chars; {r.processes} process(es)"
    )
    return out


def pipeline_report(results: dict[str, list[Any]]) -> None:
    gto, yls = results.get(GTO, []), results.get(YLS, [])
    specs = pipeline_specs(gto)
    print("\n".join(side_by_side(specs, PIPELINE_TARGETS, gto, yls)))
    for name, found in results.items():
        print("\n".join(pipeline_notes(name, found) + spread(name, specs, found)))


def yls_schema(args: Any, base: Path) -> Optional[Path]:
    """The dvc.yaml schema yaml-language-server gets: --yls-schema's file, none, or (gto) the one gto-lsp exports
    (pipeline/schema.py's json_schema, from the server measured), as SchemaStore's would be if reachable."""
    if args.yls_schema == "none":
        return None
    if args.yls_schema != "gto":
        return Path(args.yls_schema).resolve()
    script = (
        "import json; from gto_lsp.core.formats.dvc.pipeline.schema import json_schema as s; print(json.dumps(s()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=args.gto_env, check=False
    )
    if result.returncode != 0:
        print(f"  no dvc.yaml schema from gto-lsp: {result.stderr.strip()[-300:]}")
        return None
    path = base / "dvc.schema.json"
    path.write_text(result.stdout)
    return path


async def bench_pipeline(size: int, args: Any, base: Path, yls_problem: Optional[str]) -> None:
    """The issue 14 scenario at `size` artifacts: each run, each server and DVC's loader, in alternating order."""
    args.size = size
    started = time.perf_counter()
    workspace = base / f"pipeline{size}"
    workspace.mkdir()
    repo, index, text = make_pipeline_workspace(workspace, args.stages, size)
    print(
        f"\n## dvc.yaml pipeline: {args.stages} stage definitions, {size} artifacts ({len(text) / 1024:.0f} KB, "
        f"{text.count(chr(10))} lines; load average {load()})",
        flush=True,
    )
    schema = yls_schema(args, base)
    print(f"  {YLS}'s schema for dvc.yaml: {schema or 'none'}")
    runners: list[Optional[Server]] = [*servers_of(args, yls_problem, schema), None]  # None: DVC's loader
    results: dict[str, list[Any]] = {}
    loader: list[dict[str, float]] = []
    problem = None if args.dvc_runs else "--dvc-runs 0"
    for k in range(args.runs):
        for server in runners if k % 2 == 0 else runners[::-1]:
            if server is None:
                if problem is None and k < args.dvc_runs:
                    found, problem = dvc_loader_runs(repo, 1)
                    loader.extend(found)
                    for record in found:
                        append_json(
                            args.json,
                            {"scenario": "pipeline", "size": size, "run": k + 1, "server": DVC_LOADER, **record},
                        )
                continue
            result = await pipeline_session(server, repo, index, text, args)
            results.setdefault(server[0], []).append(result)
            append_json(
                args.json, {"scenario": "pipeline", "size": size, "run": k + 1, "server": server[0], **result.__dict__}
            )
        print(f"  run {k + 1}/{args.runs} done (load average {load()})", flush=True)
    pipeline_report(results)
    if yls_problem and args.only != "gto":
        print(f"  {YLS}: not run: {yls_problem}")
    print("\n".join(loader_lines(loader)))
    if problem:
        print(f"  DVC's loader: {problem}")
    print(f"  ({time.perf_counter() - started:.0f} s for this size; load average {load()})", flush=True)


def main() -> None:
    parser = arguments(__doc__, "1000", 30, 50)
    parser.add_argument("--pipeline", action="store_true", help="the pipeline scenario of issue 14 (item 7)")
    parser.add_argument(
        "--stages", type=int, help=f"stage definitions (default {STAGES}; with --pipeline {PIPELINE_STAGES})"
    )
    parser.add_argument("--runs", type=int, default=5, help="sessions of each server, alternating (default 5)")
    parser.add_argument("--toggles", type=int, default=10, help="errors introduced and removed (pairs of edits)")
    parser.add_argument("--dvc-runs", type=int, help="with --pipeline: runs of DVC's loader (default: --runs)")
    parser.add_argument(
        "--yls-schema",
        help="dvc.yaml's JSON schema for yaml-language-server: a file, `gto` (gto-lsp's export; the default with "
        "--pipeline) or `none` (the default otherwise)",
    )
    parser.add_argument("--from-json", nargs="+", metavar="FILE", help="only print the tables of recorded runs")
    args = parser.parse_args()
    if args.from_json:
        from_json(args.from_json)
        return
    if args.stages is None:
        args.stages = PIPELINE_STAGES if args.pipeline else STAGES
    if args.yls_schema is None:
        args.yls_schema = "gto" if args.pipeline else "none"
    if args.dvc_runs is None:
        args.dvc_runs = args.runs

    def bench(base: Path, yls_problem: Optional[str]) -> None:
        for size in (int(s) for s in args.sizes.split(",")):
            asyncio.run((bench_pipeline if args.pipeline else bench_size)(size, args, base, yls_problem))

    run(args, "bench_dvc", bench)


if __name__ == "__main__":
    main()

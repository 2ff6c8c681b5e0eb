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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

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


def line_of(lines: list[str], start: int, prefix: str) -> int:
    return next(n for n in range(start, len(lines)) if lines[n].startswith(prefix))


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


def over_runs(results: list[DvcResult], getter: Callable[[DvcResult], float]) -> float:
    """The median over the runs that finished of one run's figure."""
    values = [getter(r) for r in results if r.error is None]
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def table(size: int, gto: list[DvcResult], yls: list[DvcResult]) -> list[str]:
    targets = TARGETS.get(size, {"start": TARGETS[1000]["start"]})
    rows: list[Row] = []

    def add(metric: str, key: Optional[str], unit: str, getter: Callable[[DvcResult], float], items: int = -1) -> None:
        target = targets.get(key) if key else None
        value = over_runs(gto, getter)
        verdict = "n/a: no items" if items == 0 and target is not None else None
        rows.append(Row(metric, value, target, over_runs(yls, getter) if yls else math.nan, unit, verdict))

    def items(index: int) -> int:
        done = [r for r in gto if r.error is None]
        return max((r.completion_items[index] for r in done), default=-1)

    add("start-up -> initialize answer", "start", "ms", lambda r: r.start)
    add("didOpen -> first diagnostics", "open", "ms", lambda r: r.open)
    add("desc edit -> diagnostics, median", "edit", "ms", lambda r: median(r.edits))
    add("desc edit -> diagnostics, p95", None, "ms", lambda r: p(r.edits, 95))
    add("server CPU per desc edit", None, "ms", lambda r: r.edit_cpu)
    add("error in/out -> diagnostics, median", "edit", "ms", lambda r: median(r.toggles))
    add("error in/out -> diagnostics, p95", None, "ms", lambda r: p(r.toggles, 95))
    add("server CPU per error edit", None, "ms", lambda r: r.toggle_cpu)
    add("completion field line, p50", None, "ms", lambda r: p(r.completion_field, 50))
    add("completion field line, p95", "completion", "ms", lambda r: p(r.completion_field, 95), items(0))
    add("completion label item, p50", None, "ms", lambda r: p(r.completion_label, 50))
    add("completion label item, p95", "completion", "ms", lambda r: p(r.completion_label, 95), items(1))
    add("hover entry name, p50", None, "ms", lambda r: p(r.hover, 50))
    add("hover entry name, p95", "hover", "ms", lambda r: p(r.hover, 95), 1 if any(r.hover_chars for r in gto) else 0)
    add("RSS after open + edits (tree)", "rss", "MB", lambda r: r.rss)
    add("peak RSS at the end (tree)", None, "MB", lambda r: r.peak)
    return render(rows)


def notes(name: str, results: list[DvcResult]) -> list[str]:
    out = [f"  {name}: FAILED run {k + 1}: {r.error}" for k, r in enumerate(results) if r.error]
    done = [r for r in results if r.error is None]
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
    """The tables of runs recorded with --json (several files: their runs pooled), per size."""
    by_size: dict[int, dict[str, list[DvcResult]]] = {}
    for path in paths:
        with open(path) as handle:
            for line in handle:
                record = json.loads(line)
                size, server = record.pop("size"), record.pop("server")
                record.pop("run")
                record["completion_items"] = tuple(record["completion_items"])
                by_size.setdefault(size, {}).setdefault(server, []).append(DvcResult(**record))
    for size, results in sorted(by_size.items()):
        print(f"\n## dvc.yaml: {size} artifacts, runs of {', '.join(paths)}")
        report(size, results)


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
    servers: list[Server] = []
    if args.only != "yls":
        servers.append((GTO, gto_command(args), GTO_SETTINGS, args.gto_env))
    if args.only != "gto" and yls_problem is None:
        servers.append((YLS, yls_command(), yls_settings({}), None))
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


def main() -> None:
    parser = arguments(__doc__, "1000", 30, 50)
    parser.add_argument("--stages", type=int, default=STAGES, help=f"stages before the artifacts (default {STAGES})")
    parser.add_argument("--runs", type=int, default=5, help="sessions of each server, alternating (default 5)")
    parser.add_argument("--toggles", type=int, default=10, help="duplicate-name errors introduced and removed")
    parser.add_argument("--from-json", nargs="+", metavar="FILE", help="only print the tables of recorded runs")
    args = parser.parse_args()
    if args.from_json:
        from_json(args.from_json)
        return

    def bench(base: Path, yls_problem: Optional[str]) -> None:
        for size in (int(s) for s in args.sizes.split(",")):
            asyncio.run(bench_size(size, args, base, yls_problem))

    run(args, "bench_dvc", bench)


if __name__ == "__main__":
    main()

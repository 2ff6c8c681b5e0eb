"""The dvc.yaml pipeline of issue 14 (item 7), and DVC 3.67.1's own loader timed on it.

Run: .venv/bin/python bench/bench_dvc_loader.py [--stages 500] [--artifacts 1000] [--runs 5] [--keep]

`make_pipeline_workspace` writes a DVC project into a temporary git repository: a dvc.yaml of `--stages` stage
definitions in groups of ten (plain stages, `foreach` over a list from `vars:` and over a literal dict, `matrix`
with a `${}` dimension, `wdir`, stage-level `vars:`, `${}` from params.yaml, a vars file and inline vars, in `cmd`,
deps, outs and `desc`; deps, params in both forms, outs with flags, metrics, plots), top-level `params:`,
`metrics:` and `plots:`, then `artifacts:` of `--artifacts` entries (a quarter committed files, the rest outputs of
`foreach` stages and of plain ones; every 10th `desc` has a `${}`). params.yaml, the vars and params files, the
scripts and the raw data the stages read are on disk and committed; the outputs are not (a fresh clone). One
dependency, `src/missing_helper.py` in the first stage, exists nowhere and no stage writes it: DVC loads the
project all the same, gto-lsp warns (the check that the pipeline rules run).

`dvc_loader_runs` times DVC's loader on that repository, each run a fresh process of the dvc367 venv (as a `dvc`
command is): `import dvc.repo`, `Repo(root)`, `repo.index` with every stage built (schema, `${}` resolution,
foreach/matrix expansion: `list(index.stages)`), `index.graph` (the DAG with its overlap and cycle checks) and
`repo.artifacts.read()`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers.git import git, make_repo  # noqa: E402  (the tests' repositories)

DVC_PYTHON = ROOT / ".cache" / "gto-venvs" / "dvc367" / "bin" / "python"
STAGES, ARTIFACTS = 500, 1000
PER_GROUP = 10  # stage definitions per group
MODELS, SPLITS = ("rf", "xgb", "lr"), ("val", "test")  # the `vars:` lists that foreach and matrix iterate
MATRIX_MODELS = ("rf", "xgb")
TYPES = ("model", "model", "dataset", "notebook")
MISSING_DEP = "src/missing_helper.py"  # in the first stage: neither on disk nor written by a stage

PARAMS_YAML = """\
seed: 42
prepare:
  split: 0.2
  shuffle: true
featurize:
  max_features: 200
  ngrams: 2
train:
  lr: 0.1
  epochs: 10
  batch_size: 64
evaluate:
  threshold: 0.5
"""
COMMON_YAML = "data_dir: data\nreport:\n  format: html\n  title: Weekly models\n"
TRAIN_YAML = "optimizer: adam\nschedule:\n  warmup: 100\n  decay: 0.99\n"
SCRIPTS = ("prepare", "featurize", "train", "tune", "evaluate", "compare", "select", "export", "report")


def group_text(g: str, first: bool) -> str:
    """The ten stage definitions of group `g` (`g000`...)."""
    missing = f"    - {MISSING_DEP}\n" if first else ""
    return f"""\
  prepare-{g}:
    cmd: python src/prepare.py --split ${{prepare.split}} --seed ${{seed}} ${{data_dir}}/raw/{g}.csv data/prepared/{g}
    deps:
    - src/prepare.py
{missing}    - ${{data_dir}}/raw/{g}.csv
    params:
    - prepare.split
    - prepare.shuffle
    - seed
    outs:
    - data/prepared/{g}
  clean-{g}:
    wdir: src/clean
    cmd: python clean.py ../../data/prepared/{g} ../../data/clean/{g}
    deps:
    - clean.py
    - ../../data/prepared/{g}
    outs:
    - ../../data/clean/{g}
  featurize-{g}:
    cmd: python src/featurize.py --max ${{featurize.max_features}} --ngrams ${{featurize.ngrams}} data/clean/{g}
    deps:
    - src/featurize.py
    - data/clean/{g}
    params:
    - featurize
    - config/train.yaml:
      - optimizer
      - schedule.warmup
    outs:
    - data/features/{g}
  train-{g}:
    foreach: ${{models}}
    do:
      cmd: python src/train.py --model ${{item}} --lr ${{train.lr}} --epochs ${{train.epochs}} data/features/{g}
      deps:
      - src/train.py
      - data/features/{g}
      params:
      - train.lr
      - train.epochs
      outs:
      - models/{g}/${{item}}.pkl
  tune-{g}:
    foreach:
      small:
        depth: 3
        trees: 100
      large:
        depth: 8
        trees: 400
    do:
      cmd: python src/tune.py --depth ${{item.depth}} --trees ${{item.trees}} --out models/{g}/tuned-${{key}}.pkl
      deps:
      - src/tune.py
      - models/{g}/rf.pkl
      outs:
      - models/{g}/tuned-${{key}}.pkl
  evaluate-{g}:
    matrix:
      model:
      - rf
      - xgb
      split: ${{splits}}
    cmd: python src/evaluate.py --threshold ${{evaluate.threshold}} models/{g}/${{item.model}}.pkl ${{item.split}}
    deps:
    - src/evaluate.py
    - models/{g}/${{item.model}}.pkl
    params:
    - evaluate.threshold
    metrics:
    - metrics/{g}/${{item.model}}-${{item.split}}.json:
        cache: false
    plots:
    - plots/{g}/${{item.model}}-${{item.split}}/roc.csv:
        cache: false
        x: fpr
        y: tpr
  compare-{g}:
    cmd: python src/compare.py metrics/{g} reports/{g}/compare.json
    deps:
    - src/compare.py
{"".join(f"    - metrics/{g}/{m}-{s}.json{chr(10)}" for m in MATRIX_MODELS for s in SPLITS)}    outs:
    - reports/{g}/compare.json:
        cache: false
  select-{g}:
    vars:
    - top_k: 3
      metric: f1
    cmd: python src/select.py --top ${{top_k}} --by ${{metric}} reports/{g}/compare.json > reports/{g}/selected.txt
    deps:
    - src/select.py
    - reports/{g}/compare.json
    - models/{g}/tuned-large.pkl
    outs:
    - reports/{g}/selected.txt
  export-{g}:
    cmd: python src/export.py models/{g}/tuned-large.pkl exports/{g}/model.onnx
    deps:
    - src/export.py
    - models/{g}/tuned-large.pkl
    - reports/{g}/selected.txt
    outs:
    - exports/{g}/model.onnx:
        cache: false
        persist: true
        desc: ONNX export of group {g}
  report-{g}:
    desc: Report of group {g} (${{report.format}})
    meta:
      owner: team-{int(g[1:]) % 7}
      reviewed: false
    always_changed: true
    cmd: python src/report.py --format ${{report.format}} reports/{g} plots/{g}/pr.json
    deps:
    - src/report.py
    - reports/{g}/compare.json
    - reports/{g}/selected.txt
    metrics:
    - reports/{g}/summary.json:
        cache: false
    plots:
    - plots/{g}/pr.json:
        cache: false
        x: recall
        y: precision
"""


def groups_of(stages: int) -> list[str]:
    return [f"g{k:03d}" for k in range(max(1, stages // PER_GROUP))]


def artifact_path(i: int, groups: list[str]) -> str:
    """A quarter committed files; the rest outputs of a foreach over a list, over a dict, and of a plain stage."""
    g = groups[i % len(groups)]
    kind = i % 4
    if kind == 0:
        return f"models/published/m{i:05d}.pkl"
    if kind == 1:
        return f"models/{g}/{MODELS[i % len(MODELS)]}.pkl"
    return f"models/{g}/tuned-large.pkl" if kind == 2 else f"exports/{g}/model.onnx"


def make_pipeline_text(stages: int = STAGES, count: int = ARTIFACTS) -> str:
    """The dvc.yaml, in DVC's writer's layout (2-space mappings, `- ` at the parent key's column)."""
    groups = groups_of(stages)
    parts = [
        "vars:\n- config/common.yaml\n- models:\n"
        + "".join(f"  - {m}\n" for m in MODELS)
        + "  splits:\n"
        + "".join(f"  - {s}\n" for s in SPLITS)
        + "stages:\n"
    ]
    parts.extend(group_text(g, k == 0) for k, g in enumerate(groups))
    parts.append(
        "params:\n- config/train.yaml\nmetrics:\n- reports/summary.json\n"
        "plots:\n- plots/overview.json:\n    template: linear\n    x: step\n    y: loss\n"
        "- Precision-recall:\n    template: simple\n    x: recall\n    y:\n"
        f"      plots/{groups[0]}/pr.json: precision\n"
        "artifacts:\n"
    )
    for i in range(count):
        desc = f"Model {i} of group {groups[i % len(groups)]}" + (" (lr ${train.lr})" if i % 10 == 0 else "")
        parts.append(
            f"  model-{i:05d}:\n"
            f"    path: {artifact_path(i, groups)}\n"
            f"    desc: {desc}\n"
            f"    type: {TYPES[i % len(TYPES)]}\n"
            f"    labels:\n    - ml\n    - team-{i % 7}\n"
            f"    meta:\n      owner: team-{i % 7}\n      run: {i}\n"
        )
    return "".join(parts)


def make_pipeline_workspace(base: Path, stages: int = STAGES, count: int = ARTIFACTS) -> tuple[Path, Path, str]:
    """(repository, its dvc.yaml, the text): the project as just cloned, its inputs on disk and committed."""
    repo = base / "repo"
    (repo / ".dvc").mkdir(parents=True)
    (repo / ".dvc" / "config").write_text("")
    (repo / ".dvc" / ".gitignore").write_text("/config.local\n/tmp\n/cache\n")
    (repo / "params.yaml").write_text(PARAMS_YAML)
    (repo / "config").mkdir()
    (repo / "config" / "common.yaml").write_text(COMMON_YAML)
    (repo / "config" / "train.yaml").write_text(TRAIN_YAML)
    (repo / "src" / "clean").mkdir(parents=True)
    for script in SCRIPTS:
        (repo / "src" / f"{script}.py").write_text(f"print('{script}')\n")
    (repo / "src" / "clean" / "clean.py").write_text("print('clean')\n")
    (repo / "data" / "raw").mkdir(parents=True)
    for g in groups_of(stages):
        (repo / "data" / "raw" / f"{g}.csv").write_text("a,b\n1,2\n")
    (repo / "models" / "published").mkdir(parents=True)
    for i in range(0, count, 4):
        (repo / "models" / "published" / f"m{i:05d}.pkl").write_bytes(b"model %d\n" % i)
    outputs = ("data/prepared", "data/clean", "data/features", "models/g*", "metrics", "plots", "reports", "exports")
    (repo / ".gitignore").write_text("".join(f"/{o}\n" for o in outputs))
    text = make_pipeline_text(stages, count)
    index = repo / "dvc.yaml"
    index.write_text(text)
    make_repo(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pipeline, its inputs and the models' annotations")
    return repo, index, text


class Places(NamedTuple):
    """The lines the scenarios edit (one-line edits leave them in place)."""

    prepare: int  # the middle group's first stage: the half-typed stage goes before it
    cmd: int  # its `cmd`: typed into
    do_cmd: int  # the `cmd` of the middle group's foreach over a list: its `${train.lr}` made undefined and back
    desc: int  # the middle artifact's `desc`: typed into


def line_of(lines: list[str], start: int, prefix: str) -> int:
    return next(n for n in range(start, len(lines)) if lines[n].startswith(prefix))


def places_of(lines: list[str], stages: int, count: int) -> Places:
    groups = groups_of(stages)
    prepare = line_of(lines, 0, f"  prepare-{groups[len(groups) // 2]}:")
    train = line_of(lines, prepare, "  train-")
    artifact = line_of(lines, lines.index("artifacts:"), f"  model-{count // 2:05d}:")
    return Places(
        prepare,
        line_of(lines, prepare, "    cmd:"),
        line_of(lines, train, "      cmd:"),
        line_of(lines, artifact, "    desc:"),
    )


def edited(lines: list[str], at: Places, kind: str, k: int) -> None:
    """The `k`th edit of `kind` made in `lines`: a character typed at the end of the cmd ("cmd") or of the desc
    ("artifact"), or `${train.lr}` -> `${train.lx}` (undefined) and back ("interpolation")."""
    if kind == "interpolation":
        old, new = (LR, UNDEFINED) if k % 2 == 0 else (UNDEFINED, LR)
        lines[at.do_cmd] = lines[at.do_cmd].replace(old, new)
    else:
        lines[at.cmd if kind == "cmd" else at.desc] += "x"


# --- gto-lsp's core, in-process ---------------------------------------------------------------------------

EDIT_KINDS = ("cmd", "interpolation", "artifact")
LR, UNDEFINED = "${train.lr}", "${train.lx}"


# Functions of the dvc format timed by --timers (CPU ms per edit, inclusive): where they are defined and wherever a
# gto_lsp module imported them. Private names, as trace_gto.py: a name renamed since is reported and skipped.
TIMED = (
    ("gto_lsp.core.formats.dvc.document", "parse_dvc"),
    ("gto_lsp.core.formats.dvc.document", "_cut_stages"),
    ("gto_lsp.core.formats.dvc.document", "_stage_problems"),
    ("gto_lsp.core.formats.dvc.document", "_parse_artifacts"),
    ("gto_lsp.core.formats.dvc.document", "_parse_top"),
    ("gto_lsp.core.formats.dvc.document", "_spliced"),
    ("gto_lsp.core.formats.dvc.section_cut", "cut_section"),
    ("gto_lsp.core.formats.dvc.section_cut", "splice_cut"),
    ("gto_lsp.core.formats.dvc.rules", "check_dvc"),
    ("gto_lsp.core.formats.dvc.rules", "_spliced"),
    ("gto_lsp.core.formats.dvc.rules", "_path_problems"),
    ("gto_lsp.core.formats.dvc.pipeline.validate", "schema_problems"),
    ("gto_lsp.core.formats.dvc.pipeline.variables", "variable_problems"),
    ("gto_lsp.core.formats.dvc.pipeline.scope", "top_context"),
    ("gto_lsp.core.formats.dvc.pipeline.graph", "build_pipeline"),
    ("gto_lsp.core.formats.dvc.pipeline.graph", "pipeline_problems"),
)


def install_timers(spent: dict[str, float]) -> list[str]:
    """Wrap the TIMED functions so that each call adds its CPU ms to `spent[name]`; the names not found."""
    import functools
    import importlib

    missing = []
    for module_name, name in TIMED:
        original = getattr(importlib.import_module(module_name), name, None)
        if original is None:
            missing.append(f"{module_name}.{name}")
            continue

        def timed(*args: Any, _name: str = name, _run: Any = original, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return _run(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0.0) + (time.process_time() - start) * 1000

        wrapped = functools.wraps(original)(timed)
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("gto_lsp") and getattr(module, name, None) is original:
                setattr(module, name, wrapped)
    return missing


class HeadStandIn:
    """The server's `in_head` (one object per HEAD): every path is at HEAD."""

    def __call__(self, path: str) -> bool:
        return True


def gto_core(repo: Path, text: str, stages: int, count: int, edits: int, profile: int, timers: bool) -> list[str]:
    """CPU ms (time.process_time) of what the server runs for the dvc format after a change, in-process: the
    incremental parse, the stages' outputs (`Format.stage_outputs`, asked by publish_for with no `in_head`) and the
    check (with the server's `in_head`, one object per HEAD, and the same exists cache); the first, then per kind of
    edit (collector frozen after the first parse, as the server does). `profile`: cProfile's top functions per kind;
    `timers`: the TIMED functions' CPU per edit (medians)."""
    import cProfile
    import gc
    import io
    import pstats

    from gto_lsp.core.codes import CheckSettings
    from gto_lsp.core.config import Config
    from gto_lsp.core.formats.dvc.format import DVC
    from gto_lsp.core.repo.fs import ExistsCache, RepoView

    spent: dict[str, float] = {}
    out = [f"  not timed (not found): {', '.join(missing)}" for missing in [install_timers(spent)] if missing]
    cache, head, config, settings = ExistsCache(), HeadStandIn(), Config(), CheckSettings()

    def cpu(run: Callable[..., Any], *args: Any) -> tuple[float, Any]:
        start = time.process_time()
        value = run(*args)
        return (time.process_time() - start) * 1000, value

    def outputs_then_check(document: Any) -> tuple[float, float, Any]:
        assert DVC.stage_outputs is not None
        outputs_ms, _ = cpu(DVC.stage_outputs, document, RepoView(repo, None, cache), "")
        check_ms, problems = cpu(DVC.check, document, RepoView(repo, head, cache), config, "", settings)
        return outputs_ms, check_ms, problems

    parse_ms, document = cpu(DVC.parse, text, None)
    outputs_ms, check_ms, problems = outputs_then_check(document)
    codes = Counter(problem.code for problem in problems)
    out.insert(
        0,
        f"gto-lsp's core, in-process (CPU): first parse {parse_ms:.0f} ms, outputs {outputs_ms:.0f} ms, check "
        f"{check_ms:.0f} ms; {len(problems)} problems ({', '.join(f'{c} {n}' for c, n in codes.most_common())})",
    )
    if timers:
        out.extend(f"    {name:<20} {ms:7.2f} ms" for name, ms in spent.items())
    gc.freeze()
    for kind in EDIT_KINDS:
        lines, previous, at = text.split("\n"), document, places_of(text.split("\n"), stages, count)
        figures: dict[str, list[float]] = {}
        profiler = cProfile.Profile()
        for k in range(edits):
            edited(lines, at, kind, k)
            new = "\n".join(lines)
            spent.clear()
            if profile:
                profiler.enable()
            parse_ms, previous = cpu(DVC.parse, new, previous)
            outputs_ms, check_ms, _ = outputs_then_check(previous)
            if profile:
                profiler.disable()
            for name, ms in {"parse": parse_ms, "outputs": outputs_ms, "check": check_ms, **spent}.items():
                figures.setdefault(name, []).append(ms)
        out.append(
            f"  {kind} edit (medians of {edits}): "
            + ", ".join(f"{name} {statistics.median(figures[name]):.1f} ms" for name in ("parse", "outputs", "check"))
        )
        if timers:
            out.extend(
                f"    {name:<20} {statistics.median(values):7.2f} ms (max {max(values):.2f})"
                for name, values in figures.items()
                if name not in ("parse", "outputs", "check")
            )
        if profile:
            report = io.StringIO()
            pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(profile)
            out.append(report.getvalue())
    return out


# --- DVC's loader ---------------------------------------------------------------------------------------

# Runs in the dvc367 venv; prints one JSON line of milliseconds and counts.
DVC_SCRIPT = r"""
import json, sys, time
start = time.perf_counter()
from dvc.repo import Repo
imported = time.perf_counter()
repo = Repo(sys.argv[1])
opened = time.perf_counter()
stages = list(repo.index.stages)
indexed = time.perf_counter()
graph = repo.index.graph
graphed = time.perf_counter()
artifacts = repo.artifacts.read()
read = time.perf_counter()
ms = lambda a, b: round((b - a) * 1000, 2)
print(json.dumps({
    "import": ms(start, imported), "repo": ms(imported, opened), "index": ms(opened, indexed),
    "graph": ms(indexed, graphed), "artifacts": ms(graphed, read), "load": ms(imported, read),
    "stages": len(stages), "edges": graph.number_of_edges(),
    "artifact_count": sum(len(v) for v in artifacts.values()),
}))
"""
PARTS = ("import", "repo", "index", "graph", "artifacts", "load", "process")


def dvc_loader_runs(repo: Path, runs: int) -> tuple[list[dict[str, float]], Optional[str]]:
    """`runs` fresh processes of DVC's loader on `repo` (ms per part, "process": the whole process' wall time,
    start-up included; counts), or the reason it could not run."""
    if not DVC_PYTHON.exists():
        return [], f"{DVC_PYTHON} is missing: scripts/gto-venvs.sh makes it"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GTO_", "PYTHON"))}
    env["DVC_NO_ANALYTICS"] = "1"
    env["DVC_SITE_CACHE_DIR"] = str(repo.parent / "dvc-site-cache")
    out: list[dict[str, float]] = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [str(DVC_PYTHON), "-c", DVC_SCRIPT, str(repo)], capture_output=True, text=True, env=env, cwd=repo
        )
        elapsed = (time.perf_counter() - started) * 1000
        if result.returncode != 0:
            return out, "DVC's loader failed: " + result.stderr.strip()[-800:]
        record = json.loads(result.stdout.strip().splitlines()[-1])
        record["process"] = round(elapsed, 2)
        out.append(record)
    return out, None


def loader_lines(runs: list[dict[str, float]]) -> list[str]:
    """One line per part: median, min-max over the runs."""
    if not runs:
        return []
    first = runs[0]
    out = [
        f"DVC 3.67.1's loader, {len(runs)} fresh processes: {first['stages']:.0f} stages built, "
        f"{first['edges']:.0f} DAG edges, {first['artifact_count']:.0f} artifacts read"
    ]
    names = {
        "import": "import dvc.repo",
        "repo": "Repo(root)",
        "index": "repo.index, every stage built",
        "graph": "index.graph (DAG, overlap checks)",
        "artifacts": "repo.artifacts.read()",
        "load": "Repo(root) -> artifacts read (no import)",
        "process": "whole process (python start-up included)",
    }
    for part in PARTS:
        values = [r[part] for r in runs]
        out.append(
            f"  {names[part]:<42} {statistics.median(values):8.0f} ms  (runs {min(values):.0f}-{max(values):.0f})"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", type=int, default=STAGES)
    parser.add_argument("--artifacts", type=int, default=ARTIFACTS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the workspace")
    parser.add_argument("--gto", action="store_true", help="also time gto-lsp's core in-process (this work tree)")
    parser.add_argument("--edits", type=int, default=15, help="with --gto: edits of each kind (default 15)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="with --gto: cProfile's top N per kind")
    parser.add_argument(
        "--timers", action="store_true", help="with --gto: CPU per edit of the parse's and check's parts"
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="gto-bench-dvc-loader-"))
    try:
        repo, _, text = make_pipeline_workspace(base, args.stages, args.artifacts)
        print(f"dvc.yaml: {args.stages} stages, {args.artifacts} artifacts ({len(text) / 1024:.0f} KB)")
        runs, problem = dvc_loader_runs(repo, args.runs)
        print("\n".join(loader_lines(runs)) if runs else "", problem or "", sep="\n")
        if args.gto:
            print("\n".join(gto_core(repo, text, args.stages, args.artifacts, args.edits, args.profile, args.timers)))
    finally:
        if args.keep:
            print(f"workspace kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

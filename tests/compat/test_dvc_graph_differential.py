"""Differential tests: dvc.yaml's pipeline (formats/dvc/pipeline/graph.py) against real DVC 3.67.1's index.

For each case (realistic pipelines: prepare/featurize/train/evaluate, foreach over datasets, a matrix of models,
wdir, params, nested dvc.yaml files), the stages DVC builds (names, `name@key` for generated ones, `sub/dvc.yaml:name`
below the root), each stage's outputs and the DAG's edges (`index.graph`) equal ours; and DVC refuses the project
(OutputDuplicationError, OverlappingOutputPathsError, CyclicGraphError) exactly when we report the matching code,
in one file (pipeline_problems) or across files (repository_problems).
All DVC calls run in one subprocess (dvc_graph_runner.py).
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import pytest

from compat import dvc_graph_runner
from compat import gto_runner as gr
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.pipeline.graph import Pipeline, build_pipeline, pipeline_problems, repository_problems
from gto_lsp.core.navigation import Place
from gto_lsp.core.repo.fs import RepoView

pytestmark = pytest.mark.compat

CLASSIC = """\
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
      - data/data.xml
      - src/prepare.py
    params:
      - prepare.seed
      - prepare.split
    outs:
      - data/prepared
  featurize:
    cmd: python src/featurization.py data/prepared data/features
    deps:
      - data/prepared
      - src/featurization.py
    params:
      - featurize.max_features
    outs:
      - data/features
  train:
    cmd: python src/train.py data/features model.pkl
    deps:
      - data/features
      - src/train.py
    params:
      - train.seed
      - train.n_est
    outs:
      - model.pkl
  evaluate:
    cmd: python src/evaluate.py model.pkl data/features
    deps:
      - data/features
      - model.pkl
      - src/evaluate.py
    metrics:
      - eval/metrics.json:
          cache: false
    plots:
      - eval/plots/images
      - eval/plots/sklearn/roc/train.json:
          x: fpr
          y: tpr
"""
PARAMS = "prepare:\n  seed: 1\n  split: 0.2\nfeaturize:\n  max_features: 100\ntrain:\n  seed: 2\n  n_est: 50\n"

FOREACH = """\
vars:
  - datasets: [train, test, valid]
stages:
  download:
    foreach: ${datasets}
    do:
      cmd: curl -o raw/${item}.csv https://example.com/${item}.csv
      outs:
        - raw/${item}.csv
  clean:
    foreach: ${datasets}
    do:
      cmd: python clean.py ${item}
      deps:
        - raw/${item}.csv
      outs:
        - clean/${item}.parquet
  merge:
    cmd: python merge.py
    deps:
      - clean
    outs:
      - merged.parquet
"""

MATRIX = """\
stages:
  split:
    cmd: python split.py
    deps: [data.csv]
    outs: [splits]
  train:
    matrix:
      model: [rf, xgb, lr]
      fold: [0, 1]
    cmd: python train.py --model ${item.model} --fold ${item.fold}
    deps:
      - splits/fold${item.fold}
    outs:
      - models/${item.model}/fold${item.fold}.pkl
    metrics:
      - scores/${key}.json:
          cache: false
  compare:
    cmd: python compare.py
    deps:
      - scores
    plots:
      - compare.csv
"""

FOREACH_DICT = """\
stages:
  build:
    foreach:
      small: {size: 10, seed: 1}
      large: {size: 1000, seed: 2}
    do:
      cmd: python gen.py --size ${item.size} --seed ${item.seed}
      outs:
        - gen/${key}.bin
  report:
    cmd: python report.py
    deps:
      - gen/small.bin
      - gen/large.bin
    outs:
      - report.html:
          persist: true
"""

WDIR = """\
stages:
  fetch:
    cmd: ./fetch.sh
    wdir: scripts
    outs:
      - ../data/raw
  process:
    cmd: python process.py
    wdir: src
    deps:
      - ../data/raw
      - process.py
    params:
      - ../params.yaml:
          - process
    outs:
      - ../data/processed
  train:
    cmd: python train.py
    wdir: src/model
    deps:
      - ../../data/processed
    outs:
      - ../../out/model
    metrics:
      - ../../out/metrics.json
"""

NESTED_ROOT = """\
stages:
  ingest:
    cmd: python ingest.py
    outs:
      - shared/tables
"""
NESTED_SUB = """\
stages:
  features:
    cmd: python features.py
    deps:
      - ../shared/tables
    outs:
      - features.npy
  train:
    cmd: python train.py
    deps:
      - features.npy
    outs:
      - model
"""
NESTED_DEEP = """\
stages:
  evaluate:
    cmd: python eval.py
    deps:
      - ../../ml/model
      - ../../shared/tables/test
    metrics:
      - metrics.json
"""

VARS_PARAMS = """\
vars:
  - config.yaml
  - out_dir: results
stages:
  train:
    cmd: python train.py --epochs ${epochs}
    deps:
      - ${data_dir}/train
    outs:
      - ${out_dir}/model.pt
  eval:
    cmd: python eval.py
    deps:
      - ${out_dir}/model.pt
      - ${data_dir}/test
    metrics:
      - ${out_dir}/metrics.json
"""

PARAMS_DEP = """\
stages:
  tune:
    cmd: python tune.py
    outs:
      - params.yaml:
          cache: false
  train:
    cmd: python train.py
    params:
      - lr
    outs:
      - model.bin
  custom:
    cmd: python other.py
    params:
      - conf/train.yaml:
    deps:
      - model.bin
"""

FOLDER_DEP = """\
stages:
  a:
    cmd: make a
    outs:
      - out/a
  b:
    cmd: make b
    outs:
      - out/b.txt
  all:
    cmd: tar czf all.tgz out
    deps:
      - out
    outs:
      - all.tgz
  inside:
    cmd: cat out/a/part-0
    deps:
      - out/a/part-0
"""

STAGE_VARS = """\
stages:
  train:
    vars:
      - name: baseline
    cmd: python train.py ${name}
    outs:
      - models/${name}.pkl
  serve:
    cmd: python serve.py
    deps:
      - models/baseline.pkl
"""

LIST_CMD = """\
stages:
  setup:
    cmd:
      - mkdir -p build
      - cp -r assets build/
    outs:
      - build
  site:
    cmd: hugo --source build
    deps:
      - build
    outs:
      - public
"""

FOREACH_LIST_OF_DICTS = """\
stages:
  convert:
    foreach:
      - {src: a.csv, dst: a.parquet}
      - {src: b.csv, dst: b.parquet}
    do:
      cmd: convert ${item.src} ${item.dst}
      deps:
        - in/${item.src}
      outs:
        - out/${item.dst}
  load:
    cmd: load out
    deps:
      - out/a.parquet
      - out/b.parquet
"""

DUPLICATE = """\
stages:
  train:
    cmd: python train.py
    outs:
      - model.pkl
  retrain:
    cmd: python retrain.py
    outs:
      - model.pkl
"""

DUPLICATE_METRICS = """\
stages:
  evaluate:
    cmd: python eval.py
    outs:
      - metrics.json
    metrics:
      - metrics.json
"""

OVERLAP = """\
stages:
  prepare:
    cmd: python prepare.py
    outs:
      - data
  extra:
    cmd: python extra.py
    outs:
      - data/extra.csv
"""

CYCLE = """\
stages:
  a:
    cmd: a
    deps: [c.txt]
    outs: [a.txt]
  b:
    cmd: b
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: c
    deps: [b.txt]
    outs: [c.txt]
  d:
    cmd: d
    deps: [c.txt]
"""

SELF_CYCLE = """\
stages:
  update:
    cmd: python update.py
    deps:
      - state.json
    outs:
      - state.json
"""

FOREACH_DUPLICATE = """\
stages:
  render:
    foreach: [a, b, a2]
    do:
      cmd: render ${item}
      outs:
        - out.png
"""

CYCLE_FOLDER = """\
stages:
  pack:
    cmd: pack
    deps:
      - dist
    outs:
      - dist/pack.zip
"""

FROM_PARAMS = """\
stages:
  split:
    foreach: ${splits}
    do:
      cmd: python split.py ${item}
      deps:
        - ${paths.raw}
      outs:
        - ${paths.splits}/${item}.csv
  train:
    wdir: ${paths.code}
    cmd: python train.py --lr ${train.lr}
    deps:
      - ../${paths.splits}
    outs:
      - ../${paths.model}
"""
FROM_PARAMS_YAML = """\
splits: [train, test]
paths:
  raw: data/raw.csv
  splits: data/splits
  code: src
  model: models/model.pt
train:
  lr: 0.01
"""

ACROSS_ROOT = "stages:\n  make:\n    cmd: make\n    deps: [sub/report.txt]\n    outs: [data/table.csv]\n"
ACROSS_SUB_DUPLICATE = "stages:\n  copy:\n    cmd: cp\n    outs: [../data/table.csv]\n"
ACROSS_SUB_OVERLAP = "stages:\n  fill:\n    cmd: fill\n    outs: [../data]\n"
ACROSS_SUB_CYCLE = "stages:\n  report:\n    cmd: report\n    deps: [../data/table.csv]\n    outs: [report.txt]\n"
ACROSS_SUB_FINE = "stages:\n  report:\n    cmd: report\n    deps: [../data/table.csv]\n    outs: [summary.txt]\n"

CASES: dict[str, dict[str, str]] = {
    "classic": {"dvc.yaml": CLASSIC, "params.yaml": PARAMS},
    "foreach": {"dvc.yaml": FOREACH},
    "matrix": {"dvc.yaml": MATRIX},
    "foreach-dict": {"dvc.yaml": FOREACH_DICT},
    "wdir": {"dvc.yaml": WDIR},
    "nested": {"dvc.yaml": NESTED_ROOT, "ml/dvc.yaml": NESTED_SUB, "reports/q1/dvc.yaml": NESTED_DEEP},
    "vars-params": {"dvc.yaml": VARS_PARAMS, "config.yaml": "epochs: 10\ndata_dir: data\n"},
    "params-dep": {"dvc.yaml": PARAMS_DEP, "params.yaml": "lr: 0.1\n", "conf/train.yaml": "a: 1\n"},
    "folder-dep": {"dvc.yaml": FOLDER_DEP},
    "stage-vars": {"dvc.yaml": STAGE_VARS},
    "list-cmd": {"dvc.yaml": LIST_CMD},
    "foreach-list-of-dicts": {"dvc.yaml": FOREACH_LIST_OF_DICTS},
    "classic-in-sub": {"project/dvc.yaml": CLASSIC, "project/params.yaml": PARAMS},
    "matrix-and-foreach-in-sub": {"a/dvc.yaml": MATRIX, "b/dvc.yaml": FOREACH},
    "from-params": {"dvc.yaml": FROM_PARAMS, "params.yaml": FROM_PARAMS_YAML},
    "from-params-in-sub": {"team/dvc.yaml": FROM_PARAMS, "team/params.yaml": FROM_PARAMS_YAML},
    "across-files": {"dvc.yaml": ACROSS_ROOT, "sub/dvc.yaml": ACROSS_SUB_FINE},
    "duplicate-across-files": {"dvc.yaml": ACROSS_ROOT, "sub/dvc.yaml": ACROSS_SUB_DUPLICATE},
    "overlap-across-files": {"dvc.yaml": ACROSS_ROOT, "sub/dvc.yaml": ACROSS_SUB_OVERLAP},
    "cycle-across-files": {"dvc.yaml": ACROSS_ROOT, "sub/dvc.yaml": ACROSS_SUB_CYCLE},
    "duplicate": {"dvc.yaml": DUPLICATE},
    "duplicate-metrics": {"dvc.yaml": DUPLICATE_METRICS},
    "overlap": {"dvc.yaml": OVERLAP},
    "cycle": {"dvc.yaml": CYCLE},
    "self-cycle": {"dvc.yaml": SELF_CYCLE},
    "foreach-duplicate": {"dvc.yaml": FOREACH_DUPLICATE},
    "cycle-folder": {"dvc.yaml": CYCLE_FOLDER},
}
REFUSALS = {
    "OutputDuplicationError": "dvc-output-duplicated",
    "OverlappingOutputPathsError": "dvc-output-overlap",
    "CyclicGraphError": "dvc-cycle",
}


@pytest.fixture(scope="module")
def dvc_answers() -> dict[str, dict[str, Any]]:
    if gr.venv_python("dvc367") is None:
        pytest.skip(gr.missing_venv_message("dvc367"))
    answers = dvc_graph_runner.run_graphs([{"files": files} for files in CASES.values()])
    return dict(zip(CASES, answers))


def _ours(root: Path, files: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
    """Our stages (DVC's addresses), outputs and edges across every dvc.yaml of the case, and the codes of the
    refusing problems we report."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    repo = RepoView(root)
    pipelines: dict[str, Pipeline] = {}
    codes: set[str] = set()
    for rel, text in files.items():
        if posixpath.basename(rel) != "dvc.yaml":
            continue
        document = parse_dvc(text)
        place = Place(repo, posixpath.dirname(rel), rel)
        pipelines[rel] = build_pipeline(document.top, document.stages, place)
        codes |= {p.code for p in pipeline_problems(document.top, document.stages, place) if p.severity == "error"}
    codes |= {p.code for _, p in repository_problems(pipelines)}

    def address(rel: str, name: str) -> str:
        return name if rel == "dvc.yaml" else f"{rel}:{name}"

    stages: dict[str, Any] = {}
    for rel, pipeline in pipelines.items():
        for stage in pipeline.stages:
            deps = {
                address(other_rel, other.stages[i].name)
                for use in stage.reads
                if use.path is not None
                for other_rel, other in pipelines.items()
                for i in other.producers(use.path)
            }
            outs = sorted({use.path for use in stage.outs if use.path is not None})
            stages[address(rel, stage.name)] = {"outs": outs, "deps": sorted(deps)}
    return stages, codes


@pytest.mark.parametrize("name", list(CASES))
def test_pipeline_matches_dvc(name: str, dvc_answers: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    theirs = dvc_answers[name]
    stages, codes = _ours(tmp_path, CASES[name])
    if theirs["ok"]:
        assert codes == set(), (name, codes)
        assert stages == theirs["stages"], name
    else:
        assert theirs["type"] in REFUSALS, theirs
        assert REFUSALS[theirs["type"]] in codes, (name, theirs, codes)


def test_the_cases_cover_what_the_brief_names(dvc_answers: dict[str, dict[str, Any]]) -> None:
    """The suite cannot pass vacuously: generated stages, nested files and each refusal are among DVC's answers."""
    names = {stage for answer in dvc_answers.values() if answer["ok"] for stage in answer["stages"]}
    assert {"train@rf-0", "download@train", "build@small", "ml/dvc.yaml:train", "convert@0", "split@test"} <= names
    assert {a["type"] for a in dvc_answers.values() if not a["ok"]} == set(REFUSALS)
    assert sum(a["ok"] for a in dvc_answers.values()) >= 16

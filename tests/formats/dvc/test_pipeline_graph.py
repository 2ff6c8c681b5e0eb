"""dvc.yaml's pipeline (formats/dvc/pipeline/graph.py, stages.py): the stages as DVC builds them, the DAG, the
problems across stages, and the outputs that count as present for artifacts. Real files in a git repository."""

from __future__ import annotations

from pathlib import Path

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.config import Config
from gto_lsp.core.formats.dvc.document import DvcDocument, parse_dvc
from gto_lsp.core.formats.dvc.format import DVC
from gto_lsp.core.formats.dvc.pipeline.graph import (
    Pipeline,
    build_pipeline,
    cycles,
    pipeline_problems,
    repository_problems,
    stage_outputs,
)
from gto_lsp.core.navigation import Place
from gto_lsp.core.problems import Pos, Problem
from gto_lsp.core.repo.fs import RepoView
from helpers.git import make_repo

PIPELINE = """\
vars:
  - models: [rf, lr]
stages:
  prepare:
    cmd: python prepare.py
    deps:
      - data/raw.csv
    params:
      - prepare.split
      - conf/extra.yaml: [seed]
    outs:
      - data/prepared
  train:
    matrix:
      model: ${models}
      fold: [0, 1]
    cmd: python train.py ${item.model} ${item.fold}
    deps:
      - data/prepared
    outs:
      - models/${item.model}-${item.fold}.pkl:
          cache: false
  evaluate:
    wdir: src
    cmd:
      - python evaluate.py
      - echo done
    deps:
      - ../models
    metrics:
      - ../eval/metrics.json
    plots:
      - ../eval/roc.csv
"""


def _repo(tmp_path: Path, files: dict[str, str]) -> RepoView:
    root = make_repo(tmp_path / "repo")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return RepoView(root)


def _pipeline(text: str, repo: RepoView, folder: str = "") -> tuple[DvcDocument, Pipeline, Place]:
    document = parse_dvc(text)
    place = Place(repo, folder, f"{folder}/dvc.yaml" if folder else "dvc.yaml")
    return document, build_pipeline(document.top, document.stages, place), place


def _problems(text: str, repo: RepoView, folder: str = "") -> list[Problem]:
    document, _, place = _pipeline(text, repo, folder)
    return pipeline_problems(document.top, document.stages, place)


def _at(text: str, needle: str) -> Pos:
    offset = text.index(needle)
    line = text.count("\n", 0, offset)
    return Pos(line, offset - (text.rfind("\n", 0, offset) + 1))


def test_stages_as_dvc_builds_them(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"data/raw.csv": "x", "params.yaml": "prepare:\n  split: 0.2\n"})
    _, pipeline, _ = _pipeline(PIPELINE, repo, "ml")
    names = [s.name for s in pipeline.stages]
    assert names == ["prepare", "train@rf-0", "train@rf-1", "train@lr-0", "train@lr-1", "evaluate"]
    prepare, train, evaluate = pipeline.stages[0], pipeline.stages[1], pipeline.stages[-1]
    assert [(u.path, u.keys) for u in prepare.params] == [
        ("ml/params.yaml", ("prepare.split",)),
        ("ml/conf/extra.yaml", ("seed",)),
    ]
    assert train.cmd == "python train.py rf 0" and train.key == "train"
    assert [(u.text, u.path, u.flags) for u in train.outs] == [
        ("models/rf-0.pkl", "ml/models/rf-0.pkl", (("cache", "false"),))
    ]
    assert evaluate.wdir == "ml/src" and evaluate.cmd == "python evaluate.py\necho done"
    assert [(u.kind, u.path) for u in evaluate.outs] == [
        ("metrics", "ml/eval/metrics.json"),
        ("plots", "ml/eval/roc.csv"),
    ]
    # Spans are the document's: the dependency of prepare is where it is written.
    assert prepare.deps[0].span.start == _at(PIPELINE, "data/raw.csv")
    assert train.name_span.start == _at(PIPELINE, "train:")


def test_edges_follow_dvc_rule(tmp_path: Path) -> None:
    """A dependency on a folder that holds outputs reads all of them; one inside an output folder reads it."""
    _, pipeline, _ = _pipeline(PIPELINE, _repo(tmp_path, {}))
    index = {s.name: i for i, s in enumerate(pipeline.stages)}
    assert pipeline.upstream[index["train@lr-1"]] == (index["prepare"],)
    assert set(pipeline.upstream[index["evaluate"]]) == {
        index[n] for n in ("train@rf-0", "train@rf-1", "train@lr-0", "train@lr-1")
    }
    assert pipeline.downstream[index["prepare"]] == tuple(
        index[n] for n in ("train@rf-0", "train@rf-1", "train@lr-0", "train@lr-1")
    )
    assert pipeline.producers("data/prepared/part-0") == [index["prepare"]]
    assert cycles(pipeline) == []


def test_stage_outputs_count_generated_outputs_for_artifacts(tmp_path: Path) -> None:
    """An artifact whose path a matrix stage makes is no longer `path-missing`; one no stage makes still is."""
    text = PIPELINE + "artifacts:\n  rf:\n    path: models/rf-1.pkl\n  gone:\n    path: models/svm-0.pkl\n"
    repo = _repo(tmp_path, {})
    document = parse_dvc(text)
    assert "models/lr-0.pkl" in stage_outputs(document.top, document.stages, "")
    assert "eval/metrics.json" in stage_outputs(document.top, document.stages, "")
    problems = DVC.check(document, repo, Config(), "", CheckSettings())
    assert [(p.code, p.artifact) for p in problems if p.code == "path-missing"] == [("path-missing", "gone")]


def test_duplicated_outputs(tmp_path: Path) -> None:
    text = (
        "stages:\n  a:\n    cmd: a\n    outs:\n      - model.pkl\n      - model.pkl\n"
        "  b:\n    cmd: b\n    metrics:\n      - model.pkl\n"
    )
    (problem,) = _problems(text, _repo(tmp_path, {}))
    assert problem.code == "dvc-output-duplicated" and problem.severity == "error"
    assert problem.span.start == Pos(9, 8) and "stage `a`" in problem.message
    assert problem.related[0].span.start == Pos(4, 8)  # a path listed twice under one key is merged by DVC


def test_outputs_and_metrics_of_one_stage_duplicate(tmp_path: Path) -> None:
    text = "stages:\n  a:\n    cmd: a\n    outs: [m.json]\n    metrics: [m.json]\n"
    assert [p.code for p in _problems(text, _repo(tmp_path, {}))] == ["dvc-output-duplicated"]


def test_overlapping_outputs(tmp_path: Path) -> None:
    text = "stages:\n  a:\n    cmd: a\n    outs: [data]\n  b:\n    cmd: b\n    outs: [data/x.csv, database]\n"
    (problem,) = _problems(text, _repo(tmp_path, {}))
    assert problem.code == "dvc-output-overlap" and problem.span.start == _at(text, "data/x.csv")
    assert problem.related[0].span.start == _at(text, "data]")


def test_a_cycle_is_reported_once_per_stage_with_the_others_related(tmp_path: Path) -> None:
    text = (
        "stages:\n  a:\n    cmd: a\n    deps: [c]\n    outs: [a]\n  b:\n    cmd: b\n    deps: [a]\n    outs: [b]\n"
        "  c:\n    cmd: c\n    deps: [b]\n    outs: [c]\n  d:\n    cmd: d\n    deps: [c]\n"
    )
    problems = _problems(text, _repo(tmp_path, {}))
    assert [(p.code, p.span.start.line) for p in problems] == [("dvc-cycle", 1), ("dvc-cycle", 5), ("dvc-cycle", 9)]
    assert all(len(p.related) == 2 for p in problems)
    assert "`a`, `b`, `c`" in problems[0].message


def test_a_stage_reading_its_own_output_is_a_cycle(tmp_path: Path) -> None:
    text = "stages:\n  pack:\n    cmd: pack\n    deps: [dist]\n    outs: [dist/pack.zip]\n"
    (problem,) = _problems(text, _repo(tmp_path, {}))
    assert problem.code == "dvc-cycle" and "reads its own output" in problem.message


def test_cycle_search_is_linear_and_iterative() -> None:
    """10,000 stages in one ring: no recursion limit, one group."""
    count = 10_000
    stages = "".join(f"  s{i}:\n    cmd: x\n    deps: [f{(i - 1) % count}]\n    outs: [f{i}]\n" for i in range(count))
    document = parse_dvc("stages:\n" + stages)
    pipeline = build_pipeline(document.top, document.stages, Place(RepoView(), "", "dvc.yaml"))
    (group,) = cycles(pipeline)
    assert len(group) == count


def test_missing_dependencies_are_warnings(tmp_path: Path) -> None:
    text = (
        "stages:\n  a:\n    cmd: a\n    deps:\n      - here.csv\n      - tracked.csv\n      - made/by/b\n"
        "      - elsewhere.bin\n      - nowhere.csv\n      - s3://bucket/key\n  b:\n    cmd: b\n    outs: [made]\n"
    )
    repo = _repo(tmp_path, {"here.csv": "x", "tracked.csv.dvc": "outs:\n- path: tracked.csv\n"})
    repo.outputs = frozenset({"elsewhere.bin"})  # made by a stage of another dvc.yaml
    (problem,) = _problems(text, repo)
    assert (problem.code, problem.severity, problem.data) == (
        "dvc-dependency-missing",
        "warning",
        {"path": "nowhere.csv"},
    )
    assert problem.span.start == _at(text, "nowhere.csv")


def test_unresolved_paths_and_no_repository_report_nothing_missing(tmp_path: Path) -> None:
    text = "stages:\n  a:\n    cmd: a\n    deps: [gone.csv]\n  b:\n    cmd: b\n    deps:\n      - ${nothing}/x\n"
    assert _problems(text, RepoView()) == []
    assert [p.data for p in _problems(text, _repo(tmp_path, {}))] == [{"path": "gone.csv"}]


def test_an_edit_rereads_only_the_stage_it_touched(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {})
    document, before, place = _pipeline(PIPELINE, repo)
    edited = parse_dvc(PIPELINE.replace("python prepare.py", "python prepare.py --fast"), document)
    after = build_pipeline(edited.top, edited.stages, place)
    assert after.stages[0].cmd == "python prepare.py --fast"
    assert all(a is b for a, b in zip(before.stages[1:], after.stages[1:]))
    again = parse_dvc(edited.text + "artifacts:\n  m:\n    path: model.pkl\n", edited)
    assert build_pipeline(again.top, again.stages, place).stages[0] is after.stages[0]


def test_views_differing_only_in_outputs_share_the_stages(tmp_path: Path) -> None:
    """The check (the repository's outputs known) and stage_outputs (none) alternate on every edit: the stages
    they read are the same objects, and the graph of an unchanged file is not rebuilt."""
    repo = _repo(tmp_path, {})
    document, first, place = _pipeline(PIPELINE, repo)
    other = RepoView(repo.root, None, repo.exists_cache, outputs=frozenset({"elsewhere"}))
    second = build_pipeline(document.top, document.stages, Place(other, place.folder, place.file))
    assert all(a is b for a, b in zip(first.stages, second.stages)) and second is first
    stage_outputs(document.top, document.stages, "")
    assert build_pipeline(document.top, document.stages, place) is first


def test_problems_across_dvc_files(tmp_path: Path) -> None:
    """Two files writing one output, one file's output inside another's, a cycle through both: each reported in
    the file of the stage at fault, with the other file's location related; nothing within one file repeated."""
    root_text = "stages:\n  make:\n    cmd: make\n    deps: [sub/report.txt]\n    outs: [data/table.csv, a.txt, b]\n"
    sub_text = (
        "stages:\n  copy:\n    cmd: cp\n    outs: [../a.txt, ../b/c]\n"
        "  report:\n    cmd: report\n    deps: [../data/table.csv]\n    outs: [report.txt]\n"
    )
    repo = _repo(tmp_path, {})
    pipelines = {
        "dvc.yaml": _pipeline(root_text, repo)[1],
        "sub/dvc.yaml": _pipeline(sub_text, repo, "sub")[1],
    }
    found = sorted(
        (file, p.code, p.span.start.line, [r.file for r in p.related]) for file, p in repository_problems(pipelines)
    )
    assert found == [
        ("dvc.yaml", "dvc-cycle", 1, ["sub/dvc.yaml"]),
        ("sub/dvc.yaml", "dvc-cycle", 4, ["dvc.yaml"]),
        ("sub/dvc.yaml", "dvc-output-duplicated", 3, ["dvc.yaml"]),
        ("sub/dvc.yaml", "dvc-output-overlap", 3, ["dvc.yaml"]),
    ]
    message = next(p.message for _, p in repository_problems(pipelines) if p.code == "dvc-output-duplicated")
    assert "stage `make` of `dvc.yaml`" in message
    alone = {"sub/dvc.yaml": _pipeline(sub_text + "  again:\n    cmd: x\n    outs: [report.txt]\n", repo, "sub")[1]}
    assert repository_problems(alone) == []  # within one file: pipeline_problems reports it

"""Finding one's way in dvc.yaml's pipeline (formats/dvc/pipeline/navigate.py): outline, hover, definitions,
references, links and path completion, on real files in a git repository."""

from __future__ import annotations

from pathlib import Path

from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.pipeline.navigate import (
    outline,
    path_links,
    path_suggestions,
    stage_definitions,
    stage_hover,
    stage_references,
)
from gto_lsp.core.navigation import Place, Target
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.repo.fs import RepoView
from helpers.git import make_repo

TEXT = """\
vars:
  - config.yaml
  - lr: 0.1
stages:
  prepare:
    cmd: python prepare.py
    params:
      - lr
    deps:
      - data/raw.csv
      - prepare.py
    outs:
      - data/prepared
  train:
    foreach: [a, b]
    do:
      cmd: python train.py ${item}
      deps:
        - data/prepared
      outs:
        - models/${item}.pkl
  report:
    wdir: reports
    cmd: python report.py
    deps:
      - ../models/a.pkl
      - ../shared/tables
      -\x20
plots:
  - eval/roc.csv
metrics:
  - eval/metrics.json
artifacts:
  model:
    path: models/a.pkl
"""


def _place(tmp_path: Path, files: dict[str, str], folder: str = "") -> Place:
    root = make_repo(tmp_path / "repo")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return Place(RepoView(root), folder, f"{folder}/dvc.yaml" if folder else "dvc.yaml")


def _at(needle: str, shift: int = 0, text: str = TEXT) -> Pos:
    offset = text.index(needle) + shift
    line = text.count("\n", 0, offset)
    return Pos(line, offset - (text.rfind("\n", 0, offset) + 1))


FILES = {"config.yaml": "epochs: 3\n", "data/raw.csv": "x", "prepare.py": "", "eval/roc.csv": "", "reports/x.md": ""}


def test_outline_lists_sections_and_stages_with_their_paths() -> None:
    document = parse_dvc(TEXT)
    sections = outline(document.top, document.stages)
    assert [s.name for s in sections] == ["vars", "stages", "plots", "metrics"]  # the artifacts are the entries
    stages = sections[1]
    assert [(s.name, s.kind, s.detail) for s in stages.children] == [
        ("prepare", "stage", "python prepare.py"),
        ("train", "stage", "python train.py ${item}"),
        ("report", "stage", "python report.py"),
    ]
    assert [(c.name, c.detail) for c in stages.children[0].children] == [
        ("data/raw.csv", "deps"),
        ("prepare.py", "deps"),
        ("data/prepared", "outs"),
        ("params.yaml", "lr"),
    ]
    assert stages.children[0].selection.start == _at("prepare:")
    assert [(v.name, v.kind) for v in sections[0].children] == [("config.yaml", "variable"), ("lr", "variable")]
    assert sections[2].children[0].name == "eval/roc.csv"


def test_hover_on_a_stage_names_its_command_paths_and_neighbours(tmp_path: Path) -> None:
    document = parse_dvc(TEXT)
    place = _place(tmp_path, FILES)
    text = stage_hover(document.top, document.stages, TEXT, _at("prepare:", 2), place)
    assert text is not None
    assert "**stage `prepare`**" in text and "python prepare.py" in text and "`data/raw.csv`" in text
    assert "feeds: `train@a`, `train@b`" in text
    generated = stage_hover(document.top, document.stages, TEXT, _at("train:", 1), place)
    assert generated is not None and "python train.py a" in generated and "python train.py b" in generated
    assert stage_hover(document.top, document.stages, TEXT, _at("python prepare.py", 3), place) is None
    assert stage_hover(document.top, document.stages, TEXT, _at("      - lr\n", 8), place) is None  # a params key


def test_hover_on_paths_says_who_writes_and_who_reads(tmp_path: Path) -> None:
    document = parse_dvc(TEXT)
    place = _place(tmp_path, FILES)
    dep = stage_hover(document.top, document.stages, TEXT, _at("../models/a.pkl", 4), place)
    assert dep is not None and "`models/a.pkl`" in dep and "Written by stage `train@a`" in dep
    out = stage_hover(document.top, document.stages, TEXT, _at("- data/prepared", 4), place)
    assert out is not None and "Read by stage `train@a`, `train@b`" in out


def test_definition_of_a_dependency_is_the_stage_that_writes_it_then_the_file(tmp_path: Path) -> None:
    document = parse_dvc(TEXT)
    place = _place(tmp_path, FILES)
    targets = stage_definitions(document.top, document.stages, TEXT, _at("        - data/prepared", 10), place)
    assert targets == [Target("dvc.yaml", Span(_at("prepare:"), _at("prepare:", 7)))]
    to_file = stage_definitions(document.top, document.stages, TEXT, _at("data/raw.csv", 2), place)
    assert to_file == [Target("data/raw.csv", Span.at(0, 0))]


def test_definition_across_dvc_files(tmp_path: Path) -> None:
    """A dependency of `ml/dvc.yaml` written by a stage of the root dvc.yaml (the repository knows its outputs)."""
    root_text = "stages:\n  ingest:\n    cmd: python ingest.py\n    outs:\n      - shared/tables\n"
    sub_text = "stages:\n  features:\n    cmd: python features.py\n    deps:\n      - ../shared/tables/train\n"
    place = _place(tmp_path, {"dvc.yaml": root_text, "ml/dvc.yaml": sub_text}, "ml")
    document = parse_dvc(sub_text)
    pos = _at("../shared", 3, sub_text)
    assert stage_definitions(document.top, document.stages, sub_text, pos, place) == []  # not known as an output
    place.repo.outputs = frozenset({"shared/tables"})
    assert stage_definitions(document.top, document.stages, sub_text, pos, place) == [
        Target("dvc.yaml", Span(Pos(1, 2), Pos(1, 8)))
    ]
    hover = stage_hover(document.top, document.stages, sub_text, pos, place)
    assert hover is not None and "Written by stage `ingest` of `dvc.yaml`" in hover


def test_references_of_an_output_and_of_a_stage(tmp_path: Path) -> None:
    document = parse_dvc(TEXT)
    place = _place(tmp_path, FILES)
    of_output = stage_references(document.top, document.stages, TEXT, _at("- data/prepared", 3), place)
    assert of_output == [
        Target("dvc.yaml", Span(_at("data/prepared\n      outs"), _at("data/prepared\n      outs", 13)))
    ]
    of_stage = stage_references(document.top, document.stages, TEXT, _at("train:"), place)
    assert of_stage == [Target("dvc.yaml", Span(_at("../models/a.pkl"), _at("../models/a.pkl", 15)))]


def test_links_only_for_paths_that_exist_and_name_one_file(tmp_path: Path) -> None:
    document = parse_dvc(TEXT)
    place = _place(tmp_path, {**FILES, "models/a.pkl": "", "models/b.pkl": "", "params.yaml": "lr: 1\n"})
    links = {(link.span.start.line, link.path) for link in path_links(document.top, document.stages, place)}
    assert links == {
        (_at("config.yaml").line, "config.yaml"),
        (_at("data/raw.csv").line, "data/raw.csv"),
        (_at("- prepare.py").line, "prepare.py"),
        (_at("../models/a.pkl").line, "models/a.pkl"),
        (_at("eval/roc.csv").line, "eval/roc.csv"),
    }  # models/${item}.pkl names two files; data/prepared, eval/metrics.json and shared/tables do not exist


def test_path_suggestions_in_deps_are_relative_to_the_wdir(tmp_path: Path) -> None:
    document = parse_dvc(TEXT)
    place = _place(tmp_path, FILES)
    empty_item = Pos(_at("../shared/tables").line + 1, 8)
    found = path_suggestions(document.top, document.stages, TEXT, empty_item, place)
    assert found is not None and [(s.label, s.kind) for s in found] == [("x.md", "path")]
    typed = TEXT.replace("      - ../shared/tables\n", "      - ../da\n")
    document = parse_dvc(typed)
    pos = _at("../da", 5, typed)
    found = path_suggestions(document.top, document.stages, typed, pos, place)
    assert found is not None
    assert ("data", "folder", "../data") in [(s.label, s.kind, s.insert) for s in found]
    assert found[0].replace == Span(_at("../da", 0, typed), pos)
    assert path_suggestions(document.top, document.stages, typed, _at("python report.py", 3, typed), place) is None
    flow = TEXT.replace("    wdir: reports\n", "    wdir: reports\n    outs: [a.txt, ../da]\n")
    document = parse_dvc(flow)
    pos = _at("../da]", 5, flow)
    found = path_suggestions(document.top, document.stages, flow, pos, place)
    assert found is not None and found[0].replace == Span(_at("../da]", 0, flow), pos)
    assert ("data", "../data") in [(s.label, s.insert) for s in found]

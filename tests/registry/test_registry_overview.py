"""core.registry.overview: the Registry view's model from registry states and parsed annotations files (both
formats through `Format`), and the tag notes' parsing, on a real repository's for-each-ref output."""

from __future__ import annotations

from pathlib import Path

from gto_lsp.core.formats.dvc.format import DVC
from gto_lsp.core.formats.gto.format import GTO
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.registry.overview import (
    annotations_of,
    read_tag_notes,
    rows,
    stage_columns,
    tag_patterns,
    versions_json,
)
from gto_lsp.core.registry.read import tag_lines
from gto_lsp.core.registry.replay import registry_artifacts
from gto_lsp.core.repo.reader import RepoFacts
from helpers.git import T0, git, make_repo


def tagged(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    git(root, "commit", "-q", "--allow-empty", "-m", "one", when=T0)
    git(root, "tag", "-a", "rf@v1.0.0", "-m", "Registering artifact rf version v1.0.0", when=T0 + 1)
    git(root, "tag", "-a", "rf#prod#1", "-m", "Assigning stage prod\n\nwith a body", when=T0 + 2)
    git(root, "tag", "-a", "sub=enc@v0.1.0", "-m", "Registering artifact sub:enc version v0.1.0", when=T0 + 3)
    git(root, "tag", "rf-light", when=T0 + 4)  # not GTO's: never read as a note of rf
    return root


def test_rows_merge_tags_and_annotations_of_both_formats(tmp_path: Path) -> None:
    root = tagged(tmp_path)
    registry = registry_artifacts(tag_lines(RepoFacts(root)), None)
    index = GTO.parse("rf:\n  type: model\n  labels: [a]\nBad Name: {}\n", None)
    nested = DVC.parse("artifacts:\n  enc:\n    path: ../enc.pt\n    desc: Encoder\n", None)
    found = annotations_of(GTO, index, "artifacts.yaml") + annotations_of(DVC, nested, "sub/dvc.yaml")
    assert [(a.name, a.file, a.span, a.values) for a in found] == [
        ("rf", "artifacts.yaml", Span(Pos(0, 0), Pos(0, 2)), {"type": "model", "labels": ["a"]}),
        ("sub:enc", "sub/dvc.yaml", Span(Pos(1, 2), Pos(1, 5)), {"path": "enc.pt", "description": "Encoder"}),
    ]
    table = rows(registry, found)
    assert [(r.name, r.registered, r.latest, r.stages, r.version_count, len(r.annotations)) for r in table] == [
        ("rf", True, "v1.0.0", {"prod": "v1.0.0"}, 1, 1),
        ("sub:enc", True, "v0.1.0", {}, 1, 1),
    ]
    assert stage_columns(None, registry) == ["prod"] and stage_columns(("dev", "prod"), registry) == ["dev", "prod"]


def test_tag_notes_of_one_artifact(tmp_path: Path) -> None:
    root = tagged(tmp_path)
    facts = RepoFacts(root)
    notes = read_tag_notes(facts, "rf")
    assert sorted(notes) == ["rf#prod#1", "rf@v1.0.0"]
    assert notes["rf#prod#1"].message == "Assigning stage prod\n\nwith a body"
    assert (notes["rf@v1.0.0"].author, notes["rf@v1.0.0"].author_email) == ("Test User", "test@example.com")
    assert tag_patterns("sub:enc") == ["refs/tags/sub=enc@*", "refs/tags/sub=enc#*"]
    registry = registry_artifacts(tag_lines(facts), None)
    answer = versions_json(registry["rf"], notes)
    assert [(e["kind"], e["tag"], e["tagger"]) for e in answer["events"]] == [
        ("assign", "rf#prod#1", "Test User"),
        ("register", "rf@v1.0.0", "Test User"),
    ]

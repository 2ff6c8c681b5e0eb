"""core.registry.details: a version as committed (commit, annotation, metrics and params flattened, bounded) on a
real repository, and its text rendering."""

from __future__ import annotations

import json
from pathlib import Path

from gto_lsp.core.registry.details import MAX_FILE_BYTES, as_text, flatten, version_details
from gto_lsp.core.repo.reader import RepoFacts
from helpers.git import T0, git, make_repo


def commit(root: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=T0)
    return git(root, "rev-parse", "HEAD").strip()


def test_flatten_is_dotted_and_bounded() -> None:
    assert flatten({"a": {"b": 1, "c": [True, {"d": None}]}, "e": "x"}) == (
        {"a.b": 1, "a.c.0": True, "a.c.1.d": None, "e": "x"},
        0,
    )
    values, more = flatten({f"k{i}": i for i in range(10)}, limit=4)
    assert list(values) == ["k0", "k1", "k2", "k3"] and more == 6


def test_details_of_a_nested_artifact_at_two_commits(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    dvc = "metrics: [m.json]\nparams: [p.yaml]\nartifacts:\n  enc:\n    path: enc.pt\n"
    huge = json.dumps({f"k{i}": i for i in range(3_000)})
    first = commit(root, {"sub/dvc.yaml": dvc, "sub/m.json": huge, "sub/p.yaml": "a: {b: 1}\n"}, "first")
    big = "x: " + "1" * (MAX_FILE_BYTES + 1) + "\n"
    second = commit(root, {"sub/p.yaml": big, "artifacts.yaml": "enc: {type: model}\n"}, "second\n\nbody")
    facts = RepoFacts(root)
    old = version_details(facts, first, "sub:enc", "artifacts.yaml")
    assert old is not None and old.commit.sha == first and old.commit.subject == "first"
    assert old.annotation == ("sub/dvc.yaml", {"path": "enc.pt"})
    assert [(m.file, len(m.values), m.more) for m in old.metrics] == [("sub/m.json", 2_000, 1_000)]
    assert [(p.file, p.values) for p in old.params] == [("sub/p.yaml", {"a.b": 1})]
    new = version_details(facts, second, "sub:enc", "artifacts.yaml")
    assert new is not None and new.commit.body == "body"
    assert [(p.file, p.values, p.error) for p in new.params] == [
        ("sub/p.yaml", {}, f"larger than {MAX_FILE_BYTES:,} bytes")
    ]
    assert as_text(new).endswith("params (sub/p.yaml):\n  # not read: larger than 1,000,000 bytes\n")
    # artifacts.yaml's `enc` is another artifact than sub:enc; at the root, `enc` is read from artifacts.yaml
    root_enc = version_details(facts, second, "enc", "artifacts.yaml")
    assert root_enc is not None and root_enc.annotation == ("artifacts.yaml", {"type": "model"})
    blob = git(root, "rev-parse", f"{second}:artifacts.yaml").strip()
    assert version_details(facts, blob, "enc", "artifacts.yaml") is None

"""GTO.head, the read of a large file's first entries that its first diagnostics come from: the check of the head
finds exactly the problems the whole file's check finds in the head's lines, for documents built from ordinary
and hostile entries (repeated names and paths, aliases, flow and document markers, tabs, stray characters,
foreign keys, CRLF, a BOM), with every setting that changes what the check says."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.config import Config
from gto_lsp.core.formats.gto.check import check
from gto_lsp.core.formats.gto.document import Document, parse
from gto_lsp.core.formats.gto.format import GTO
from gto_lsp.core.repo.fs import ExistsCache, RepoView
from gto_lsp.core.yaml.cut import HEAD_MAX

assert GTO.head is not None
head_of = GTO.head

NAMES = ["a", "b", "c", "m0", "m1", "'a'", "x y", "1", "apiVersion", "kind"]
PATHS = ["models", "models/a", "models/a/b.pkl", "models/b.pkl", "data", "data/x", "/abs", "../out", "''", "./models"]
ORDINARY = [
    "{name}:\n  type: model\n  path: {path}\n",
    "{name}:\n  type: {type}\n  path: {path}\n  virtual: false\n  labels: [ml, x]\n",
    "{name}:\n  path: {path}\n  colour: red\n",
    "# a comment\n{name}:\n  description: d\n\n",
    "{name}: 5\n",
    "{name}:\n",
    "{name}:\n  labels:\n  - ok\n  - Bad Label\n  custom: {{a: 1}}\n",
    "{name}:\n  description: |\n    text\n    more\n  type: model\n",
]
HOSTILE = [
    "{name}: &anchor\n  type: model\n",  # an anchor alone is harmless
    "{name}: *anchor\n",  # an alias of another entry's anchor: the whole text is composed whole
    "{name}:\n  <<: *anchor\n",
    "---\n{name}:\n  type: model\n",
    "...\n",
    "%YAML 1.1\n",
    "{{flow: 1}}\n",
    "? {name}\n: {{type: model}}\n",
    "!!map\n",
    "|\n  text\n",
    "- item\n",
    "-x:\n  type: model\n",
    "{name}:\n\ttype: model\n",
    "{name}:\n  type: mo\x07del\n",
    "{name}:\n  type: [unclosed\n",
    "{name}:\n  spec: 1\n  metadata: 2\n",
    "{name}:\n  description: a\u2028b\n",
    "   \n{name}:\n  type: model\n",
    "{name}:\n  path: x\r\n",
    "{name}:\n  type: !!python/object x\n",
    "{name}:\n  description: see * there\n",
]
SETTINGS = [
    CheckSettings(),
    CheckSettings(virtual_missing="off"),
    CheckSettings(paths=False),
    CheckSettings(foreign_files=True),
    CheckSettings(unknown_fields=False, invalid_label_or_type="warning"),
]
CONFIGS = [Config(), Config(types=("model", "dataset"))]


def _repo(root: Path) -> RepoView:
    for name in ("models/a/b.pkl", "models/b.pkl", "data/x"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    return RepoView(root=root, in_head=lambda path: path != "models/b.pkl", exists_cache=ExistsCache())


def _entry(rng: random.Random, hostile: float) -> str:
    shape = rng.choice(HOSTILE if rng.random() < hostile else ORDINARY)
    return shape.format(name=rng.choice(NAMES), path=rng.choice(PATHS), type=rng.choice(["model", "Bad Type"]))


def _document(rng: random.Random, hostile: float) -> str:
    text = "".join(_entry(rng, hostile) for _ in range(rng.randrange(1, 40)))
    roll = rng.random()
    if roll < 0.1:
        text = text.replace("\n", "\r\n")
    elif roll < 0.2:
        text = "\ufeff" + text
    elif roll < 0.25:
        text = "# preamble\n\n" + text
    return text


def _problems(document: Document, config: Config, repo: RepoView, settings: CheckSettings) -> list[Any]:
    found = [
        (p.span.start.line, p.span.start.col, p.code, p.severity, p.message, p.span, p.data, p.related, p.artifact)
        for p in check(document, config, repo, settings)
    ]
    return sorted(found, key=repr)


def _head_lines(head: Document) -> int:
    return head.text.count("\n") if "\r" not in head.text.replace("\r\n", "") else head.text.count("\r")


@pytest.mark.parametrize("seed", range(12))
def test_the_head_check_equals_the_whole_check_in_its_lines(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    repo = _repo(tmp_path)
    compared = refused = 0
    for round_ in range(250):
        text = _document(rng, hostile=0.0 if round_ % 5 == 0 else 0.15)
        whole = parse(text)
        for lines in {0, 1, 3, rng.randrange(0, 120)}:
            head = head_of(text, lines)
            if head is None:
                refused += 1
                continue
            compared += 1
            assert isinstance(head, Document)
            covered = _head_lines(head)
            assert covered >= lines and text.startswith(head.text)
            assert [(a.name, a.first_line) for a in head.artifacts] == [
                (a.name, a.first_line) for a in whole.artifacts[: len(head.artifacts)]
            ]
            settings, config = rng.choice(SETTINGS), rng.choice(CONFIGS)
            want = [p for p in _problems(whole, config, repo, settings) if p[0] < covered]
            got = _problems(head, config, repo, settings)
            assert got == want, (text, lines)
    assert compared > 150 and refused > 100  # both answers were put to the test


def test_a_plain_large_file_has_a_head_of_about_the_lines_asked() -> None:
    text = "".join(f"m{i}:\n  type: model\n  path: models/m{i}.pkl\n" for i in range(10_000))
    head = head_of(text, 500)
    assert isinstance(head, Document)
    assert len(head.artifacts) == 167 and head.text.count("\n") == 501
    assert head_of(text, 30_000) is None  # no block starts past the end


@pytest.mark.parametrize(
    "late",
    [
        "x: *anchor\n",  # an alias: the whole is composed whole
        "---\nx: 1\n",
        "{x: 1}\n",
        "? x\n: 1\n",
    ],
)
def test_no_head_when_something_late_changes_how_the_whole_is_read(late: str) -> None:
    text = "a: &anchor\n  type: model\n" + "".join(f"m{i}:\n  type: model\n" for i in range(100)) + late
    assert head_of(text, 10) is None
    assert head_of(text.replace(late, ""), 10) is not None


def test_no_head_when_the_head_has_no_gto_field_and_the_file_may_be_foreign() -> None:
    foreign = "".join(f"job{i}:\n  steps: [build]\n" for i in range(50))
    assert head_of(foreign + "m:\n  type: model\n", 10) is None
    assert head_of("m:\n  type: model\n" + foreign, 10) is not None


def test_no_head_past_its_size_bound() -> None:
    long_first = "m0:\n  labels: [" + ", ".join(["x"] * 40_000) + "]\n"
    text = long_first + "".join(f"m{i}:\n  type: model\n" for i in range(1, 1000))
    assert len(long_first) > HEAD_MAX and head_of(text, 10) is None
    assert head_of(text[len(long_first) :], 10) is not None

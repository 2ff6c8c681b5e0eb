"""A parse and check after each of many edits (hostile ones included: line breaks of every kind, tabs, control
characters, merges, flow and broken entries) equals a parse and check of the same text from scratch: the blocks
reused, the problems, and the checked problems in every attribute. Guards the passes that run in C (map, compress,
zip over the slots and facts) and the caches an edit reuses."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from gto_lsp.core.formats.gto.check import check
from gto_lsp.core.formats.gto.document import Document, parse
from gto_lsp.core.repo.fs import ExistsCache, RepoView

PIECES = [
    " ", "\n", "\r\n", "\r", ":", "x", "- ", "#", "  ", "'", "{", "}", "\t", "\x07", "\x85", "\u2028", "\ufeff",
    "m3:\n", "m5:\n  type: model\n", "  path: models/m1/model.pkl\n", "  path: ../out\n", "  virtual: false\n",
    "  type: Bad Type\n", "  labels: [a, a]\n", "  <<: {type: x}\n", "dup: {}\ndup: {}\n", "&a ", "*a", "!!int ",
    "---\n", "%YAML 1.2\n", "😀",
]  # fmt: skip


def _document(count: int) -> str:
    return "".join(
        f"m{i}:\n  type: model\n  description: number {i}\n  labels: [a, t{i % 3}]\n"
        f"  path: models/m{i % 7}/model.pkl\n  virtual: {'false' if i % 2 else 'true'}\n"
        for i in range(count)
    )


def _parsed(document: Document) -> Any:
    blocks = document.blocks
    return (
        document.kind,
        [(a.name, a.line, a.first_line, a.last_line, a.entry_span, a.block.text) for a in document.artifacts],
        [(p.code, p.severity, p.message, p.span) for p in document.problems],
        [
            (offset, line, block.text)
            for offset, (line, block, _) in zip(document.blocks.offsets, document.blocks.slots)
        ],
        len(blocks.offsets) == len(blocks.slots),
    )


def _checked(document: Document, repo: RepoView) -> Any:
    return [(p.code, p.severity, p.message, p.span, p.data, p.related, p.artifact) for p in check(document, repo=repo)]


def _repo(tmp_path: Path) -> RepoView:
    for i in range(4):  # m4..m6 are missing
        (tmp_path / "models" / f"m{i}").mkdir(parents=True)
        (tmp_path / "models" / f"m{i}" / "model.pkl").write_text("x")
    return RepoView(root=tmp_path, exists_cache=ExistsCache())


@pytest.mark.parametrize("seed", range(2))
def test_edits_equal_a_fresh_parse_and_check(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    repo = _repo(tmp_path)
    text = _document(60)
    previous = parse(text)
    check(previous, repo=repo)
    for _ in range(150):
        position = rng.randrange(len(text) + 1)
        roll = rng.random()
        if roll < 0.3 and text:
            text = text[:position] + text[min(len(text), position + rng.randrange(6)) :]
        elif roll < 0.4:  # an edit that keeps the line count and moves every later offset
            line_end = text.find("\n", position)
            text = text[:position] + "yy" + text[position:] if line_end >= 0 else text + "z"
        else:
            text = text[:position] + rng.choice(PIECES) + text[position:]
        incremental = parse(text, previous)
        fresh = parse(text)
        assert _parsed(incremental) == _parsed(fresh), repr(text)
        assert _checked(incremental, repo) == _checked(fresh, repo), repr(text)
        previous = incremental


def test_large_document_same_line_and_new_line_edits(tmp_path: Path) -> None:
    """Edits in one line, across lines and of the first entry, in a longer document."""
    repo = _repo(tmp_path)
    text = _document(400)
    previous = parse(text)
    check(previous, repo=repo)
    rng = random.Random(11)
    for step in range(24):
        target = f"number {rng.randrange(400)}\n"
        where = text.find(target)
        choice = step % 4
        if choice == 0:
            text = text[:where] + target.replace("number", "nr") + text[where + len(target) :]
        elif choice == 1:
            text = text[:where] + target + "  descripton: typo\n" + text[where + len(target) :]
        elif choice == 2:
            text = "m0:\n  type: Bad Type\n" + text[text.find("\nm1:") + 1 :] if step % 8 == 2 else "x: {}\n" + text
        else:
            text = text[:where] + target + "  path: models/m1/model.pkl\n" + text[where + len(target) :]
        incremental = parse(text, previous)
        fresh = parse(text)
        assert _parsed(incremental) == _parsed(fresh)
        assert _checked(incremental, repo) == _checked(fresh, repo)
        previous = incremental

"""`locate.entry_at` (the bisection that hover, definition, rename and code actions use to find the entry under the
cursor) answers what a walk from the top answers, at every line of random and hostile artifacts.yaml and dvc.yaml
texts, including incremental re-parses."""

from __future__ import annotations

import random
from typing import Any

import pytest

from gto_lsp.core.formats import Format
from gto_lsp.core.formats.dvc.format import DVC
from gto_lsp.core.formats.gto.format import GTO
from gto_lsp.core.problems import Pos
from gto_lsp.lsp.locate import entry_at

PIECES = [
    "model-{n}:\n  type: model\n  path: models/{n}.pkl\n",
    "# comment {n}\n",
    "\n",
    "   \n",
    "data-{n}: {{type: dataset, path: d/{n}}}\n",
    "scalar-{n}: just text\n",
    "null-{n}:\n",
    "'quoted {n}':\n  type: model\n",
    "? complex-{n}\n: {{}}\n",
    "list-{n}:\n  - a\n  - b\n",
    "text-{n}: |\n  line one\n\n  line three\n",
    "&anchor{n} anchored-{n}:\n  labels: [a, b]\n",
    "---\n",
    "...\n",
    "\tbad-tab-{n}: x\n",
    "  indented-{n}: y\n",
    "dup:\n  type: model\n",
    "broken-{n}: [unclosed\n",
    "desc-{n}:\n  description: >\n    folded\n    text\n  # trailing comment\n",
    "42:\n  type: model\n",
    "\ufeffbom-{n}:\n",
]


def _text(rng: random.Random, count: int) -> str:
    text = "".join(rng.choice(PIECES).format(n=n) for n in range(count))
    return text.replace("\n", "\r\n") if rng.random() < 0.2 else text


def _walked(entries: Any, pos: Pos) -> Any:
    """The entry holding `pos`, found by walking from the top (what entry_at did before it bisected)."""
    for entry in entries:
        try:
            first, last = entry.first_line, entry.last_line
        except AssertionError:
            continue
        if first <= pos.line <= last:
            return entry
        if first > pos.line:
            break
    return None


def _same_answers(fmt: Format, document: Any, text: str) -> None:
    entries = fmt.entries(document)
    lines = text.count("\n") + 2
    for line in range(lines):
        for column in (0, 2, 80):
            pos = Pos(line, column)
            assert entry_at(entries, pos) is _walked(entries, pos), (line, column)


@pytest.mark.parametrize("fmt", [GTO, DVC], ids=["artifacts.yaml", "dvc.yaml"])
def test_entry_at_equals_the_walk(fmt: Format) -> None:
    rng = random.Random(17)
    for _ in range(150):
        body = _text(rng, rng.randint(0, 30))
        text = "artifacts:\n" + "".join("  " + line + "\n" for line in body.splitlines()) if fmt is DVC else body
        previous = fmt.parse(text, None)
        _same_answers(fmt, previous, text)
        for _ in range(4):  # edits re-parse from the previous parse: the placed lines move
            lines = text.splitlines(keepends=True)
            at = rng.randrange(len(lines) + 1)
            lines[at : at + rng.randint(0, 3)] = [rng.choice(PIECES).format(n=900 + at)] * rng.randint(0, 2)
            text = "".join(lines)
            previous = fmt.parse(text, previous)
            _same_answers(fmt, previous, text)

"""The check's long loops call core.pause.PAUSE (the server's background check gives way to requests there) every
EVERY entries, and a check with pauses equals one without; without a PAUSE nothing is called."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable, TypeVar

from gto_lsp.core.formats.gto.check import check
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.pause import EVERY, PAUSE
from gto_lsp.core.repo.fs import ExistsCache, RepoView

T = TypeVar("T")


def _text(count: int) -> str:
    rng = random.Random(5)
    types, paths = ["model", "Bad Type"], ["models/a", "data", "/abs", "models/a/b"]
    return "".join(
        f"m{n % (count - 3)}:\n  type: {rng.choice(types)}\n  path: {rng.choice(paths)}\n" for n in range(count)
    )


def _problems(text: str, root: Path) -> list[tuple[object, ...]]:
    repo = RepoView(root=root, in_head=lambda path: True, exists_cache=ExistsCache())
    return [(p.code, p.message, p.span, p.data, p.related) for p in check(parse(text, None), None, repo)]


def _paused(work: Callable[[], T]) -> tuple[list[int], T]:
    """work()'s result with a PAUSE that counts its calls."""
    calls: list[int] = []
    token = PAUSE.set(lambda: calls.append(1))
    try:
        return calls, work()
    finally:
        PAUSE.reset(token)


def test_the_check_pauses_and_answers_the_same(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    text = _text(3 * EVERY + 7)
    plain = _problems(text, tmp_path)
    calls, paused = _paused(lambda: _problems(text, tmp_path))
    assert paused == plain
    assert len(calls) >= 2 * 3  # the facts and the path rules, every EVERY entries
    assert {p[0] for p in plain} >= {"duplicate-name", "path-absolute"}  # the rules across entries ran


def test_the_first_parse_pauses_and_reads_the_same() -> None:
    text = _text(3 * EVERY + 7)
    calls, paused = _paused(lambda: parse(text, None))
    plain = parse(text, None)
    assert len(calls) >= 2  # once every EVERY blocks composed
    assert [(a.line, a.block.text) for a in paused.artifacts] == [(a.line, a.block.text) for a in plain.artifacts]
    assert paused.problems == plain.problems

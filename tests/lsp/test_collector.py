"""The collector around a large first parse: paused while it runs, and what it built frozen before it resumes (the
first collection after the pause walked ~700,000 new objects: 0.3 s of the 18,000-entry open); a small parse is
not frozen. The speed is bench_large.py's; this checks the order."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gto_lsp.core.formats.gto.format import GTO
from gto_lsp.lsp.session.collector import parse_paused


@pytest.fixture
def collector() -> Iterator[None]:
    gc.collect()
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()  # (what a test froze goes back to the collector)
    if not was:
        gc.disable()


def entries(count: int) -> str:
    return "".join(f"model-{i:05d}:\n  type: model\n  path: models/m{i}.pkl\n" for i in range(count))


def test_a_large_parse_is_frozen_before_the_collector_resumes(collector: None) -> None:
    seen: list[tuple[bool, int]] = []

    def parse(text: str, previous: None) -> object:
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return GTO.parse(text, previous)

    before = gc.get_freeze_count()
    document = parse_paused(parse, entries(3_000), lambda done: len(GTO.entries(done)))
    assert seen == [(False, before)]  # paused while it parsed
    assert gc.isenabled()  # resumed
    assert gc.get_freeze_count() > before + 3_000 * 10  # its objects were frozen, none left to the collector
    assert gc.get_count()[0] < 1_000
    assert len(GTO.entries(document)) == 3_000


def test_a_small_parse_is_left_to_the_collector(collector: None) -> None:
    before = gc.get_freeze_count()
    document = parse_paused(GTO.parse, entries(100), lambda done: len(GTO.entries(done)))
    assert gc.isenabled() and gc.get_freeze_count() == before
    assert len(GTO.entries(document)) == 100

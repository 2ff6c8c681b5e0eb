"""check() after edits that change what the rules across entries read (names, types, paths, entries added or
removed, whole files replaced, CRLF, a BOM), with several reads between two checks, equals a check of the same text
from scratch in every attribute: the state carried from the previous check (check_splice.py) is patched exactly."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Optional

import pytest

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.config import Config
from gto_lsp.core.formats.gto.check import check
from gto_lsp.core.formats.gto.document import Document, parse
from gto_lsp.core.repo.fs import ExistsCache, RepoView

NAMES = ["a", "b", "c", "m0", "m1", "m2", "'a'", "x y", "1"]
PATHS = [
    "models", "models/a", "models/a/b.pkl", "models/b.pkl", "models/a/../b.pkl", "data", "data/x", "/abs", "../out",
    "https://host/y", "''", "data//x", "./models",
]  # fmt: skip
TYPES = ["model", "dataset", "Bad Type", "other"]
SETTINGS = [CheckSettings(), CheckSettings(virtual_missing="off"), CheckSettings(paths=False)]
CONFIGS = [Config(), Config(types=("model", "dataset"))]


def _entry(rng: random.Random, serial: int) -> str:
    lines = [f"{rng.choice(NAMES)}:"]
    if rng.random() < 0.8:
        lines.append(f"  type: {rng.choice(TYPES)}")
    if rng.random() < 0.9:
        lines.append(f"  path: {rng.choice(PATHS)}")
    lines.append(f"  virtual: {rng.choice(['true', 'false'])}")
    lines.append(f"  description: entry {serial}")
    return "\n".join(lines) + "\n"


def _repo(root: Path) -> RepoView:
    for name in ("models/a/b.pkl", "models/b.pkl", "data/x"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    return RepoView(root=root, in_head=lambda path: path != "models/b.pkl", exists_cache=ExistsCache())


def _checked(document: Document, config: Config, repo: RepoView, settings: CheckSettings) -> Any:
    return [
        (p.code, p.severity, p.message, p.span, p.data, p.related, p.artifact)
        for p in check(document, config, repo, settings)
    ]


def _edit(rng: random.Random, entries: list[str], serial: int) -> Optional[str]:
    """Changes `entries` in place; returns a text to use instead of their join (a hostile whole text), or None."""
    index = rng.randrange(len(entries)) if entries else 0
    roll = rng.random()
    if roll < 0.2 and entries:  # rename, often to a name another entry has
        entries[index] = f"{rng.choice(NAMES)}:\n" + entries[index].partition("\n")[2]
    elif roll < 0.4 and entries:  # another path
        head, _, rest = entries[index].partition("  path: ")
        rest = rest.split("\n", 1)[1] if rest else ""
        entries[index] = f"{head}  path: {rng.choice(PATHS)}\n{rest}"
    elif roll < 0.5:
        entries.insert(index, _entry(rng, serial))
    elif roll < 0.6 and entries:
        del entries[index]
    elif roll < 0.65 and entries:  # broken, then maybe mended by a later edit
        entries[index] = entries[index].replace("  virtual:", "  bad: [\n  virtual:", 1)
    elif roll < 0.7 and entries:
        entries[index] = entries[index].replace("  bad: [\n", "")
    elif roll < 0.75 and entries:  # another type
        entries[index] = entries[index].replace("  type: model", f"  type: {rng.choice(TYPES)}")
    elif roll < 0.8 and entries:  # a description: nothing the rules across entries read
        entries[index] = entries[index].replace("description: entry", "description: entry x")
    elif roll < 0.83:  # the whole file replaced
        entries[:] = [_entry(rng, serial + k) for k in range(rng.randrange(1, 12))]
    elif roll < 0.86:
        return "\ufeff" + "".join(entries)
    elif roll < 0.89:
        return "".join(entries).replace("\n", "\r\n")
    elif roll < 0.91:
        return ""
    elif roll < 0.94:
        entries.append(_entry(rng, serial))
    else:
        entries.insert(0, _entry(rng, serial))
    return None


@pytest.mark.parametrize("seed", range(4))
def test_random_cross_entry_edits_equal_a_fresh_check(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    repo = _repo(tmp_path)
    entries = [_entry(rng, k) for k in range(30)]
    previous = parse("".join(entries))
    check(previous, repo=repo)
    config, settings = CONFIGS[0], SETTINGS[0]
    bom, crlf = False, False
    for step in range(400):
        hostile = _edit(rng, entries, 1000 + step)
        if hostile is not None:
            bom, crlf = hostile.startswith("\ufeff") or (bom and not hostile), "\r\n" in hostile
        text = "".join(entries)
        text = ("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)
        previous = parse(text, previous)
        if rng.random() < 0.1:
            check(previous, settings=CheckSettings(paths=False))  # GTO's reader between two of the editor's checks
        if rng.random() < 0.35:
            continue  # several reads between two checks, as while the user types
        if rng.random() < 0.05:
            config, settings = rng.choice(CONFIGS), rng.choice(SETTINGS)
        fresh = parse(text)
        assert _checked(previous, config, repo, settings) == _checked(fresh, config, repo, settings), repr(text)


def _large(count: int) -> list[str]:
    return [
        f"m{i:04d}:\n  type: model\n  path: models/m{i:04d}/model.pkl\n  description: number {i}\n"
        for i in range(count)
    ]


def _same_as_fresh(text: str, previous: Document, repo: RepoView) -> Document:
    """The text read from `previous` and checked, compared with a check from scratch; the read."""
    document = parse(text, previous)
    assert _checked(document, Config(), repo, CheckSettings()) == _checked(parse(text), Config(), repo, CheckSettings())
    return document


def test_far_away_duplicates_and_conflicts(tmp_path: Path) -> None:
    """Renames to a name 1,900 entries away and back, paths that conflict with one far away (equal, inside, holding
    every other), entries added and removed at both ends."""
    repo = _repo(tmp_path)
    entries = _large(2000)
    previous = parse("".join(entries))
    check(previous, repo=repo)
    # entry, text there, its replacement
    steps = """
        1999 m1999: m0000:
        1999 m0000: m1999:
        0 m0000: m1500:
        1500 m1500: m0001:
        0 m1500: m0000:
        1500 m0001: m1500:
        1800 models/m1800/model.pkl models/m0100/model.pkl
        100 models/m0100/model.pkl models/m0100
        100 models/m0100 models/m0100/model.pkl
        1800 models/m0100/model.pkl models
        5 models/m0005/model.pkl models/m0005/model.pkl/x
        1800 models models/m1800/model.pkl
        5 models/m0005/model.pkl/x models/m0005/model.pkl
    """
    for index, old, new in (line.split() for line in steps.strip().splitlines()):
        assert old in entries[int(index)]
        entries[int(index)] = entries[int(index)].replace(old, new)
        previous = _same_as_fresh("".join(entries), previous, repo)
    for change in range(12):  # entries added and removed at the start, the end and the middle
        if change % 3 == 0:
            entries.insert(0, "m1999:\n  path: models\n")
        elif change % 3 == 1:
            entries.append("m0000:\n  path: models/m0000/model.pkl\n")
        else:
            del entries[1000]
        previous = _same_as_fresh("".join(entries), previous, repo)


def test_many_insertions_at_one_place(tmp_path: Path) -> None:
    """Entries inserted one by one at the same place, more than the room between two kept entries holds."""
    repo = _repo(tmp_path)
    entries = _large(50)
    previous = parse("".join(entries))
    check(previous, repo=repo)
    for step in range(80):
        entries.insert(1, f"n{step % 5}:\n  path: models/m0000\n")  # duplicates, and each holds m0000's path
        previous = _same_as_fresh("".join(entries), previous, repo)

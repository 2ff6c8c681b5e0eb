"""check()'s results carried from one read of a file to the next, as the blocks are (yaml/cut.py): an edit to a few
entries costs the facts of those entries and the rules across entries they touch, not a pass over every entry.

A read spliced from an earlier one says which of its entries it kept at each end (`Blocks.spliced_from`); the
state of the check of that earlier read is taken (popped: one owner, so it is never changed under another check)
and patched: the facts of the kept entries are reused, the rules across entries re-run for the entries whose
results can change. Those results are kept by a position that does not move when entries are added or removed
before them (`_State.marks`, increasing with the entry's index), so nothing is renumbered per edit.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field, replace
from itertools import compress
from operator import attrgetter
from typing import Any, Callable, Optional

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.config import Config
from gto_lsp.core.formats.gto.facts import Facts
from gto_lsp.core.formats.gto.rules_cross import (
    AllowedTypes,
    Found,
    allowed_types,
    conflict_found,
    conflicting,
    duplicate_found,
    duplicate_names,
    outside_found,
    path_kind,
    path_problems,
    presence_found,
    type_found,
)
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.blocks import Blocks, Placed

_LOCAL = attrgetter("local")
_SIGNATURE = attrgetter("signature")
_GAP = 1 << 32  # between the marks of a first check: room for 32 insertions at one place before a full pass
_STATES_KEPT = 8  # checks kept: one per file and way of checking (the editor's; GTO's reader before a write)
_PATCH_LIMIT = 256  # entries changed by one edit above which a full pass is as cheap
_STATES: list[_State] = []  # the most recent last
_STATES_LOCK = threading.Lock()


@dataclass
class _Indexes:
    """Where each name and path is, by mark (sorted lists): what the rules across entries look up."""

    names: dict[Any, list[int]] = field(default_factory=dict)
    paths: dict[int, list[int]] = field(default_factory=dict)  # path key -> the entries with that path
    below: dict[int, list[int]] = field(default_factory=dict)  # folder key -> the entries with a path inside


@dataclass
class _State:
    """One check of one read: each entry's facts and mark, and the rules' results, by mark."""

    serial: int
    cross_key: tuple[Any, ...]  # what the rules across entries read besides the entries (config, settings, repo)
    facts: list[Facts]
    marks: list[int]
    local: list[int]  # the indices of the entries with problems of their own
    duplicates: dict[int, Found]  # Found's entry and other are marks here
    types: dict[int, Found]
    conflicts: dict[int, Found]
    presence: dict[int, Found]  # outside the repository, missing, not committed
    found: list[Found]  # every result, by index, in check's order
    indexes: Optional[_Indexes] = None  # built at the first edit that changes what the rules read


EntryFacts = Callable[[Placed], Facts]
AllFacts = Callable[[list[Placed]], list[Facts]]


@dataclass(frozen=True)
class EntryRules:
    """rules_entry's facts of one entry and of every entry (given by check: this module stays a floor lower)."""

    facts: EntryFacts
    all_facts: AllFacts


def checked(
    blocks: Blocks, config: Config, repo: RepoView, settings: CheckSettings, entry: EntryRules
) -> tuple[list[Facts], list[int], list[Found]]:
    """Each entry's facts, the indices of the entries with problems of their own, and the results of the rules
    across entries (Found by entry index, in the order of a full pass), from the state of an earlier read's check
    when there is one. The rules across entries read each entry's name, type, path and virtual, and this key."""
    key = (config.types, config.types_from_env, config.types_span, settings, repo.token)
    state = _take(blocks, key)
    new: Optional[_State] = None
    if state is not None:
        if state.serial == blocks.serial:
            new = state
        else:
            kept = next((k for serial, *k in blocks.spliced_from if serial == state.serial), None)
            if kept is not None:
                new = _patched(state, blocks, kept[0], kept[1], config, repo, settings, entry.facts)
    if new is None:
        new = _full(blocks, key, config, repo, settings, entry.all_facts)
    with _STATES_LOCK:
        _STATES.append(new)
        del _STATES[:-_STATES_KEPT]
    return new.facts, new.local, new.found


def _take(blocks: Blocks, key: tuple[Any, ...]) -> Optional[_State]:
    """The state of a check with this key of this read or of the nearest read it was spliced from, now this
    check's alone. By key: a check of another kind (GTO's reader, without paths) leaves the editor's alone."""
    with _STATES_LOCK:
        for serial in (blocks.serial, *(serial for serial, _, _ in blocks.spliced_from)):
            for index, state in enumerate(_STATES):
                if state.serial == serial and state.cross_key == key:
                    return _STATES.pop(index)
    return None


def _full(
    blocks: Blocks, key: tuple[Any, ...], config: Config, repo: RepoView, settings: CheckSettings, all_facts: AllFacts
) -> _State:
    every = all_facts(blocks.entries)
    marks = list(range(0, len(every) * _GAP, _GAP))
    duplicates = duplicate_names(every)
    types = allowed_types(every, _allowed(config)) if config.types is not None else []
    paths = path_problems(every, repo, settings.virtual_missing) if settings.paths else []
    conflicts = [found for found in paths if found.code == "path-conflict"]
    presence = [found for found in paths if found.code != "path-conflict"]
    return _State(
        blocks.serial,
        key,
        every,
        marks,
        list(compress(range(len(every)), map(_LOCAL, every))),
        _by_mark(duplicates, marks),
        _by_mark(types, marks),
        _by_mark(conflicts, marks),
        _by_mark(presence, marks),
        [*duplicates, *types, *paths],
    )


def _allowed(config: Config) -> AllowedTypes:
    assert config.types is not None
    return AllowedTypes(config.types, config.types_from_env, config.types_span)


def _by_mark(found: list[Found], marks: list[int]) -> dict[int, Found]:
    return {
        marks[item.entry]: item._replace(
            entry=marks[item.entry], other=None if item.other is None else marks[item.other]
        )
        for item in found
    }


def _patched(
    state: _State,
    blocks: Blocks,
    start: int,
    end: int,
    config: Config,
    repo: RepoView,
    settings: CheckSettings,
    facts: EntryFacts,
) -> Optional[_State]:
    """The state of `blocks`, read from the state's read keeping `start` entries at the start and `end` at the end;
    None when a full pass is needed."""
    entries = blocks.entries
    old_count = len(state.facts)
    old_stop, stop = old_count - end, len(entries) - end
    if old_stop < start or stop < start:
        return None
    middle = [facts(artifact) for artifact in entries[start:stop]]
    old_middle = state.facts[start:old_stop]
    every = state.facts[:start] + middle + state.facts[old_stop:]
    low, high = bisect.bisect_left(state.local, start), bisect.bisect_left(state.local, old_stop)
    moved = stop - old_stop
    local = [
        *state.local[:low],
        *(start + k for k, fact in enumerate(middle) if fact.local),
        *(index + moved for index in state.local[high:]),
    ]
    if len(middle) == len(old_middle) and list(map(_SIGNATURE, middle)) == list(map(_SIGNATURE, old_middle)):
        return replace(state, serial=blocks.serial, facts=every, local=local)  # the same results, the same places
    if len(middle) + len(old_middle) > _PATCH_LIMIT:
        return None
    new_marks = _marks_between(state.marks, start, old_stop, len(middle))
    if new_marks is None:
        return None
    indexes = state.indexes or _indexes(state.facts, state.marks)
    for mark, fact in zip(state.marks[start:old_stop], old_middle):
        _unindex(indexes, mark, fact)
        for results in (state.duplicates, state.types, state.conflicts, state.presence):
            results.pop(mark, None)
    for mark, fact in zip(new_marks, middle):
        _index(indexes, mark, fact)
    marks = state.marks[:start] + new_marks + state.marks[old_stop:]
    new = replace(state, serial=blocks.serial, facts=every, marks=marks, local=local, indexes=indexes)
    _duplicates(new, {fact.name for fact in (*old_middle, *middle)})
    allowed = _allowed(config) if config.types is not None else None
    for mark, fact in zip(new_marks, middle):
        _put(new.types, mark, type_found(mark, fact, allowed) if allowed is not None else None)
        if settings.paths:
            kind = path_kind(fact)
            found = None if kind is None else outside_found(mark, fact, kind) if kind else None
            if kind == "":
                found = presence_found(mark, fact, repo, settings.virtual_missing)
            _put(new.presence, mark, found)
    if settings.paths:
        _conflicts(new, {*new_marks, *_related(indexes, (*old_middle, *middle))})
    new.found = _by_index(new)
    return new


def _marks_between(marks: list[int], start: int, stop: int, count: int) -> Optional[list[int]]:
    """`count` marks between the entry before `start` and the entry at `stop` (old indices), evenly spaced."""
    if not count:
        return []
    left = marks[start - 1] if start > 0 else None
    right = marks[stop] if stop < len(marks) else None
    if left is None and right is None:
        return None  # every entry changed
    low = left if left is not None else right - (count + 1) * _GAP  # type: ignore[operator]
    high = right if right is not None else low + (count + 1) * _GAP
    step = (high - low) // (count + 1)
    if step == 0:
        return None  # no room left here: a full pass numbers them again
    return [low + step * (k + 1) for k in range(count)]


def _indexes(every: list[Facts], marks: list[int]) -> _Indexes:
    indexes = _Indexes()
    for mark, fact in zip(marks, every):
        _index(indexes, mark, fact)
    return indexes


def _index(indexes: _Indexes, mark: int, fact: Facts) -> None:
    bisect.insort(indexes.names.setdefault(fact.name, []), mark)
    if path_kind(fact) == "":
        bisect.insort(indexes.paths.setdefault(fact.key, []), mark)
        for folder in fact.folders:
            bisect.insort(indexes.below.setdefault(folder, []), mark)


def _unindex(indexes: _Indexes, mark: int, fact: Facts) -> None:
    _remove(indexes.names, fact.name, mark)
    if path_kind(fact) == "":
        _remove(indexes.paths, fact.key, mark)
        for folder in fact.folders:
            _remove(indexes.below, folder, mark)


def _remove(index: dict[Any, list[int]], key: Any, mark: int) -> None:
    marks = index[key]
    del marks[bisect.bisect_left(marks, mark)]
    if not marks:
        del index[key]


def _put(results: dict[int, Found], mark: int, found: Optional[Found]) -> None:
    if found is None:
        results.pop(mark, None)
    else:
        results[mark] = found


def _duplicates(state: _State, names: set[Any]) -> None:
    """GTO's rule on every entry holding one of `names`: each after the first repeats it."""
    assert state.indexes is not None
    for name in names:
        holders = state.indexes.names.get(name, [])
        for mark in holders:
            _put(state.duplicates, mark, duplicate_found(mark, name, holders[0]) if mark != holders[0] else None)


def _related(indexes: _Indexes, changed: tuple[Facts, ...]) -> set[int]:
    """The entries whose conflict can change with these paths: the same path, a path inside, a path holding it."""
    out: set[int] = set()
    for fact in changed:
        if path_kind(fact) == "":
            out.update(indexes.paths.get(fact.key, ()))
            out.update(indexes.below.get(fact.key, ()))
            for folder in fact.folders:
                out.update(indexes.paths.get(folder, ()))
    return out


def _conflicts(state: _State, touched: set[int]) -> None:
    """GTO's conflict rule again for the `touched` entries, each against the entries before it."""
    indexes, marks, every = state.indexes, state.marks, state.facts
    assert indexes is not None

    def at(mark: int) -> Facts:
        return every[bisect.bisect_left(marks, mark)]

    for mark in touched:
        fact = at(mark)
        if path_kind(fact) != "":
            state.conflicts.pop(mark, None)
            continue

        def first(index: dict[int, list[int]], key: int, before: int = mark) -> Optional[int]:
            holders = index.get(key)
            return holders[0] if holders and holders[0] < before else None

        other = conflicting(
            fact, lambda key: first(indexes.paths, key), lambda key: first(indexes.below, key), lambda o: at(o).norm
        )
        _put(state.conflicts, mark, None if other is None else conflict_found(mark, fact, other, at(other)))


def _by_index(state: _State) -> list[Found]:
    """Every result with its entries' indices, in the order of a full pass: names, types, then paths by entry."""
    marks = state.marks

    def placed(found: Found) -> Found:
        other = None if found.other is None else bisect.bisect_left(marks, found.other)
        return found._replace(entry=bisect.bisect_left(marks, found.entry), other=other)

    out = [placed(state.duplicates[mark]) for mark in sorted(state.duplicates)]
    out.extend(placed(state.types[mark]) for mark in sorted(state.types))
    for mark in sorted(state.conflicts.keys() | state.presence.keys()):
        for results in (state.conflicts, state.presence):
            found = results.get(mark)
            if found is not None:
                out.append(placed(found))
    return out

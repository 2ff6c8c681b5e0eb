"""core.registry_cache and the path prefix index: the fast read paths answer exactly what the slow ones did."""

from __future__ import annotations

import pickle
from pathlib import Path

from gto_lsp.core.completion import path_matches, path_query
from gto_lsp.core.registry.cache import LazyRegistry, RegistryCache, SavedStates, group_lines, refs_stamp
from gto_lsp.core.registry.replay import registry_artifacts as _parse_registry
from gto_lsp.core.registry.state import HeadInfo
from gto_lsp.lsp.features.completion import tracked_children, tracked_matching
from gto_lsp.lsp.session.paths import Tracked, folders_of
from helpers.git import git, make_repo

C1, C2, C3 = "1" * 40, "2" * 40, "3" * 40


def line(ref: str, commit: str, when: int, obj: str | None = None, kind: str = "tag") -> bytes:
    """One for-each-ref line in FOR_EACH_REF_FORMAT's fields."""
    name = ref if obj is None else obj
    fields = [ref, kind, commit if kind == "tag" else "", f"{when} +0000" if kind == "tag" else "", name]
    fields += [f"{when - 50} +0000", f"{abs(hash(ref)) % 10**12:040d}"]
    return "\0".join(fields).encode()


LINES = [
    line("rf@v1.0.0", C1, 100),
    line("rf#prod#1", C1, 101),
    line("rf@v1.1.0", C2, 102),
    line("rf#prod#2", C2, 103),
    line("rf#prod!#3", C2, 104),
    line("nlp/bert@v0.1.0", C1, 105),
    line("models/nlp=bert@v0.2.0", C2, 106),
    line("models/nlp=bert#dev#1", C2, 107),
    line("old@v1.0.0", C1, 108),
    line("old@deprecated", C1, 109),
    line("light#prod#4", "", 0, kind="commit"),
    line("v1.0.0", C3, 110),
    line("renamed@v1.0.0", C3, 111, obj="other@v1.0.0"),
]
REFS = b"\n".join(sorted(LINES)) + b"\n"
HEAD = HeadInfo(C3, 200.0, ("rf", "fresh", "old"))


def test_lazy_registry_equals_the_whole_parse() -> None:
    for head in (None, HEAD):
        whole = _parse_registry(REFS, head)
        lazy = LazyRegistry(group_lines(REFS, head), _parse_registry)
        for name in [*whole, "missing", "models/nlp:missing"]:  # one artifact at a time, as a hover asks
            assert lazy.get(name) == whole.get(name), name
        fresh = LazyRegistry(group_lines(REFS, head), _parse_registry)
        assert dict(fresh.complete()) == whole and list(fresh) == list(whole)


def test_a_created_tag_parses_the_registry_whole() -> None:
    refs = REFS + line("rf@created", C1, 300) + b"\n"
    whole = _parse_registry(refs, None)
    assert list(group_lines(refs, None)) == [b""]
    lazy = LazyRegistry(group_lines(refs, None), _parse_registry)
    assert lazy.get("rf") == whole.get("rf") and dict(lazy) == whole


def test_a_new_tag_parses_its_artifact_again_only() -> None:
    parsed: list[bytes] = []

    def counting(refs: bytes, head: HeadInfo | None) -> dict:  # type: ignore[type-arg]
        parsed.append(refs)
        return _parse_registry(refs, head)

    cache = RegistryCache(counting)
    first = cache.update(REFS, None, "stamp-1")
    first.complete()
    groups = len(parsed)
    assert cache.update(REFS, None, "stamp-2") is first and len(parsed) == groups
    refs = b"\n".join(sorted([*LINES, line("rf@v1.2.0", C3, 400)])) + b"\n"
    second = cache.update(refs, None, "stamp-3")
    assert dict(second.complete()) == _parse_registry(refs, None)
    assert len(parsed) == groups + 1 and b"rf@v1.2.0" in parsed[-1]


def test_refs_stamp_sees_tags_created_packed_and_deleted(tmp_path: Path) -> None:
    make_repo(tmp_path)
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "one")
    common = tmp_path / ".git"
    stamps = [refs_stamp(common)]
    for step in (
        ("tag", "-a", "-m", "m", "rf@v1.0.0"),
        ("tag", "-a", "-m", "m", "team/nn@v1.0.0"),  # a new folder below refs/tags
        ("tag", "-a", "-m", "m", "team/cnn@v1.0.0"),  # a new ref in that folder
        ("pack-refs", "--all"),
        ("tag", "-d", "team/nn@v1.0.0"),  # deleted from packed-refs
    ):
        git(tmp_path, *step)
        stamps.append(refs_stamp(common))
        assert stamps[-1] != stamps[-2], step
    assert refs_stamp(common) == stamps[-1]


def test_path_prefix_index_lists_what_the_scan_did() -> None:
    files = sorted(["a/b.txt", "a/b/c.txt", "a/bb", "a-b/x", "data/part-1.p", "data/part-10.p", "data/part-2.p"])
    files += ["x", "X/y", "a/b c.txt", "ä/ö.txt"]
    untracked = sorted(["a/b/new.txt", "a/bz", "new/f", "a/b.txt2"])
    tracked = Tracked(None, sorted(files), folders_of(sorted(files)), untracked, folders_of(untracked))
    kinds: tuple[tuple[list[str], bool, bool], ...] = ((tracked.folders, True, True), (tracked.files, False, True))
    kinds += ((tracked.untracked_folders, True, False), (tracked.untracked, False, False))
    for typed in ("", "a", "a/", "a/b", "a/b/", "./a/b", "data/part-1", "data/", "X", "n", "new/", "ä/", "zz/"):
        query = path_query(typed)
        assert query is not None
        scan: list[tuple[str, bool, bool]] = []
        for names, is_folder, is_tracked in kinds:
            for name in names:
                entry = (name, is_folder, is_tracked)
                parent = name.rsplit("/", 1)[0] if "/" in name else ""
                if parent == query.listed and name not in [e[0] for e in scan]:
                    scan.append(entry)
        assert tracked_children(tracked, query.listed) == scan, typed
        assert tracked_matching(tracked, query, 10**6) == [e for e in scan if path_matches(query, e[0])], typed
        assert tracked_matching(tracked, query, 2) == [e for e in scan if path_matches(query, e[0])][:2], typed


def test_saved_states_spare_the_parse_of_a_restarted_server(tmp_path: Path) -> None:
    parsed: list[bytes] = []

    def counting(refs: bytes, head: HeadInfo | None) -> dict:  # type: ignore[type-arg]
        parsed.append(refs)
        return _parse_registry(refs, head)

    path = tmp_path / "states.pickle"
    first = LazyRegistry(group_lines(REFS, HEAD), counting, saved=SavedStates(path)).complete()
    assert parsed and path.exists()
    parsed.clear()
    again = LazyRegistry(group_lines(REFS, HEAD), counting, saved=SavedStates(path))
    assert again.get("rf") == first["rf"] and dict(again.complete()) == dict(first) and not parsed
    refs = b"\n".join(sorted([*LINES, line("rf@v1.2.0", C3, 400)])) + b"\n"  # one artifact changed
    changed = LazyRegistry(group_lines(refs, HEAD), counting, saved=SavedStates(path)).complete()
    assert dict(changed) == _parse_registry(refs, HEAD) and len(parsed) == 1


def test_a_planted_saved_file_runs_no_code(tmp_path: Path) -> None:
    path = tmp_path / "states.pickle"
    marker = tmp_path / "ran"
    path.write_bytes(pickle.dumps(_Planted(str(marker))))
    registry = LazyRegistry(group_lines(REFS, None), _parse_registry, saved=SavedStates(path))
    assert dict(registry.complete()) == _parse_registry(REFS, None)
    assert not marker.exists()


class _Planted:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (Path(self.path),))

"""The tracked-files index that path completion bisects: built per folder when asked, it must equal the index of
every folder built in one pass (the earlier implementation, kept here as the reference), on many listings."""

from __future__ import annotations

import random

from gto_lsp.lsp.session.paths import Folder, Tracked, direct_children, folders_of

Entry = tuple[str, bool, bool]


def reference_folders(files: list[str]) -> list[str]:
    folders: set[str] = set()
    for name in files:
        parts = name.split("/")[:-1]
        for index in range(1, len(parts) + 1):
            folders.add("/".join(parts[:index]))
    return sorted(folders)


def reference_index(tracked: Tracked) -> dict[str, Folder]:
    lists: dict[str, list[list[Entry]]] = {}
    kinds = (
        (tracked.folders, True, True),
        (tracked.files, False, True),
        (tracked.untracked_folders, True, False),
        (tracked.untracked, False, False),
    )
    for kind, (names, is_folder, is_tracked) in enumerate(kinds):
        for name in names:
            parent = name.rsplit("/", 1)[0] if "/" in name else ""
            lists.setdefault(parent, [[], [], [], []])[kind].append((name, is_folder, is_tracked))
    built: dict[str, Folder] = {}
    for parent, by_kind in lists.items():
        entries: list[Entry] = []
        seen: set[str] = set()
        bounds = []
        for listed in by_kind:
            start = len(entries)
            for entry in listed:
                if entry[0] not in seen:
                    seen.add(entry[0])
                    entries.append(entry)
            bounds.append((start, len(entries)))
        built[parent] = Folder([entry[0] for entry in entries], tuple(bounds))
        assert built[parent].entries() == entries
    return built


# Names that sort around "/" ("." and " " below it, "0" just above), case, non-ASCII, empty components (git never
# lists a path that starts with "/").
PIECES = ["a", "b", "a.b", "a b", "a0", "a-", "A", "ä", "z", "0", "", "data", "part-1", "part-10", "x/"]


def random_path(rng: random.Random) -> str:
    parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 4))]
    path = "/".join(parts)
    return path if path and not path.startswith("/") else "f"


def random_tracked(rng: random.Random) -> Tracked:
    files = sorted({random_path(rng) for _ in range(rng.randint(0, 60))})
    untracked = sorted({random_path(rng) for _ in range(rng.randint(0, 30))} - set(files))
    return Tracked(None, files, reference_folders(files), untracked, reference_folders(untracked))


def test_folders_of_equals_the_reference() -> None:
    rng = random.Random(17)
    for _ in range(2000):
        files = sorted({random_path(rng) for _ in range(rng.randint(0, 40))})
        assert folders_of(files) == reference_folders(files), files
    assert folders_of([]) == []
    assert folders_of(["x", "y"]) == []
    assert folders_of(["a/b/c/d.txt", "a/b/e.txt", "a//f"]) == ["a", "a/", "a/b", "a/b/c"]


def test_every_folder_built_when_asked_equals_the_one_pass_index() -> None:
    rng = random.Random(3)
    for _ in range(1500):
        tracked = random_tracked(rng)
        expected = reference_index(tracked)
        asked = list(expected) + [random_path(rng) for _ in range(5)] + ["", "a", "a/", "nowhere"]
        rng.shuffle(asked)
        for parent in asked:
            assert tracked.folder(parent) == expected.get(parent), (parent, tracked.files, tracked.untracked)
        assert tracked.folder("") == expected.get("")  # asked again: the cached one


def test_starting_with_equals_a_filter_of_the_entries() -> None:
    """What path completion takes from a folder: the entries whose base name starts with the typed text, in
    order, at most `limit`, on random listings and typed starts (around "/", ".", "0", case, non-ASCII)."""
    rng = random.Random(5)
    for _ in range(800):
        tracked = random_tracked(rng)
        for parent, folder in reference_index(tracked).items():
            built = tracked.folder(parent)
            assert built is not None
            entries = folder.entries()
            for typed in ["", *PIECES, *(random_path(rng)[: rng.randint(0, 3)] for _ in range(3))]:
                prefix = (parent + "/" if parent else "") + typed
                kept = [entry for entry in entries if entry[0].rpartition("/")[2].startswith(typed)]
                if "/" in typed:  # a base name has no "/": nothing starts with it
                    kept = []
                for limit in (0, 1, 2, len(entries) + 1):
                    assert built.starting_with(prefix, limit) == kept[:limit], (parent, typed, limit)


def test_folders_are_listed_when_first_read() -> None:
    """The listing keeps no folder lists (`None`): each folder's subfolders come from the files below it, and
    the whole lists, read by other features, equal folders_of's."""
    rng = random.Random(11)
    for _ in range(500):
        given = random_tracked(rng)
        lazy = Tracked(None, given.files, None, given.untracked, None)
        for parent in [*reference_index(given), "", "a", "nowhere"]:
            assert lazy.folder(parent) == given.folder(parent), parent
        assert lazy.folders == reference_folders(given.files)
        assert lazy.untracked_folders == reference_folders(given.untracked)


def test_index_prepares_the_root_only() -> None:
    files = ["a/b.txt", "a/c/d.txt", "e.txt"]
    tracked = Tracked(None, files, folders_of(files), [], [])
    assert list(tracked.index()) == [""]
    assert tracked.folder("a") == reference_index(tracked)["a"]
    assert tracked.folder("a/c/d.txt") is None  # a file is no folder


def test_direct_children_skip_subfolders_whole() -> None:
    names = sorted(
        ["d/a", "d/a.b", "d/a/x", "d/a/y/z", "d/a0", "d/b", "d0", "d.x", "e/f"] + [f"d/s/{n}" for n in range(50)]
    )
    assert direct_children(names, "d") == ["d/a", "d/a.b", "d/a0", "d/b"]
    assert direct_children(names, "") == ["d.x", "d0"]
    assert direct_children(names, "d/s") == sorted(f"d/s/{n}" for n in range(50))
    assert direct_children(names, "missing") == []


def test_runs_of_files_end_at_every_subfolder() -> None:
    """A run of the folder's own files is taken by growing slices: a subfolder anywhere in it ends the run."""
    files = [f"d/f{n:03d}" for n in range(100)]
    for cut in range(100):
        for depth in ("d/f{:03d}x/deep", "d/f{:03d}x/a/b", "d/f{:03d}./x"):
            names = sorted([*files, depth.format(cut)])
            assert direct_children(names, "d") == files, (cut, depth)
    holes = sorted([*files, *(f"d/f{n:03d}y/x" for n in range(0, 100, 7))])  # many subfolders among them
    assert direct_children(holes, "d") == files

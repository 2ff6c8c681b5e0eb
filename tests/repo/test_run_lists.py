"""git's NUL-separated path lists: `z_list` and `sorted_unique` equal the plain computations on every shape of
list (git's byte order, repeats of a conflicted path, names that are not UTF-8, empty names, no output)."""

from __future__ import annotations

import random

from gto_lsp.core.repo.run import sorted_unique, z_list

ALPHABET = ["a", "b", "/", ".", "-", "0", "Z", "ä", "é", "\udcff", "\udc80", "日"]


def reference_z_list(out: bytes) -> list[str]:
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def random_name(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))


def git_order(names: list[str]) -> list[str]:
    """Sorted by the bytes, as git lists them (not Python's order for names that are not UTF-8)."""
    return sorted(names, key=lambda name: name.encode("utf-8", "surrogateescape"))


def test_sorted_unique_equals_sorted_set() -> None:
    rng = random.Random(17)
    for case in range(3000):
        names = [random_name(rng) for _ in range(rng.randint(0, 12))]
        for shaped in (names, git_order(names), sorted(names), sorted(set(names))):
            assert sorted_unique(list(shaped)) == sorted(set(shaped)), (case, shaped)
    assert sorted_unique([]) == []
    assert sorted_unique(["a", "a", "b", "b"]) == ["a", "b"]  # a conflicted path, once per stage
    assert sorted_unique(["b", "a"]) == ["a", "b"]


def test_sorted_unique_returns_a_new_list() -> None:
    paths = ["a", "b"]
    found = sorted_unique(paths)
    assert found == paths and found is not paths


def test_z_list_equals_the_plain_split() -> None:
    rng = random.Random(7)
    outputs = [b"", b"\0", b"\0\0", b"a", b"a\0", b"a\0\0b\0", b"\0a\0", b"a\0b", "ä\0\xff".encode("latin-1")]
    for _ in range(3000):
        names = [random_name(rng) for _ in range(rng.randint(0, 8))]
        out = "\0".join(names).encode("utf-8", "surrogateescape")
        outputs += [out, out + b"\0"]
    for out in outputs:
        assert z_list(out) == reference_z_list(out), out

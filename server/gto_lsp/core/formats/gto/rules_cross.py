"""The rules across entries: duplicate names, types `.gto` does not allow, and path problems (absolute, escaping,
missing, not committed, conflicting). They read only each entry's Facts and the repository, so check() reuses
their results while those are the same, and places them (`place`) where the entries are now.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from gto_lsp.core.codes import severity
from gto_lsp.core.formats.gto.facts import Facts
from gto_lsp.core.paths import escapes, is_absolute, is_external
from gto_lsp.core.pause import EVERY, PAUSE
from gto_lsp.core.problems import Problem, Related, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.blocks import Placed


class Found(NamedTuple):
    """A problem across entries, anchored to entry `index`'s name, type or path, placed when reported."""

    entry: int
    anchor: str  # "name", "type" or "path"
    code: str
    severity: str
    message: str
    data: Optional[dict[str, Any]]
    other: Optional[int] = None  # the entry of the related information
    other_anchor: str = "name"
    other_message: str = ""
    extra_related: tuple[Related, ...] = ()


def _anchor_span(artifact: Placed, fact: Facts, anchor: str) -> Span:
    node = fact.path_node if anchor == "path" else fact.type_node if anchor == "type" else None
    return artifact.span(node) if node is not None else artifact.name_span


def place(artifacts: list[Placed], facts: list[Facts], found: list[Found]) -> list[Problem]:
    out = []
    for item in found:
        artifact, fact = artifacts[item.entry], facts[item.entry]
        related = item.extra_related
        if item.other is not None:
            other, other_fact = artifacts[item.other], facts[item.other]
            related = (Related(_anchor_span(other, other_fact, item.other_anchor), item.other_message), *related)
        out.append(
            Problem(
                item.code,
                item.severity,
                item.message,
                _anchor_span(artifact, fact, item.anchor),
                data=item.data,
                related=related,
                artifact=str(fact.name),
            )
        )
    return out


def duplicate_names(every: list[Facts]) -> list[Found]:
    out: list[Found] = []
    first: dict[Any, int] = {}
    for index, fact in enumerate(every):
        original = first.setdefault(fact.name, index)
        if original != index:
            out.append(duplicate_found(index, fact.name, original))
    return out


def duplicate_found(index: int, name: Any, original: int) -> Found:
    """Entry `index` repeats the name that entry `original` defines first."""
    return Found(
        index,
        "name",
        "duplicate-name",
        severity("duplicate-name"),
        f"Artifact `{name}` is defined twice; GTO cannot read a file "
        "with a repeated name. Merge the two entries or rename one.",
        {"name": name},
        original,
        "name",
        f"`{name}` is first defined here",
    )


class AllowedTypes(NamedTuple):
    """What `.gto` (or GTO_TYPES) says of types: which it allows, whether the environment said it, and where."""

    types: tuple[str, ...]
    from_env: bool
    span: Optional[Span]


def allowed_types(every: list[Facts], allowed: AllowedTypes) -> list[Found]:
    out = []
    for index, fact in enumerate(every):
        found = type_found(index, fact, allowed)
        if found is not None:
            out.append(found)
    return out


def type_found(index: int, fact: Facts, allowed_types: AllowedTypes) -> Optional[Found]:
    """The entry's type when `.gto` (or GTO_TYPES) does not allow it."""
    if fact.type is None or fact.type_node is None or fact.type in allowed_types.types:
        return None
    allowed = list(allowed_types.types)
    where = "GTO_TYPES" if allowed_types.from_env else "`.gto`"
    names = ", ".join(f"`{t}`" for t in allowed)
    choice = f"use one of {names}" if allowed else f"{where} allows no type: remove the type"
    span = allowed_types.span
    related = (Related(span, "types allowed here", file=".gto"),) if span else ()
    value = fact.type
    return Found(
        index,
        "type",
        "type-not-allowed",
        severity("type-not-allowed"),
        f"Type `{value}` is not allowed by {where}: {choice}, or add `{value}` to `types`.",
        {"value": value, "allowed": allowed},
        extra_related=related,
    )


_OUTSIDE = {
    "path-absolute": "Path `{path}` is absolute; GTO paths are relative to the repository root. "
    "Write it relative to the root.",
    "path-escapes": "Path `{path}` leads outside the repository; GTO paths are relative to the repository root "
    "and stay inside it.",
}


def path_kind(fact: Facts) -> Optional[str]:
    """None: no path the rules read (none, empty, a URL); "path-absolute" or "path-escapes": outside the
    repository; "": a path in the repository, which the conflict rule compares with the others."""
    path = fact.path
    if path is None or fact.path_node is None or path == "" or is_external(path):
        return None
    return "path-absolute" if is_absolute(path) else "path-escapes" if escapes(fact.norm) else ""


def path_problems(every: list[Facts], repo: RepoView, virtual_missing: str) -> list[Found]:
    """`virtual_missing`: the severity of a missing path of a virtual artifact, or "off"."""
    out: list[Found] = []
    placed = _Placed()
    pause = PAUSE.get()
    for index, known in enumerate(every):
        if pause is not None and not index % EVERY:
            pause()
        kind = path_kind(known)
        if kind is None:
            continue
        if kind:
            out.append(outside_found(index, known, kind))
            continue
        _conflicts(index, known, every, placed, out)
        found = presence_found(index, known, repo, virtual_missing)
        if found is not None:
            out.append(found)
    return out


def outside_found(index: int, known: Facts, kind: str) -> Found:
    return Found(index, "path", kind, severity(kind), _OUTSIDE[kind].format(path=known.path), {"path": known.path})


def presence_found(index: int, known: Facts, repo: RepoView, virtual_missing: str) -> Optional[Found]:
    """A path in the repository that is missing, or not committed while `virtual: false` says it is."""
    path, norm, virtual = known.path, known.norm, known.virtual
    assert path is not None
    exists = repo.exists(path)
    if exists is False and repo.managed(norm):
        return None  # DVC or MLEM makes the data (`.dvc`, a stage's output, `.mlem`): present, and not git's
    if exists is False:
        if virtual:
            if virtual_missing != "off":
                message = (
                    f"Path `{path}` does not exist in the working tree (the artifact is virtual, so GTO accepts it)."
                )
                return Found(index, "path", "path-missing", virtual_missing, message, {"path": path, "virtual": True})
        else:
            message = (
                f"Path `{path}` does not exist, but the artifact says `virtual: false` (its file is "
                "committed). Restore the file, fix the path, or set `virtual: true`."
            )
            data = {"path": path, "virtual": False}
            return Found(index, "path", "path-missing", severity("path-missing"), message, data)
    if not virtual and repo.in_head is not None and not repo.in_head(path) and not repo.managed(norm):
        message = (
            f"Path `{path}` is not in the HEAD commit, but `virtual: false` says it is "
            "(`gto annotate --must-exist` would refuse it: "
            f"Nothing found in '{path}' for checked out commit). Commit the file, or set `virtual: true`."
        )
        return Found(index, "path", "path-not-committed", severity("path-not-committed"), message, {"path": path})
    return None


class _Placed:
    """The paths placed so far, by paths.folder_keys: `paths` maps each path's key to its entry, `folders` each
    folder above a path to the first entry below it. Keys, not prefixes: memory stays linear in the path."""

    def __init__(self) -> None:
        self.paths: dict[int, int] = {}
        self.folders: dict[int, int] = {}


def _conflicts(index: int, known: Facts, every: list[Facts], placed: _Placed, out: list[Found]) -> None:
    """GTO's rule: equal paths, or one inside the other; each check is O(depth)."""
    other = conflicting(known, placed.paths.get, placed.folders.get, lambda entry: every[entry].norm)
    if other is not None and other != index:
        out.append(conflict_found(index, known, other, every[other]))
    placed.paths.setdefault(known.key, index)
    for folder in known.folders:
        placed.folders.setdefault(folder, index)


def conflicting(
    known: Facts,
    first_path: Callable[[int], Optional[int]],
    first_below: Callable[[int], Optional[int]],
    norm_of: Callable[[int], str],
) -> Optional[int]:
    """The entry placed before `known` that GTO finds in conflict with it: the first with the same path, else the
    first inside it, else the first that holds it (innermost folder first). `first_path(key)` is the first entry
    placed before with that path key, `first_below(key)` the first with a path inside that folder key. A key
    found is confirmed on the paths themselves (two keys may collide)."""
    norm = known.norm

    def confirmed(other: Optional[int], same: Callable[[str], bool]) -> Optional[int]:
        return other if other is not None and same(norm_of(other)) else None

    other = confirmed(first_path(known.key), norm.__eq__)
    if other is None:
        other = confirmed(first_below(known.key), lambda below: below.startswith(norm + "/"))
    if other is None:
        for folder in known.folders:
            other = confirmed(first_path(folder), lambda above: norm.startswith(above + "/"))
            if other is not None:
                break
    return other


def conflict_found(index: int, known: Facts, other: int, other_facts: Facts) -> Found:
    shown = other_facts.path
    return Found(
        index,
        "path",
        "path-conflict",
        severity("path-conflict"),
        f"Path `{known.path}` overlaps artifact `{other_facts.name}` "
        f"(`{shown}`): GTO refuses to annotate either with this path (Provided path conflicts "
        "with ...). Give each artifact its own path.",
        {"path": known.path, "other": str(other_facts.name)},
        other,
        "path",
        f"`{other_facts.name}` uses `{shown}`",
    )

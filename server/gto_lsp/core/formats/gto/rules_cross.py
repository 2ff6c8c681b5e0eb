"""The rules across entries: duplicate names, types `.gto` does not allow, and path problems (absolute, escaping,
missing, not committed, conflicting). They read only each entry's Facts and the repository, so check() reuses
their results while those are the same, and places them (`place`) where the entries are now.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from gto_lsp.core.codes import severity
from gto_lsp.core.config import Config
from gto_lsp.core.formats.gto.facts import Facts
from gto_lsp.core.paths import escapes, is_absolute, is_external
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


def place(known: list[tuple[Placed, Facts]], found: list[Found]) -> list[Problem]:
    out = []
    for item in found:
        artifact, fact = known[item.entry]
        related = item.extra_related
        if item.other is not None:
            other, other_fact = known[item.other]
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


def duplicate_names(known: list[tuple[Placed, Facts]]) -> list[Found]:
    out: list[Found] = []
    first: dict[Any, int] = {}
    for index, (_, fact) in enumerate(known):
        name = fact.name
        original = first.get(name)
        if original is None:
            first[name] = index
            continue
        out.append(
            Found(
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
        )
    return out


def allowed_types(known: list[tuple[Placed, Facts]], config: Config) -> list[Found]:
    if config.types is None:
        return []
    allowed = list(config.types)
    out = []
    where = "GTO_TYPES" if config.types_from_env else "`.gto`"
    names = ", ".join(f"`{t}`" for t in allowed)
    choice = f"use one of {names}" if allowed else f"{where} allows no type: remove the type"
    related = (Related(config.types_span, "types allowed here", file=".gto"),) if config.types_span else ()
    for index, (_, fact) in enumerate(known):
        if fact.type is None or fact.type_node is None or fact.type in allowed:
            continue
        value = fact.type
        out.append(
            Found(
                index,
                "type",
                "type-not-allowed",
                severity("type-not-allowed"),
                f"Type `{value}` is not allowed by {where}: {choice}, or add `{value}` to `types`.",
                {"value": value, "allowed": allowed},
                extra_related=related,
            )
        )
    return out


_OUTSIDE = {
    "path-absolute": "Path `{path}` is absolute; GTO paths are relative to the repository root. "
    "Write it relative to the root.",
    "path-escapes": "Path `{path}` leads outside the repository; GTO paths are relative to the repository root "
    "and stay inside it.",
}


def path_problems(known_facts: list[tuple[Placed, Facts]], repo: RepoView, virtual_missing: str) -> list[Found]:
    """`virtual_missing`: the severity of a missing path of a virtual artifact, or "off"."""
    out: list[Found] = []
    placed = _Placed()
    for index, (_, known) in enumerate(known_facts):
        path = known.path
        if path is None or known.path_node is None or path == "" or is_external(path):
            continue
        virtual = known.virtual
        norm = known.norm
        outside = "path-absolute" if is_absolute(path) else "path-escapes" if escapes(norm) else None
        if outside is not None:
            message = _OUTSIDE[outside].format(path=path)
            out.append(Found(index, "path", outside, severity(outside), message, {"path": path}))
            continue
        _conflicts(index, known, known_facts, placed, out)
        exists = repo.exists(path)
        if exists is False and repo.managed(norm):
            continue  # DVC or MLEM makes the data (`.dvc`, a stage's output, `.mlem`): present, and not git's
        if exists is False:
            if virtual:
                if virtual_missing != "off":
                    message = (
                        f"Path `{path}` does not exist in the working tree (the artifact is virtual, so GTO "
                        "accepts it)."
                    )
                    data = {"path": path, "virtual": True}
                    out.append(Found(index, "path", "path-missing", virtual_missing, message, data))
            else:
                message = (
                    f"Path `{path}` does not exist, but the artifact says `virtual: false` (its file is "
                    "committed). Restore the file, fix the path, or set `virtual: true`."
                )
                out.append(
                    Found(
                        index,
                        "path",
                        "path-missing",
                        severity("path-missing"),
                        message,
                        {"path": path, "virtual": False},
                    )
                )
                continue
        if not virtual and repo.in_head is not None and not repo.in_head(path) and not repo.managed(norm):
            message = (
                f"Path `{path}` is not in the HEAD commit, but `virtual: false` says it is "
                "(`gto annotate --must-exist` would refuse it: "
                f"Nothing found in '{path}' for checked out commit). Commit the file, or set `virtual: true`."
            )
            out.append(
                Found(index, "path", "path-not-committed", severity("path-not-committed"), message, {"path": path})
            )
    return out


class _Placed:
    """The paths placed so far, by paths.folder_keys: `paths` maps each path's key to its entry, `folders` each
    folder above a path to the first entry below it. Keys, not prefixes: memory stays linear in the path."""

    def __init__(self) -> None:
        self.paths: dict[int, int] = {}
        self.folders: dict[int, int] = {}


def _conflicts(
    index: int, known: Facts, known_facts: list[tuple[Placed, Facts]], placed: _Placed, out: list[Found]
) -> None:
    """GTO's rule: equal paths, or one inside the other; each check is O(depth). A key found is confirmed on the
    paths themselves (two keys may collide)."""
    norm = known.norm

    def confirmed(other: Optional[int], same: Callable[[str], bool]) -> Optional[int]:
        return other if other is not None and same(known_facts[other][1].norm) else None

    other = confirmed(placed.paths.get(known.key), norm.__eq__)
    if other is None:
        other = confirmed(placed.folders.get(known.key), lambda below: below.startswith(norm + "/"))
    if other is None:
        for folder in known.folders:
            other = confirmed(placed.paths.get(folder), lambda above: norm.startswith(above + "/"))
            if other is not None:
                break
    if other is not None and other != index:
        other_facts = known_facts[other][1]
        shown = other_facts.path
        out.append(
            Found(
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
        )
    placed.paths.setdefault(known.key, index)
    for folder in known.folders:
        placed.folders.setdefault(folder, index)

"""The rules of dvc.yaml's `artifacts:` section: DVC's schema, YAML 1.2 typing traps, GTO's name rule, and
paths resolved from the dvc.yaml's folder. Stages, plots, params, metrics and vars are not ours: only YAML
syntax is reported there.

Rules that read one entry are memoised per block (_MEMO), so an edit re-checks only the entry it touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, Callable, Optional

from gto_lsp.core.codes import CheckSettings, refuses
from gto_lsp.core.formats.dvc.document import DvcDocument, Entry
from gto_lsp.core.formats.dvc.field_rules import extra_key, value_problems
from gto_lsp.core.formats.dvc.fields import FIELD_BY_NAME, REQUIRED
from gto_lsp.core.formats.dvc.files import resolve_path
from gto_lsp.core.formats.dvc.pipeline.stages import plain_outputs
from gto_lsp.core.names import invalid_name_message, is_valid_name, suggest_name
from gto_lsp.core.problems import Problem, Related, Span
from gto_lsp.core.repo.fs import RepoView, tracked_by_dvc
from gto_lsp.core.yaml.blocks import BlockMemo, Blocks
from gto_lsp.core.yaml.nodes import (
    ALIAS_BUDGET,
    MERGE,
    NULL,
    STR,
    AliasExpansionError,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    alias_excess,
    tag_of,
)
from gto_lsp.core.yaml.rules import duplicate_keys, node_kind, relative_span, tag_problems

BREAKS_PROJECT = (
    " DVC refuses this dvc.yaml, so `dvc status`, `dvc repro` and artifact lookups fail for the whole project."
)
_MEMO = BlockMemo()


def check_dvc(
    document: DvcDocument,
    repo: Optional[RepoView] = None,
    folder: str = "",
    settings: Optional[CheckSettings] = None,
    outputs: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every problem of the document. `folder`: the dvc.yaml's folder relative to the repository root (POSIX,
    "" for the root). `outputs`: paths DVC tracks as outputs of stages in other dvc.yaml files."""
    settings = settings or CheckSettings()
    if not settings.enable:
        return []
    problems = [_with_note(p) for p in document.problems]
    problems.extend(_section_problems(document))
    paths = repo if settings.paths and repo is not None and repo.root is not None else None
    key = (settings, folder, paths.token if paths is not None else None, outputs)
    checked = _spliced(document, key, paths, folder, settings) or _check_entries(document, key, paths, folder, settings)
    _CHECKED[document.serial] = checked
    if len(_CHECKED) > _KEEP:
        _CHECKED.pop(next(iter(_CHECKED)), None)
    problems.extend(chain.from_iterable(checked.local))
    problems.extend(chain.from_iterable(checked.paths))
    return problems


@dataclass(frozen=True)
class _Checked:
    """A document's check by entry, which the check of the next document, made from it by an edit (its
    `splice`), reuses for the entries the edit left alone."""

    key: tuple[Any, ...]  # the settings, folder, repository answers and outputs it was checked with
    local: list[list[Problem]]  # per entry: its own rules' problems, and its repeated name's, placed
    paths: list[list[Problem]]  # per entry: its path problem, placed (none when paths are not checked)
    names: list[tuple[str, Any]]  # per entry: the kind of its key and its name
    repeated: frozenset[Any]  # names declared more than once
    known: frozenset[str]  # the outputs a path may name
    stages: tuple[Blocks, Optional[Blocks]]  # the top level and stage blocks `known` was read from


# The last checks, by document serial: a few open dvc.yaml files, each edited in turn.
_CHECKED: dict[int, _Checked] = {}
_KEEP = 16


def _check_entries(
    document: DvcDocument, key: tuple[Any, ...], repo: Optional[RepoView], folder: str, settings: CheckSettings
) -> _Checked:
    local: list[list[Problem]] = []
    names: list[tuple[str, Any]] = []
    firsts: dict[Any, Entry] = {}
    repeated: set[Any] = set()
    for entry in document.entries:
        memo = _MEMO.of(entry.block)  # once per entry: the rules below share it
        kind = _key_kind(entry, memo)
        names.append((kind, entry.name))
        if kind == "merge":
            local.append(list(_merged_entries(entry)))  # `<<: *anchor` merges entries into the section
            continue
        found = _placed(entry, memo, "dvc-placed", _local)
        if kind == "name":
            first = firsts.setdefault(entry.name, entry)
            if first is not entry:
                repeated.add(entry.name)
                found = [*found, _repeated_name(entry, first)]
        local.append(found)
    known = frozenset(_plain_outputs(document, folder)) | key[3] if repo is not None else frozenset()
    paths = _path_problems(document.entries, repo, folder, settings, known) if repo is not None else []
    return _Checked(key, local, paths, names, frozenset(repeated), known, (document.top, document.stage_blocks))


def _spliced(
    document: DvcDocument, key: tuple[Any, ...], repo: Optional[RepoView], folder: str, settings: CheckSettings
) -> Optional[_Checked]:
    """The previous document's check with the entries its edit changed checked again, when the edit kept every
    line (so every other entry, and each of its problems, is where it was) and the changed entries' names."""
    splice = document.splice
    before = _CHECKED.get(splice.previous) if splice is not None else None
    if splice is None or before is None or before.key != key:
        return None
    start, old_stop, stop = splice.start, splice.old_stop, splice.stop
    if len(before.local) - old_stop != len(document.entries) - stop:
        return None
    changed = document.entries[start:stop]
    memos = [_MEMO.of(entry.block) for entry in changed]
    names = [(_key_kind(entry, memo), entry.name) for entry, memo in zip(changed, memos)]
    if names != before.names[start:old_stop] or any(kind == "name" and n in before.repeated for kind, n in names):
        return None  # a name changed, or one that is repeated: the names across entries are checked again
    known, stages = before.known, (document.top, document.stage_blocks)
    if repo is not None and (before.stages[0] is not stages[0] or before.stages[1] is not stages[1]):
        known = frozenset(_plain_outputs(document, folder)) | key[3]
        if known != before.known:
            return None  # a stage's outputs changed: every path is checked again
    local = [
        list(_merged_entries(entry)) if kind == "merge" else _placed(entry, memo, "dvc-placed", _local)
        for entry, memo, (kind, _) in zip(changed, memos, names)
    ]
    paths = before.paths
    if repo is not None:
        paths = [*paths[:start], *_path_problems(changed, repo, folder, settings, known), *paths[old_stop:]]
    local = [*before.local[:start], *local, *before.local[old_stop:]]
    all_names = [*before.names[:start], *names, *before.names[old_stop:]]
    return _Checked(key, local, paths, all_names, before.repeated, known, stages)


def _repeated_name(entry: Entry, first: Entry) -> Problem:
    return Problem(
        "duplicate-name",
        "error",
        f"Artifact `{entry.name}` is declared twice in this section (a repeated YAML key). "
        "Merge the two entries or rename one." + BREAKS_PROJECT,
        entry.name_span,
        related=(Related(first.name_span, f"`{entry.name}` is first declared here"),),
        data={"name": entry.name},
        artifact=entry.name,
    )


def _merged_entries(entry: Entry) -> Iterator[Problem]:
    """A `<<` merge in the section: the mappings it merges become entries, each of which must be a mapping."""
    value = entry.block.value
    sources = value.value if isinstance(value, SequenceNode) else [value]
    for source in sources:
        if not isinstance(source, MappingNode):
            yield Problem(
                "yaml-syntax",
                "error",
                "`<<` merges mappings (an anchored `&name` mapping or a list of them), and DVC's YAML reader refuses "
                "anything else here." + BREAKS_PROJECT,
                entry.name_span,
            )
            return
        for key, item in source.value:
            if not isinstance(item, MappingNode):
                yield Problem(
                    "entry-not-mapping",
                    "error",
                    f"`<<` merges `{getattr(key, 'value', key)}` into the section as an artifact, and it is not a "
                    "mapping of fields (DVC: expected a dictionary)." + BREAKS_PROJECT,
                    entry.name_span,
                    artifact=str(getattr(key, "value", "")),
                )


def _key_kind(entry: Entry, memo: dict[str, Any]) -> str:
    """ "name" (a string key), "merge" (`<<`) or "other", remembered with the block (resolving a plain scalar's
    tag costs more than the rest of an unchanged entry's check)."""
    kind: Optional[str] = memo.get("dvc-key")
    if kind is None:
        key = entry.key
        kind = "merge" if isinstance(key, ScalarNode) and tag_of(key) == MERGE else "other"
        if kind == "other" and entry.name_is_string:
            kind = "name"
        memo["dvc-key"] = kind
    return kind


def _placed(
    entry: Entry, memo: dict[str, Any], slot: str, relative: Callable[[Entry, dict[str, Any]], list[Problem]]
) -> list[Problem]:
    """Problems stored relative to the entry's block, placed in the document; the placed list is reused while
    the entry has not moved (placing thousands of problems on each edit would dominate the check)."""
    where = (entry.line, entry.indent, entry.col_shift)
    found = relative(entry, memo)
    cached = memo.get(slot)
    if cached is not None and cached[0] == where and cached[1] is found:
        placed: list[Problem] = cached[2]
        return placed
    placed = [entry.relative(p) for p in found]
    memo[slot] = (where, found, placed)
    return placed


def _with_note(problem: Problem) -> Problem:
    if refuses(problem.code, "dvc") and BREAKS_PROJECT not in problem.message:
        message = problem.message.replace("GTO cannot read", "DVC cannot read").replace("artifacts.yaml", "dvc.yaml")
        return Problem(problem.code, problem.severity, message + BREAKS_PROJECT, problem.span, problem.data)
    return problem


def _section_problems(document: DvcDocument) -> list[Problem]:
    if document.section_kind not in ("empty", "not-mapping") or document.section_line is None:
        return []
    line = document.section_line
    span = Span.at(line, 0)
    span = Span(span.start, span.start.__class__(line, len("artifacts")))
    what = "nothing" if document.section_kind == "empty" else _kind(document.section_value)
    return [
        Problem(
            "section-not-mapping",
            "error",
            f"`artifacts:` must be a mapping of artifact names to their fields, not {what} "
            "(DVC: expected a dictionary). Write `artifacts: {}` or add an artifact." + BREAKS_PROJECT,
            span,
            data={"fix": "{}"} if document.section_kind == "empty" else None,
        )
    ]


def _kind(node: Optional[Node]) -> str:
    return "nothing" if node is None else node_kind(node)


def _local(entry: Entry, memo: dict[str, Any]) -> list[Problem]:
    found: Optional[list[Problem]] = memo.get("dvc")
    if found is None:
        found = [_with_note(p) for p in _entry_problems(entry)]
        for index, problem in enumerate(found):
            if problem.artifact is None and entry.name_is_string:
                found[index] = Problem(
                    problem.code,
                    problem.severity,
                    problem.message,
                    problem.span,
                    problem.data,
                    problem.related,
                    artifact=str(entry.name),
                )
        memo["dvc"] = found
    return found


def _entry_problems(entry: Entry) -> Iterator[Problem]:
    key, value = entry.key, entry.block.value
    name_span = relative_span(key)
    if not entry.name_is_string:
        shown = key.value if isinstance(key, ScalarNode) else "a collection"
        yield Problem(
            "name-not-string",
            "error",
            f"Artifact name `{shown}` is read as {node_kind(key)}, not a string (DVC: expected str). "
            f"Quote it: '{shown}'.",
            name_span,
            data={"quoted": f"'{shown}'"} if isinstance(key, ScalarNode) else None,
        )
    elif "${" not in entry.name and not is_valid_name(entry.name):
        yield Problem(
            "invalid-name",
            "warning",
            invalid_name_message(entry.name, "artifact name")
            + " DVC loads the file, but it cannot look this artifact up "
            "(`dvc artifacts get`) and GTO cannot register it.",
            name_span,
            data={"value": entry.name, "suggestion": suggest_name(entry.name)},
        )
    if alias_excess(value) > ALIAS_BUDGET:
        yield Problem("alias-expansion", "error", f"Artifact `{entry.name}`: {AliasExpansionError()}", name_span)
        return  # no other rule expands it
    out: list[Problem] = []
    tag_problems(entry.block.text, key, out)
    if not isinstance(value, MappingNode) or str(value.tag).endswith(":set"):
        if value is None or (isinstance(value, ScalarNode) and tag_of(value) == NULL):
            yield Problem(
                "entry-not-mapping",
                "error",
                f"Artifact `{entry.name}` has no fields, and DVC requires `path` (DVC: expected a dictionary). "
                "Add `path:`.",
                name_span,
                data={"add": "path"},
            )
        else:
            yield Problem(
                "entry-not-mapping",
                "error",
                f"Artifact `{entry.name}` must be a mapping of fields (path, desc, type, labels, meta), not "
                f"{node_kind(value)} (DVC: expected a dictionary).",
                relative_span(value),
            )
            tag_problems(entry.block.text, value, out)
        yield from out
        return
    duplicate_keys(value, out)
    tag_problems(entry.block.text, value, out)
    yield from out
    present = set()
    for field_key, field_value in entry.fields():
        name = field_key.value if isinstance(field_key, ScalarNode) and tag_of(field_key) == STR else None
        if name in present:
            continue  # a `<<` merge brings it too; the entry's own key wins
        if name not in FIELD_BY_NAME:
            yield extra_key(entry, field_key, name)
            continue
        present.add(name)
        yield from value_problems(entry, name, field_value)
    for required in REQUIRED:
        if required not in present:
            yield Problem(
                "missing-path",
                "error",
                f"Artifact `{entry.name}` has no `{required}` (DVC: required key not provided). Add `{required}:` "
                "with the artifact's file or folder, relative to this dvc.yaml.",
                name_span,
                data={"add": required},
            )


# --- paths ------------------------------------------------------------------------------------------------------


def _plain_outputs(document: DvcDocument, folder: str) -> set[str]:
    """This file's outputs that need no `${}`: what a check not given the pipeline's (`outputs`) still counts.
    Remembered per stage block: an edit elsewhere re-reads no stage."""
    out: set[str] = set()
    for stage in document.stages:
        memo = _MEMO.of(stage.block)
        found: Optional[frozenset[str]] = memo.get(f"dvc-outputs:{folder}")
        if found is None:
            found = memo[f"dvc-outputs:{folder}"] = frozenset(plain_outputs(stage, folder))
        out |= found
    return out


def _path_problems(
    entries: list[Entry], repo: RepoView, folder: str, settings: CheckSettings, known: frozenset[str]
) -> list[list[Problem]]:
    """Each entry's path problem, remembered per block while the repository's answers, the folder, the
    setting and the stage outputs stay the same (typing in a description re-checks no path)."""
    key = (repo.token, folder, settings.virtual_missing, hash(known))

    def relative(entry: Entry, memo: dict[str, Any]) -> list[Problem]:
        cached = memo.get("dvc-path")
        if cached is None or cached[0] != key:
            problem = _entry_path_problem(entry, repo, folder, settings, known)
            cached = (key, [problem] if problem is not None else [])
            memo["dvc-path"] = cached
        found: list[Problem] = cached[1]
        return found

    return [_placed(entry, _MEMO.of(entry.block), "dvc-path-placed", relative) for entry in entries]


def _entry_path_problem(
    entry: Entry, repo: RepoView, folder: str, settings: CheckSettings, outputs: frozenset[str]
) -> Optional[Problem]:
    """The entry's path problem, placed relative to its block."""
    pair = entry.field("path")
    if pair is None or not isinstance(pair[1], ScalarNode) or tag_of(pair[1]) != STR:
        return None
    node = pair[1]
    where = resolve_path(node.value, folder)
    span = relative_span(node)
    name = str(entry.name)
    if where.problem == "absolute":
        base = f"`{folder}/`" if folder else "the repository root"
        return Problem(
            "path-absolute",
            "warning",
            f"`{node.value}` is absolute: DVC reads it as `{where.resolved}` from the repository root. "
            f"Write it relative to this dvc.yaml's folder ({base}).",
            span,
            data={"path": node.value},
            artifact=name,
        )
    if where.problem == "url":
        return Problem(
            "path-url",
            "warning",
            f"`{node.value}` is a URL: DVC's lookups (`dvc artifacts get`, `artifacts_show`) read it as a "
            "local path and fail. Track the data with DVC (`dvc import-url`) and point `path` at it.",
            span,
            artifact=name,
        )
    if where.problem == "escapes":
        return Problem(
            "path-escapes",
            "warning",
            f"`{node.value}` leaves the repository (DVC clamps it to the root). Point at a file inside it.",
            span,
            artifact=name,
        )
    if where.problem is not None or settings.virtual_missing == "off":
        return None
    if repo.exists(where.resolved) or tracked_by_dvc(where.resolved, repo, outputs):
        return None
    shown = f" (`{where.resolved}` from the repository root)" if folder else ""
    return Problem(
        "path-missing",
        settings.virtual_missing,
        f"`{node.value}` does not exist{shown}, is not tracked by a `.dvc` file and is no stage's "
        "output: `dvc artifacts get` will fail. Paths in dvc.yaml are relative to its folder.",
        span,
        data={"path": node.value, "resolved": where.resolved},
        artifact=name,
    )

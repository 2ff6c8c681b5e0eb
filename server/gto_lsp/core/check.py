"""The rules: every problem GTO would have with artifacts.yaml, each with a stable code.

Rules that read only one entry are computed once per block text and memoised on the block, so an edit re-checks
only the entry it touched; rules across entries (duplicate names, path conflicts) and those that ask the
file system or git run each time and are cheap.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, NamedTuple, Optional

from .codes import problem, severity
from .config import Config
from .fields import FIELD_BY_NAME, FIELDS, Field, closest_field
from .names import invalid_name_message, is_valid_name, suggest_name
from .parse import (
    BINARY,
    BOOL,
    FLOAT,
    INT,
    MERGE,
    NULL,
    PLAIN,
    STR,
    TIMESTAMP,
    Artifact,
    Document,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_standard_tag,
    resolve_plain,
    scalar_value,
    tag_of,
)
from .paths import escapes, exists_inside, is_absolute, parents
from .paths import is_external as is_external
from .paths import normalise as normalise
from .problems import Problem, Related, Span
from .values import LAX_FALSE, LAX_TRUE


@dataclass(frozen=True)
class CheckSettings:
    enable: bool = True
    paths: bool = True
    unknown_fields: bool = True
    virtual_missing: str = "warning"  # a severity, or "off"


class ExistsCache(dict):  # type: ignore[type-arg]
    """Answers of the file system; `clear()` (on file events) also retires results computed from them."""

    generation = 0

    def clear(self) -> None:
        super().clear()
        self.generation += 1


@dataclass
class RepoView:
    """What the path rules may ask about the repository; None where it is unknown (no repository, no git).

    Keep one per repository (or at least its `exists_cache`) and call `invalidate()` (or clear the cache) when
    files or HEAD change."""

    root: Optional[Path] = None
    in_head: Optional[Callable[[str], bool]] = None
    exists_cache: dict[str, bool] = field(default_factory=ExistsCache)
    _real_root: Optional[str] = field(default=None, repr=False)

    def invalidate(self) -> None:
        self.exists_cache.clear()

    @property
    def token(self) -> tuple[Any, ...]:
        """Identifies the answers this view gives: results across entries are reused only for the same token."""
        owner = getattr(self.in_head, "__self__", self.in_head)
        return (self.root, id(self.exists_cache), getattr(self.exists_cache, "generation", None), id(owner))

    def exists(self, path: str) -> Optional[bool]:
        if self.root is None:
            return None
        cached = self.exists_cache.get(path)
        if cached is None:
            if self._real_root is None:
                self._real_root = os.path.realpath(self.root)
            cached = exists_inside(self.root, path, self._real_root)
            self.exists_cache[path] = cached
        return cached


def check(
    document: Document,
    config: Optional[Config] = None,
    repo: Optional[RepoView] = None,
    settings: CheckSettings = CheckSettings(),
) -> list[Problem]:
    """Every problem of the document (config problems are reported separately: `config.problems`)."""
    if not settings.enable:
        return []
    config = config or Config()
    problems = list(document.problems)
    known = [(artifact, facts(artifact)) for artifact in document.artifacts]
    for artifact, fact in known:
        for local in fact.local:
            if local.code == "unknown-field" and not settings.unknown_fields:
                continue
            problems.append(artifact.relative(local))
    repo = repo or RepoView()
    # The rules across entries depend only on each entry's name, type, path and virtual, and on the
    # repository: while those are the same (typing in a description), their last results are placed again.
    key = (
        [fact.signature for _, fact in known],
        config.types,
        config.types_from_env,
        config.types_span,
        settings,
        repo.token,
    )
    cached = document.cross_cache
    if cached is not None and cached[0] == key:
        found = cached[1]
    else:
        found = _duplicate_names(known)
        if config.types is not None:
            found.extend(_allowed_types(known, config))
        if settings.paths:
            found.extend(_path_problems(known, repo, settings))
        document.cross_cache = (key, found)
    problems.extend(_place(known, found))
    return problems


class _Found(NamedTuple):
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


def _anchor_span(artifact: Artifact, fact: Facts, anchor: str) -> Span:
    node = fact.path_node if anchor == "path" else fact.type_node if anchor == "type" else None
    return artifact.span(node) if node is not None else artifact.name_span


def _place(known: list[tuple[Artifact, Facts]], found: list[_Found]) -> list[Problem]:
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


# --- one entry --------------------------------------------------------------------------------------------


def _rel(artifact: Artifact, node: Node) -> Span:
    """Span of a node relative to the block (stored in the memo, placed later)."""
    return Artifact(artifact.block, 0, 0).span(node)


def _local_problems(artifact: Artifact) -> list[Problem]:
    out: list[Problem] = []
    key, value = artifact.key, artifact.block.value
    name_span = _rel(artifact, key)
    name = artifact.name
    if not artifact.name_is_string:
        shown = key.value if isinstance(key, ScalarNode) else "a collection"
        out.append(
            problem(
                "name-not-string",
                f"Artifact name `{shown}` is read as {_kind(key)}, not a string"
                f", and GTO cannot read the file. Quote it: '{shown}'.",
                name_span,
                data={"quoted": f"'{shown}'"} if isinstance(key, ScalarNode) else None,
            )
        )
    elif not is_valid_name(name):
        out.append(
            problem(
                "invalid-name",
                invalid_name_message(name),
                name_span,
                data={"value": name, "suggestion": suggest_name(name)},
            )
        )
    _tags(artifact, key, out)
    if value is None or not isinstance(value, MappingNode) or str(value.tag).endswith(":set"):
        if value is None or (isinstance(value, ScalarNode) and tag_of(value) == NULL):
            out.append(
                problem(
                    "entry-not-mapping",
                    f"Artifact `{name}` has no fields, and GTO cannot read "
                    f"an empty entry. Write `{name}: {{}}` or add fields such as `type:` and `path:`.",
                    name_span,
                    data={"fix": "{}"},
                )
            )
        else:
            out.append(
                problem(
                    "entry-not-mapping",
                    f"Artifact `{name}` must be a mapping of fields "
                    f"({', '.join(f.name for f in FIELDS)}), not "
                    f"{_kind(value)}.",
                    _rel(artifact, value),
                )
            )
            _tags(artifact, value, out)
        return out
    _duplicate_keys(artifact, value, out)
    _tags(artifact, value, out)
    for field_key, field_value in artifact.fields():
        if not isinstance(field_key, ScalarNode):
            out.append(
                problem(
                    "unknown-field",
                    "A field name must be a plain word; GTO ignores this one.",
                    _rel(artifact, field_key),
                    data={"field": None},
                )
            )
            continue
        field_name = field_key.value
        spec = FIELD_BY_NAME.get(field_name)
        if spec is None:
            suggestion = closest_field(field_name)
            hint = f" Did you mean `{suggestion}`?" if suggestion else ""
            if suggestion and artifact.field(suggestion) is not None:
                hint = f" (`{suggestion}` is already set.)"
                suggestion = None
            out.append(
                problem(
                    "unknown-field",
                    f"Unknown field `{field_name}`: GTO ignores it and drops "
                    f"it the next time it writes the file.{hint}",
                    _rel(artifact, field_key),
                    data={"field": field_name, "suggestion": suggestion},
                )
            )
            continue
        _field_value(artifact, spec, field_value, out)
    return out


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = tag_of(node)
    short = tag.rsplit(":", 1)[-1]
    named = {NULL: "null", BOOL: "a boolean", STR: "a string"}.get(tag)
    return named or (f"an {short}" if short[:1] in "aeiou" else f"a {short}")


def _tags(artifact: Artifact, node: Node, out: list[Problem]) -> None:
    stack: list[tuple[Node, bool]] = [(node, False)]
    seen: set[int] = set()
    while stack:
        current, is_key = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        reason = _tag_problem(current)
        if reason is None and not is_key and isinstance(current, ScalarNode) and tag_of(current) == MERGE:
            reason = "`<<` is a merge key, not a value: GTO cannot read the file. Quote it: '<<'."
        if reason is not None:
            out.append(problem("unsupported-tag", reason, _rel(artifact, current)))
        if isinstance(current, SequenceNode):
            stack.extend((item, False) for item in current.value)
        elif isinstance(current, MappingNode):
            for k, v in current.value:
                stack.extend(((k, True), (v, False)))


def _tag_problem(node: Node) -> Optional[str]:
    """Why GTO's safe reader cannot construct this node's tag, if it cannot."""
    tag = str(node.tag)
    if not is_standard_tag(tag):
        return f"GTO's safe YAML reader cannot read the tag `{tag}`. Remove it."
    short = tag.rsplit(":", 1)[-1]
    if isinstance(node, ScalarNode):
        if tag == PLAIN or short in ("str", "value"):
            return None
        if not _fits_explicit_tag(short, node.value):
            return f"`!!{short} {node.value}` is not a valid {short}, and GTO cannot read the file. Remove the tag."
        if short in ("map", "seq", "set", "omap", "pairs"):
            return f"`!!{short}` on a single value: GTO cannot read the file. Remove the tag."
        return None
    kinds = ("map", "omap", "pairs", "set") if isinstance(node, MappingNode) else ("seq", "omap", "pairs")
    if short not in kinds:
        shape = "mapping" if isinstance(node, MappingNode) else "list"
        return f"`!!{short}` does not fit this {shape}: GTO cannot read the file. Remove the tag."
    return None


def _fits_explicit_tag(short: str, value: str) -> bool:
    """What ruamel.yaml's safe constructor accepts under an explicit scalar tag."""
    if short == "bool":
        return value.lower() in ("yes", "no", "true", "false", "on", "off")
    if short == "int":
        return (
            resolve_plain(value) == INT
            or re.fullmatch(r"[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9_]+)", value) is not None
        )
    if short == "float":
        return resolve_plain(value) in (INT, FLOAT)
    if short == "timestamp":
        return resolve_plain(value) == TIMESTAMP
    if short == "binary":
        try:
            base64.decodebytes(value.encode("ascii"))  # what ruamel's constructor does
        except (ValueError, UnicodeEncodeError):
            return False
    return True  # str, null, value: any text


def _key_value(node: ScalarNode) -> Any:
    """A key as GTO's reader constructs it, so `1` and `0x1` (or `null` and `~`) are the same key."""
    tag = tag_of(node)
    if tag == STR:
        return ("str", node.value)
    try:
        value = scalar_value(node)
    except Exception:
        return ("raw", node.value)
    return ("value", value)


def _duplicate_keys(artifact: Artifact, node: Node, out: list[Problem]) -> None:
    stack = [node]
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, MappingNode):
            seen: dict[Any, Node] = {}
            merges = 0
            for k, v in current.value:
                if isinstance(k, ScalarNode) and tag_of(k) == MERGE:
                    merges += 1
                    reason = _merge_problem(v, merges)
                    if reason:
                        out.append(problem("duplicate-key", reason, _rel(artifact, k), data={"key": "<<"}))
                    stack.append(v)
                    continue
                if isinstance(k, SequenceNode):
                    stack.extend((k, v))  # a list key is read as a tuple: fine for GTO
                    continue
                if not isinstance(k, ScalarNode):
                    out.append(
                        problem(
                            "duplicate-key",
                            "A mapping or a list cannot be a key: GTO cannot read the file. Use a plain word.",
                            _rel(artifact, k),
                        )
                    )
                    stack.extend((k, v))
                    continue
                key = _key_value(k)
                if key in seen:
                    first = seen[key]
                    same = "" if first.value == k.value else f" (`{first.value}` and `{k.value}` are the same value)"
                    out.append(
                        problem(
                            "duplicate-key",
                            f"Duplicate key `{k.value}`{same}: GTO cannot read "
                            "a file with a repeated key. Remove one of them.",
                            _rel(artifact, k),
                            related=(Related(_rel(artifact, first), "first defined here"),),
                            data={"key": k.value},
                        )
                    )
                else:
                    seen[key] = k
                stack.append(v)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)


def _merge_problem(value: Node, count: int) -> Optional[str]:
    if count > 1:
        return "A second `<<` merge key in one mapping: GTO cannot read the file. Merge both in one `<<: [*a, *b]`."
    items = value.value if isinstance(value, SequenceNode) else [value]
    if all(isinstance(item, MappingNode) for item in items):
        return None
    return "`<<` merges mappings (an anchored `&name` mapping or a list of them); GTO cannot read this one."


def _field_value(artifact: Artifact, spec: Field, node: Node, out: list[Problem]) -> None:
    """A known field's value against its row of the field table: its kind, whether null is allowed, and the
    rule its text must follow (GTO's name rule for `type` and each label)."""
    tag = tag_of(node) if isinstance(node, ScalarNode) else None
    if tag == BINARY or (tag == NULL and spec.nullable):
        return  # GTO's reader decodes `!!binary` text into the string field
    if spec.kind == "string":
        if tag == STR and isinstance(node, ScalarNode):
            _value_rule(artifact, spec, node, out)
            return
        out.append(
            problem(
                "wrong-type",
                f"`{spec.name}` must be a string, not {_kind(node)}; GTO cannot read the file.{_quote_hint(node)}",
                _rel(artifact, node),
                data={"field": spec.name, **_quote_data(node)},
            )
        )
    elif spec.kind == "boolean":
        _boolean_value(artifact, spec, node, tag, out)
    elif spec.kind == "labels":
        _labels_value(artifact, spec, node, tag, out)
    # "any": every value is accepted


def _value_rule(artifact: Artifact, spec: Field, node: ScalarNode, out: list[Problem]) -> None:
    rule = spec.value_rule
    if rule is None or (not node.value and rule.allow_empty) or rule.accepts(node.value):
        return
    out.append(
        problem(
            rule.code,
            rule.message(node.value),
            _rel(artifact, node),
            data={"value": node.value, "suggestion": rule.suggest(node.value)},
        )
    )


def _boolean_value(artifact: Artifact, spec: Field, node: Node, tag: Optional[str], out: list[Problem]) -> None:
    if tag == BOOL:
        return
    raw = node.value.lower() if isinstance(node, ScalarNode) else None
    number = _number(node) if tag in (INT, FLOAT) else None
    if number in (0, 1) or (raw is not None and raw in LAX_TRUE | LAX_FALSE):
        meaning = number == 1 if number is not None else raw in LAX_TRUE
        out.append(
            problem(
                "lax-boolean",
                f"`{spec.name}: {node.value}` is read as {str(meaning).lower()} "
                "only by GTO's lax parsing (in YAML it is not a boolean). Write "
                f"`{str(meaning).lower()}`.",
                _rel(artifact, node),
                data={"field": spec.name, "value": meaning},
            )
        )
        return
    out.append(
        problem(
            "wrong-type",
            f"`{spec.name}` must be true or false, not {_kind(node)}; GTO cannot read the file.",
            _rel(artifact, node),
            data={"field": spec.name},
        )
    )


def _labels_value(artifact: Artifact, spec: Field, node: Node, tag: Optional[str], out: list[Problem]) -> None:
    is_set = isinstance(node, MappingNode) and str(node.tag).endswith(":set")
    if not isinstance(node, SequenceNode) and not is_set:
        out.append(
            problem(
                "wrong-type",
                f"`{spec.name}` must be a list of names, such as `{spec.name}: [ml]`, not"
                f" {_kind(node)}; GTO cannot read the file.",
                _rel(artifact, node),
                data={"field": spec.name, **({"wrap": node.value} if tag == STR else {})},
            )
        )
        return
    seen: dict[str, Node] = {}
    for item in [key for key, _ in node.value] if is_set else node.value:
        item_span = _rel(artifact, item)
        if not isinstance(item, ScalarNode) or tag_of(item) != STR:
            out.append(
                problem(
                    "wrong-type",
                    f"Each label must be a string, not {_kind(item)}; GTO cannot read the file.{_quote_hint(item)}",
                    item_span,
                    data={"field": spec.name, **_quote_data(item)},
                )
            )
            continue
        _value_rule(artifact, spec, item, out)
        if item.value in seen:
            out.append(
                problem(
                    "duplicate-label",
                    f"Label `{item.value}` is listed twice; GTO keeps one when it next updates this artifact.",
                    item_span,
                    related=(Related(_rel(artifact, seen[item.value]), "first listed here"),),
                    data={"value": item.value},
                )
            )
        else:
            seen[item.value] = item


def _number(node: Node) -> Optional[float]:
    try:
        value = scalar_value(node)
    except Exception:
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _quote_hint(node: Node) -> str:
    if isinstance(node, ScalarNode) and tag_of(node) not in (STR, NULL):
        return f" Quote it: '{node.value}'."
    return ""


def _quote_data(node: Node) -> dict[str, Any]:
    if isinstance(node, ScalarNode) and tag_of(node) not in (STR, NULL):
        return {"quoted": "'" + node.value.replace("'", "''") + "'"}
    return {}


# --- across entries ---------------------------------------------------------------------------------------


def _duplicate_names(known: list[tuple[Artifact, Facts]]) -> list[_Found]:
    out: list[_Found] = []
    first: dict[Any, int] = {}
    for index, (_, fact) in enumerate(known):
        name = fact.name
        original = first.get(name)
        if original is None:
            first[name] = index
            continue
        out.append(
            _Found(
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


@dataclass(frozen=True)
class Facts:
    """What the rules need of one entry, computed once per block text."""

    name: Any
    local: tuple[Problem, ...]  # problems of this entry alone, relative to its block
    labels: tuple[str, ...]
    type: Optional[str]
    type_node: Optional[Node]
    path: Optional[str]
    path_node: Optional[Node]
    virtual: bool
    norm: str
    ancestors: tuple[str, ...]
    signature: tuple[Any, ...] = ()  # what the rules across entries read: name, type, path, virtual


def facts(artifact: Artifact) -> Facts:
    memo: Optional[Facts] = artifact.block.memo.get("facts")
    if memo is None:
        type_found = _string_field(artifact, "type")
        path_found = _string_field(artifact, "path")
        path = path_found[1] if path_found else None
        norm = normalise(path) if path else ""
        labels_pair = artifact.field("labels")
        labels_node = labels_pair[1] if labels_pair else None
        if isinstance(labels_node, SequenceNode):
            items = list(labels_node.value)
        elif isinstance(labels_node, MappingNode) and str(labels_node.tag).endswith(":set"):
            items = [key for key, _ in labels_node.value]  # GTO reads a !!set of labels as a list
        else:
            items = []
        labels = tuple(item.value for item in items if isinstance(item, ScalarNode))
        memo = Facts(
            artifact.name,
            tuple(_local_problems(artifact)),
            labels,
            type_found[1] if type_found else None,
            type_found[0] if type_found else None,
            path,
            path_found[0] if path_found else None,
            _virtual(artifact),
            norm,
            parents(norm),
        )
        memo = replace(memo, signature=(memo.name, memo.type, memo.path, memo.virtual))
        artifact.block.memo["facts"] = memo
    return memo


def _string_field(artifact: Artifact, name: str) -> Optional[tuple[Node, str]]:
    pair = artifact.field(name)
    if pair is None:
        return None
    node = pair[1]
    if isinstance(node, ScalarNode) and tag_of(node) == STR:
        return node, node.value
    return None


def _allowed_types(known: list[tuple[Artifact, Facts]], config: Config) -> list[_Found]:
    if config.types is None:
        return []
    allowed = list(config.types)
    out = []
    where = "GTO_TYPES" if config.types_from_env else "`.gto`"
    names = ", ".join(f"`{t}`" for t in allowed) if allowed else "none"
    related = (Related(config.types_span, "types allowed here", file=".gto"),) if config.types_span else ()
    for index, (_, fact) in enumerate(known):
        if fact.type is None or fact.type_node is None or fact.type in allowed:
            continue
        value = fact.type
        out.append(
            _Found(
                index,
                "type",
                "type-not-allowed",
                severity("type-not-allowed"),
                f"Type `{value}` is not allowed by {where}: "
                f"Allowed types are: '{allowed}'. Use one of {names}, or add `{value}` to `types`.",
                {"value": value, "allowed": allowed},
                extra_related=related,
            )
        )
    return out


def _virtual(artifact: Artifact) -> bool:
    pair = artifact.field("virtual")
    if pair is None:
        return True
    node = pair[1]
    if isinstance(node, ScalarNode):
        raw = node.value.lower()
        if raw in LAX_FALSE or (tag_of(node) in (INT, FLOAT) and _number(node) == 0):
            return False
    return True


def _path_problems(known_facts: list[tuple[Artifact, Facts]], repo: RepoView, settings: CheckSettings) -> list[_Found]:
    out: list[_Found] = []
    placed: dict[str, int] = {}
    for index, (_, known) in enumerate(known_facts):
        path = known.path
        if path is None or known.path_node is None or path == "" or is_external(path):
            continue
        virtual = known.virtual
        norm = known.norm
        if is_absolute(path):
            message = (
                f"Path `{path}` is absolute; GTO paths are relative to the repository root. "
                "Write it relative to the root."
            )
            out.append(_Found(index, "path", "path-absolute", severity("path-absolute"), message, {"path": path}))
            continue
        if escapes(norm):
            message = (
                f"Path `{path}` leads outside the repository; GTO paths are relative to the repository root "
                "and stay inside it."
            )
            out.append(_Found(index, "path", "path-escapes", severity("path-escapes"), message, {"path": path}))
            continue
        _conflicts(index, known, known_facts, placed, out)
        exists = repo.exists(path)
        if exists is False:
            if virtual:
                if settings.virtual_missing != "off":
                    message = (
                        f"Path `{path}` does not exist in the working tree (the artifact is virtual, so GTO "
                        "accepts it)."
                    )
                    data = {"path": path, "virtual": True}
                    out.append(_Found(index, "path", "path-missing", settings.virtual_missing, message, data))
            else:
                message = (
                    f"Path `{path}` does not exist, but the artifact says `virtual: false` (its file is "
                    "committed). Restore the file, fix the path, or set `virtual: true`."
                )
                out.append(
                    _Found(
                        index,
                        "path",
                        "path-missing",
                        severity("path-missing"),
                        message,
                        {"path": path, "virtual": False},
                    )
                )
                continue
        if not virtual and repo.in_head is not None and not repo.in_head(path):
            message = (
                f"Path `{path}` is not in the HEAD commit, but `virtual: false` says it is "
                "(`gto annotate --must-exist` would refuse it: "
                f"Nothing found in '{path}' for checked out commit). Commit the file, or set `virtual: true`."
            )
            out.append(
                _Found(index, "path", "path-not-committed", severity("path-not-committed"), message, {"path": path})
            )
    return out


def _conflicts(
    index: int, known: Facts, known_facts: list[tuple[Artifact, Facts]], placed: dict[str, int], out: list[_Found]
) -> None:
    """GTO's rule: equal paths, or one inside the other. `placed` maps every earlier path and each of its
    parent folders (keys prefixed "dir:") to its entry, so each check is O(depth)."""
    norm = known.norm
    other = placed.get(norm)
    if other is None:
        other = placed.get("dir:" + norm)
    if other is None:
        for ancestor in known.ancestors:
            other = placed.get(ancestor)
            if other is not None:
                break
    if other is not None and other != index:
        other_facts = known_facts[other][1]
        shown = other_facts.path
        out.append(
            _Found(
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
    placed.setdefault(norm, index)
    for ancestor in known.ancestors:
        placed.setdefault("dir:" + ancestor, index)

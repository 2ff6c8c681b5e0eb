"""`${...}` in dvc.yaml as DVC 3.67 reads it: the grammar, a context of variables and resolution.

The public API (the pipeline's other modules call these):

- `references(text) -> list[Reference]`: every `${...}` of a scalar, with its offsets in the scalar's value and
  the path it names (`${a.b[0]}` names ("a", "b", "0")); `\\${` is an escape, not a reference.
- `Context`: the variables visible at a place (name -> value, and where each is defined: `Definition`), with
  `select(parts)`, `definition_of(parts)`, `names()` and `with_items(...)` (foreach's `item`/`key`).
- `resolve(text, context, field) -> Resolution`: the value DVC makes of a scalar, or why it cannot.
- `resolve_text(text, context) -> Optional[str]`: the resolved string of a path or name (None when unresolvable).
- `to_str(value)`: how DVC writes a value into a string (booleans `true`/`false`, dicts as `--key value` flags).

The contexts of a dvc.yaml (its folder's params.yaml, `vars:`, stage `vars:`, foreach and matrix) are built by
scope.py (`top_context`, `stage_contexts`).

DVC's grammar (dvc/parsing/interpolate.py): `(?<!\\)${(.*?)}` on one line; inside, a word (no `.`, `[` or `]`)
followed by `.word` or `[word]` parts; each part is stripped before the look-up; list indexes go through int().
"""

from __future__ import annotations

import re
import shlex
from collections import ChainMap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, MutableMapping, Optional

from gto_lsp.core.problems import Span

_REFERENCE = re.compile(r"(?<!\\)\$\{(?P<inner>.*?)\}")
_EXPRESSION = re.compile(r"[^.\[\]]+(?:\.[^.\[\]]+|\[[^.\[\]]+\])*")
_PART = re.compile(r"[^.\[\]]+")
PRIMITIVES = (str, int, float, bool)
MAX_DEPTH = 64  # parts of one `${a.b.c...}` looked up at the most


@dataclass(frozen=True)
class Reference:
    """One `${...}` of a scalar: offsets of `${` and past `}` in the scalar's value; `parts` is None when DVC
    cannot parse the expression (`${}`, `${a..b}`)."""

    start: int
    end: int
    inner: str
    parts: Optional[tuple[str, ...]]

    @property
    def name(self) -> str:
        """The dotted path DVC looks up (`a.b.0` for `${a.b[0]}`)."""
        return ".".join(self.parts) if self.parts is not None else self.inner


def references(text: str) -> list[Reference]:
    if "${" not in text:
        return []
    found = []
    for match in _REFERENCE.finditer(text):
        inner = match.group("inner").expandtabs()  # pyparsing expands tabs before it parses
        parts = tuple(p.strip() for p in _PART.findall(inner)) if _EXPRESSION.fullmatch(inner) else None
        found.append(Reference(match.start(), match.end(), inner, parts))
    return found


@dataclass(frozen=True)
class Definition:
    """Where a variable is defined: a file of the repository (relative to the root) and a span in it; `origin`
    says how it came in ("params.yaml", "vars[0]", "stages.train.vars[1]", "foreach", "matrix"). `locate`, when
    given, finds the span of a key below it (a full dotted path: files and inline vars merge at the top)."""

    file: str
    span: Span
    origin: str
    locate: Optional[Callable[[tuple[str, ...]], Optional[Span]]] = field(default=None, compare=False)

    def span_of(self, parts: tuple[str, ...]) -> Span:
        found = self.locate(parts) if self.locate is not None else None
        return found if found is not None else self.span


@dataclass
class Context:
    """Variables visible at a place: `values` (top-level name -> plain value: dict, list or scalar; keys that are
    not strings are dropped, as DVC drops them) and `definitions` (a dotted path -> where it is defined, for
    top-level names and the keys below them). `imports` is DVC's record of the files loaded (path -> the keys
    selected, None for the whole file); `reserved` the names foreach/matrix set (`item`, `key`).

    Built by scope.py; treat it as a value. A derived context (a stage's, a generated stage's) layers its own
    names over its parent's (ChainMap) rather than copy them: 10,000 generated stages over a params file of
    1,000 keys would copy ten million entries. Merges copy the nested dicts they change."""

    values: MutableMapping[str, Any] = field(default_factory=dict)
    definitions: MutableMapping[str, Definition] = field(default_factory=dict)
    imports: dict[str, Optional[list[str]]] = field(default_factory=dict)
    reserved: frozenset[str] = frozenset()
    problems: list[Any] = field(default_factory=list)  # core.problems.Problem met building it (scope.py)
    folder: str = ""  # the folder its paths are relative to (the dvc.yaml's, or a stage's wdir), from the root
    file: str = ""  # the dvc.yaml it belongs to, from the root
    complete: bool = True  # False when a file of its variables could not be read: a name may be there

    def copy(self) -> Context:
        return Context(
            ChainMap({}, self.values),
            ChainMap({}, self.definitions),
            {k: (list(v) if v is not None else None) for k, v in self.imports.items()},
            self.reserved,
            list(self.problems),
            self.folder,
            self.file,
            self.complete,
        )

    def select(self, parts: tuple[str, ...]) -> tuple[bool, Any]:
        """(found, value) of a path, looked up as DVC does."""
        return select_in(self.values, parts)

    def definition_of(self, parts: tuple[str, ...]) -> Optional[tuple[Definition, Span]]:
        """What defines `parts` (its longest defined prefix) and the span of the key itself there."""
        if parts and parts[0] in self.reserved:  # `item` and `key` hide any variable of that name below them
            item = self.definitions.get(parts[0])
            return (item, item.span_of(parts)) if item is not None else None
        for end in range(min(len(parts), MAX_DEPTH), 0, -1):
            found = self.definitions.get(".".join(parts[:end]))
            if found is not None:
                return found, found.span_of(parts)
        return None

    def names(self, prefix: tuple[str, ...] = ()) -> list[str]:
        """The keys (or list indexes) below `prefix`: what may follow `${` or `${prefix.`."""
        found, value = self.select(prefix) if prefix else (True, self.values)
        if not found:
            return []
        if isinstance(value, Mapping):
            return [k for k in value if isinstance(k, str)]
        if isinstance(value, list):
            return [str(i) for i in range(len(value))]
        return []

    def with_items(self, values: Mapping[str, Any], definition: Definition) -> Context:
        """A copy with `item` (and `key`) set for one generated stage; they are reserved (stage vars cannot
        define them) and replace any variable of the same name."""
        new = self.copy()
        for name, value in values.items():
            new.values[name] = value
            new.definitions[name] = definition
        new.reserved = self.reserved | frozenset(values)
        return new


def select_in(values: Any, parts: tuple[str, ...]) -> tuple[bool, Any]:
    current = values
    for part in parts[:MAX_DEPTH]:
        if isinstance(current, Mapping):
            if part not in current:
                return False, None
            current = current[part]
        elif isinstance(current, list):
            try:
                current = current[int(part)]
            except (ValueError, IndexError):
                return False, None
        else:
            return False, None
    return len(parts) <= MAX_DEPTH, current


@dataclass(frozen=True)
class Resolution:
    """What DVC makes of a scalar: `value` when `error` is None; else `error` is "syntax", "undefined" or "type"
    and `reference` the `${...}` at fault."""

    value: Any = None
    error: Optional[str] = None
    reference: Optional[Reference] = None
    found: Any = None  # the value a "type" error refused

    @property
    def ok(self) -> bool:
        return self.error is None


def resolve(text: str, context: Context, field: Optional[str] = None) -> Resolution:
    """The value of a scalar `text` in `context`. `field` is the stage's key the scalar is under ("cmd",
    "deps"...; None outside stages and in foreach/matrix data): DVC refuses a dict or a list interpolated in a
    stage, except a dict in `cmd` (written as `--key value` flags)."""
    refs = references(text)
    for ref in refs:
        if ref.parts is None:
            return Resolution(error="syntax", reference=ref)
    values = []
    for ref in refs:
        looked_up = _look_up(ref, context, field)
        if not looked_up.ok:
            return looked_up
        values.append(looked_up.value)
    if len(refs) == 1 and refs[0].start == 0 and refs[0].end == len(text):
        return Resolution(values[0])  # a whole `${}` keeps the value's type
    out: list[str] = []
    index = 0
    for ref, value in zip(refs, values):
        try:
            written = to_str(value)
        except ValueError:
            return Resolution(error="type", reference=ref, found=value)
        out.append(text[index : ref.start] + written)
        index = ref.end
    out.append(text[index:])
    return Resolution("".join(out).replace("\\${", "${"))


def _look_up(ref: Reference, context: Context, field: Optional[str]) -> Resolution:
    assert ref.parts is not None
    found, value = context.select(ref.parts)
    if not found:
        return Resolution(error="undefined", reference=ref)
    if refuses_type(value, field):
        return Resolution(error="type", reference=ref, found=value)
    return Resolution(value)


def refuses_type(value: Any, field: Optional[str]) -> bool:
    """DVC's validate_value: only scalars (and null) in a stage's fields, but a dict in `cmd`."""
    if value is None or isinstance(value, PRIMITIVES) or field is None or "foreach" in field:
        return False
    return not (isinstance(value, dict) and field == "cmd")


def resolve_text(text: str, context: Context) -> Optional[str]:
    """The string DVC makes of a path or a name written with `${}`; None when a name is undefined or the
    value is not a scalar."""
    resolution = resolve(text, context)
    if not resolution.ok or isinstance(resolution.value, (dict, list)):
        return None
    return to_str(resolution.value)


def to_str(value: Any) -> str:
    """DVC's to_str: booleans as `true`/`false`, a dict as command-line flags, anything else as Python's str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return _flags(value)
    return str(value)


def _flags(value: dict[str, Any]) -> str:
    """A dict in `cmd`: `--key value` per flattened key (store_true booleans, lists as nargs), as DVC writes it
    with its default `parsing:` configuration. ValueError for a list nested in a list (DVC refuses it)."""
    out = ""
    for key, item in _flatten(value):
        if isinstance(item, bool):
            out += f"--{key} " if item else ""
        elif isinstance(item, str):
            out += f"--{key} {shlex.quote(item)} "
        elif isinstance(item, (list, tuple)):
            for n, element in enumerate(item):
                if isinstance(element, (list, dict)):
                    raise ValueError(f"Cannot interpolate nested iterable in '{key}'")
                written = shlex.quote(element) if isinstance(element, str) else element
                out += f"{written} " if n > 0 else f"--{key} {written} "
        else:
            out += f"--{key} {item} "
    return out.rstrip()


def _flatten(value: Mapping[str, Any], prefix: str = "", depth: int = 0) -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, Mapping) and item and depth < MAX_DEPTH:
            yield from _flatten(item, name, depth + 1)
        else:
            yield name, item

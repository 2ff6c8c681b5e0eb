"""YAML nodes as GTO's reader (ruamel.yaml, YAML 1.2) sees them: the composer, tags and node helpers, and the
budget on alias expansion.

Composing uses libyaml when PyYAML has it and PyYAML's pure Python composer otherwise: both give the same nodes
and marks. Plain scalars are then resolved by YAML 1.2, as GTO's ruamel.yaml reader does (`yes` is a string).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator, Optional

import yaml
from ruamel.yaml.nodes import ScalarNode as _RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver

# Plain scalars get a placeholder tag at compose time (no YAML 1.1 resolution in Python): `tag_of` resolves
# them by YAML 1.2, lazily and cached, which is both faster and what GTO's reader does. Explicit tags
# (`!!str 123`) stay as written.
PLAIN = "tag:gto-lsp,2026:plain"


_SCALAR = yaml.ScalarNode
_BASE = yaml.resolver.BaseResolver
# BaseResolver.resolve's answer where no implicit resolver applies (this class adds no path resolver): asked here
# in one dict look-up, not through super() (a quoted scalar, each mapping and each list).
_DEFAULT_TAGS = {
    yaml.ScalarNode: _BASE.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: _BASE.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: _BASE.DEFAULT_MAPPING_TAG,
}


class _PlainResolver(yaml.resolver.BaseResolver):
    yaml_11 = False  # a `%YAML 1.1` document: plain scalars are resolved now, by YAML 1.1 (as ruamel does)
    # No path resolvers are ever added to this class, so PyYAML's per-node hooks do nothing: made C calls that
    # ignore their arguments (two Python calls per node were 15% of composing).
    descend_resolver = staticmethod(slice)  # type: ignore[assignment]
    ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is _SCALAR and implicit[0]:
            return _resolver_11.resolve(_RuamelScalarNode, value, (True, False)) if self.yaml_11 else PLAIN
        return _DEFAULT_TAGS[kind]


try:
    import yaml.cyaml as _cyaml

    _CParser: Any = _cyaml.CParser  # type: ignore[attr-defined]
except ImportError:  # no libyaml in this PyYAML
    _CParser = None
if _CParser is not None:

    class _CLoader(_CParser, _PlainResolver):  # type: ignore[misc]
        """Composes only: CParser's own __init__ (in C) is all it needs; the constructor's and the resolver's
        state is never read (no construction, no path resolvers)."""

    _Loader: Any = _CLoader
    HAVE_LIBYAML = True
else:  # PyYAML built without libyaml: same results, slower
    _Loader = None
    HAVE_LIBYAML = False


class _PureLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.BaseConstructor,
    _PlainResolver,
):
    def __init__(self, stream: Any) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.BaseConstructor.__init__(self)
        _PlainResolver.__init__(self)


if _Loader is None:
    _Loader = _PureLoader


class _LenientLoader(_PureLoader):
    """What ruamel.yaml (GTO's and DVC's reader) reads on where libyaml stops: a reused anchor name replaces the
    earlier one (ruamel warns), and an unknown `%` directive is skipped (PyYAML's Python scanner does)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor  # type: ignore[no-untyped-call]
            if anchor is not None:
                self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)


def _lenient(error: yaml.YAMLError) -> bool:
    """libyaml refused what ruamel reads on (a reused anchor, an unknown directive)."""
    said = f"{getattr(error, 'context', '')} {getattr(error, 'problem', '')}"
    return "found duplicate anchor" in said or "found unknown directive name" in said


Node = yaml.Node
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode
ScalarNode = yaml.ScalarNode

TAG_PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, MAP, SEQ, MERGE = (TAG_PREFIX + t for t in ("timestamp", "map", "seq", "merge"))
VALUE = TAG_PREFIX + "value"
BINARY, SET, OMAP, PAIRS = (TAG_PREFIX + t for t in ("binary", "set", "omap", "pairs"))
_STANDARD_TAGS = {
    STR,
    INT,
    FLOAT,
    BOOL,
    NULL,
    TIMESTAMP,
    MAP,
    SEQ,
    MERGE,
    BINARY,
    SET,
    OMAP,
    PAIRS,
}

_resolver = VersionedResolver(version=(1, 2))
_resolver_11 = VersionedResolver(version=(1, 1))


@functools.lru_cache(maxsize=4096)
def resolve_plain(value: str) -> str:
    """The YAML 1.2 tag ruamel.yaml gives a plain scalar."""
    return str(_resolver.resolve(_RuamelScalarNode, value, (True, False)))


# First characters of the plain scalars an implicit YAML 1.2 tag may match: any other is a string. 18,000 distinct
# names overflowed resolve_plain's cache, and each name was resolved by regular expressions three times.
IMPLICIT_FIRST = frozenset(first for first in _resolver.versioned_resolver if first)


def tag_of(node: Node) -> str:
    """The tag GTO's reader sees: plain scalars re-resolved by YAML 1.2 (PyYAML resolves by 1.1)."""
    if node.tag == PLAIN:
        value = node.value
        if value and value[0] not in IMPLICIT_FIRST:
            return STR
        return resolve_plain(value)
    return str(node.tag)


def is_standard_tag(tag: str) -> bool:
    return tag in _STANDARD_TAGS or tag == PLAIN


# PyYAML counts NEL, LS and PS as line breaks, LSP clients do not: compose with stand-ins from the private use
# area so lines agree, then put the characters back into the values.
# A byte order mark after the first character is text for GTO's reader (libyaml would drop it): same treatment.
ODD_BREAKS = re.compile("[\x85\u2028\u2029\ufeff]")
_TO_STAND_INS = {0x85: 0xE085, 0x2028: 0xE028, 0x2029: 0xE029, 0xFEFF: 0xE0FF}
_FROM_STAND_INS = {v: k for k, v in _TO_STAND_INS.items()}


_YAML_11 = re.compile(r"^%YAML[ \t]+1\.1\b", re.M)


def compose(text: str, no_odd_breaks: bool = False) -> Optional[Node]:
    """The node of one YAML document (None when the text holds none). Raises PyYAML's errors.
    `no_odd_breaks`: the caller searched a text holding this one for ODD_BREAKS and found none."""
    yaml_11 = text.startswith("%") and _YAML_11.search(text) is not None
    try:
        return _compose(text, type("Loader11", (_Loader,), {"yaml_11": True}) if yaml_11 else _Loader, no_odd_breaks)
    except (yaml.scanner.ScannerError, yaml.composer.ComposerError) as error:
        if not _lenient(error):
            raise
        lenient = type("Lenient11", (_LenientLoader,), {"yaml_11": True}) if yaml_11 else _LenientLoader
        return _compose(text, lenient, no_odd_breaks)


def _compose(text: str, loader: Any, no_odd_breaks: bool = False) -> Optional[Node]:
    if no_odd_breaks or ODD_BREAKS.search(text) is None:
        return _placed_aliases(_single_node(text, loader), text, loader)
    stand_ins = text.translate(_TO_STAND_INS)
    node = _placed_aliases(_single_node(stand_ins, loader), stand_ins, loader)
    for current in walk(node, into_flow=True):
        if isinstance(current, ScalarNode):
            current.value = current.value.translate(_FROM_STAND_INS)
    if _BREAKS.search(text) is not None:
        _break_values(node, text)
    return node


def _single_node(text: str, loader: Any) -> Optional[Node]:
    """yaml.compose(text, Loader=loader), one call less per block."""
    composer = loader(text)
    try:
        return composer.get_single_node()  # type: ignore[no-any-return]
    finally:
        composer.dispose()


_BREAKS = re.compile("[\x85\u2028\u2029]")
_BOM_STAND_IN = {0xFEFF: 0xE0FF}
_LINE_BREAK = re.compile("\r\n|\r|\n")


_ALIAS = re.compile(r"(?<![^\s\[{,])\*(?=[^\s\[\]{},])")  # `*name` where YAML reads an alias
COPY_BUDGET = 1_000  # nodes copied to place aliases, per document: past it, an alias shares its anchor's node


def _placed_aliases(node: Optional[Node], text: str, loader: Any) -> Optional[Node]:
    """Each alias becomes a copy of its anchor's node placed at the alias, so a problem of an aliased value is
    shown where the alias is (DVC names the key holding the alias). The composer shares the anchor's node, and
    the parser's events say where each alias is: the n-th repeat of a node in document order is the n-th alias.
    An alias of a node that contains it, or past COPY_BUDGET copied nodes, keeps sharing."""
    if node is None or "*" not in text or _ALIAS.search(text) is None:
        return node
    aliases: Optional[Iterator[Any]] = None
    budget = [COPY_BUDGET]
    seen: set[int] = set()
    open_: set[int] = set()
    stack: list[tuple[bool, Node, Any, Any]] = [(True, node, None, None)]
    while stack:
        enter, current, parent, slot = stack.pop()
        if not enter:
            open_.discard(id(current))
            continue
        if id(current) in seen:
            if aliases is None:
                aliases = (e for e in yaml.parse(text, Loader=loader) if isinstance(e, yaml.AliasEvent))
            event = next(aliases, None)
            if event is None:
                return node  # events and nodes disagree: leave them shared
            copy = None if id(current) in open_ else _copy_at(current, event, budget)
            if copy is not None and isinstance(parent, SequenceNode):
                parent.value[slot] = copy
            elif copy is not None and isinstance(parent, MappingNode):
                index, is_value = slot
                key, value = parent.value[index]
                parent.value[index] = (key, copy) if is_value else (copy, value)
            continue
        seen.add(id(current))
        open_.add(id(current))
        stack.append((False, current, None, None))
        if isinstance(current, SequenceNode):
            stack.extend((True, item, current, i) for i, item in reversed(list(enumerate(current.value))))
        elif isinstance(current, MappingNode):
            for i in reversed(range(len(current.value))):
                key, value = current.value[i]
                stack.extend(((True, value, current, (i, True)), (True, key, current, (i, False))))
    return node


def _copy_at(node: Node, event: Any, budget: list[int]) -> Optional[Node]:
    """A deep copy of `node` whose every part is placed at the alias `event`; None when it would take more than
    the budget left (or contains itself)."""
    size, stack = 0, [node]
    while stack:
        size += 1
        if size > budget[0]:
            return None
        current = stack.pop()
        if isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, MappingNode):
            stack.extend(part for pair in current.value for part in pair)
    budget[0] -= size

    def placed(part: Node) -> Node:
        if isinstance(part, ScalarNode):
            return ScalarNode(part.tag, part.value, event.start_mark, event.end_mark, style=part.style)
        kind = SequenceNode if isinstance(part, SequenceNode) else MappingNode
        return kind(part.tag, [], event.start_mark, event.end_mark, flow_style=getattr(part, "flow_style", None))

    root = placed(node)
    pending = [(node, root)]
    while pending:
        source, target = pending.pop()
        if isinstance(source, SequenceNode):
            for item in source.value:
                target.value.append(placed(item))
                pending.append((item, target.value[-1]))
        elif isinstance(source, MappingNode):
            for key, value in source.value:
                target.value.append((placed(key), placed(value)))
                pending.extend(((key, target.value[-1][0]), (value, target.value[-1][1])))
    return root


def _break_values(node: Optional[Node], text: str) -> None:
    """Scalars holding NEL, LS or PS get the values GTO's and DVC's reader (ruamel.yaml) gives them: it reads NEL
    as a line break, which a plain or quoted scalar folds into a space. Taken from ruamel's own compose, when it
    has the same shape (a break that makes structure has no place in the editor's lines: kept as written).
    Raises a YAML error where ruamel refuses the text."""
    from ruamel.yaml import YAML  # rare: only for text holding those characters

    try:
        real = YAML(typ="safe", pure=True).compose(text.translate(_BOM_STAND_IN))
    except Exception as error:  # ruamel refuses it (a NEL that ends a block scalar): so do GTO and DVC
        mark = getattr(error, "problem_mark", None)
        if mark is None:
            return
        before = text[: mark.index]
        line = len(_LINE_BREAK.findall(before))
        column = len(before) - max(before.rfind("\n"), before.rfind("\r")) - 1
        raise yaml.MarkedYAMLError(
            problem=f"{getattr(error, 'problem', error)} (YAML reads NEL, LS and PS as line breaks)",
            problem_mark=yaml.Mark("<unicode string>", mark.index, line, column, None, 0),
        ) from error
    pairs, stack, seen = [], [(node, real)], set()
    while stack:  # both trees side by side (PyYAML's and ruamel's node classes share their names and shape)
        ours, theirs = stack.pop()
        if id(ours) in seen:
            continue
        seen.add(id(ours))
        if type(ours).__name__ != type(theirs).__name__:
            return
        if isinstance(ours, ScalarNode):
            pairs.append((ours, theirs))
        elif isinstance(ours, (SequenceNode, MappingNode)):
            if len(ours.value) != len(theirs.value):
                return
            children = ours.value if isinstance(ours, SequenceNode) else [n for pair in ours.value for n in pair]
            others = theirs.value if isinstance(ours, SequenceNode) else [n for pair in theirs.value for n in pair]
            stack.extend(zip(children, others))
    for ours, theirs in pairs:
        if _BREAKS.search(ours.value) is not None:
            ours.value = theirs.value.translate(_FROM_STAND_INS)


def mapping_pairs(node: MappingNode, seen: Optional[set[int]] = None) -> Iterator[tuple[Node, Node]]:
    """(key, value) pairs of a mapping as GTO's reader builds it: explicit keys first, then `<<` merges."""
    merged: list[Node] = []
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "<<" and tag_of(key) == MERGE:
            merged.append(value)
        else:
            yield key, value
    seen = seen if seen is not None else {id(node)}
    for source in merged:
        sources = source.value if isinstance(source, SequenceNode) else [source]
        for item in sources:
            if isinstance(item, MappingNode) and id(item) not in seen:
                seen.add(id(item))
                yield from mapping_pairs(item, seen)


def last_content_mark(node: Node) -> Any:
    """The end mark of a node's last content (a block collection's own end mark runs on past comments)."""
    seen: set[int] = set()  # an alias can make a collection contain itself
    while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style:
        if not node.value or id(node) in seen:
            return node.end_mark
        seen.add(id(node))
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        # A block scalar's end mark sits at the start of the line after it.
        mark = node.end_mark
        if mark.column == 0 and mark.line > node.start_mark.line:
            return yaml.Mark(mark.name, mark.index, mark.line - 1, 10**6, None, None)  # type: ignore[arg-type]
    return node.end_mark


def walk(node: Optional[Node], into_flow: bool = True) -> Iterator[Node]:
    """Every node once (aliases make the node graph share, or even contain, itself)."""
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if not into_flow and getattr(current, "flow_style", False):
            continue
        if isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, MappingNode):
            for key, value in current.value:
                stack.extend((key, value))


ALIAS_BUDGET = 10_000  # values aliases may add to one node once expanded; more is an alias bomb


class AliasExpansionError(ValueError):
    """A node whose aliases expand to more than `ALIAS_BUDGET` values (an alias bomb), or contain themselves."""

    def __init__(self) -> None:
        super().__init__(
            f"its aliases (*name) expand to more than {ALIAS_BUDGET:,} values (an alias bomb, or a collection "
            "that contains itself): gto-lsp does not expand it. Write the values out, or remove the aliases."
        )


def alias_excess(node: Optional[Node]) -> int:
    """How many values aliases add to `node` once expanded (0 without aliases; more than `ALIAS_BUDGET` for a
    collection that contains itself). Linear in the distinct nodes: each one's expanded size is counted once."""
    if node is None:
        return 0
    sizes: dict[int, int] = {}
    busy: set[int] = set()
    too_many = ALIAS_BUDGET * 10
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if children_done:
            busy.discard(key)
            if isinstance(current, SequenceNode):
                parts: list[Any] = current.value
            elif isinstance(current, MappingNode):
                parts = [part for pair in current.value for part in pair]
            else:
                parts = []
            sizes[key] = min(too_many, 1 + sum(sizes[id(part)] for part in parts))
            continue
        if key in sizes:
            continue
        if key in busy:
            return too_many  # contains itself
        if not isinstance(current, (SequenceNode, MappingNode)):
            sizes[key] = 1
            continue
        busy.add(key)
        stack.append((current, True))
        children = current.value if isinstance(current, SequenceNode) else [p for pair in current.value for p in pair]
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return max(0, sizes[id(node)] - len(sizes))

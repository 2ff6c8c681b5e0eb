"""Parse artifacts.yaml into artifacts with source positions. Never raises.

The document is cut into top-level entries ("blocks": a line starting at column 0 begins one) and each block is
composed alone, so an edit re-parses only the blocks whose text changed (`parse(text, previous)` reuses the
rest). Anything the cut cannot express (flow or indented top level, document markers, directives, aliases across
entries) falls back to composing the whole text. Composing uses libyaml when PyYAML has it and PyYAML's pure
Python composer otherwise: both give the same nodes and marks. Plain scalars are then resolved by YAML 1.2, as
GTO's ruamel.yaml reader does (`yes` is a string).

Positions are (line, column) in code points, 0-based.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import yaml
from ruamel.yaml.nodes import ScalarNode as _RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver

from gto_lsp.core.problems import Pos, Problem, Span

# Plain scalars get a placeholder tag at compose time (no YAML 1.1 resolution in Python): `tag_of` resolves
# them by YAML 1.2, lazily and cached, which is both faster and what GTO's reader does. Explicit tags
# (`!!str 123`) stay as written.
PLAIN = "tag:gto-lsp,2026:plain"


class _PlainResolver(yaml.resolver.BaseResolver):
    yaml_11 = False  # a `%YAML 1.1` document: plain scalars are resolved now, by YAML 1.1 (as ruamel does)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _resolver_11.resolve(_RuamelScalarNode, value, (True, False)) if self.yaml_11 else PLAIN
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


try:
    import yaml.cyaml as _cyaml

    _CParser: Any = _cyaml.CParser  # type: ignore[attr-defined]
except ImportError:  # no libyaml in this PyYAML
    _CParser = None
if _CParser is not None:

    class _CLoader(_CParser, yaml.constructor.BaseConstructor, _PlainResolver):  # type: ignore[misc]
        def __init__(self, stream: Any) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.BaseConstructor.__init__(self)
            _PlainResolver.__init__(self)

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

Node = yaml.Node
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode
ScalarNode = yaml.ScalarNode

TAG_PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, MAP, SEQ, MERGE = (TAG_PREFIX + t for t in ("timestamp", "map", "seq", "merge"))
VALUE = TAG_PREFIX + "value"
BINARY = TAG_PREFIX + "binary"
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
    TAG_PREFIX + "binary",
    TAG_PREFIX + "set",
    TAG_PREFIX + "omap",
    TAG_PREFIX + "pairs",
}

_resolver = VersionedResolver(version=(1, 2))
_resolver_11 = VersionedResolver(version=(1, 1))
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A line that starts a top-level entry: not indented, not a comment, not a sequence dash, not blank.
# Both start with a literal line break so the regex engine can skip ahead with a fast search (10x faster on
# large files than `^` with re.M); the text is searched with a "\n" put in front.
_BLOCK_START = re.compile(r"[\n\r](?=[^ \t#\r\n-]|-[^ \t\r\n])")
_NEEDS_FULL_PARSE = re.compile(r"[\n\r](?:---|\.\.\.|%)")


@functools.lru_cache(maxsize=4096)
def resolve_plain(value: str) -> str:
    """The YAML 1.2 tag ruamel.yaml gives a plain scalar."""
    return str(_resolver.resolve(_RuamelScalarNode, value, (True, False)))


# First characters of the plain scalars an implicit YAML 1.2 tag may match: any other is a string. 18,000 distinct
# names overflowed resolve_plain's cache, and each name was resolved by regular expressions three times.
_IMPLICIT_FIRST = frozenset(first for first in _resolver.versioned_resolver if first)


def tag_of(node: Node) -> str:
    """The tag GTO's reader sees: plain scalars re-resolved by YAML 1.2 (PyYAML resolves by 1.1)."""
    if node.tag == PLAIN:
        value = node.value
        if value and value[0] not in _IMPLICIT_FIRST:
            return STR
        return resolve_plain(value)
    return str(node.tag)


def is_standard_tag(tag: str) -> bool:
    return tag in _STANDARD_TAGS or tag == PLAIN


@dataclass(frozen=True)
class Block:
    """One top-level entry, composed alone; marks are relative to the block's first line."""

    text: str
    key: Optional[Node]
    value: Optional[Node]
    error: Optional[Problem]  # relative span
    last_line: int  # relative line of the entry's last content line
    extra: tuple[Problem, ...] = ()  # problems of a block that composed (stray tabs), relative
    # Memo for check results that depend only on this block's text (see check.py).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Artifact:
    """A top-level `name: value` entry placed in the document."""

    block: Block
    line: int  # document line of the block's first line
    col_shift: int = 0  # 1 when line 0 holds a BOM the parser did not count

    @property
    def key(self) -> Node:
        assert self.block.key is not None
        return self.block.key

    @property
    def value(self) -> Node:
        assert self.block.value is not None
        return self.block.value

    @property
    def name(self) -> Any:
        """The key as GTO sees it: a str for a plain or quoted string key, else the raw scalar text."""
        key = self.key
        return key.value if isinstance(key, ScalarNode) else None

    @property
    def name_is_string(self) -> bool:
        # A plain `=` is YAML's "value" tag, which ruamel reads as the string "=" when it is a key.
        return isinstance(self.key, ScalarNode) and tag_of(self.key) in (STR, VALUE)

    def pos(self, mark: Any) -> Pos:
        line = self.line + mark.line
        return Pos(line, mark.column + (self.col_shift if line == 0 else 0))

    def span(self, node: Node) -> Span:
        return Span(self.pos(node.start_mark), self.pos(node.end_mark))

    def relative(self, problem: Problem) -> Problem:
        """A problem stored relative to the block, placed in the document."""
        return problem.shifted(self.line, self.col_shift)

    @property
    def name_span(self) -> Span:
        return self.span(self.key)

    @property
    def first_line(self) -> int:
        return self.line + self.key.start_mark.line

    @property
    def last_line(self) -> int:
        return self.line + self.block.last_line

    @property
    def entry_span(self) -> Span:
        return Span(self.pos(self.key.start_mark), content_end(self))

    def fields(self) -> Iterator[tuple[Node, Node]]:
        """(key, value) pairs of the entry when it is a mapping; `<<` merges expanded, explicit keys first."""
        value = self.block.value
        if not isinstance(value, MappingNode):
            return
        yield from _mapping_pairs(value)

    def field(self, name: str) -> Optional[tuple[Node, Node]]:
        for key, value in self.fields():
            if isinstance(key, ScalarNode) and key.value == name:
                return key, value
        return None


def _mapping_pairs(node: MappingNode, seen: Optional[set[int]] = None) -> Iterator[tuple[Node, Node]]:
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
                yield from _mapping_pairs(item, seen)


def content_end(artifact: Artifact) -> Pos:
    """End of the entry's last content (marks of block collections point past trailing comments)."""
    return node_end(artifact, artifact.block.value if artifact.block.value is not None else artifact.key)


def node_end(artifact: Artifact, node: Node) -> Pos:
    """End of a node's last content in the document, placed by the artifact that holds it."""
    return artifact.pos(_last_scalar_end(node))


def last_content_mark(node: Node) -> Any:
    """The end mark of a node's last content (a block collection's own end mark runs on past comments)."""
    return _last_scalar_end(node)


def _last_scalar_end(node: Node) -> Any:
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


@dataclass
class Document:
    text: str
    artifacts: list[Artifact]
    problems: list[Problem]  # parse problems, absolute
    top: Optional[Node]  # the whole-document node on the slow path; None on the block path
    kind: str  # "mapping", "empty", "not-mapping", "error"
    flow: bool  # top level written in flow style: edits rewrite the whole file
    line_ending: str
    bom: bool
    placed: list[tuple[int, int, Block, Optional[Artifact]]]  # every block with its offset and line
    _line_starts: Optional[list[int]] = None
    # The last results of the rules across entries (check.py), carried from edit to edit.
    cross_cache: Optional[tuple[Any, list[Any]]] = None

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = line_starts_of(self.text)
        return self._line_starts

    def offset(self, pos: Pos) -> int:
        """Offset in `text` of a (line, column) position, clamped to the line."""
        if pos.line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[pos.line]
        end = self.line_starts[pos.line + 1] if pos.line + 1 < len(self.line_starts) else len(self.text)
        line_text = self.text[start:end].rstrip("\r\n")
        return start + min(pos.col, len(line_text))

    def line_text(self, line: int) -> str:
        if line >= len(self.line_starts):
            return ""
        start = self.line_starts[line]
        end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> Pos:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return Pos(line, offset - self.line_starts[line])

    def end_pos(self) -> Pos:
        return self.position(len(self.text))

    def find(self, name: str) -> Optional[Artifact]:
        for artifact in self.artifacts:
            if artifact.name == name and artifact.name_is_string:
                return artifact
        return None


def line_starts_of(text: str) -> list[int]:
    return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]


def detect_line_ending(text: str) -> str:
    match = _LINE_BREAK.search(text)
    return match.group(0) if match else "\n"


def _error_problem(error: Exception, text: str = "") -> Problem:
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = str(getattr(error, "problem", None) or str(error).splitlines()[0])
    context = getattr(error, "context", None)
    if "undefined alias" in problem:
        message = "YAML error: found undefined alias: an alias (*name) needs an anchor (&name) before it."
    else:
        message = f"YAML syntax error: {problem}" + (f" {context}" if context else "")
    at_end = mark is not None and text and mark.line >= text.rstrip().count("\n") + 1
    if context_mark is not None and (mark is None or "end of stream" in problem or at_end):
        mark = context_mark  # point at what was left open, not at the end of the file
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.split("\n")
    line_length = len(lines[line].rstrip("\r")) if line < len(lines) else col
    end = Pos(line, max(line_length, col)) if line_length > col else Pos(line, col)
    return Problem("yaml-syntax", "error", message.rstrip(), Span(Pos(line, col), end))


# PyYAML counts NEL, LS and PS as line breaks, LSP clients do not: parse with stand-ins from the private use
# area so lines agree, then put the characters back into the values.
# A byte order mark after the first character is text for GTO's reader (libyaml would drop it): same treatment.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029\ufeff]")
_TO_STAND_INS = {0x85: 0xE085, 0x2028: 0xE028, 0x2029: 0xE029, 0xFEFF: 0xE0FF}
_FROM_STAND_INS = {v: k for k, v in _TO_STAND_INS.items()}


_YAML_11 = re.compile(r"^%YAML[ \t]+1\.1\b", re.M)


def _compose(text: str) -> Optional[Node]:
    loader = _Loader
    if text.startswith("%") and _YAML_11.search(text):
        loader = type("Loader11", (_Loader,), {"yaml_11": True})
    if _ODD_BREAKS.search(text) is None:
        return yaml.compose(text, Loader=loader)
    node = yaml.compose(text.translate(_TO_STAND_INS), Loader=loader)
    for current in walk(node, into_flow=True):
        if isinstance(current, ScalarNode):
            current.value = current.value.translate(_FROM_STAND_INS)
    return node


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


_NON_PRINTABLE = re.compile("[^\t\n\r -~\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def stray_characters(text: str, node: Optional[Node]) -> list[Problem]:
    """Tabs and control characters that libyaml lets through but GTO's reader (ruamel.yaml) refuses: a tab is
    fine only inside a quoted or block scalar or a comment."""
    out: list[Problem] = []
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start())
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1)
        out.append(
            Problem(
                "yaml-syntax",
                "error",
                f"YAML error: the control character U+{ord(bad.group()):04X} is "
                "not allowed in YAML, and GTO cannot read the file. Remove it.",
                Span.at(line, col),
            )
        )
    if "\t" not in text:
        return out
    allowed: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for current in walk(node, into_flow=False):
        start, end = current.start_mark, current.end_mark
        quoted = isinstance(current, ScalarNode) and current.style in ("'", '"', "|", ">")
        if quoted or getattr(current, "flow_style", False):  # tabs separate flow items
            allowed.append(((start.line, start.column), (end.line, end.column)))
    for number, line_text in enumerate(text.split("\n")):
        col = line_text.find("\t")
        while col >= 0:
            here = (number, col)
            inside = any(start <= here < end for start, end in allowed)
            comment = _comment_start(line_text, number, allowed)
            if not inside and (comment is None or comment > col):
                out.append(
                    Problem(
                        "yaml-syntax",
                        "error",
                        "YAML error: a tab character here is not allowed by GTO's YAML reader. Use spaces.",
                        Span(Pos(number, col), Pos(number, col + 1)),
                    )
                )
                return out
            col = line_text.find("\t", col + 1)
    return out


def _comment_start(
    line_text: str, number: int, allowed: list[tuple[tuple[int, int], tuple[int, int]]]
) -> Optional[int]:
    col = line_text.find("#")
    while col >= 0:
        if (col == 0 or line_text[col - 1] in " \t") and not any(
            start <= (number, col) < end for start, end in allowed
        ):
            return col
        col = line_text.find("#", col + 1)
    return None


def _parse_block(text: str) -> Block:
    if _NON_PRINTABLE.search(text):
        return Block(text, None, None, stray_characters(text, None)[0], 0)
    try:
        node = _compose(text)
    except yaml.YAMLError as error:
        problem = _error_problem(error, text)
        mark = getattr(error, "problem_mark", None)
        lines = text.split("\n")
        at_tab = mark is not None and mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t"
        if "cannot start any token" in str(getattr(error, "problem", "")) and at_tab:
            problem = Problem(
                "yaml-syntax",
                "error",
                "YAML syntax error: a tab character where YAML expects spaces. Indent with spaces.",
                problem.span,
            )
        return Block(text, None, None, problem, 0)
    except Exception as error:
        return Block(text, None, None, Problem("yaml-syntax", "error", f"YAML error: {error}", Span.at(0, 0)), 0)
    if isinstance(node, MappingNode) and not node.flow_style and len(node.value) == 1:
        key, value = node.value[0]
        if key.start_mark.line == 0 and key.start_mark.column == 0:
            end_line = _last_scalar_end(value).line
            extra = tuple(stray_characters(text, node))
            return Block(text, key, value, None, max(end_line, key.start_mark.line), extra)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    span = Span(Pos(0, 0), Pos(0, len(first_line)))
    return Block(
        text,
        None,
        None,
        Problem(
            "entry-syntax",
            "error",
            f"Expected an artifact entry `name:` at the start of this line, found `{first_line.strip()[:40]}`.",
            span,
        ),
        0,
    )


def parse(text: str, previous: Optional[Document] = None) -> Document:
    """Parse the text of artifacts.yaml; `previous` (the last parse of the same file) lets unchanged blocks be
    reused: only the entries an edit touched are parsed again."""
    if previous is not None and (previous.text is text or previous.text == text):
        return previous  # documents are not changed after parsing: the same text gives the same document
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    line_ending = detect_line_ending(body)
    try:
        document = None
        if previous is not None and previous.placed and previous.bom == bom:
            document = _parse_splice(text, body, bom, line_ending, previous)
        if document is None:
            cache = {entry[2].text: entry[2] for entry in previous.placed} if previous is not None else {}
            document = _parse_blocks(text, body, bom, line_ending, cache)
        if document is None:
            document = _parse_whole(text, body, bom, line_ending, line_starts_of(text))
        if previous is not None:
            document.cross_cache = previous.cross_cache
        return document
    except Exception as error:
        problem = Problem("yaml-syntax", "error", f"Could not read the file: {error}", Span.at(0, 0))
        return Document(text, [], [problem], None, "error", False, line_ending, bom, [])


# A block placed in the document: (offset in the body, line, block, its artifact or None when it failed).
Placed = tuple[int, int, Block, Optional[Artifact]]


def _split(body: str, start: int, end: int) -> Optional[list[int]]:
    """Offsets of the block starts in body[start:end], where `start` is a line start."""
    region = body[start:end]
    if _NEEDS_FULL_PARSE.search(region) or region.startswith(("---", "...", "%")):
        return None
    offsets = [start + m.start() + 1 for m in _BLOCK_START.finditer(region)]
    if region and (region[0] not in " \t#\r\n-" or (region[0] == "-" and region[1:2] not in " \t\r\n")):
        offsets.insert(0, start)
    return offsets


def _place(
    body: str, offsets: list[int], end: int, first_line: int, shift: int, cache: dict[str, Block]
) -> Optional[list[Placed]]:
    placed: list[Placed] = []
    lone_cr = "\r" in body and body.count("\r") != body.count("\r\n")
    body_starts = line_starts_of(body) if lone_cr else None
    line, counted_to = first_line, offsets[0] if offsets else 0
    bounds = [*offsets, end]
    for index in range(len(offsets)):
        chunk = body[bounds[index] : bounds[index + 1]]
        if chunk[0] in "?&*!{[|>":
            return None
        block = cache.get(chunk)
        if block is None:
            block = _parse_block(chunk)
            cache[chunk] = block
        if body_starts is not None:
            line = bisect.bisect_right(body_starts, bounds[index]) - 1
        else:
            line += body.count("\n", counted_to, bounds[index])
            counted_to = bounds[index]
        if block.error is not None:
            if "undefined alias" in block.error.message:
                return None
            placed.append((bounds[index], line, block, None))
        else:
            placed.append((bounds[index], line, block, Artifact(block, line, shift)))
    return placed


def _assemble(text: str, bom: bool, line_ending: str, placed: list[Placed]) -> Document:
    shift = 1 if bom else 0
    artifacts = [entry[3] for entry in placed if entry[3] is not None]
    problems = [entry[2].error.shifted(entry[1], shift) for entry in placed if entry[2].error is not None]
    for _, line, block, _ in placed:
        if block.extra:
            problems.extend(problem.shifted(line, shift) for problem in block.extra)
    return Document(text, artifacts, problems, None, "mapping", False, line_ending, bom, placed)


def _parse_blocks(text: str, body: str, bom: bool, line_ending: str, cache: dict[str, Block]) -> Optional[Document]:
    offsets = _split(body, 0, len(body))
    if not offsets:
        return None
    # Content before the first block must be blank lines or comments only (an indented top level is not).
    preamble_text = body[: offsets[0]]
    if "\t" in preamble_text or _NON_PRINTABLE.search(preamble_text):
        return None  # the whole-document parse reports them
    for preamble in preamble_text.splitlines():
        if preamble.strip() and not preamble.lstrip().startswith("#"):
            return None
    first_line = body.count("\n", 0, offsets[0]) if "\r" not in body[: offsets[0]] else None
    if first_line is None:
        first_line = bisect.bisect_right(line_starts_of(body), offsets[0]) - 1
    placed = _place(body, offsets, len(body), first_line, 1 if bom else 0, cache)
    if placed is None:
        return None
    return _assemble(text, bom, line_ending, placed)


_CHUNK = 1 << 14


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix: chunk by chunk (no copy of the whole text), then a binary search."""
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start : start + _CHUNK] == b[start : start + _CHUNK]:
        start += _CHUNK
    low, high = start, min(limit, start + _CHUNK)
    while low < high:
        mid = (low + high + 1) // 2
        if a[start:mid] == b[start:mid]:
            low = mid
        else:
            high = mid - 1
    return min(low, limit)


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the common suffix, at most `limit`, the same way from the end."""
    done = 0
    la, lb = len(a), len(b)
    while (
        done < limit
        and a[max(la - done - _CHUNK, la - limit) : la - done] == b[max(lb - done - _CHUNK, lb - limit) : lb - done]
    ):
        done = min(limit, done + _CHUNK)
    low, high = done, min(limit, done + _CHUNK)
    while low < high:
        mid = (low + high + 1) // 2
        if a[la - mid : la - done] == b[lb - mid : lb - done]:
            low = mid
        else:
            high = mid - 1
    return low


def _parse_splice(text: str, body: str, bom: bool, line_ending: str, previous: Document) -> Optional[Document]:
    """Re-parse only the blocks around the changed span; blocks after it move by the change in line count."""
    old_body = previous.text[1:] if previous.bom else previous.text
    if "\r" in body and body.count("\r") != body.count("\r\n"):
        return None
    prefix = _common_prefix(old_body, body)
    if prefix == len(old_body) == len(body):
        return _assemble(text, bom, line_ending, previous.placed)
    suffix = _common_suffix(old_body, body, min(len(old_body), len(body)) - prefix)
    old_placed = previous.placed
    offsets = [entry[0] for entry in old_placed]
    # The region: from the block before the one holding the first changed character (an edit at a block's
    # first character can merge it into the previous one) to the block after the last changed character.
    first = max(0, bisect.bisect_left(offsets, prefix) - 1)
    changed_end = len(old_body) - suffix
    last = bisect.bisect_right(offsets, changed_end)  # first block wholly after the change
    if first == 0 and offsets[0] > 0 and prefix <= offsets[0]:
        return None  # the preamble changed: check it with a full split
    delta = len(body) - len(old_body)
    region_start = offsets[first]
    old_region_end = offsets[last] if last < len(offsets) else len(old_body)
    region_end = old_region_end + delta
    new_offsets = _split(body, region_start, region_end)
    if new_offsets is None or (new_offsets and new_offsets[0] != region_start) or (not new_offsets and first == 0):
        return None
    cache = {entry[2].text: entry[2] for entry in old_placed[first:last]}
    shift = 1 if bom else 0
    middle = _place(body, new_offsets, region_end, old_placed[first][1], shift, cache) if new_offsets else []
    if middle is None:
        return None
    line_delta = body.count("\n", region_start, region_end) - old_body.count("\n", region_start, old_region_end)
    tail: list[Placed] = []
    for offset, line, block, artifact in old_placed[last:]:
        if line_delta == 0 and delta == 0:
            tail.append((offset, line, block, artifact))
        elif line_delta == 0:
            tail.append((offset + delta, line, block, artifact))
        else:
            moved = Artifact(block, line + line_delta, shift) if artifact is not None else None
            tail.append((offset + delta, line + line_delta, block, moved))
    return _assemble(text, bom, line_ending, [*old_placed[:first], *middle, *tail])


def parse_whole(text: str) -> Document:
    """Compose the whole text at once (no cut into top-level blocks): for a top level the cut misreads, such as
    a flow mapping whose closing bracket sits at column 0."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    try:
        return _parse_whole(text, body, bom, detect_line_ending(body), line_starts_of(text))
    except Exception as error:
        problem = Problem("yaml-syntax", "error", f"Could not read the file: {error}", Span.at(0, 0))
        return Document(text, [], [problem], None, "error", False, detect_line_ending(body), bom, [])


def _parse_whole(text: str, body: str, bom: bool, line_ending: str, starts: list[int]) -> Document:
    shift = 1 if bom else 0
    if _NON_PRINTABLE.search(body):
        problem = stray_characters(body, None)[0].shifted(0, shift)
        return Document(text, [], [problem], None, "error", False, line_ending, bom, [], starts)
    try:
        node = _compose(body)
    except yaml.YAMLError as error:
        problem = _error_problem(error, body)
        if "expected a single document" in str(error):
            mark = getattr(error, "problem_mark", None)
            pos = Pos(mark.line, mark.column) if mark is not None else Pos(0, 0)
            problem = Problem(
                "multiple-documents",
                "error",
                "artifacts.yaml holds several YAML documents (`---`); GTO reads exactly one. "
                "Merge them into one mapping.",
                Span(pos, Pos(pos.line, pos.col + 3)),
            )
        return Document(text, [], [problem.shifted(0, shift)], None, "error", False, line_ending, bom, [], starts)
    if node is None:
        end = Pos(len(starts) - 1, 0)
        problem = Problem(
            "empty-file",
            "error",
            "artifacts.yaml is empty, and GTO cannot read an empty file. Write `{}` for no artifacts, or add one.",
            Span(Pos(0, 0), end),
            data={"fix": "{}"},
        )
        return Document(text, [], [problem], None, "empty", False, line_ending, bom, [], starts)
    if not isinstance(node, MappingNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        problem = Problem(
            "top-not-mapping",
            "error",
            f"The top level of artifacts.yaml must be a mapping of artifact names to their fields, not {kind}.",
            Span(Pos(node.start_mark.line, node.start_mark.column), Pos(node.end_mark.line, node.end_mark.column)),
        )
        return Document(text, [], [problem.shifted(0, shift)], node, "not-mapping", False, line_ending, bom, [], starts)
    artifacts = []
    for key, value in node.value:
        last = _last_scalar_end(value).line
        block = Block("", key, value, None, last)
        artifacts.append(Artifact(block, 0, shift))
    problems = [problem.shifted(0, shift) for problem in stray_characters(body, node)]
    if not is_standard_tag(str(node.tag)) or not str(node.tag).endswith((":map", ":omap", ":set", ":pairs")):
        span = Span(
            Pos(node.start_mark.line, node.start_mark.column), Pos(node.start_mark.line, node.start_mark.column)
        )
        problems.append(
            Problem(
                "unsupported-tag",
                "error",
                f"GTO's safe YAML reader cannot read the tag `{node.tag}` on the whole file. Remove it.",
                span.shifted(0, shift),
            )
        )
    return Document(text, artifacts, problems, node, "mapping", bool(node.flow_style), line_ending, bom, [], starts)


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


def scalar_value(node: Node) -> Any:
    """The Python value GTO's reader gives a node (YAML 1.2 safe), for scalars and simple collections. Raises
    AliasExpansionError rather than expand an alias bomb."""
    if isinstance(node, (SequenceNode, MappingNode)) and alias_excess(node) > ALIAS_BUDGET:
        raise AliasExpansionError()
    return _value(node)


def _value(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        tag = tag_of(node)
        if tag == STR:
            return node.value
        if tag == NULL:
            return None
        if tag == BOOL:
            return node.value.lower() in ("true", "yes", "on")  # `!!bool yes` is true for ruamel
        from gto_lsp.core.yaml.render import load

        return load(node.value)
    if isinstance(node, SequenceNode):
        return [_value(item) for item in node.value]
    if isinstance(node, MappingNode):
        return {_value(k): _value(v) for k, v in _mapping_pairs(node)}
    return None

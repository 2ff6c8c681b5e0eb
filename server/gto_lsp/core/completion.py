"""Where the cursor is in an annotations file, for completion: from the lines around it, not from the parse, so it
works while the entry is half typed and unreadable.

Entries start at an indentation (`Layout.indent`: 0 in artifacts.yaml, the section's in dvc.yaml) inside a range
of lines (the whole file, or dvc.yaml's `artifacts:` section); fields are indented more than their entry.
Positions are core positions (line, code-point column).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from gto_lsp.core.paths import escapes
from gto_lsp.core.problems import Pos

_KEY_PREFIX = re.compile(r"^(\s+)([A-Za-z_]*)$")
_VALUE_PREFIX = re.compile(r"^(\s+)([A-Za-z_]+)\s*:(\s*)(.*)$")
_ITEM_PREFIX = re.compile(r"^(\s*)-(\s*)(.*)$")
_KEY_ON_LINE = re.compile(r"^(\s+)([A-Za-z_]+)\s*:")
_TOP_PREFIX = re.compile(r"^[^\s:#'\"{\[\]}&*!|>%@`,?-]?[^\s:#]*$")
_SECTION_KEY = re.compile(r"^artifacts[ \t]*:[ \t]*(?:#.*)?$")


@dataclass(frozen=True)
class Layout:
    """Where entries live: at column `indent`, on lines `first` up to (not including) `end`."""

    indent: int = 0
    first: int = 0
    end: Optional[int] = None

    def holds(self, line: int) -> bool:
        return self.first <= line and (self.end is None or line < self.end)


@dataclass(frozen=True)
class Context:
    kind: str  # "top" (a new entry's name), "key", "value", "label"
    start: int  # column (code points) where the typed text starts
    entry_line: Optional[int] = None
    field: Optional[str] = None
    typed: str = ""
    lead: str = ""  # text to put before the value (a space right after `key:`)
    flow: bool = False  # inside `{...}` or `[...]` on one line
    indent: Optional[int] = None


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number] if 0 <= number < len(lines) else ""


def indent_of(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _meaningful(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def _entry_line(lines: Sequence[str], line: int, layout: Layout) -> Optional[int]:
    """The line of the entry that `line` belongs to: the nearest line above whose content starts at the entries'
    column (None past a line indented less, which closes the section)."""
    column = layout.indent
    for number in range(line, layout.first - 1, -1):
        text = _line(lines, number)
        if not _meaningful(text):
            continue
        if column and not text[:column].isspace():
            return None
        if not text[column].isspace() and not text[column:].startswith("-"):
            return number
    return None


def _owner(lines: Sequence[str], line: int, indent: int) -> Optional[int]:
    """The nearest line above with a smaller indentation (dash items at the same indent belong to the key above
    them, as GTO writes `labels:` and its `- item` lines at the same column)."""
    for number in range(line - 1, -1, -1):
        text = _line(lines, number)
        if not _meaningful(text):
            continue
        if indent_of(text) < indent:
            return number
    return None


def _owner_of_item(lines: Sequence[str], line: int, indent: int) -> Optional[int]:
    for number in range(line - 1, -1, -1):
        text = _line(lines, number)
        if not _meaningful(text):
            continue
        if text.lstrip().startswith("-") and indent_of(text) == indent:
            continue
        if indent_of(text) <= indent:
            return number
        return None
    return None


def key_of(text: str) -> Optional[str]:
    match = _KEY_ON_LINE.match(text)
    return match.group(2) if match else None


def _unquote(typed: str, start: int) -> tuple[str, int]:
    if typed[:1] in ("'", '"'):
        return typed[1:], start + 1
    return typed, start


def _split_flow(prefix: str) -> Optional[tuple[str, list[str]]]:
    """For a prefix inside an unclosed `{` or `[`: (the text after the last separator, the open brackets)."""
    stack: list[str] = []
    last = 0
    quote: Optional[str] = None
    for index, char in enumerate(prefix):
        if quote:
            if char == quote:
                quote = None
            continue
        if char in "'\"" and (index == 0 or prefix[index - 1] in " ,[{:"):
            quote = char
        elif char in "{[":
            stack.append(char)
            last = index + 1
        elif char in "}]":
            if stack:
                stack.pop()
            last = index + 1
        elif char == "," and stack:
            last = index + 1
        elif char == "#" and index > 0 and prefix[index - 1] == " " and not stack:
            return None  # a comment
    if not stack:
        return None
    return prefix[last:], stack


def context_at(lines: Sequence[str], pos: Pos, layout: Layout = Layout()) -> Optional[Context]:
    """What is being typed at `pos`: a new entry's name, a field key, a field value or a label."""
    if not layout.holds(pos.line):
        return None
    line = _line(lines, pos.line)
    prefix = line[: pos.col]
    if prefix.lstrip().startswith("#"):
        return None
    column = layout.indent
    if prefix[:column] != " " * column:
        return None  # left of the entries: not ours (dvc.yaml's other sections)
    flow = _split_flow(prefix)
    if flow is not None:
        return _flow_context(lines, pos, prefix, layout, *flow)
    rest = prefix[column:]
    if not rest or not rest[0].isspace():
        if _TOP_PREFIX.match(rest) and not rest.startswith("-"):
            return Context("top", column, typed=rest)
        return None
    entry = _entry_line(lines, pos.line, layout)
    if entry is None:
        return None
    item = _ITEM_PREFIX.match(prefix)
    if item:
        indent = len(item.group(1))
        owner = _owner_of_item(lines, pos.line, indent)
        if owner is None or key_of(_line(lines, owner)) != "labels":
            return None
        typed = item.group(3)
        start = pos.col - len(typed)
        typed, start = _unquote(typed, start)
        return Context("label", start, entry, "labels", typed, lead="" if item.group(2) else " ")
    key = _KEY_PREFIX.match(prefix)
    if key:
        indent = len(key.group(1))
        if _owner(lines, pos.line, indent) != entry:
            return None
        return Context("key", pos.col - len(key.group(2)), entry, typed=key.group(2), indent=indent)
    value = _VALUE_PREFIX.match(prefix)
    if value:
        indent = len(value.group(1))
        if _owner(lines, pos.line, indent) != entry:
            return None
        typed = value.group(4)
        start = pos.col - len(typed)
        typed, start = _unquote(typed, start)
        return Context("value", start, entry, value.group(2), typed, lead="" if value.group(3) else " ", indent=indent)
    return None


def _flow_context(
    lines: Sequence[str], pos: Pos, prefix: str, layout: Layout, segment: str, stack: list[str]
) -> Optional[Context]:
    entry = _entry_line(lines, pos.line, layout)
    if entry is None:
        return None
    if stack[-1] == "[":
        # `labels: [a, b` : the key before the opening bracket
        before = prefix[: prefix.rfind("[")]
        if not re.search(r"(^|[\s{,])labels\s*:\s*$", before):
            return None
        typed = segment.lstrip()
        start = pos.col - len(typed)
        typed, start = _unquote(typed, start)
        return Context("label", start, entry, "labels", typed, flow=True)
    nested = prefix[layout.indent :][:1].isspace()
    if len(stack) != 1 or (nested and _owner(lines, pos.line, indent_of(prefix)) != entry):
        return None
    key = re.match(r"^\s*([A-Za-z_]*)$", segment)
    if key:
        return Context("key", pos.col - len(key.group(1)), entry, typed=key.group(1), flow=True)
    value = re.match(r"^\s*([A-Za-z_]+)\s*:(\s*)(.*)$", segment)
    if value:
        typed = value.group(3)
        start = pos.col - len(typed)
        typed, start = _unquote(typed, start)
        return Context("value", start, entry, value.group(1), typed, lead="" if value.group(2) else " ", flow=True)
    return None


# --- what the entry already has ------------------------------------------------------------------------------


def present_fields(lines: Sequence[str], entry: int, layout: Layout = Layout()) -> set[str]:
    """The keys the entry at line `entry` already has (flow keys on its line, block keys below it)."""
    present: set[str] = set(re.findall(r"[{,]\s*([A-Za-z_]+)\s*:", _line(lines, entry)))
    field_indent: Optional[int] = None
    for number in range(entry + 1, len(lines) if layout.end is None else min(layout.end, len(lines))):
        text = lines[number]
        if not _meaningful(text):
            continue
        if not text[: layout.indent + 1].isspace():
            break  # the next entry, or the end of the section
        indent = indent_of(text)
        if field_indent is None:
            field_indent = indent
        if indent == field_indent:
            key = key_of(text)
            if key:
                present.add(key)
    return present


def labels_here(lines: Sequence[str], ctx: Context, pos: Pos) -> set[str]:
    """Labels already in the list being edited (block items of this entry, or the flow list on this line)."""
    if ctx.flow:
        text = _line(lines, pos.line)
        inner = text[text.rfind("[", 0, pos.col) + 1 :]
        inner = inner.split("]", 1)[0]
        return {part.strip().strip("'\"") for part in inner.split(",") if part.strip()}
    out = set()
    for number in range(pos.line - 1, -1, -1):
        match = _ITEM_PREFIX.match(_line(lines, number))
        if not match:
            break
        out.add(match.group(3).strip().strip("'\""))
    return out


# --- dvc.yaml's section --------------------------------------------------------------------------------------


def section_layout(lines: Sequence[str], indent: Optional[int] = None) -> Optional[Layout]:
    """The layout of dvc.yaml's `artifacts:` block section, from its lines: it runs from the line after the key to
    the next top-level key. `indent`: the entries' column when the parse knows it; else the first entry's, else
    2. None when the file has no such section."""
    key_line = next((n for n, text in enumerate(lines) if _SECTION_KEY.match(text.lstrip("\ufeff").rstrip("\r"))), None)
    if key_line is None:
        return None
    end = key_line + 1
    first_indent: Optional[int] = None
    while end < len(lines):
        text = lines[end]
        if _meaningful(text) and not text[:1].isspace():
            break
        if first_indent is None and _meaningful(text):
            first_indent = indent_of(text)
        end += 1
    column = indent if indent is not None else first_indent
    return Layout(column if column else 2, key_line + 1, end)


# --- path values ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathQuery:
    """A `path:` value being typed, split for listing a folder."""

    dot: str  # a leading `./`, kept as typed so the client's filter still matches
    typed: str  # the rest of the typed text
    folder: str  # the typed folder part ("" or ending without a slash)
    listed: str  # the repository folder to list ("" for the root)


def path_query(typed: str, base: str = "", allow_up: bool = False) -> Optional[PathQuery]:
    """Which repository folder to list for a typed path written relative to `base` (a folder relative to the
    repository root). `allow_up`: `..` may climb from `base` (dvc.yaml), as long as it stays in the repository.
    None for what is not a path in the repository (absolute, `~`, a URL, `..` leaving it)."""
    if typed.startswith(("/", "\\", "~")) or "://" in typed:
        return None
    if not allow_up and re.search(r"(^|/)\.\.(/|$)", typed):
        return None
    dot = "./" if typed.startswith("./") else ""
    rest = typed[len(dot) :]
    folder = rest.rsplit("/", 1)[0] if "/" in rest else ""
    listed = posixpath.normpath(posixpath.join(base, folder)) if (base or folder) else ""
    if listed == ".":
        listed = ""
    if escapes(listed):
        return None
    return PathQuery(dot, rest, folder, listed)


def path_matches(query: PathQuery, repo_path: str) -> bool:
    written = path_label(query, repo_path, False)[len(query.dot) :]
    return written.startswith(query.typed) or (written + "/").startswith(query.typed)


def path_label(query: PathQuery, repo_path: str, is_folder: bool) -> str:
    """How an entry of the listed folder is written in the value (relative to the same base as the typed text)."""
    name = repo_path.rsplit("/", 1)[-1]
    written = f"{query.folder}/{name}" if query.folder else name
    return query.dot + written + ("/" if is_folder else "")

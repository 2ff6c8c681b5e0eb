"""Completion in artifacts.yaml: missing fields, `type:`, `labels`, `path:` and `virtual:` values, and at the
top level a new-artifact snippet and the names registered in git that have no entry yet.

The context comes from the lines around the cursor (indentation and `key:` shapes), not from the parse, so it
works while the entry is half typed and unreadable. Every item carries a textEdit whose range is exactly the
text being typed (from the start of the word, or of the value after a quote, to the cursor).
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from lsprotocol import types

from ..core.check import facts
from ..core.fields import FIELDS
from ..core.names import is_valid_name
from ..core.paths import inside
from ..core.problems import Pos, Span
from .hover import field_doc
from .state import ARTIFACTS, GtoLanguageServer, Tracked, View

TRIGGERS = (":", " ", "/", "-")
COMMON_TYPES = ("model", "dataset", "notebook", "pipeline")
MAX_ITEMS = 1000

_KEY_PREFIX = re.compile(r"^(\s+)([A-Za-z_]*)$")
_VALUE_PREFIX = re.compile(r"^(\s+)([A-Za-z_]+)\s*:(\s*)(.*)$")
_ITEM_PREFIX = re.compile(r"^(\s*)-(\s*)(.*)$")
_KEY_ON_LINE = re.compile(r"^(\s+)([A-Za-z_]+)\s*:")
_TOP_PREFIX = re.compile(r"^[^\s:#'\"{\[\]}&*!|>%@`,?-]?[^\s:#]*$")


@dataclass(frozen=True)
class Context:
    kind: str  # "top", "key", "value", "label"
    start: int  # column (code points) where the typed text starts
    entry_line: Optional[int] = None
    field: Optional[str] = None
    typed: str = ""
    lead: str = ""  # text to put before the value (a space right after `key:`)
    flow: bool = False  # inside `{...}` or `[...]` on one line
    indent: Optional[int] = None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _meaningful(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def _entry_line(view: View, line: int) -> Optional[int]:
    """The line of the top-level entry that `line` belongs to (the nearest line above starting at column 0)."""
    for number in range(line, -1, -1):
        text = view.lines.line(number)
        if _meaningful(text) and not text[0].isspace() and not text.startswith("-"):
            return number
    return None


def _owner(view: View, line: int, indent: int) -> Optional[int]:
    """The nearest line above with a smaller indentation (dash items at the same indent belong to the key above
    them, as GTO writes `labels:` and its `- item` lines at the same column)."""
    for number in range(line - 1, -1, -1):
        text = view.lines.line(number)
        if not _meaningful(text):
            continue
        if _indent(text) < indent:
            return number
    return None


def _split_flow(prefix: str) -> Optional[tuple[str, int, list[str]]]:
    """For a prefix inside an unclosed `{` or `[`: (the text after the last separator, its start, the stack)."""
    stack: list[tuple[str, int]] = []
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
            stack.append((char, index))
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
    return prefix[last:], last, [c for c, _ in stack]


def context_at(view: View, pos: Pos) -> Optional[Context]:
    line = view.lines.line(pos.line)
    prefix = line[: pos.col]
    if prefix.lstrip().startswith("#"):
        return None
    flow = _split_flow(prefix)
    if flow is not None:
        return _flow_context(view, pos, prefix, *flow)
    if not prefix or not prefix[0].isspace():
        if _TOP_PREFIX.match(prefix) and not prefix.startswith("-"):
            return Context("top", 0, typed=prefix)
        return None
    entry = _entry_line(view, pos.line)
    if entry is None:
        return None
    item = _ITEM_PREFIX.match(prefix)
    if item:
        indent = len(item.group(1))
        owner = _owner_of_item(view, pos.line, indent)
        if owner is None or _key_of(view.lines.line(owner)) != "labels":
            return None
        typed = item.group(3)
        start = pos.col - len(typed)
        typed, start = _unquote(typed, start)
        return Context("label", start, entry, "labels", typed, lead="" if item.group(2) else " ")
    key = _KEY_PREFIX.match(prefix)
    if key:
        indent = len(key.group(1))
        owner = _owner(view, pos.line, indent)
        if owner != entry:
            return None
        return Context("key", pos.col - len(key.group(2)), entry, typed=key.group(2), indent=indent)
    value = _VALUE_PREFIX.match(prefix)
    if value:
        indent = len(value.group(1))
        if _owner(view, pos.line, indent) != entry:
            return None
        typed = value.group(4)
        start = pos.col - len(typed)
        typed, start = _unquote(typed, start)
        return Context("value", start, entry, value.group(2), typed, lead="" if value.group(3) else " ", indent=indent)
    return None


def _owner_of_item(view: View, line: int, indent: int) -> Optional[int]:
    for number in range(line - 1, -1, -1):
        text = view.lines.line(number)
        if not _meaningful(text):
            continue
        if text.lstrip().startswith("-") and _indent(text) == indent:
            continue
        if _indent(text) <= indent:
            return number
        return None
    return None


def _key_of(text: str) -> Optional[str]:
    match = _KEY_ON_LINE.match(text)
    return match.group(2) if match else None


def _unquote(typed: str, start: int) -> tuple[str, int]:
    if typed[:1] in ("'", '"'):
        return typed[1:], start + 1
    return typed, start


def _flow_context(
    view: View, pos: Pos, prefix: str, segment: str, seg_start: int, stack: list[str]
) -> Optional[Context]:
    entry = _entry_line(view, pos.line)
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
    if len(stack) != 1 or (prefix[0].isspace() and _owner(view, pos.line, _indent(prefix)) != entry):
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
    del seg_start
    return None


# --- what the entry already has ------------------------------------------------------------------------------


def _present_fields(view: View, entry: int) -> set[str]:
    present: set[str] = set()
    first = view.lines.line(entry)
    present.update(re.findall(r"[{,]\s*([A-Za-z_]+)\s*:", first))
    field_indent: Optional[int] = None
    number = entry + 1
    while number < len(view.lines.lines):
        text = view.lines.line(number)
        number += 1
        if not _meaningful(text):
            continue
        if not text[0].isspace():
            break
        indent = _indent(text)
        if field_indent is None:
            field_indent = indent
        if indent == field_indent:
            key = _key_of(text)
            if key:
                present.add(key)
    return present


def vocabulary(ls: GtoLanguageServer, view: View) -> tuple[list[str], list[str]]:
    """The valid types and labels used in the file, computed once per parse of it."""
    state = ls.doc_state(view.uri)
    cached = state.vocabulary
    if cached is not None and cached[0] is view.document:
        return cached[1], cached[2]
    types_used: set[str] = set()
    labels: set[str] = set()
    for artifact in view.document.artifacts:
        known = facts(artifact)
        if known.type:
            types_used.add(known.type)
        labels.update(label for label in known.labels if isinstance(label, str))
    found = sorted(t for t in types_used if is_valid_name(t)), sorted(x for x in labels if is_valid_name(x))
    state.vocabulary = (view.document, *found)
    return found


def _labels_here(view: View, ctx: Context, pos: Pos) -> set[str]:
    """Labels already in the list being edited (block items of this entry, or the flow list on this line)."""
    if ctx.flow:
        text = view.lines.line(pos.line)
        inner = text[text.rfind("[", 0, pos.col) + 1 :]
        inner = inner.split("]", 1)[0]
        return {part.strip().strip("'\"") for part in inner.split(",") if part.strip()}
    out = set()
    for number in range(pos.line - 1, -1, -1):
        text = view.lines.line(number)
        match = _ITEM_PREFIX.match(text)
        if not match:
            break
        out.add(match.group(3).strip().strip("'\""))
    return out


# --- items ---------------------------------------------------------------------------------------------------


def _edit_range(view: View, pos: Pos, start: int) -> types.Range:
    return view.lines.range(Span(Pos(pos.line, start), pos))


def _snippets(ls: GtoLanguageServer) -> bool:
    return ls.can("text_document.completion.completion_item.snippet_support")


def _doc(ls: GtoLanguageServer, text: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)


def _field_items(ls: GtoLanguageServer, view: View, ctx: Context, pos: Pos) -> list[types.CompletionItem]:
    assert ctx.entry_line is not None
    present = _present_fields(view, ctx.entry_line)
    snippets = _snippets(ls)
    rng = _edit_range(view, pos, ctx.start)
    items = []
    for order, spec in enumerate(FIELDS):
        if spec.name in present:
            continue
        if ctx.flow:
            plain, snippet = f"{spec.name}: ", f"{spec.name}: $0"
        elif spec.name == "labels":
            plain, snippet = "labels: []", "labels: [$1]"
        elif spec.name == "virtual":
            plain, snippet = "virtual: false", "virtual: ${1|false,true|}"
        else:
            plain, snippet = f"{spec.name}: ", f"{spec.name}: $0"
        items.append(
            types.CompletionItem(
                label=spec.name,
                kind=types.CompletionItemKind.Property,
                detail=spec.summary,
                documentation=_doc(ls, field_doc(spec.name) or spec.summary),
                sort_text=f"{order}",
                text_edit=types.TextEdit(range=rng, new_text=snippet if snippets else plain),
                insert_text_format=types.InsertTextFormat.Snippet if snippets else types.InsertTextFormat.PlainText,
            )
        )
    return items


def _value_item(
    label: str,
    rng: types.Range,
    lead: str,
    kind: types.CompletionItemKind,
    sort: str,
    detail: Optional[str] = None,
) -> types.CompletionItem:
    return types.CompletionItem(
        label=label,
        kind=kind,
        detail=detail,
        sort_text=sort,
        filter_text=lead + label if lead else None,
        text_edit=types.TextEdit(range=rng, new_text=lead + label),
    )


def _type_items(ls: GtoLanguageServer, view: View, ctx: Context, pos: Pos) -> list[types.CompletionItem]:
    rng = _edit_range(view, pos, ctx.start)
    config = view.repo.config
    if config.types is not None:
        return [
            _value_item(t, rng, ctx.lead, types.CompletionItemKind.EnumMember, f"{i:04d}", "allowed by .gto")
            for i, t in enumerate(config.types)
        ]
    used = vocabulary(ls, view)[0]
    items = [_value_item(t, rng, ctx.lead, types.CompletionItemKind.Value, f"0{t}", "used in this file") for t in used]
    items += [
        _value_item(t, rng, ctx.lead, types.CompletionItemKind.Value, f"1{t}", "common type")
        for t in COMMON_TYPES
        if t not in used
    ]
    return items


def _label_items(ls: GtoLanguageServer, view: View, ctx: Context, pos: Pos) -> list[types.CompletionItem]:
    rng = _edit_range(view, pos, ctx.start)
    here = _labels_here(view, ctx, pos)
    return [
        _value_item(label, rng, ctx.lead, types.CompletionItemKind.Value, label, "used in this file")
        for label in vocabulary(ls, view)[1]
        if label not in here or label == ctx.typed
    ]


def _virtual_items(view: View, ctx: Context, pos: Pos) -> list[types.CompletionItem]:
    rng = _edit_range(view, pos, ctx.start)
    return [
        _value_item("false", rng, ctx.lead, types.CompletionItemKind.Keyword, "0", "the path is committed to git"),
        _value_item("true", rng, ctx.lead, types.CompletionItemKind.Keyword, "1", "virtual (the default)"),
    ]


def _tracked_children(tracked: Tracked, folder: str) -> list[tuple[str, bool, bool]]:
    """(path, is_folder, tracked) for the entries directly inside `folder`."""
    index = tracked.children
    if not index:
        for names, is_folder, is_tracked in (
            (tracked.folders, True, True),
            (tracked.files, False, True),
            (tracked.untracked_folders, True, False),
            (tracked.untracked, False, False),
        ):
            for name in names:
                parent = name.rsplit("/", 1)[0] if "/" in name else ""
                index.setdefault(parent, []).append((name, is_folder, is_tracked))
    seen: set[str] = set()
    out = []
    for entry in index.get(folder, []):
        if entry[0] not in seen:
            seen.add(entry[0])
            out.append(entry)
    return out


def _disk_children(root: Path, folder: str) -> list[tuple[str, bool, bool]]:
    """Without git: the folder's entries on disk, never leaving the repository."""
    base = root / folder if folder else root
    if not inside(base, root):
        return []
    out = []
    try:
        with os.scandir(base) as entries:
            for entry in entries:
                if entry.name == ".git":
                    continue
                full = Path(entry.path)
                if entry.is_symlink() and not inside(full, root):
                    continue
                rel = f"{folder}/{entry.name}" if folder else entry.name
                out.append((rel, entry.is_dir(), True))
                if len(out) >= MAX_ITEMS:
                    break
    except OSError:
        return []
    return sorted(out)


async def _path_items(
    ls: GtoLanguageServer, view: View, ctx: Context, pos: Pos
) -> tuple[list[types.CompletionItem], bool]:
    """Entries of the folder being typed whose path starts with the typed text; (items, capped)."""
    root = view.root
    typed = ctx.typed
    if root is None or typed.startswith(("/", "\\", "~")) or re.search(r"(^|/)\.\.(/|$)", typed):
        return [], False
    if "://" in typed:
        return [], False
    dot = "./" if typed.startswith("./") else ""  # kept as typed, so the client's filter still matches
    typed = typed[len(dot) :]
    folder = typed.rsplit("/", 1)[0] if "/" in typed else ""
    settings = await ls.settings_for(view.path)
    entries: list[tuple[str, bool, bool]]
    facts_ = await ls.facts(view.repo, settings)
    tracked = view.repo.tracked_ready() if facts_ is not None else None
    if facts_ is not None and tracked is None:
        tracked = await asyncio.to_thread(view.repo.tracked)
    if tracked is not None:
        entries = _tracked_children(tracked, folder)
    else:
        entries = await asyncio.to_thread(_disk_children, root, folder)
    rng = _edit_range(view, pos, ctx.start)
    items = []
    matching = [entry for entry in entries if entry[0].startswith(typed) or (entry[0] + "/").startswith(typed)]
    for path, is_folder, is_tracked in matching[:MAX_ITEMS]:
        label = dot + path + "/" if is_folder else dot + path
        rank = ("0" if is_tracked else "2") + ("0" if is_folder else "1")
        detail = ("folder" if is_folder else "file") + ("" if is_tracked else " (not tracked by git)")
        kind = types.CompletionItemKind.Folder if is_folder else types.CompletionItemKind.File
        items.append(_value_item(label, rng, ctx.lead, kind, rank + label, detail))
    return items, len(matching) > MAX_ITEMS


async def _top_items(ls: GtoLanguageServer, view: View, ctx: Context, pos: Pos) -> list[types.CompletionItem]:
    rng = _edit_range(view, pos, ctx.start)
    snippets = _snippets(ls)
    items = [
        types.CompletionItem(
            label="new artifact",
            kind=types.CompletionItemKind.Snippet,
            detail="name: with type and path",
            documentation=_doc(ls, "A new artifact entry. Names: letters, digits, `_`, `-`, `/`."),
            filter_text=ctx.typed or "new artifact",
            sort_text="1",
            text_edit=types.TextEdit(
                range=rng,
                new_text="${1:name}:\n  type: ${2:model}\n  path: ${3:path}\n$0"
                if snippets
                else (ctx.typed or "name") + ":\n  type: model\n  path: ",
            ),
            insert_text_format=types.InsertTextFormat.Snippet if snippets else types.InsertTextFormat.PlainText,
        )
    ]
    if view.root is None:
        return items
    settings = await ls.settings_for(view.path)
    if await ls.facts(view.repo, settings) is None:
        return items
    registry = view.repo.registry_ready()
    if registry is None:
        registry = await asyncio.to_thread(view.repo.registry)
    have = {str(a.name) for a in view.document.artifacts}
    for name, entry in sorted((registry or {}).items()):
        if name in have or not is_valid_name(name):
            continue
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Module,
                detail=f"registered in git (latest {entry.latest or '-'}), not annotated yet",
                sort_text="0" + name,
                text_edit=types.TextEdit(
                    range=rng,
                    new_text=f"{name}:\n  type: ${{1:model}}\n  path: $2\n$0" if snippets else f"{name}: {{}}",
                ),
                insert_text_format=types.InsertTextFormat.Snippet if snippets else types.InsertTextFormat.PlainText,
            )
        )
    return items


async def complete(ls: GtoLanguageServer, params: types.CompletionParams) -> types.CompletionList:
    view = ls.view(params.text_document.uri)
    if view is None or view.kind != ARTIFACTS:
        return types.CompletionList(is_incomplete=False, items=[])
    pos = view.lines.pos(params.position)
    ctx = context_at(view, pos)
    items: list[types.CompletionItem] = []
    incomplete = False
    if ctx is None:
        pass
    elif ctx.kind == "top":
        items = await _top_items(ls, view, ctx, pos)
    elif ctx.kind == "key":
        items = _field_items(ls, view, ctx, pos)
    elif ctx.kind == "label":
        items = _label_items(ls, view, ctx, pos)
    elif ctx.kind == "value":
        if ctx.field == "type":
            items = _type_items(ls, view, ctx, pos)
        elif ctx.field == "path":
            items, incomplete = await _path_items(ls, view, ctx, pos)
        elif ctx.field == "virtual":
            items = _virtual_items(view, ctx, pos)
        elif ctx.field == "labels" and not ctx.typed:
            rng = _edit_range(view, pos, ctx.start)
            items = [
                _value_item(f"[{label}]", rng, ctx.lead, types.CompletionItemKind.Value, label)
                for label in vocabulary(ls, view)[1]
            ]
    return types.CompletionList(is_incomplete=incomplete, items=items)

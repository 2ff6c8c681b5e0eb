"""Completion in artifacts.yaml and in dvc.yaml's `artifacts:` section: missing fields, `type:`, `labels`,
`path:` and (artifacts.yaml) `virtual:` values, and where an entry starts a new-artifact snippet and the names
registered in git that have no entry yet. Nothing in dvc.yaml's other sections.

The context comes from the lines around the cursor (core.completion), not from the parse, so it works while the
entry is half typed and unreadable. Every item carries a textEdit whose range is exactly the text being typed
(from the start of the word, or of the value after a quote, to the cursor).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Collection
from pathlib import Path
from typing import Callable, Optional, TypeVar

from lsprotocol import types

from gto_lsp.core.completion import (
    Context,
    Layout,
    PathQuery,
    context_at,
    labels_here,
    path_label,
    path_matches,
    path_query,
    present_fields,
)
from gto_lsp.core.formats import Format
from gto_lsp.core.formats.dvc.complete import data_children, dvc_data
from gto_lsp.core.formats.dvc.files import dvc_files
from gto_lsp.core.paths import inside
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.lsp.features import navigation
from gto_lsp.lsp.session.documents import View
from gto_lsp.lsp.session.paths import Tracked
from gto_lsp.lsp.session.server import GtoLanguageServer

TRIGGERS = (":", " ", "/", "-")
COMMON_TYPES = ("model", "dataset", "notebook", "pipeline")
MAX_ITEMS = 1000
# Path values listed at once; more are marked incomplete, and the client asks again as the prefix grows. A folder
# of 20,000 files answered with 1,000 items was 250 KB of JSON and ~30 ms to serialize, per keystroke.
PATH_ITEMS = 250

T = TypeVar("T")


def vocabulary(ls: GtoLanguageServer, view: View, fmt: Format) -> tuple[Collection[str], Collection[str]]:
    """The types and labels the file uses, computed once per parse of it."""
    state = ls.doc_state(view.uri)
    cached = state.vocabulary
    if cached is not None and cached[0] is view.parsed:
        return cached[1], cached[2]
    found = fmt.vocabulary(view.parsed)
    state.vocabulary = (view.parsed, *found)
    return found


async def _repo_vocabulary(ls: GtoLanguageServer, view: View, fmt: Format) -> tuple[list[str], list[str]]:
    """The types and labels of every annotation in the repository: this file as typed, the other dvc.yaml files
    and artifacts.yaml as open or saved."""
    found_types, found_labels = map(set, vocabulary(ls, view, fmt))
    root = view.root
    if root is None:
        return sorted(found_types), sorted(found_labels)
    tracked = await tracked_lists(ls, view)
    others = dvc_files(tracked.files + tracked.untracked) if tracked is not None else []
    paths = [root / other for other in others]
    index = view.repo.index_path
    if index is not None:
        paths.append(index)
    for path in paths:
        if path == view.path:
            continue
        other = ls.view(ls.uri_for(path))
        other_format = other.format if other is not None else None
        if other is None or other_format is None:
            continue
        more = vocabulary(ls, other, other_format)
        found_types.update(more[0])
        found_labels.update(more[1])
    return sorted(found_types), sorted(found_labels)


async def _from_git(
    ls: GtoLanguageServer, view: View, ready: Callable[[], Optional[T]], load: Callable[[], Optional[T]]
) -> Optional[T]:
    """A repository cache (`ready`), else read in a worker thread (`load`); None when git may not be asked."""
    if not await _git_usable(ls, view):
        return None
    found = ready()
    return found if found is not None else await asyncio.to_thread(load)


async def _git_usable(ls: GtoLanguageServer, view: View) -> bool:
    return view.root is not None and await ls.facts(view.repo, await ls.settings_for(view.path)) is not None


async def tracked_lists(ls: GtoLanguageServer, view: View) -> Optional[Tracked]:
    """The repository's file lists, when git may be asked. A listing the open already started is joined, not run
    again beside it (`RepoState.tracked` lists once at a time)."""
    if not await _git_usable(ls, view):
        return None
    ready = view.repo.tracked_ready()
    return ready if ready is not None else await asyncio.to_thread(view.repo.tracked)


# --- items ---------------------------------------------------------------------------------------------------


def _edit_range(view: View, pos: Pos, start: int) -> types.Range:
    return view.lines.range(Span(Pos(pos.line, start), pos))


def _snippets(ls: GtoLanguageServer) -> bool:
    return ls.can("text_document.completion.completion_item.snippet_support")


def _doc(ls: GtoLanguageServer, text: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)


def _field_items(
    ls: GtoLanguageServer, view: View, fmt: Format, ctx: Context, pos: Pos, layout: Layout
) -> list[types.CompletionItem]:
    assert ctx.entry_line is not None
    present = present_fields(view.lines.lines, ctx.entry_line, layout)
    snippets = _snippets(ls)
    rng = _edit_range(view, pos, ctx.start)
    items = []
    for order, spec in enumerate(fmt.fields):
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
                documentation=_doc(ls, fmt.field_doc(spec.name) or spec.summary),
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


def _used_where(fmt: Format) -> str:
    return "used in this repository" if fmt.vocabulary_of_repository else "used in this file"


def _type_items(view: View, fmt: Format, ctx: Context, pos: Pos, used: list[str]) -> list[types.CompletionItem]:
    rng = _edit_range(view, pos, ctx.start)
    config = view.repo.config
    if config.types is not None and fmt.reads_gto_config:  # DVC has no `.gto` types list
        return [
            _value_item(t, rng, ctx.lead, types.CompletionItemKind.EnumMember, f"{i:04d}", "allowed by .gto")
            for i, t in enumerate(config.types)
        ]
    where = _used_where(fmt)
    items = [_value_item(t, rng, ctx.lead, types.CompletionItemKind.Value, f"0{t}", where) for t in used]
    items += [
        _value_item(t, rng, ctx.lead, types.CompletionItemKind.Value, f"1{t}", "common type")
        for t in COMMON_TYPES
        if t not in used
    ]
    return items


def _label_items(view: View, fmt: Format, ctx: Context, pos: Pos, used: list[str]) -> list[types.CompletionItem]:
    rng = _edit_range(view, pos, ctx.start)
    here = labels_here(view.lines.lines, ctx, pos)
    where = _used_where(fmt)
    return [
        _value_item(label, rng, ctx.lead, types.CompletionItemKind.Value, label, where)
        for label in used
        if label not in here or label == ctx.typed
    ]


def _virtual_items(view: View, ctx: Context, pos: Pos) -> list[types.CompletionItem]:
    rng = _edit_range(view, pos, ctx.start)
    return [
        _value_item("false", rng, ctx.lead, types.CompletionItemKind.Keyword, "0", "the path is committed to git"),
        _value_item("true", rng, ctx.lead, types.CompletionItemKind.Keyword, "1", "virtual (the default)"),
    ]


def tracked_children(tracked: Tracked, folder: str) -> list[tuple[str, bool, bool]]:
    """(path, is_folder, tracked) for the entries directly inside `folder`."""
    found = tracked.folder(folder)
    return found.entries() if found is not None else []


def tracked_matching(tracked: Tracked, query: PathQuery, limit: int) -> list[tuple[str, bool, bool]]:
    """The entries of the listed folder that `path_matches` keeps (their base name starts with what is typed
    after the last `/`), in `tracked_children`'s order; at most `limit`."""
    found = tracked.folder(query.listed)
    if found is None:
        return []
    # every path of the folder starts with "listed/": the typed start of a base name is a start of the whole path
    return found.starting_with((query.listed + "/" if query.listed else "") + query.typed.rsplit("/", 1)[-1], limit)


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
    ls: GtoLanguageServer, view: View, fmt: Format, ctx: Context, pos: Pos
) -> tuple[list[types.CompletionItem], bool]:
    """Entries of the folder being typed whose path starts with the typed text; (items, capped). In dvc.yaml the
    path is relative to the file's folder, and the data DVC tracks (stage outputs, `.dvc` files) ranks with the
    tracked files; `${...}` is left alone."""
    root = view.root
    from_folder = fmt.paths_from_folder
    if root is None or (from_folder and "${" in ctx.typed):
        return [], False
    query = path_query(ctx.typed, view.folder if from_folder else "", allow_up=from_folder)
    if query is None:
        return [], False
    entries: list[tuple[str, bool, bool]]
    tracked = await tracked_lists(ls, view)
    notes: dict[str, str] = {}
    if tracked is not None and fmt.stage_outputs is None:
        matching = tracked_matching(tracked, query, PATH_ITEMS + 1)  # a prefix of a folder of 20,000: no scan
    else:
        if tracked is not None:
            entries = tracked_children(tracked, query.listed)
        else:
            entries = await asyncio.to_thread(_disk_children, root, query.listed)
        if fmt.stage_outputs is not None:
            repo = RepoView(view.root, None, view.repo.view.exists_cache) if view.root is not None else RepoView()
            outputs = fmt.stage_outputs(view.parsed, repo, view.folder)
            entries, notes = _with_dvc_data(entries, query, tracked, outputs)
        matching = [entry for entry in entries if path_matches(query, entry[0])]
    rng = _edit_range(view, pos, ctx.start)
    items = []
    for path, is_folder, is_tracked in matching[:PATH_ITEMS]:
        label = path_label(query, path, is_folder)
        rank = ("0" if is_tracked else "2") + ("0" if is_folder else "1")
        detail = notes.get(path) or ("folder" if is_folder else "file") + (
            "" if is_tracked else " (not tracked by git)"
        )
        kind = types.CompletionItemKind.Folder if is_folder else types.CompletionItemKind.File
        items.append(_value_item(label, rng, ctx.lead, kind, rank + label, detail))
    return items, len(matching) > PATH_ITEMS


def _with_dvc_data(
    entries: list[tuple[str, bool, bool]], query: PathQuery, tracked: Optional[Tracked], outputs: set[str]
) -> tuple[list[tuple[str, bool, bool]], dict[str, str]]:
    """The folder's entries plus what DVC tracks there (ranked as tracked), and a detail for each of those."""
    files = [entry[0] for entry in entries if not entry[1]]
    if tracked is not None:
        files = tracked.files + tracked.untracked
    notes: dict[str, str] = {}
    known = {entry[0]: index for index, entry in enumerate(entries)}
    out = list(entries)
    for path, is_folder, detail in data_children(dvc_data(files, outputs), query.listed):
        index = known.get(path)
        if index is None:
            out.append((path, is_folder, True))
        elif not out[index][2]:
            out[index] = (path, out[index][1], True)  # untracked by git, but DVC's data
        else:
            continue
        notes[path] = detail
    return sorted(out), notes


async def _top_items(
    ls: GtoLanguageServer, view: View, fmt: Format, ctx: Context, pos: Pos
) -> list[types.CompletionItem]:
    """Where an entry's name goes: a new-artifact snippet, and the names registered in git with no entry yet. In
    dvc.yaml the entry's lines carry their whole indentation (inserted as is) and DVC's fields."""
    rng = _edit_range(view, pos, ctx.start)
    snippets = _snippets(ls)
    new_snippet, new_plain = fmt.new_entry(None, ctx.start, view.parsed)
    mode = types.InsertTextMode.AsIs if fmt.new_entry_as_is else None
    items = [
        types.CompletionItem(
            label="new artifact",
            kind=types.CompletionItemKind.Snippet,
            detail=f"name: with {fmt.new_entry_fields}",
            documentation=_doc(ls, "A new artifact entry. Names: letters, digits, `_`, `-`, `/`."),
            filter_text=ctx.typed or "new artifact",
            sort_text="1",
            text_edit=types.TextEdit(
                range=rng, new_text=new_snippet if snippets else (ctx.typed or "name") + new_plain
            ),
            insert_text_format=types.InsertTextFormat.Snippet if snippets else types.InsertTextFormat.PlainText,
            insert_text_mode=mode,
        )
    ]
    registry = await _from_git(ls, view, view.repo.registry_ready, view.repo.registry)
    if registry is None:
        return items
    # Names with GTO tags: the registry also holds artifacts only annotated in HEAD's artifacts.yaml (no tags).
    tagged = [name for name in sorted(registry) if registry[name].registered]
    present = (str(e.name) for e in fmt.entries(view.parsed))
    for full, name in fmt.registered_here(tagged, view.folder, present):
        entry = registry[full]
        snippet, plain = fmt.new_entry(name, ctx.start, view.parsed)
        spelled = f" as `{full}`" if fmt.names_qualified else ""
        detail = f"registered in git{spelled} (latest {entry.latest or '-'}), not annotated yet"
        items.append(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Module,
                detail=detail,
                sort_text="0" + name,
                text_edit=types.TextEdit(range=rng, new_text=snippet if snippets else plain),
                insert_text_format=types.InsertTextFormat.Snippet if snippets else types.InsertTextFormat.PlainText,
                insert_text_mode=mode,
            )
        )
    return items


async def complete(ls: GtoLanguageServer, params: types.CompletionParams) -> types.CompletionList:
    empty = types.CompletionList(is_incomplete=False, items=[])
    view = ls.view(params.text_document.uri)
    fmt = view.format if view is not None else None
    if view is None or fmt is None:
        return empty
    layout = fmt.layout(view.parsed, view.lines.lines)
    pos = view.lines.pos(params.position)
    if layout is None or not layout.holds(pos.line):  # outside the entries: the format's own (dvc.yaml's stages...)
        found = navigation.suggestions(ls, view, fmt, params.position)
        return empty if found is None else types.CompletionList(is_incomplete=False, items=found)
    ctx = context_at(view.lines.lines, pos, layout)
    items: list[types.CompletionItem] = []
    incomplete = False
    if ctx is None:
        pass
    elif ctx.kind == "top":
        items = await _top_items(ls, view, fmt, ctx, pos)
    elif ctx.kind == "key":
        items = _field_items(ls, view, fmt, ctx, pos, layout)
    elif ctx.kind == "label":
        items = _label_items(view, fmt, ctx, pos, (await _used(ls, view, fmt))[1])
    elif ctx.kind == "value":
        if ctx.field == "type":
            items = _type_items(view, fmt, ctx, pos, (await _used(ls, view, fmt))[0])
        elif ctx.field == "path":
            items, incomplete = await _path_items(ls, view, fmt, ctx, pos)
        elif ctx.field == "virtual" and any(spec.name == "virtual" for spec in fmt.fields):
            items = _virtual_items(view, ctx, pos)
        elif ctx.field == "labels" and not ctx.typed:
            rng = _edit_range(view, pos, ctx.start)
            items = [
                _value_item(f"[{label}]", rng, ctx.lead, types.CompletionItemKind.Value, label)
                for label in (await _used(ls, view, fmt))[1]
            ]
    return types.CompletionList(is_incomplete=incomplete, items=items)


async def _used(ls: GtoLanguageServer, view: View, fmt: Format) -> tuple[list[str], list[str]]:
    if fmt.vocabulary_of_repository:
        return await _repo_vocabulary(ls, view, fmt)
    types_used, labels = vocabulary(ls, view, fmt)
    return list(types_used), list(labels)

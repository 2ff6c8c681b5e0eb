"""annotate, remove and describe over the text of a dvc.yaml: GTO's merge rules, DVC's fields, and every byte
outside the target entry kept (DVC's own writer re-formats the whole file).

Values are written as GTO's dumper writes them; `${` in a string is written `\\${`, which DVC reads back as a
literal `${` (unescaped, DVC would try to interpolate it and refuse the file).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional, Sequence

from gto_lsp.core.codes import refuses
from gto_lsp.core.edits import AnnotateRequest, EditResult, Edits, GTOError, assert_name, differs, unsafe_edit, where
from gto_lsp.core.formats.dvc.document import DvcDocument, Entry, parse_dvc
from gto_lsp.core.formats.dvc.fields import KEY_ORDER
from gto_lsp.core.formats.dvc.files import resolve_path
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import escape_value, merged_values, values_of
from gto_lsp.core.messages import PATH_CONFLICT_FIX, cannot_find_artifact, path_conflict
from gto_lsp.core.paths import conflict
from gto_lsp.core.problems import Pos
from gto_lsp.core.yaml.blocks import node_end
from gto_lsp.core.yaml.nodes import STR, MappingNode, Node, ScalarNode, SequenceNode, resolve_plain, tag_of
from gto_lsp.core.yaml.render import render_field, render_scalar, scalar_value

UPDATED = "Updated `{file}`"


def read_checked(document: DvcDocument, file: str = "dvc.yaml", allow_empty_section: bool = False) -> None:
    """Refuse to edit a file DVC cannot read: the change would not be seen, and the first error is named.
    `artifacts:` with no value is fine to annotate into (the new entry makes it valid)."""
    for problem in check_dvc(document):
        if problem.code == "alias-expansion":  # gto-lsp's own limit: it would not write what it cannot expand
            raise GTOError("alias-expansion", problem.message)
        if allow_empty_section and problem.code == "section-not-mapping" and document.section_kind == "empty":
            continue
        if refuses(problem.code, "dvc"):
            raise GTOError(
                "wrong-dvc-yaml",
                f"{file} has an error DVC refuses; fix it first",
                where(problem),
            )


def _others(document: DvcDocument) -> dict[str, Any]:
    """The top-level keys other than `artifacts:`, each as its value reads (or its text when it cannot be read
    alone): what an edit of the section must leave as it was."""
    out: dict[str, Any] = {}
    for block in document.top.entries:
        key = block.block.key
        name = key.value if isinstance(key, ScalarNode) else repr(key)
        if name == "artifacts":
            continue
        try:
            out[name] = scalar_value(block.block.value) if block.block.value is not None else None
        except Exception:
            out[name] = block.block.text
    return out


def _same_text(a: Entry, b: Entry) -> bool:
    return a.block is b.block or (bool(a.block.text) and a.block.text == b.block.text)


def verified(
    document: DvcDocument, result: EditResult, changed: dict[str, Optional[dict[str, Any]]], file: str
) -> EditResult:
    """`result` parsed back before anything is written: DVC must read it, the entries of `changed` as given
    (None: gone), every other entry and every other section as they were. Raises GTOError otherwise."""
    if not result.changed:
        return result
    flow = document.top.flow
    new = parse_dvc(result.text, document)
    try:
        read_checked(new, file)
    except GTOError as error:
        raise unsafe_edit(
            file, flow, f"DVC could not read the result ({(error.detail or error.message).split(' DVC refuses')[0]})"
        ) from None
    old = {str(e.name): e for e in document.entries}  # (not name_is_string: resolving 13,000 names costs 1 s)
    now = {str(e.name): e for e in new.entries}
    wanted = (set(old) | set(changed)) - {name for name, values in changed.items() if values is None}
    if set(now) != wanted or len(now) != len(new.entries):
        lost = sorted(wanted ^ set(now)) or ["artifacts"]
        raise unsafe_edit(file, flow, f"the result would not hold `{lost[0]}` as intended")
    for name, entry in now.items():
        before = old.get(name)
        if name not in changed and before is not None and _same_text(before, entry):
            continue  # the entry's own text is unchanged: it reads as before
        values = changed.get(name) if name in changed else values_of(before) if before is not None else {}
        want = {key: value for key, value in (values or {}).items() if value not in (None, "", [], {})}
        got = values_of(entry)
        if got != want:
            raise unsafe_edit(file, flow, differs(name, got, want))
    if _others(new) != _others(document):
        raise unsafe_edit(file, flow, "the sections other than `artifacts:` would change")
    return result


def describe(text: Optional[str], name: str) -> Optional[dict[str, Any]]:
    """The entry's fields in DVC's order; None when the file or the artifact is absent."""
    if text is None:
        return None
    document = parse_dvc(text)
    read_checked(document)
    entry = document.find(name)
    values = values_of(entry) if entry is not None else merged_values(document, name)
    if values is None:
        return None
    return {key: values[key] for key in KEY_ORDER if key in values}


def annotate(
    text: Optional[str],
    request: AnnotateRequest,
    folder: str = "",
    in_head: Optional[Callable[[str], bool]] = None,
    previous: Optional[DvcDocument] = None,
    file: str = "dvc.yaml",
) -> EditResult:
    """Create or merge an entry as `gto annotate` does, in DVC's fields: `description` -> `desc`, `custom` ->
    `meta`; `path` is relative to the dvc.yaml's folder and required. `text` None: the file does not exist."""
    assert_name(request.name)
    if request.must_exist:
        if not request.path:
            raise GTOError("wrong-args", "`path` is required when `must_exist` is set to True")
        resolved = resolve_path(request.path, folder).resolved
        if in_head is None or not in_head(resolved):
            raise GTOError("no-file", f"Nothing found in '{resolved}' for checked out commit")
    document = parse_dvc(text or "", previous)
    read_checked(document, file, allow_empty_section=True)
    target = document.find(request.name)
    old = values_of(target) if target is not None else {}
    path = request.path or old.get("path")
    if not path:
        raise GTOError(
            "wrong-args",
            f"DVC requires a `path` for every artifact in {file}: give the artifact's file or folder",
            "(relative to the dvc.yaml's folder).",
        )
    if request.path and not request.allow_same_path:
        mine = resolve_path(request.path, folder).resolved
        for entry in document.entries:
            other = values_of(entry).get("path") if entry is not target else None
            if isinstance(other, str) and other and conflict(mine, resolve_path(other, folder).resolved):
                raise GTOError(
                    "path-used",
                    path_conflict(str(request.path), str(entry.name), other),
                    PATH_CONFLICT_FIX,
                )
    new = dict(old)
    new["path"] = path
    if request.type:
        new["type"] = request.type
    if request.description:
        new["desc"] = request.description
    if request.custom:
        new["meta"] = request.custom
    labels = old.get("labels")
    old_labels: list[Any] = labels if isinstance(labels, list) else []
    if old_labels or request.labels:
        # GTO's merge: the union, sorted and de-duplicated (an update re-sorts labels it did not add, as GTO does).
        new["labels"] = sorted({str(label) for label in old_labels}.union(request.labels))
    edits = Edits(document.lines)
    if target is None:
        _insert(document, edits, {request.name: new})
    elif document.section_kind == "flow":  # the entry's value in flow style, the section's other bytes kept
        start, end = _flow_span(document, target)
        edits.replace(start, end, _flow_entry(request.name, new))
    else:
        _update(document, edits, target, old, new)
    return verified(document, edits.result(UPDATED.format(file=file)), {request.name: new}, file)


def remove(
    text: Optional[str], name: str, previous: Optional[DvcDocument] = None, file: str = "dvc.yaml"
) -> EditResult:
    """Delete exactly one entry; every other byte stays (the last entry leaves `artifacts: {}`)."""
    if text is None:
        raise GTOError("not-found", cannot_find_artifact(name))
    document = parse_dvc(text, previous)
    read_checked(document, file)
    target = document.find(name)
    if target is None:
        raise GTOError("not-found", cannot_find_artifact(name))
    edits = Edits(document.lines)
    if document.section_kind == "flow":
        _flow_remove(document, edits, target)
        return verified(document, edits.result(UPDATED.format(file=file)), {name: None}, file)
    start, end = _entry_lines(document, target, kept=False)
    edits.replace(start, end, "")
    if len(document.entries) == 1 and document.section_line is not None:
        key_line = document.section_line
        colon = document.lines.offset(Pos(key_line, 0)) + document.line_text(key_line).index(":") + 1
        edits.replace(colon, colon, " {}")
    return verified(document, edits.result(UPDATED.format(file=file)), {name: None}, file)


# --- rendering --------------------------------------------------------------------------------------------------


_ODD_BREAKS = {"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}


def _double_quoted(text: str) -> str:
    """A YAML double-quoted scalar with every break escaped (a raw NEL or LS in a plain or single-quoted
    scalar is folded into a space by DVC's reader)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    for char, escape in _ODD_BREAKS.items():
        escaped = escaped.replace(char, escape)
    return f'"{escaped}"'


_FLOW_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")


def _flow_item(value: Any) -> str:
    """An item of a flow list: plain when it is a simple word YAML reads as a string, else quoted (`aa]` or
    `b, c` plain would end the list or split the item)."""
    if not isinstance(value, str):
        return render_scalar(value)
    if _FLOW_PLAIN.fullmatch(value) and resolve_plain(value) == STR:
        return value
    if any(char in value for char in "\n\r\t" + "".join(_ODD_BREAKS)):
        return _double_quoted(value)
    return "'" + value.replace("'", "''") + "'"


def render_field_text(field: str, value: Any, indent: int) -> str:
    """`field: value` at `indent` columns, without the final newline; labels in flow style."""
    value = escape_value(value)
    if isinstance(value, str) and any(char in value for char in _ODD_BREAKS):
        return f"{field}: {_double_quoted(value)}"
    if field == "labels" and isinstance(value, list):
        return f"{field}: [" + ", ".join(_flow_item(v) for v in value) + "]"
    return render_field("x", field, value, indent)


def render_entry(name: str, values: dict[str, Any], indent: int, field_indent: int) -> str:
    lines = [" " * indent + render_scalar(name) + ":"]
    inner = indent + field_indent
    for field in KEY_ORDER:
        value = values.get(field)
        if value is None or value == "" or value == [] or value == {}:
            continue
        lines.append(" " * inner + render_field_text(field, value, inner))
    return "\n".join(lines) + "\n"


def _content_end(document: DvcDocument, entry: Entry, node: Optional[Node] = None, kept: bool = True) -> Pos:
    """Where `node` (the entry's value by default) ends, before the blank lines a block scalar's end runs on
    over: they separate what follows, so replace, remove and insert keep them (a `|+` scalar keeps them as its
    own, unless `kept` is false: a removed entry leaves them as blank lines)."""
    node = node if node is not None else entry.block.value if entry.block.value is not None else entry.key
    end = node_end(entry, node)
    last = node
    while isinstance(last, (MappingNode, SequenceNode)) and last.value and not last.flow_style:
        last = last.value[-1][1] if isinstance(last, MappingNode) else last.value[-1]
    if kept and isinstance(last, ScalarNode) and last.value.endswith("\n\n"):
        return end  # kept chomping: the blank lines are the value's
    while end.line > entry.first_line and not document.line_text(end.line).strip():
        end = Pos(end.line - 1, len(document.line_text(end.line - 1)))
    return end


def _line_start(document: DvcDocument, line: int) -> int:
    lines = document.lines
    if line >= len(lines.line_starts):
        return len(document.text)
    return 1 if line == 0 and document.top.bom else lines.offset(Pos(line, 0))


def _entry_lines(document: DvcDocument, entry: Entry, kept: bool = True) -> tuple[int, int]:
    start = _line_start(document, entry.first_line)
    end = _line_start(document, _content_end(document, entry, kept=kept).line + 1)
    return start, end


def _append_text(document: DvcDocument, offset: int, text: str) -> str:
    """`text` placed at `offset`, after a line break when the file's last line has none."""
    body = document.text
    if offset == len(body) and body and not body.endswith(("\n", "\r")):
        return "\n" + text
    return text


def insert_entries(
    text: Optional[str],
    entries: Sequence[tuple[str, dict[str, Any]]],
    previous: Optional[DvcDocument] = None,
    file: str = "dvc.yaml",
) -> EditResult:
    """Add whole entries (DVC's fields, names not in the section yet) as one edit where annotate puts a new one:
    after the section's last entry, or in a new section at the end of the file. Every other byte stays."""
    document = parse_dvc(text or "", previous)
    read_checked(document, file, allow_empty_section=True)
    for name, _ in entries:
        assert_name(name)
        if document.find(name) is not None:
            raise GTOError("exists", f"Artifact '{name}' is already in {file}")
    edits = Edits(document.lines)
    if entries:
        _insert(document, edits, dict(entries))
    return verified(document, edits.result(UPDATED.format(file=file)), dict(entries), file)


def _insert(document: DvcDocument, edits: Edits, new: dict[str, dict[str, Any]]) -> None:
    kind = document.section_kind
    if kind == "flow":
        _flow_insert(document, edits, new)
        return
    entry = "".join(render_entry(name, values, document.indent, document.field_indent) for name, values in new.items())
    if kind == "block" and document.entries:
        last = document.entries[-1]
        offset = _line_start(document, _content_end(document, last).line + 1)
        edits.replace(offset, offset, _append_text(document, offset, entry))
    elif kind == "empty" and document.section_line is not None:
        offset = _line_start(document, document.section_line + 1)
        edits.replace(offset, offset, _append_text(document, offset, entry))
    elif document.top.flow and isinstance(document.top.top, MappingNode):  # `{stages: ...}`: one more key
        root = document.top.top
        close = document.lines.offset(Pos(root.end_mark.line, root.end_mark.column)) - 1
        comma = ", " if root.value else ""
        edits.replace(close, close, f"{comma}artifacts: {_flow_section(new)}")
    else:  # no section yet: append one at the end of the file
        body = document.text
        blank = "\n" if body.strip() and "\n\n" in body.replace("\r\n", "\n") else ""
        offset = len(body)
        edits.replace(offset, offset, _append_text(document, offset, blank + "artifacts:\n" + entry))


def _flow(value: Any) -> str:
    """A value in flow style (`{path: m.pkl, labels: [a]}`), `${` escaped as in block style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _flow_item(escape_value(value))


def _flow_section(state: dict[str, dict[str, Any]]) -> str:
    return _flow(
        {
            name: {k: values[k] for k in KEY_ORDER if values.get(k) not in (None, "", [], {})}
            for name, values in state.items()
        }
    )


def _flow_entry(name: str, values: dict[str, Any]) -> str:
    """`name: {path: m.pkl, ...}`, one entry of a flow-style section."""
    return _flow_section({name: values})[1:-1]


def _flow_insert(document: DvcDocument, edits: Edits, new: dict[str, dict[str, Any]]) -> None:
    """New entries written into a flow-style section in flow style, after its last entry: every other byte stays
    (a comma the last entry already has is fine, YAML allows one before `}`)."""
    added = ", ".join(_flow_entry(name, values) for name, values in new.items())
    if document.entries:
        last = document.entries[-1]
        after = last.block.value if last.block.value is not None else last.key
        at = document.lines.offset(node_end(last, after))
        edits.replace(at, at, ", " + added)
        return
    top = next(a for a in document.top.entries if getattr(a.key, "value", None) == "artifacts")
    assert top.block.value is not None
    close = document.lines.offset(node_end(top, top.block.value)) - 1  # the section's `}`
    edits.replace(close, close, added)


def _flow_span(document: DvcDocument, entry: Entry) -> tuple[int, int]:
    """Offsets of `name: value` of an entry of a flow-style section."""
    value = entry.block.value if entry.block.value is not None else entry.key
    return document.lines.offset(entry.pos(entry.key.start_mark)), document.lines.offset(node_end(entry, value))


def _flow_remove(document: DvcDocument, edits: Edits, target: Entry) -> None:
    """One entry out of a flow-style section, with the comma that separated it from a neighbour."""
    index = document.entries.index(target)
    start, end = _flow_span(document, target)
    trailing = re.match(r"[ \t]*,[ \t]*", document.text[end:])
    if index + 1 < len(document.entries):
        end = _flow_span(document, document.entries[index + 1])[0]
    elif trailing is not None:  # `..., name: value, }`: its own comma goes with it
        end += trailing.end()
    elif index > 0:
        start = _flow_span(document, document.entries[index - 1])[1]
    edits.replace(start, end, "")


def _update(document: DvcDocument, edits: Edits, entry: Entry, old: dict[str, Any], new: dict[str, Any]) -> None:
    value = entry.block.value
    name = str(entry.name)
    editable = (
        isinstance(value, MappingNode)
        and not value.flow_style
        and bool(value.value)
        and value.value[0][0].start_mark.line > entry.key.start_mark.line
        and all(isinstance(k, ScalarNode) and tag_of(k) == STR for k, _ in value.value)
    )
    if not editable:
        start, end = _entry_lines(document, entry)
        indent = entry.pos(entry.key.start_mark).col
        edits.replace(start, end, render_entry(name, new, indent, document.field_indent))
        return
    assert isinstance(value, MappingNode)
    pairs = {k.value: (k, v) for k, v in value.value}
    indent = entry.pos(value.value[0][0].start_mark).col
    lines = document.lines
    for field in KEY_ORDER:
        if field not in new or new.get(field) == old.get(field):
            continue
        text = render_field_text(field, new[field], indent)
        if field in pairs:
            key_node, value_node = pairs[field]
            start = lines.offset(entry.pos(key_node.start_mark))
            end = lines.offset(_content_end(document, entry, value_node))
            if document.text[end : end + 1] == "#":
                text += " "  # a comment glued to the old value (`'x'#c`) must not join the new one
            edits.replace(start, end, text)
        else:
            offset = _line_start(document, _content_end(document, entry).line + 1)
            edits.replace(offset, offset, _append_text(document, offset, " " * indent + text + "\n"))

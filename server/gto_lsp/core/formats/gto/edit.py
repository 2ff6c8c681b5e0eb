"""annotate, remove and describe as functions over the text of artifacts.yaml.

They follow GTO's `Index.add`/`remove` and its messages, but change only what they must: an entry GTO wrote
itself is rewritten exactly as GTO writes it; a hand-written entry is edited field by field, so its comments and
key order stay; every other byte of the file stays.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional, Sequence

from gto_lsp.core import paths
from gto_lsp.core.config import Config
from gto_lsp.core.edits import AnnotateRequest, EditResult, Edits, GTOError, assert_name
from gto_lsp.core.formats.gto.check import full_values, read_checked, values_of, verified
from gto_lsp.core.formats.gto.document import Artifact, Document, parse
from gto_lsp.core.formats.gto.fields import FIELD_BY_NAME, FIELDS, GTO_KEY_ORDER, exclude_defaults
from gto_lsp.core.formats.gto.rules_entry import facts
from gto_lsp.core.messages import PATH_CONFLICT_FIX, cannot_find_artifact, not_allowed, path_conflict
from gto_lsp.core.names import invalid_name_message, is_valid_name, suggest_name
from gto_lsp.core.problems import Pos
from gto_lsp.core.yaml.blocks import content_end, node_end
from gto_lsp.core.yaml.nodes import STR, MappingNode, Node, ScalarNode, SequenceNode, tag_of
from gto_lsp.core.yaml.render import dump, render_field, render_scalar


def needs_rewrite(document: Document) -> bool:
    """Files the entry-by-entry editor does not touch: no entries yet, a flow or indented top level, document
    markers, explicit keys, anchors and aliases. They are written whole, as GTO writes them."""
    return document.flow or document.kind != "mapping" or not document.artifacts or document.top is not None


def annotate(
    text: Optional[str],
    request: AnnotateRequest,
    config: Optional[Config] = None,
    in_head: Optional[Callable[[str], bool]] = None,
    previous: Optional[Document] = None,
) -> EditResult:
    """Create or merge an entry as `gto annotate` does. `text` None: the file does not exist yet.
    `in_head(path)` answers `--must-exist`; raises GTOError with GTO's message."""
    config = config or Config()
    assert_name(request.name)
    for label in request.labels:
        assert_name(label, "label")
    if request.type:
        assert_name(request.type, "type")
        if config.types is not None and request.type not in config.types:
            where = "GTO_TYPES" if config.types_from_env else ".gto"
            raise GTOError("unknown-type", not_allowed("type", request.type, config.types, where))
    if request.must_exist:
        if not request.path:
            raise GTOError("wrong-args", "`path` is required when `must_exist` is set to True")
        if in_head is None or not in_head(request.path):
            raise GTOError("no-file", f"Nothing found in '{request.path}' for checked out commit")
    document = parse(text or "", previous)
    read_checked(document)
    target = document.find(request.name)
    if request.path and not request.allow_same_path:
        for artifact in document.artifacts:
            if artifact is target:
                continue
            other = _path_of(artifact)
            if other and paths.conflict(request.path, other):
                raise GTOError(
                    "path-used",
                    path_conflict(request.path, str(artifact.name), other),
                    PATH_CONFLICT_FIX,
                )
    if target is None:
        new_values = full_values(
            {
                "type": request.type,
                "path": request.path,
                "virtual": not request.must_exist,
                "labels": list(request.labels),
                "description": request.description,
                "custom": request.custom,
            }
        )
        old_values = None
    else:
        old_values = full_values(values_of(document, target))
        new_values = dict(old_values)
        new_values["type"] = request.type or old_values["type"]
        new_values["path"] = request.path or old_values["path"]
        if request.must_exist:
            new_values["virtual"] = False
        elif request.path:
            new_values["virtual"] = True
        new_values["labels"] = sorted(set(old_values["labels"]).union(request.labels))
        new_values["description"] = request.description or old_values["description"]
        new_values["custom"] = request.custom or old_values["custom"]
    _assert_state_valid(document, request.name, new_values)
    edits = Edits(document)
    if needs_rewrite(document):
        _rewrite_all(document, edits, request.name, new_values)
    elif target is None:
        _insert_entry(document, edits, request.name, new_values)
    elif old_values is not None:
        _update_entry(document, edits, target, old_values, new_values)
    return verified(document, edits.result(), {request.name: new_values})


def _path_of(artifact: Artifact) -> Optional[str]:
    pair = artifact.field("path")
    if pair and isinstance(pair[1], ScalarNode) and pair[1].value and tag_of(pair[1]) == STR:
        return str(pair[1].value)
    return None


def _assert_state_valid(document: Document, name: str, new_values: dict[str, Any]) -> None:
    """GTO's `state_is_valid` after the merge: every name, type and label of the file. GTO's message, plus where
    the bad value is when it is in another entry (GTO checks them all whenever it writes the file)."""
    for artifact in document.artifacts:
        known = facts(artifact)
        own = known.name == name
        type_, labels = (new_values.get("type"), new_values.get("labels") or []) if own else (known.type, known.labels)
        values = [(str(known.name), "name"), *(((type_, "type"),) if type_ else ()), *((v, "label") for v in labels)]
        for value, kind in values:
            if is_valid_name(value):
                continue
            detail = None
            if not own:
                entry = f"`{known.name}` (line {artifact.first_line + 1})"
                what = {"name": f"The artifact name {entry}", "type": f"The type of {entry}"}.get(
                    kind, f"The label `{value}` of {entry}"
                )
                suggestion = suggest_name(value)
                fix = f" (for example `{suggestion}`)" if suggestion else ""
                detail = f"{what} is invalid; GTO checks every artifact when it writes the file: fix it first{fix}."
            raise GTOError("invalid-name", invalid_name_message(value, _NAME_KINDS[kind]), detail)


_NAME_KINDS = {"name": "artifact name", "type": "type", "label": "label"}


def render_entry(name: str, fields: dict[str, Any]) -> str:
    """One top-level entry as GTO writes it, ending in a newline."""
    return dump({name: exclude_defaults(fields)})


def _line_start(document: Document, line: int) -> int:
    """Offset of a line's start; on the first line, after a byte order mark (it stays first)."""
    if line >= len(document.line_starts):
        return len(document.text)
    return 1 if line == 0 and document.bom else document.offset(Pos(line, 0))


def _rewrite_all(document: Document, edits: Edits, name: str, new_values: dict[str, Any]) -> None:
    """No entries yet, or a flow-style top level: write the whole state as GTO does, keeping leading comments."""
    state: dict[str, Any] = {}
    for artifact in document.artifacts:
        state[str(artifact.name)] = full_values(values_of(document, artifact))
    state[name] = new_values
    body = dump({key: exclude_defaults(value) for key, value in state.items()})
    text = document.text.lstrip("\ufeff")
    start = len(document.text) - len(text)
    lines = text.splitlines(keepends=True)
    comments = ""
    if document.kind == "empty":
        comments = "".join(lines)
        if comments and not comments.endswith(("\n", "\r")):
            comments += "\n"
    edits.replace(start, len(document.text), comments.replace("\r\n", "\n") + body)


def _insertion_line(document: Document, name: str) -> Optional[int]:
    """The line before which a new entry goes: sorted position when the names are sorted, else None (append)."""
    names = [str(a.name) for a in document.artifacts]
    if names != sorted(names):
        return None
    for artifact in document.artifacts:
        if str(artifact.name) > name:
            line = artifact.first_line
            # Comment lines right above an entry belong to it.
            while line > 0 and document.line_text(line - 1).startswith("#"):
                line -= 1
            return line
    return None


def _blank_line_separated(document: Document) -> bool:
    """Whether the file puts a blank line between entries (then a new entry gets one too)."""
    separated = 0
    for artifact in document.artifacts[1:]:
        line = artifact.first_line
        while line > 0 and document.line_text(line - 1).startswith("#"):
            line -= 1
        separated += line > 0 and not document.line_text(line - 1).strip()
    return len(document.artifacts) > 1 and separated * 2 >= len(document.artifacts) - 1


def _insert_entry(document: Document, edits: Edits, name: str, new_values: dict[str, Any]) -> None:
    entry = render_entry(name, new_values)
    blank = _blank_line_separated(document)
    line = _insertion_line(document, name)
    if line is not None:
        offset = _line_start(document, line)
        edits.replace(offset, offset, entry + ("\n" if blank else ""))
        return
    text = document.text
    prefix = "" if not text or text.endswith(("\n", "\r")) else "\n"
    if blank and text.strip() and document.line_text(len(document.line_starts) - 2).strip():
        prefix += "\n"
    edits.replace(len(text), len(text), prefix + entry)


def _entry_lines(document: Document, artifact: Artifact) -> tuple[int, int]:
    """Offsets of the entry's whole lines, from its key line through its last content line."""
    end_pos = content_end(artifact)
    start = _line_start(document, artifact.first_line)
    end = _line_start(document, end_pos.line + 1)
    return start, end


_FOLD = re.compile(r" *\n {4,}(?=[^ -])")


def _is_canonical(document: Document, artifact: Artifact, values: dict[str, Any]) -> bool:
    """Whether GTO wrote this entry: it is what GTO renders, up to where long lines were folded (ruamel 0.17,
    which gto 0.2.8 installs, folds one word later than 0.18+)."""
    start, end = _entry_lines(document, artifact)
    current = document.text[start:end].replace("\r\n", "\n")
    if not current.endswith("\n"):
        current += "\n"
    rendered = render_entry(str(artifact.name), values)
    return current == rendered or _FOLD.sub(" ", current) == _FOLD.sub(" ", rendered)


def _update_entry(
    document: Document, edits: Edits, artifact: Artifact, old: dict[str, Any], new: dict[str, Any]
) -> None:
    name = str(artifact.name)
    value = artifact.block.value
    editable = (
        isinstance(value, MappingNode)
        and not value.flow_style
        and value.value
        and all(isinstance(k, ScalarNode) and tag_of(k) == STR for k, _ in value.value)
        and len({k.value for k, _ in value.value}) == len(value.value)
    )
    if not editable or _is_canonical(document, artifact, old):
        start, end = _entry_lines(document, artifact)
        rendered = render_entry(name, new)
        if end == len(document.text) and not document.text.endswith(("\n", "\r")):
            rendered = rendered[:-1]
        edits.replace(start, end, rendered)
        return
    assert isinstance(value, MappingNode)
    pairs: dict[str, tuple[Node, Node]] = {k.value: (k, v) for k, v in value.value}
    indent = value.value[0][0].start_mark.column
    changed = [f for f in GTO_KEY_ORDER if new[f] != old[f]]
    existing_order = [k for k in pairs if k in FIELD_BY_NAME]
    sorted_keys = existing_order == sorted(existing_order)
    for field_name in changed:
        field_value = new[field_name]
        if field_name in pairs:
            key_node, value_node = pairs[field_name]
            start = document.offset(artifact.pos(key_node.start_mark))
            end = document.offset(node_end(artifact, value_node))
            if field_name == "labels" and isinstance(value_node, SequenceNode) and value_node.flow_style:
                node_start = document.offset(artifact.pos(value_node.start_mark))
                edits.replace(node_start, end, "[" + ", ".join(render_scalar(v) for v in field_value) + "]")
            elif field_name == "virtual" and field_value is True:
                node_start = document.offset(artifact.pos(value_node.start_mark))
                edits.replace(node_start, end, "true")
            else:
                edits.replace(start, end, render_field(name, field_name, field_value, indent))
        else:
            if field_name == "virtual" and field_value is True:
                continue
            line_text = " " * indent + render_field(name, field_name, field_value, indent) + "\n"
            after = None
            if sorted_keys:
                after = next(
                    (pairs[k] for k in sorted(pairs, reverse=True) if k in FIELD_BY_NAME and k < field_name), None
                )
                before = next((pairs[k] for k in sorted(pairs) if k in FIELD_BY_NAME and k > field_name), None)
                if before is not None:
                    offset = _line_start(document, artifact.pos(before[0].start_mark).line)
                    edits.replace(offset, offset, line_text)
                    continue
            last = content_end(artifact).line
            if after is not None:
                last = node_end(artifact, after[1]).line
            offset = _line_start(document, last + 1)
            prefix = ""
            if offset == len(document.text) and document.text and not document.text.endswith(("\n", "\r")):
                prefix = "\n"
            edits.replace(offset, offset, prefix + line_text)


def remove(text: Optional[str], name: str, previous: Optional[Document] = None) -> EditResult:
    """Delete exactly one entry, as `gto remove`; every other byte stays."""
    if text is None:
        raise GTOError("not-found", cannot_find_artifact(name))
    document = parse(text, previous)
    read_checked(document)
    target = document.find(name)
    if target is None:
        raise GTOError("not-found", cannot_find_artifact(name))
    return remove_entries(document, [target])


def remove_entries(document: Document, targets: Sequence[Artifact]) -> EditResult:
    """Delete these entries of a read-checked document in one pass; every other byte stays (the last entry
    leaves `{}`, as GTO writes a file with no artifacts)."""
    edits = Edits(document)
    gone = {id(t) for t in targets}
    if needs_rewrite(document):
        state = {str(a.name): full_values(values_of(document, a)) for a in document.artifacts if id(a) not in gone}
        start = 1 if document.bom else 0
        edits.replace(start, len(document.text), dump({k: exclude_defaults(v) for k, v in state.items()}))
        return verified(document, edits.result(), {str(t.name): None for t in targets})
    last = len(gone) >= len(document.artifacts)
    for index, target in enumerate(targets):
        start, end = _entry_lines(document, target)
        replacement = "{}\n" if last and index == len(targets) - 1 else ""
        if replacement and end == len(document.text) and not document.text.endswith(("\n", "\r")):
            replacement = "{}"
        edits.replace(start, end, replacement)
    return verified(document, edits.result(), {str(t.name): None for t in targets})


def describe(text: Optional[str], name: str) -> Optional[dict[str, Any]]:
    """What GTO's describe returns: the entry's non-default fields in model order (the field table's); None
    when absent."""
    if text is None:
        return None
    document = parse(text)
    read_checked(document)
    target = document.find(name)
    if target is None:
        return None
    values = full_values(values_of(document, target))
    trimmed = exclude_defaults(values)
    return {spec.name: trimmed[spec.name] for spec in FIELDS if spec.name in trimmed}

"""Move annotations from GTO's artifacts.yaml to the `artifacts:` section of a dvc.yaml (spec §10).

`description` becomes `desc`, `custom` becomes `meta`, `virtual` is dropped (DVC never checks that a path
exists), `type`, `labels` and `path` are kept as written (a path is rebased when the target is a nested
dvc.yaml, since DVC reads it from that file's folder). DVC requires a path, so an entry without one stays in
artifacts.yaml. Fields GTO ignores are dropped: DVC refuses any field it does not know. Both files keep every
byte outside the moved entries.
"""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from .annotate import EditResult, TextEdit, read_checked, remove, values_of
from .check import is_external
from .dvc.document import parse_dvc
from .dvc.edit import insert_entries
from .dvc.files import dvc_file_of, relative_to_folder
from .fields import FIELD_BY_NAME
from .parse import ScalarNode, parse

NO_PATH = "DVC requires a path"
IN_TARGET = "already in dvc.yaml"
NOT_FOUND = "not in artifacts.yaml"


@dataclass(frozen=True)
class MigrateResult:
    gto: EditResult  # artifacts.yaml without the moved entries
    dvc: EditResult  # the dvc.yaml with them
    moved: list[str]
    skipped: list[tuple[str, str]]  # (name, reason); these stay in artifacts.yaml
    # (name, field) of what DVC cannot express and was left out: fields GTO ignores, and `virtual: false`
    dropped: list[tuple[str, str]] = field(default_factory=list)


def dvc_values(values: dict[str, Any], folder: str = "") -> dict[str, Any]:
    """An artifacts.yaml entry's fields (as GTO reads them) in DVC's fields; `path` rebased onto `folder`."""
    out: dict[str, Any] = {}
    path = values.get("path")
    if isinstance(path, str) and path:
        out["path"] = _rebase(path, folder)
    if values.get("description"):
        out["desc"] = values["description"]
    if values.get("type") is not None:
        out["type"] = values["type"]
    if values.get("labels"):
        out["labels"] = list(values["labels"])
    if values.get("custom") is not None:
        out["meta"] = values["custom"]
    return out


def _rebase(path: str, folder: str) -> str:
    """A repository-relative path as a dvc.yaml in `folder` must write it (absolute paths and URLs as written:
    check reports them there as it does in artifacts.yaml)."""
    if not folder or path.startswith("/") or is_external(path):
        return path
    return relative_to_folder(posixpath.normpath(path.replace("\\", "/")), folder) or path


def migrate(
    gto_text: str,
    dvc_text: Optional[str],
    folder: str = "",
    names: Optional[Sequence[str]] = None,
) -> MigrateResult:
    """Move the entries of artifacts.yaml (all, or `names`) into the dvc.yaml of `folder` ("" for the root one,
    whose names keep matching the existing `name@v...` tags). `dvc_text` None: that dvc.yaml does not exist yet.
    Raises GTOError when either file cannot be read by its tool."""
    document = parse(gto_text)
    read_checked(document)
    target = dvc_file_of(folder)
    dvc_document = parse_dvc(dvc_text or "")
    wanted = None if names is None else list(dict.fromkeys(names))
    known = {str(a.name): a for a in document.artifacts}
    moved: list[tuple[str, dict[str, Any]]] = []
    skipped: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    for name, artifact in known.items():
        if wanted is not None and name not in wanted:
            continue
        values = values_of(document, artifact)
        if dvc_document.find(name) is not None:
            skipped.append((name, IN_TARGET.replace("dvc.yaml", target)))
            continue
        if not (isinstance(values.get("path"), str) and values["path"]):
            skipped.append((name, NO_PATH))
            continue
        for key, _ in artifact.fields():
            key_name = key.value if isinstance(key, ScalarNode) else str(key.value)
            if key_name not in FIELD_BY_NAME:
                dropped.append((name, key_name))
        if "virtual" in values and not _truthy(values["virtual"]):
            dropped.append((name, "virtual"))
        moved.append((name, dvc_values(values, folder)))
    if wanted is not None:
        skipped.extend((name, NOT_FOUND) for name in wanted if name not in known)
    dvc_result = insert_entries(dvc_text, moved, dvc_document, file=target)
    text = gto_text
    for name, _ in moved:
        text = remove(text, name).text
    gto_result = _diff(document, text)
    return MigrateResult(gto_result, dvc_result, [name for name, _ in moved], skipped, dropped)


def _truthy(value: Any) -> bool:
    from .annotate import _as_bool

    return _as_bool(value)


def _diff(document: Any, new: str) -> EditResult:
    """The change from the document's text to `new` as line edits (each removal its own edit)."""
    old = document.text
    if old == new:
        return EditResult(old, ())
    skip = 1 if old.startswith("\ufeff") and new.startswith("\ufeff") else 0  # edits start after a kept BOM
    a = old[skip:].splitlines(keepends=True)
    b = new[skip:].splitlines(keepends=True)
    starts = [skip]
    for line in a:
        starts.append(starts[-1] + len(line))
    edits = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        edits.append(TextEdit(document.position(starts[i1]), document.position(starts[i2]), "".join(b[j1:j2])))
    return EditResult(new, tuple(edits))

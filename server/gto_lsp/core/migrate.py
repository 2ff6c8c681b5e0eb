"""Move annotations from GTO's artifacts.yaml to the `artifacts:` section of a dvc.yaml (spec §10).

`description` becomes `desc`, `custom` becomes `meta`, `virtual` is dropped (DVC never checks that a path
exists), `type`, `labels` and `path` are kept as written (a path is rebased when the target is a nested
dvc.yaml, since DVC reads it from that file's folder). DVC requires a path, so an entry without one stays in
artifacts.yaml. Fields GTO ignores are dropped: DVC refuses any field it does not know. Both files keep every
byte outside the moved entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from gto_lsp.core.edits import EditResult
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.edit import insert_entries
from gto_lsp.core.formats.dvc.files import dvc_file_of, to_folder
from gto_lsp.core.formats.gto.check import read_checked, values_of
from gto_lsp.core.formats.gto.document import Artifact, Document, parse
from gto_lsp.core.formats.gto.edit import remove_entries
from gto_lsp.core.formats.gto.fields import FIELD_BY_NAME
from gto_lsp.core.yaml.nodes import Node, ScalarNode, walk

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
    comments: int = 0  # comments dropped: those inside the moved entries (all of the file's when it goes)
    emptied: bool = False  # every entry moved: artifacts.yaml has nothing left and is removed
    target: str = "dvc.yaml"

    def summary(self, source: str = "artifacts.yaml") -> str:
        """One sentence a client shows: what moves, what is dropped, what stays."""
        if not self.moved:
            return f"Nothing moves to {self.target}" + _stays(self.skipped)
        drops = []
        if self.comments:
            drops.append(_count(self.comments, "comment"))
        virtual = sum(1 for _, f in self.dropped if f == "virtual")
        if virtual:
            drops.append(f"`virtual` of {virtual}")
        fields = [f"`{f}` of `{n}`" for n, f in self.dropped if f != "virtual"]
        drops.extend(fields[:3] + ([f"{len(fields) - 3} more fields"] if len(fields) > 3 else []))
        out = f"Moves {_count(len(self.moved), 'artifact')} to {self.target}"
        if drops:
            out += "; drops " + ", ".join(drops[:-1]) + (" and " if len(drops) > 1 else "") + drops[-1]
        out += _stays(self.skipped)
        if self.emptied:
            out += f"; removes {source} (nothing is left in it)"
        return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _stays(skipped: list[tuple[str, str]]) -> str:
    if not skipped:
        return ""
    shown = ", ".join(f"{n}: {r}" for n, r in skipped[:3]) + (f", {len(skipped) - 3} more" if len(skipped) > 3 else "")
    return f"; {len(skipped)} {'stays' if len(skipped) == 1 else 'stay'} ({shown})"


def dvc_values(values: dict[str, Any], folder: str = "") -> dict[str, Any]:
    """An artifacts.yaml entry's fields (as GTO reads them) in DVC's fields; `path` rebased onto `folder`."""
    out: dict[str, Any] = {}
    path = values.get("path")
    if isinstance(path, str) and path:
        out["path"] = to_folder(path, folder)
    if values.get("description"):
        out["desc"] = values["description"]
    if values.get("type") is not None:
        out["type"] = values["type"]
    if values.get("labels"):
        out["labels"] = list(values["labels"])
    if values.get("custom") is not None:
        out["meta"] = values["custom"]
    return out


def migrate(
    gto_text: str,
    dvc_text: Optional[str],
    folder: str = "",
    names: Optional[Sequence[str]] = None,
) -> MigrateResult:
    """Move the entries of artifacts.yaml (all, or `names`) into the dvc.yaml of `folder` ("" for the root one,
    whose names keep matching the existing `name@v...` tags). `dvc_text` None: that dvc.yaml does not exist yet.
    Raises GTOError when either file cannot be read by its tool. Linear: each file is parsed once (and its
    result once more, to verify it)."""
    document = parse(gto_text)
    read_checked(document)
    target = dvc_file_of(folder)
    dvc_document = parse_dvc(dvc_text or "")
    wanted = None if names is None else set(names)
    known = {str(a.name): a for a in document.artifacts}
    in_target = {str(e.name) for e in dvc_document.entries}
    moved: list[tuple[str, dict[str, Any]]] = []
    moving: list[Artifact] = []
    skipped: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    comments = 0
    for name, artifact in known.items():
        if wanted is not None and name not in wanted:
            continue
        values = values_of(document, artifact)
        if name in in_target:
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
        comments += comments_in(artifact)
        moved.append((name, dvc_values(values, folder)))
        moving.append(artifact)
    if names is not None:
        skipped.extend((name, NOT_FOUND) for name in dict.fromkeys(names) if name not in known)
    dvc_result = insert_entries(dvc_text, moved, dvc_document, file=target)
    gto_result = remove_entries(document, moving) if moving else EditResult(gto_text, ())
    emptied = bool(moving) and len(moving) == len(document.artifacts)
    if emptied:
        comments += _comment_lines_between(document)  # the file goes: every comment in it goes too
    return MigrateResult(
        gto_result, dvc_result, [name for name, _ in moved], skipped, dropped, comments, emptied, target
    )


def _truthy(value: Any) -> bool:
    from gto_lsp.core.formats.gto.check import as_bool

    return as_bool(value)


def _comment_lines_between(document: Document) -> int:
    """Comment lines outside every entry's lines (between entries, before the first, after the last)."""
    count, line = 0, 0
    for artifact in [*document.artifacts, None]:
        end = artifact.first_line if artifact is not None else len(document.line_starts)
        count += sum(1 for n in range(line, end) if document.line_text(n).lstrip().startswith("#"))
        line = artifact.last_line + 1 if artifact is not None else end
    return count


def comments_in(artifact: Artifact) -> int:
    """The comments inside an entry's lines (its key line through its last content line)."""
    text = artifact.block.text
    if not text or "#" not in text:
        return 0
    return _count_comments(text, (artifact.block.key, artifact.block.value), artifact.block.last_line + 1)


def _count_comments(text: str, nodes: Sequence[Optional[Node]], lines: int) -> int:
    """Comments in the first `lines` lines of `text`: a `#` at a line's start or after a blank, outside quoted
    and block scalars (which `nodes`, the text's composed nodes, locate)."""
    quoted: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for node in nodes:
        for current in walk(node):
            if isinstance(current, ScalarNode) and current.style in ("'", '"', "|", ">"):
                s, e = current.start_mark, current.end_mark
                quoted.append(((s.line, s.column), (e.line, e.column)))
    count = 0
    for number, line in enumerate(text.split("\n")[:lines]):
        col = line.find("#")
        while col >= 0:
            if (col == 0 or line[col - 1] in " \t") and not any(a <= (number, col) < b for a, b in quoted):
                count += 1
                break
            col = line.find("#", col + 1)
    return count

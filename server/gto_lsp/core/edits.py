"""What an edit of an annotations file is, in either format: the request, the text edits and their result, and
GTO's errors. Both formats' editors (formats/gto/edit.py, formats/dvc/edit.py) build their results here, so
neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Protocol, Sequence

from gto_lsp.core.messages import UPDATED
from gto_lsp.core.names import invalid_name_message, is_valid_name
from gto_lsp.core.problems import Pos, Problem


class GTOError(Exception):
    """An error GTO would raise, with GTO's message; `detail` adds where and how to fix, when known."""

    def __init__(self, kind: str, message: str, detail: Optional[str] = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message + (f"\n{self.detail}" if self.detail else "")


@dataclass(frozen=True)
class TextEdit:
    start: Pos
    end: Pos
    new_text: str


@dataclass(frozen=True)
class EditResult:
    text: str
    edits: tuple[TextEdit, ...]
    message: str = UPDATED

    @property
    def changed(self) -> bool:
        return bool(self.edits)


@dataclass(frozen=True)
class AnnotateRequest:
    name: str
    type: Optional[str] = None
    path: Optional[str] = None
    must_exist: bool = False
    allow_same_path: bool = False
    labels: Sequence[str] = ()
    description: str = ""
    custom: Any = None


class EditedText(Protocol):
    """The text being edited, with its line arithmetic (a parsed document of either format)."""

    @property
    def text(self) -> str: ...

    @property
    def line_ending(self) -> str: ...

    def position(self, offset: int) -> Pos: ...


@dataclass
class Edits:
    document: EditedText
    items: list[tuple[int, int, str]] = field(default_factory=list)  # offsets

    def replace(self, start: int, end: int, text: str) -> None:
        self.items.append((start, end, text))

    def result(self, message: str = UPDATED) -> EditResult:
        doc = self.document
        ending = doc.line_ending
        items = sorted(self.items, key=lambda item: (item[0], item[1]))
        text = doc.text
        out, cursor = [], 0
        edits = []
        for start, end, new_text in items:
            if ending != "\n":
                new_text = new_text.replace("\n", ending)
            if text[start:end] == new_text:
                continue
            out.append(text[cursor:start])
            out.append(new_text)
            cursor = end
            edits.append(TextEdit(doc.position(start), doc.position(end), new_text))
        out.append(text[cursor:])
        return EditResult("".join(out), tuple(edits), message)


def assert_name(value: str, what: str = "artifact name") -> None:
    if not is_valid_name(value):
        raise GTOError("invalid-name", invalid_name_message(value, what))


def where(problem: Problem) -> str:
    return f"line {problem.span.start.line + 1}: {problem.message}"


def unsafe_edit(file: str, flow: bool, detail: str) -> GTOError:
    """The refusal of a write that would not read back as intended; nothing is written."""
    if flow:
        why = f"{file} is written in flow style ({{...}}); gto-lsp cannot edit it without rewriting it"
        fix = f"Rewrite {file} in block style (one `key:` per line), or make the change by hand."
    else:
        why = f"gto-lsp cannot edit {file} without changing what it reads"
        fix = "Change the value, or make the change by hand."
    return GTOError("unsafe-edit", f"{why}: {detail}. Nothing was written.", fix)


def differs(name: str, got: dict[str, Any], want: dict[str, Any]) -> str:
    """Which field of an entry would read back otherwise than asked, and how."""
    for key in [*want, *(k for k in got if k not in want)]:
        if got.get(key) != want.get(key):
            return f"`{name}` would read back with {key} {got.get(key)!r}, not {want.get(key)!r}"
    return f"`{name}` would not read back as intended"

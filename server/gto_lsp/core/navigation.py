"""What a format offers beyond its entries, as plain values the server turns into LSP answers: an outline, hover
text, targets to go to, links and suggestions. dvc.yaml's pipeline (stages, vars, params, metrics, plots) is read
this way (formats/dvc/pipeline/); GTO's artifacts.yaml has nothing beyond its entries.

Positions are (line, column) in code points, 0-based, in the document asked about; paths are relative to the
repository root, POSIX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.repo.fs import RepoView


@dataclass(frozen=True)
class Place:
    """Where the document stands: its repository (files are read through `repo`, inside it only), the
    document's folder and its own path, both relative to the root ("" and "dvc.yaml" for the root's)."""

    repo: RepoView
    folder: str
    file: str


@dataclass(frozen=True)
class Target:
    """A place to go to: a file of the repository and a span in it (Span.at(0, 0) for the file itself)."""

    path: str
    span: Span


@dataclass(frozen=True)
class Link:
    """A span of the document that names a file or folder of the repository."""

    span: Span
    path: str
    tooltip: str = ""


@dataclass(frozen=True)
class Outline:
    """A symbol of the document beside its entries (a stage, a plot, a vars file...), with its children."""

    name: str
    kind: str  # "section", "stage", "key", "path", "variable", "plot", "metric", "params"
    span: Span
    selection: Span
    detail: Optional[str] = None
    children: tuple[Outline, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A completion item: `insert` replaces `replace` (or the word at the cursor when None)."""

    label: str
    kind: str  # "key", "path", "folder", "param", "variable", "value", "stage"
    insert: str
    detail: str = ""
    doc: str = ""  # Markdown
    replace: Optional[Span] = None
    snippet: bool = False
    sort: str = ""
    commit: tuple[str, ...] = field(default=())


# What a format with nothing beyond its entries answers (GTO's artifacts.yaml).


def no_outline(parsed: Any) -> list[Outline]:
    return []


def no_text(parsed: Any, pos: Pos, place: Place) -> Optional[str]:
    return None


def no_targets(parsed: Any, pos: Pos, place: Place) -> list[Target]:
    return []


def no_links(parsed: Any, place: Place) -> list[Link]:
    return []


def no_suggestions(parsed: Any, pos: Pos, place: Place) -> Optional[list[Suggestion]]:
    return None

"""What the server keeps per document, and a document as a feature sees it (`View`)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from gto_lsp.core.formats import Format, Parsed
from gto_lsp.core.formats.dvc.format import DVC as DVC_FORMAT
from gto_lsp.core.formats.gto.format import GTO
from gto_lsp.lsp.positions import LineIndex
from gto_lsp.lsp.session.repos import RepoState

ARTIFACTS, CONFIG, DVC, OTHER = "artifacts", "config", "dvc", "other"
# Characters from which a document's first parse runs in a worker thread: 18,000 entries (1.4 MB) took 1.5-7 s on
# the event loop, and every request waited for it. Meanwhile requests see an empty document (hover by line shape).
PARSE_OFF_LOOP = 200_000
FORMATS = (GTO, DVC_FORMAT)
FORMAT_OF_KIND: dict[str, Format] = {ARTIFACTS: GTO, DVC: DVC_FORMAT}  # the kinds of file that hold annotations


@dataclass
class DocState:
    """What the server keeps per document uri (open or published from disk)."""

    uri: str
    path: Optional[Path]
    kind: str
    root: Optional[Path]
    parsed: Optional[Parsed] = None  # the last parse, its format's value (an annotations file's)
    lines: Optional[LineIndex] = None
    task: Optional[asyncio.Task[None]] = None
    published: Optional[tuple[Any, ...]] = None  # fingerprint of the last published diagnostics
    vocabulary: Optional[tuple[Any, Collection[str], Collection[str]]] = None  # (parse, types used, labels used)
    parsing: Optional[tuple[str, asyncio.Task[Any]]] = None  # (text, task) of a first parse in a worker thread
    parse_pauses: Any = None  # that parse's pauses for requests (background.Pauses)
    lensed: Optional[tuple[Any, Any]] = None  # (parse, the run finding the entries that get lenses): code_lens.py
    lens_answer: Optional[tuple[Any, Any]] = None  # (what the last code lenses were made of, them): code_lens.py
    checked_large: bool = False  # a large check ran (its results were moved out of the collector's way)
    partial: bool = False  # the client holds a large file's first entries' diagnostics (the next publish is sent)
    checking: Optional[str] = None  # the progress shown from those to the whole file's

    @property
    def format(self) -> Optional[Format]:
        """The format of an annotations file (None for `.gto` and other files)."""
        return FORMAT_OF_KIND.get(self.kind)


@dataclass
class View:
    """A document as the editor holds it (or as saved, when not open), parsed."""

    uri: str
    kind: str
    path: Optional[Path]
    repo: RepoState
    text: str
    version: Optional[int]
    parsed: Any  # its format's parse of `text`, passed back to the format (None when it holds no annotations)
    lines: LineIndex

    @property
    def format(self) -> Optional[Format]:
        """The format of an annotations file (None for `.gto` and other files): features call through it."""
        return FORMAT_OF_KIND.get(self.kind)

    @property
    def root(self) -> Optional[Path]:
        return self.repo.root

    @property
    def folder(self) -> str:
        """The document's folder relative to the repository root (POSIX; "" at the root or outside one)."""
        root = self.repo.root
        if root is None or self.path is None:
            return ""
        try:
            relative = self.path.parent.relative_to(root).as_posix()
        except ValueError:
            return ""
        return "" if relative == "." else relative

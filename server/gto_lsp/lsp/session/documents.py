"""What the server keeps per document, and a document as a feature sees it (`View`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from gto_lsp.core.formats.dvc.document import DvcDocument
from gto_lsp.core.formats.gto.document import Document
from gto_lsp.lsp.positions import LineIndex
from gto_lsp.lsp.session.repos import RepoState

ARTIFACTS, CONFIG, DVC, OTHER = "artifacts", "config", "dvc", "other"
ANNOTATIONS = (ARTIFACTS, DVC)  # the kinds of document that hold artifact annotations
# Characters from which a document's first parse runs in a worker thread: 18,000 entries (1.4 MB) took 1.5-7 s on
# the event loop, and every request waited for it. Meanwhile requests see an empty document (hover by line shape).
PARSE_OFF_LOOP = 200_000


@dataclass
class DocState:
    """What the server keeps per document uri (open or published from disk)."""

    uri: str
    path: Optional[Path]
    kind: str
    root: Optional[Path]
    document: Optional[Document] = None
    lines: Optional[LineIndex] = None
    task: Optional[asyncio.Task[None]] = None
    published: Optional[tuple[Any, ...]] = None  # fingerprint of the last published diagnostics
    vocabulary: Optional[tuple[Document, list[str], list[str]]] = None  # (parse, types used, labels used)
    dvc: Optional[DvcDocument] = None  # the last parse of a dvc.yaml
    parsing: Optional[tuple[str, asyncio.Task[Any]]] = None  # (text, task) of a first parse in a worker thread
    lensed: Optional[tuple[Any, Any]] = None  # (parse, the entries that get code lenses) for code_lens.py


@dataclass
class View:
    """A document as the editor holds it (or as saved, when not open), parsed."""

    uri: str
    kind: str
    path: Optional[Path]
    repo: RepoState
    text: str
    version: Optional[int]
    document: Document
    lines: LineIndex
    dvc: Optional[DvcDocument] = None  # a dvc.yaml's parse (kind DVC); `document` is then empty

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

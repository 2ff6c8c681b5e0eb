"""One door to both annotation formats: a `Format` record of functions and facts, one per format (GTO's
artifacts.yaml in formats/gto/format.py, DVC's dvc.yaml in formats/dvc/format.py; the server's session lists
them: a module here that imported both would sit a floor above each). The server's features call a document's
format instead of asking which format it is; the facts say where the formats really differ.

A parse is the format's own value (GTO's `Document`, DVC's `DvcDocument`, both `Parsed`); features pass it
back to its format and reach its entries (`Placed` blocks: an entry at its line) through `entries`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, Protocol

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.completion import Layout
from gto_lsp.core.config import Config
from gto_lsp.core.edits import AnnotateRequest, EditResult
from gto_lsp.core.fields import Field
from gto_lsp.core.fixes import Fix
from gto_lsp.core.navigation import Link, Outline, Place, Suggestion, Target
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.blocks import Placed


class Parsed(Protocol):
    """What every format's parse has: the text it read and its parse problems."""

    @property
    def text(self) -> str: ...

    @property
    def problems(self) -> list[Problem]: ...


InHead = Callable[[str], bool]


@dataclass(frozen=True, eq=False, repr=False)
class Format:
    """One format's functions and facts (compared by identity: one instance per format)."""

    name: str  # "gto" or "dvc": the `format` the client sees
    file_name: str  # artifacts.yaml (GTO's default index; `.gto` may name another) or dvc.yaml
    section: Optional[str]  # the top-level key holding the entries (dvc.yaml's `artifacts`); None: the whole file

    # --- facts: where the formats really differ ---
    one_per_repository: bool  # GTO: the one index `.gto` names; DVC: a dvc.yaml in any folder
    reads_gto_config: bool  # `.gto` applies: its types list, its problems; annotate refused while it is wrong
    asks_git: bool  # its check asks git's HEAD (`virtual: false`): warm git at open and before a check
    names_qualified: bool  # a name carries the file's folder (`sub/dir:name`), as GTO's tags spell it
    counts_outputs: bool  # its check counts the outputs of the repository's stages (RepoView.outputs) as present
    paths_from_folder: bool  # `path` is relative to the file's folder (`..` allowed, `${...}` left alone)
    vocabulary_of_repository: bool  # completion offers the types and labels of every annotation file
    parses_off_loop: bool  # a large first parse runs in a worker thread (requests meanwhile see an empty one)
    new_entry_fields: str  # the fields a new entry is written with, in order ("type and path")
    new_entry_as_is: bool  # a new entry's lines carry their whole indentation (insert them as is)

    # --- reading ---
    parse: Callable[[str, Optional[Any]], Parsed]  # (text, previous parse): incremental, never raises
    entries: Callable[[Any], Sequence[Placed]]  # a parse's entries, in document order
    # (text, lines): a parse of the text's first entries, through the first one starting at `lines` or later,
    # whose check finds exactly the problems the whole text's check finds in those lines; None when it cannot
    # promise that. A large file's first diagnostics come from it while the whole is read.
    head: Optional[Callable[[str, int], Optional[Any]]]
    check: Callable[[Any, RepoView, Config, str, CheckSettings], list[Problem]]  # (parse, repo, config, folder, …)
    fixes: Callable[[Any, Optional[Any], Sequence[str], str, Problem], list[Fix]]  # (parse, entry, lines, text, …)
    full_name: Callable[[str, str], str]  # (folder, name): the name GTO's tags use
    vocabulary: Callable[[Any], tuple[Collection[str], Collection[str]]]  # (types, labels) a parse uses
    stage_outputs: Optional[Callable[[Any, RepoView, str], set[str]]]  # (parse, repo, folder): what stages make
    resolve_path: Callable[[str, str], Optional[str]]  # (value, folder): a `path:` from the root; None: refused
    tracked_by: tuple[str, ...]  # suffixes of the files that track data in git's stead (`.dvc`)

    # --- editing ---
    annotate: Callable[[Optional[str], AnnotateRequest, Config, Optional[InHead], Optional[Any], str, str], EditResult]
    remove: Callable[[Optional[str], str, Optional[Any], str], EditResult]  # (text, name, previous, file)
    request_values: Callable[[Any, Any, str], dict[str, Any]]  # as annotate's fields (GTO's names, from root)

    # --- fields and completion ---
    fields: tuple[Field, ...]
    field_doc: Callable[[str], Optional[str]]  # a field's documentation (Markdown), None when unknown
    layout: Callable[[Any, Sequence[str]], Optional[Layout]]  # where entries live; None: nowhere (no section)
    shape_layout: Callable[[Any, Sequence[str]], Optional[Layout]]  # the same, read from the lines' shape only
    section_span: Callable[[Any], Optional[Span]]  # the section, from its key to its last entry
    new_entry: Callable[[Optional[str], int, Any], tuple[str, str]]  # (name or None, column, parse): texts
    registered_here: Callable[[Iterable[str], str, Iterable[str]], list[tuple[str, str]]]  # (full, name)

    # --- beyond the entries (dvc.yaml: its pipeline; artifacts.yaml: nothing) ---
    outline: Callable[[Any], list[Outline]]  # symbols beside the entries (stages, plots, metrics, vars...)
    explain_at: Callable[[Any, Pos, Place], Optional[str]]  # hover Markdown where no entry's answer is
    definitions_at: Callable[[Any, Pos, Place], list[Target]]  # go to definition
    references_at: Callable[[Any, Pos, Place], list[Target]]  # the places that use what is at pos
    links: Callable[[Any, Place], list[Link]]  # spans that name files of the repository
    suggest_at: Callable[[Any, Pos, Place], Optional[list[Suggestion]]]  # None: complete as an entry's

    def __repr__(self) -> str:
        return f"Format({self.name!r})"

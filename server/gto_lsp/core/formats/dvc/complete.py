"""What completion offers in dvc.yaml's `artifacts:` section besides the lines' shape (core.completion): the types
and labels its entries use, the data DVC tracks (stage outputs, `.dvc` files), and the registered names that
belong to this file's folder."""

from __future__ import annotations

import posixpath
import weakref
from collections.abc import Iterable

from gto_lsp.core.formats.dvc.document import DvcDocument, Entry
from gto_lsp.core.formats.dvc.files import split_full_name
from gto_lsp.core.formats.dvc.values import values_of
from gto_lsp.core.names import is_valid_name
from gto_lsp.core.yaml.blocks import Block

Vocabulary = tuple[frozenset[str], frozenset[str]]  # (types, labels)
EntryVocabulary = tuple[tuple[str, ...], tuple[str, ...]]

# Kept by this module, weakly: a document's vocabulary once per parse, an entry's once per text of its block.
_VOCABULARY: weakref.WeakKeyDictionary[DvcDocument, Vocabulary] = weakref.WeakKeyDictionary()
_ENTRY_VOCABULARY: weakref.WeakKeyDictionary[Block, EntryVocabulary] = weakref.WeakKeyDictionary()


def vocabulary(document: DvcDocument) -> Vocabulary:
    """(types, labels) written in the section, valid by GTO's name rule; computed once per parse, each entry's once
    per text of its block (an edit re-reads the entry it touched)."""
    cached = _VOCABULARY.get(document)
    if cached is None:
        types_used: set[str] = set()
        labels: set[str] = set()
        for entry in document.entries:
            kinds, found = _entry_vocabulary(entry)
            types_used.update(kinds)
            labels.update(found)
        cached = (frozenset(types_used), frozenset(labels))
        _VOCABULARY[document] = cached
    return cached


def _entry_vocabulary(entry: Entry) -> EntryVocabulary:
    found = _ENTRY_VOCABULARY.get(entry.block)
    if found is None:
        values = values_of(entry)
        kind = values.get("type")
        labels = values.get("labels")
        found = (
            (kind,) if isinstance(kind, str) and is_valid_name(kind) else (),
            tuple(x for x in labels if isinstance(x, str) and is_valid_name(x)) if isinstance(labels, list) else (),
        )
        _ENTRY_VOCABULARY[entry.block] = found
    return found


def dvc_data(files: Iterable[str], outputs: Iterable[str]) -> dict[str, str]:
    """Repository paths DVC tracks, with what tracks them: `x.pkl` for each `x.pkl.dvc` among `files`, and each
    stage output."""
    found: dict[str, str] = {}
    for path in files:
        if path.endswith(".dvc") and posixpath.basename(path) != ".dvc" and "/.dvc/" not in f"/{path}":
            found.setdefault(path[: -len(".dvc")], f"tracked by DVC ({posixpath.basename(path)})")
    for path in outputs:
        found.setdefault(path, "output of a stage of this dvc.yaml")
    return found


def data_children(data: dict[str, str], folder: str) -> list[tuple[str, bool, str]]:
    """(repository path, is a folder, detail) of what `data` puts directly inside `folder` ("" the root): its
    files there, and the folders that lead to the deeper ones."""
    out: dict[str, tuple[str, bool, str]] = {}
    prefix = folder + "/" if folder else ""
    for path, detail in data.items():
        if not path.startswith(prefix) or path == folder or path in (".", ""):
            continue
        head, _, tail = path[len(prefix) :].partition("/")
        child = prefix + head
        if tail:
            out.setdefault(child, (child, True, "folder with data tracked by DVC"))
        else:
            out[child] = (child, False, detail)
    return sorted(out.values())


def registered_here(names: Iterable[str], folder: str, present: Iterable[str]) -> list[tuple[str, str]]:
    """(full name, name in this file) of registered names that a dvc.yaml in `folder` declares: `name` at the
    root, `folder:name` below; the names already in the section left out."""
    have = set(present)
    out = []
    for full in names:
        where, name = split_full_name(full)
        if ":" in full and where != full.rsplit(":", 1)[0]:
            continue  # `sub/dvc.yaml:name` tags: DVC never finds them (spec 5.2)
        if where == folder and name not in have and is_valid_name(name):
            out.append((full, name))
    return sorted(out)

"""What the rules need of one entry (its name, type, path, virtual, labels and its own problems): computed once
per block text by rules_entry.facts, read by the rules across entries (rules_cross.py) and by check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from gto_lsp.core.problems import Problem
from gto_lsp.core.yaml.nodes import Node


@dataclass(frozen=True)
class Facts:
    """What the rules need of one entry, computed once per block text."""

    name: Any
    local: tuple[Problem, ...]  # problems of this entry alone, relative to its block
    labels: tuple[str, ...]
    type: Optional[str]
    type_node: Optional[Node]
    path: Optional[str]
    path_node: Optional[Node]
    virtual: bool
    norm: str
    key: int  # paths.folder_keys: of `norm`, and of each folder containing it, innermost first
    folders: tuple[int, ...]
    signature: tuple[Any, ...] = ()  # what the rules across entries read: name, type, path, virtual

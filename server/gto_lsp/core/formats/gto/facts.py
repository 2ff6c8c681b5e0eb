"""What the rules need of one entry (its name, type, path, virtual, labels and its own problems): computed once
per block text by rules_entry.facts, read by the rules across entries (rules_cross.py) and by check."""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from gto_lsp.core.problems import Problem
from gto_lsp.core.yaml.nodes import Node


class Facts(NamedTuple):
    """What the rules need of one entry, computed once per block text. A named tuple: built for every entry of
    a first check, where a frozen dataclass's __init__ cost 10% of it."""

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
